//! Threadgates (`app.bsky.feed.threadgate`): who may reply in a thread, and the replies its
//! author hid; postgates (`app.bsky.feed.postgate`): quotes a post's author detached, and
//! whether others may quote it. Checked when a thread is read (the reference checks once, when a reply is
//! indexed): the root's gate and its mention, follower, following and list rules. The thread's
//! author may always reply; a gate with no `allow` lets anyone, an empty one nobody.

use super::content::{FacetTarget, PostContent};
use super::list::{member_of, LIST_ITEM};
use super::view::PostView;
use super::Views;
use crate::gate::follows_of;
use aerie_storage::{RecordId, Relation, StoredRecord};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// `app.bsky.feed.threadgate`.
pub const THREADGATE: &str = "app.bsky.feed.threadgate";
/// `app.bsky.feed.postgate`.
pub const POSTGATE: &str = "app.bsky.feed.postgate";

/// A post's postgate, as far as hydration uses it.
#[derive(Default)]
pub struct Postgate {
    /// Quotes its author detached (their URIs).
    pub detached: HashSet<String>,
    /// Others may not quote it (`#disableRule`).
    pub embedding_disabled: bool,
    /// When the gate was written (its sort time): quotes made before a `#disableRule` keep
    /// their embed, as in the reference, which decides when it indexes a quote.
    pub since_us: i64,
}
/// Listitem records read at most to check a list rule.
const MAX_ITEMS: usize = 10_000;

/// One allow rule.
#[derive(Debug, Clone)]
enum Rule {
    Mention,
    Follower,
    Following,
    List(RecordId),
}

/// A thread's gate, with what its rules need looked up once.
pub struct Gate {
    /// The gate record.
    pub record: StoredRecord,
    op: String,
    allow: Option<Vec<Rule>>,
    hidden: HashSet<String>,
    op_follows: OnceLock<HashSet<String>>,
    mentioned: HashSet<String>,
    lists: Mutex<HashMap<String, HashSet<String>>>,
}

impl Views<'_> {
    /// The gate of the thread whose root is `root`, if its author set one.
    pub fn threadgate(&self, root: &PostView) -> aerie_storage::Result<Option<Gate>> {
        match RecordId::parse_uri(&root.uri) {
            Some(id) => self.gate_of(&id, &root.content),
            None => Ok(None),
        }
    }

    /// `viewer.replyDisabled` of a post (`content` is its content): whether the gate of its
    /// thread's root keeps the viewer from replying; `None` with no gate or no viewer.
    pub(super) fn reply_disabled(
        &self,
        id: &RecordId,
        content: &PostContent,
    ) -> aerie_storage::Result<Option<bool>> {
        let Some(viewer) = self.viewer() else {
            return Ok(None);
        };
        let gate = match &content.reply {
            None => self.gate_of(id, content)?,
            Some(r) => match self.live_post(&r.root)? {
                Some(root) => self.gate_of(&r.root, &root.content)?,
                None => None,
            },
        };
        match gate {
            Some(g) => Ok(Some(!g.allows(self, viewer)?)),
            None => Ok(None),
        }
    }

    /// The gate of the thread whose root is `id` (with content `root`), if its author set one.
    fn gate_of(&self, id: &RecordId, root: &PostContent) -> aerie_storage::Result<Option<Gate>> {
        let uri = id.uri();
        let gate_id = RecordId::new(&id.did, THREADGATE, &id.rkey);
        let Some(record) = self.record(&gate_id)? else {
            return Ok(None);
        };
        let Ok(value) = serde_json::from_slice::<Value>(&record.value) else {
            return Ok(None);
        };
        if value.get("post").and_then(Value::as_str) != Some(uri.as_str()) {
            return Ok(None);
        }
        let allow = value.get("allow").and_then(Value::as_array).map(|rules| {
            rules
                .iter()
                .filter_map(|r| match r.get("$type")?.as_str()? {
                    "app.bsky.feed.threadgate#mentionRule" => Some(Rule::Mention),
                    "app.bsky.feed.threadgate#followerRule" => Some(Rule::Follower),
                    "app.bsky.feed.threadgate#followingRule" => Some(Rule::Following),
                    "app.bsky.feed.threadgate#listRule" => {
                        RecordId::parse_uri(r.get("list")?.as_str()?).map(Rule::List)
                    }
                    _ => None,
                })
                .collect()
        });
        let hidden = value
            .get("hiddenReplies")
            .and_then(Value::as_array)
            .map(|h| {
                h.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mentioned = root
            .facets
            .iter()
            .filter_map(|f| match &f.target {
                FacetTarget::Mention(d) => Some(d.clone()),
                _ => None,
            })
            .collect();
        Ok(Some(Gate {
            record,
            op: id.did.clone(),
            allow,
            hidden,
            op_follows: OnceLock::new(),
            mentioned,
            lists: Mutex::default(),
        }))
    }
}

impl Views<'_> {
    /// The postgate of post `id` (none set: nothing detached, quoting allowed).
    pub fn postgate(&self, id: &RecordId) -> aerie_storage::Result<Postgate> {
        let gate_id = RecordId::new(&id.did, POSTGATE, &id.rkey);
        let Some(rec) = self.record(&gate_id)? else {
            return Ok(Postgate::default());
        };
        let value = serde_json::from_slice::<Value>(&rec.value)
            .ok()
            .filter(|v| v.get("post").and_then(Value::as_str) == Some(id.uri().as_str()));
        let Some(v) = value else {
            return Ok(Postgate::default());
        };
        let detached = v
            .get("detachedEmbeddingUris")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let embedding_disabled = v
            .get("embeddingRules")
            .and_then(Value::as_array)
            .is_some_and(|rules| {
                rules.iter().any(|r| {
                    r.get("$type").and_then(Value::as_str)
                        == Some("app.bsky.feed.postgate#disableRule")
                })
            });
        Ok(Postgate {
            detached,
            embedding_disabled,
            since_us: rec.sort_at_us,
        })
    }
}

