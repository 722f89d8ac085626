//! Hydration: stored records → the lexicons' views as typed structs (`view`), shared by the
//! XRPC API (which serializes them) and the pages (which render them). Record content is
//! untrusted: every field copied into a view is checked against the lexicon's type and limits,
//! or left out.

mod actor;
pub mod content;
mod embed;
pub mod feedgen;
pub mod gate;
pub mod labeler;
pub mod labels;
mod lanes;
pub mod list;
mod memo;
pub mod mod_lists;
mod notification;
pub mod outside;
pub(crate) mod post;
pub mod starter_pack;
mod thread;
pub mod thread_v2;
pub mod view;

pub use memo::Relationship;
pub use thread::thread;

use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A hydrator bound to one request's state and viewer. Accounts, the viewer's relationship
/// to them and profiles are looked up once per request (a timeline shows the same authors
/// many times).
pub struct Views<'a> {
    state: &'a AppState,
    viewer: Option<String>,
    memo: memo::Memo,
    /// Records beyond the store, fetched from their owners' PDSes for this request.
    fetched: HashMap<RecordId, Arc<StoredRecord>>,
    /// Handles of accounts beyond the store, resolved (and verified) for this request.
    handles: HashMap<String, String>,
    /// The labelers whose labels are shown.
    accepted: Arc<labels::Accepted>,
}

/// A live post: its stored row, the record as stored and what hydration reads of it.
pub(crate) struct LivePost {
    rec: StoredRecord,
    raw: view::RawRecord,
    content: Arc<content::PostContent>,
}

impl<'a> Views<'a> {
    /// A hydrator over the app's store, for nobody in particular.
    pub fn new(state: &'a AppState) -> Self {
        Self::for_viewer(state, None)
    }

    /// A hydrator for `viewer`: views carry their viewer state.
    pub fn for_viewer(state: &'a AppState, viewer: Option<String>) -> Self {
        Views {
            state,
            viewer,
            memo: Default::default(),
            fetched: HashMap::new(),
            handles: HashMap::new(),
            accepted: labels::current().unwrap_or_else(|| {
                Arc::new(labels::Accepted::parse(None, &state.cfg.labels.labelers))
            }),
        }
    }

    /// The same hydrator, also showing `records` (fetched beyond the store) where the store
    /// has nothing.
    pub fn with_fetched(mut self, records: impl IntoIterator<Item = Arc<StoredRecord>>) -> Self {
        self.fetched
            .extend(records.into_iter().map(|r| (r.id.clone(), r)));
        self
    }

    /// The viewer, if any.
    pub fn viewer(&self) -> Option<&str> {
        self.viewer.as_deref()
    }

    /// The store.
    pub fn store(&self) -> &dyn aerie_storage::Store {
        &*self.state.store
    }

    /// `f` for every item, in order. Where each read is a round trip (PostgreSQL), several
    /// items are hydrated at once on a fixed pool of threads, sharing this request's memo.
    pub fn each<I: Sync, T: Send>(
        &self,
        items: &[I],
        f: impl Fn(&I) -> aerie_storage::Result<T> + Sync + Send,
    ) -> aerie_storage::Result<Vec<T>> {
        lanes::each(self.state.store.read_parallelism(), items, f)
    }

    /// The same hydrator, knowing `did`'s handle (verified beyond the store).
    pub fn with_handle(mut self, did: &str, handle: String) -> Self {
        self.handles.insert(did.to_string(), handle);
        self
    }

    /// A live record of an active account, as stored (or as fetched for this request).
    fn live_record(&self, id: &RecordId) -> aerie_storage::Result<Option<StoredRecord>> {
        if !self.active(&id.did)? {
            return Ok(None);
        }
        self.record(id)
    }

    /// A record as stored, else as fetched for this request.
    fn record(&self, id: &RecordId) -> aerie_storage::Result<Option<StoredRecord>> {
        match self.state.store.record(id)? {
            Some(r) => Ok(Some(r)),
            None => Ok(self.fetched.get(id).map(|r| (**r).clone())),
        }
    }

    /// A live post of an active account, with its content parsed.
    fn live_post(&self, id: &RecordId) -> aerie_storage::Result<Option<LivePost>> {
        let Some(mut rec) = self.live_record(id)? else {
            return Ok(None);
        };
        let Some(raw) = raw_record(std::mem::take(&mut rec.value)) else {
            return Ok(None);
        };
        let content = Arc::new(content::PostContent::parse(raw.get()));
        Ok(Some(LivePost { rec, raw, content }))
    }

