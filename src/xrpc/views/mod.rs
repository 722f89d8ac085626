//! Hydration: stored records → the lexicons' view objects (`app.bsky.actor.defs#profileView*`,
//! `app.bsky.feed.defs#postView`, embed views). Record content is untrusted: every field copied
//! into a view is checked against the lexicon's type and limits, or left out.

mod actor;
mod embed;
mod memo;
mod notification;
mod post;
mod thread;

pub use actor::ProfileKind;
pub use memo::Relationship;
pub use thread::thread;

use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use serde_json::Value;

/// A hydrator bound to one request's state and viewer. Accounts, the viewer's relationship
/// to them and profile views are looked up once per request (a timeline shows the same
/// authors many times).
pub struct Views<'a> {
    state: &'a AppState,
    viewer: Option<String>,
    memo: memo::Memo,
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
        }
    }

    /// `f` for every item, in order. Where each read is a round trip (PostgreSQL), several
    /// items are hydrated at once, sharing this request's memo.
    pub fn each<I: Sync, T: Send>(
        &self,
        items: &[I],
        f: impl Fn(&I) -> aerie_storage::Result<T> + Sync,
    ) -> aerie_storage::Result<Vec<T>> {
        let lanes = self.state.store.read_parallelism().min(items.len());
        if lanes <= 1 {
            return items.iter().map(&f).collect();
        }
        let chunk = items.len().div_ceil(lanes);
        std::thread::scope(|s| {
            let lanes: Vec<_> = items
                .chunks(chunk)
                .map(|part| s.spawn(|| part.iter().map(&f).collect::<Result<Vec<_>, _>>()))
                .collect();
            let mut out = Vec::with_capacity(items.len());
            for lane in lanes {
                let part = lane.join().map_err(|_| {
                    aerie_storage::Error::Engine("a hydration thread panicked".into())
                })?;
                out.extend(part?);
            }
            Ok(out)
        })
    }

    /// A live record of an active account, with its JSON.
    fn live(&self, id: &RecordId) -> aerie_storage::Result<Option<(StoredRecord, Value)>> {
        if !self.active(&id.did)? {
            return Ok(None);
        }
        Ok(self.state.store.record(id)?.map(|r| {
            let v = serde_json::from_slice(&r.value).unwrap_or(Value::Null);
            (r, v)
        }))
    }

    /// Whether an account's content may be shown (unknown accounts count as active).
    pub fn active(&self, did: &str) -> aerie_storage::Result<bool> {
        Ok(self.actor(did)?.is_none_or(|a| a.active))
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
            .is_some_and(|r| r.blocks() || r.muted))
    }

    fn cdn(&self, kind: &str, did: &str, cid: &str) -> String {
        format!(
            "{}/img/{kind}/plain/{did}/{cid}@jpeg",
            self.state.cfg.cdn_base.trim_end_matches('/')
        )
    }
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
fn aspect_ratio(v: &Value) -> Option<Value> {
    let a = v.get("aspectRatio")?;
    let (w, h) = (a.get("width")?.as_u64()?, a.get("height")?.as_u64()?);
    (w >= 1 && h >= 1).then(|| serde_json::json!({"width": w, "height": h}))
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