/// Whether `a` follows `b`: the store keeps follows by or of a local user as relations (one
/// lookup); others are read from `a`'s follows.
fn follows(views: &Views<'_>, a: &str, b: &str) -> aerie_storage::Result<bool> {
    let scope = &views.state.scope;
    if scope.is_local(a) || scope.is_local(b) {
        return Ok(views.store().relation(Relation::Follow, a, b)?.is_some());
    }
    Ok(follows_of(views.store(), a)?.iter().any(|d| d == b))
}

impl Postgate {
    /// Whether the quote `quoting` (by another author, written at `at_us`) shows detached:
    /// named by the gate, or written after the gate disabled quoting.
    pub fn detaches(&self, quoting: &str, by_other: bool, at_us: i64) -> bool {
        self.detached.contains(quoting)
            || (self.embedding_disabled && by_other && at_us > self.since_us)
    }
}

impl Gate {
    /// Whether the thread's author hid the reply `uri`.
    pub fn hides(&self, uri: &str) -> bool {
        self.hidden.contains(uri)
    }

    /// Whether `author` may reply in the thread.
    pub fn allows(&self, views: &Views<'_>, author: &str) -> aerie_storage::Result<bool> {
        let Some(rules) = &self.allow else {
            return Ok(true);
        };
        if author == self.op {
            return Ok(true);
        }
        for rule in rules {
            let ok = match rule {
                Rule::Mention => self.mentioned.contains(author),
                Rule::Following => match views.state.scope.is_local(author) {
                    true => follows(views, &self.op, author)?,
                    false => self.op_follows(views)?.contains(author),
                },
                Rule::Follower => follows(views, author, &self.op)?,
                Rule::List(list) => self.on_list(views, list, author)?,
            };
            if ok {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn op_follows(&self, views: &Views<'_>) -> aerie_storage::Result<&HashSet<String>> {
        if let Some(f) = self.op_follows.get() {
            return Ok(f);
        }
        let f = follows_of(views.store(), &self.op)?.into_iter().collect();
        Ok(self.op_follows.get_or_init(|| f))
    }

    fn on_list(
        &self,
        views: &Views<'_>,
        list: &RecordId,
        did: &str,
    ) -> aerie_storage::Result<bool> {
        let uri = list.uri();
        if let Some(members) = self.lists.lock().ok().and_then(|l| l.get(&uri).cloned()) {
            return Ok(members.contains(did));
        }
        let mut members = HashSet::new();
        let mut cursor: Option<String> = None;
        let mut read = 0;
        while read < MAX_ITEMS {
            let page = views
                .store()
                .records_in(&list.did, LIST_ITEM, cursor.as_deref(), 100)?;
            read += page.items.len().max(1);
            for id in &page.items {
                if let Some(m) = views.store().record(id)?.and_then(|r| member_of(&r, &uri)) {
                    members.insert(m);
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let found = members.contains(did);
        if let Ok(mut l) = self.lists.lock() {
            l.insert(uri, members);
        }
        Ok(found)
    }
}