    /// A post's (or feed's, or labeler's) counts: Aerie's, met with the count source's.
    pub(crate) fn post_counts(
        &self,
        id: &RecordId,
    ) -> aerie_storage::Result<aerie_storage::PostCounts> {
        let c = self.state.store.post_counts(id)?;
        let live = [c.likes, c.reposts, c.replies, c.quotes];
        let [likes, reposts, replies, quotes] = self.state.counts.combine(&id.uri(), live);
        Ok(aerie_storage::PostCounts {
            likes,
            reposts,
            replies,
            quotes,
        })
    }

    /// An account's counts: Aerie's, met with the count source's.
    pub(crate) fn actor_counts(
        &self,
        did: &str,
    ) -> aerie_storage::Result<aerie_storage::ActorCounts> {
        let c = self.state.store.actor_counts(did)?;
        let live = [c.followers, c.follows, c.posts, 0];
        let [followers, follows, posts, _] = self.state.counts.combine(did, live);
        Ok(aerie_storage::ActorCounts {
            followers,
            follows,
            posts,
        })
    }

    /// Whether an account's content may be shown (unknown accounts count as active; an account
    /// a labeler the request accepts as redacting took down does not).
    pub fn active(&self, did: &str) -> aerie_storage::Result<bool> {
        Ok(self.actor(did)?.is_none_or(|a| a.active) && !self.account_taken_down(did)?)
    }

    /// Whether either account blocks the other (content between them is shown as blocked).
    /// Blocks involving the viewer come from their relationship, looked up once.
    pub fn blocked_between(&self, a: &str, b: &str) -> aerie_storage::Result<bool> {
        if a == b {
            return Ok(false);
        }
        match self.viewer.as_deref() {
            Some(v) if v == a => Ok(self.relationship(b)?.is_some_and(|r| r.blocks())),
            Some(v) if v == b => Ok(self.relationship(a)?.is_some_and(|r| r.blocks())),
            _ => Ok(self.state.store.blocking(a, b)? || self.state.store.blocking(b, a)?),
        }
    }

    /// Whether the viewer should not see `did` in their own lists (timeline, notifications):
    /// a block either way, or a mute.
    pub fn hidden_from_viewer(&self, did: &str) -> aerie_storage::Result<bool> {
        Ok(self
            .relationship(did)?
            .is_some_and(|r| r.blocks() || r.mutes()))
    }

    fn cdn(&self, kind: &str, did: &str, cid: &str) -> String {
        format!(
            "{}/img/{kind}/plain/{did}/{cid}@jpeg",
            self.state.cfg.cdn_base.trim_end_matches('/')
        )
    }
}

/// A stored record's JSON as a raw value, without copying it (`None` if the bytes are not
/// JSON, which the store never writes).
pub fn raw_record(bytes: Vec<u8>) -> Option<view::RawRecord> {
    let s = String::from_utf8(bytes).ok()?;
    serde_json::value::RawValue::from_string(s).ok()
}

/// The lexicon's limits on a string: UTF-8 bytes and graphemes.
#[derive(Clone, Copy)]
struct Limit {
    bytes: usize,
    graphemes: usize,
}

/// No limit in the lexicon (the record's own limits still bounded it on the way in).
const ANY: Limit = Limit {
    bytes: usize::MAX,
    graphemes: usize::MAX,
};

/// A string field of an untrusted record, cut to the lexicon's limits on whole graphemes.
fn text(v: &Value, key: &str, limit: Limit) -> Option<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let s = v.get(key)?.as_str()?;
    if s.len() <= limit.bytes && s.len() <= limit.graphemes {
        return Some(s.to_string());
    }
    let mut out = String::new();
    for g in s.graphemes(true).take(limit.graphemes) {
        if out.len() + g.len() > limit.bytes {
            break;
        }
        out.push_str(g);
    }
    Some(out)
}

/// The CID of a blob field (`{"$type":"blob","ref":{"$link":..}}` or the legacy `{"cid":..}`).
fn blob_cid(v: &Value) -> Option<String> {
    let link = v
        .get("ref")
        .and_then(|r| r.get("$link"))
        .or_else(|| v.get("cid"))?
        .as_str()?;
    crate::util::syntax::cid_bytes(link).map(|_| link.to_string())
}

/// A datetime field, re-rendered in canonical form; `None` if absent or invalid.
fn datetime(v: &Value, key: &str) -> Option<String> {
    v.get(key)?
        .as_str()
        .and_then(aerie_storage::datetime::parse_us)
        .map(aerie_storage::datetime::format_us)
}

/// `{width, height}` when both are positive integers.
fn aspect_ratio(v: &Value) -> Option<view::AspectRatio> {
    let a = v.get("aspectRatio")?;
    let (width, height) = (a.get("width")?.as_u64()?, a.get("height")?.as_u64()?);
    (width >= 1 && height >= 1).then_some(view::AspectRatio { width, height })
}

/// A URI as the lexicon's `uri` format accepts it.
fn uri_ok(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    scheme_ok
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 8192
}
