//! Labels on views: those the labelers a request accepts (`atproto-accept-labelers`, else
//! `labels.labelers`) put on a subject — a post's URI, an account's DID and profile record, a
//! list's, feed's or labeler's URI — as the store keeps them, expired ones left out; plus a
//! record's self-labels. A post a redacting labeler took down (`!takedown`, `!suspend`) is
//! not shown, nor an account it took down (or any of its content). The accepted labelers
//! travel with the request: a task-local set by the XRPC layer, carried onto the blocking
//! thread that hydrates (`within`).

use super::view::Label;
use super::Views;
use crate::gate::labels::on;
use std::cell::RefCell;
use std::sync::Arc;

/// Labels read per subject at most.
const PER_SUBJECT: usize = 64;
/// Labelers a request may name at most (the rest are ignored).
const MAX_ACCEPTED: usize = 20;

/// The labelers a request accepts, each with whether it redacts (`;redact`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// DIDs, and whether their takedowns remove content.
    pub labelers: Vec<(String, bool)>,
}

impl Accepted {
    /// From the `atproto-accept-labelers` header: absent or unparsable → `default`, each
    /// redacting (as the reference); empty → none.
    pub fn parse(header: Option<&str>, default: &[String]) -> Self {
        let fallback = || Accepted {
            labelers: default.iter().map(|d| (d.clone(), true)).collect(),
        };
        let Some(h) = header else {
            return fallback();
        };
        let mut labelers = Vec::new();
        for part in h.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut bits = part.split(';').map(str::trim);
            let did = bits.next().unwrap_or_default();
            if !crate::util::syntax::is_did(did) {
                return fallback();
            }
            let redact = bits.any(|b| b.eq_ignore_ascii_case("redact"));
            if labelers.len() < MAX_ACCEPTED && !labelers.iter().any(|(d, _)| d == did) {
                labelers.push((did.to_string(), redact));
            }
        }
        Accepted { labelers }
    }

    /// Whether labels from `src` are shown.
    fn shows(&self, src: &str) -> bool {
        self.labelers.iter().any(|(d, _)| d == src)
    }

    /// Whether `src` redacts.
    fn redacts(&self, src: &str) -> bool {
        self.labelers.iter().any(|(d, r)| d == src && *r)
    }

    /// The header value naming these labelers (`atproto-content-labelers`).
    pub fn header(&self) -> String {
        self.labelers
            .iter()
            .map(|(d, r)| match r {
                true => format!("{d};redact"),
                false => d.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

tokio::task_local! {
    /// The labelers the request being served accepts.
    pub static ACCEPTED: Arc<Accepted>;
}

thread_local! {
    static ON_THREAD: RefCell<Option<Arc<Accepted>>> = const { RefCell::new(None) };
}

/// The labelers the current request accepts, if one is being served here.
pub fn current() -> Option<Arc<Accepted>> {
    ACCEPTED
        .try_with(Arc::clone)
        .ok()
        .or_else(|| ON_THREAD.with(|t| t.borrow().clone()))
}

/// Runs `f` (on a blocking thread) as part of the request that accepts `accepted`.
pub fn within<T>(accepted: Option<Arc<Accepted>>, f: impl FnOnce() -> T) -> T {
    let before = ON_THREAD.with(|t| t.replace(accepted));
    let out = f();
    ON_THREAD.with(|t| *t.borrow_mut() = before);
    out
}

/// A self-label's subject: who labelled (the author), what, and when.
pub struct SelfLabels<'a> {
    /// The record's author.
    pub author: &'a str,
    /// The record's URI.
    pub uri: &'a str,
    /// Its CID.
    pub cid: Option<&'a str>,
    /// The values.
    pub values: &'a [String],
    /// Its `createdAt`.
    pub cts: Option<&'a str>,
}

impl Views<'_> {
    /// The labels shown on `subjects` (and the record's self-labels).
    pub fn labels(
        &self,
        subjects: &[&str],
        own: Option<SelfLabels<'_>>,
    ) -> aerie_storage::Result<Vec<Label>> {
        let mut out = Vec::new();
        let now = crate::util::now_us();
        for subject in subjects {
            for l in on(self.store(), subject, PER_SUBJECT)? {
                let expired = l
                    .exp
                    .as_deref()
                    .and_then(aerie_storage::datetime::parse_us)
                    .is_some_and(|exp| exp <= now);
                if expired || !self.accepted.shows(&l.src) {
                    continue;
                }
                out.push(Label {
                    ver: Some(1),
                    src: l.src,
                    uri: l.uri,
                    cid: l.cid,
                    val: l.val,
                    cts: l.cts,
                    exp: l.exp,
                });
            }
        }
        if let Some(s) = own {
            for val in s.values {
                out.push(Label {
                    ver: Some(1),
                    src: s.author.to_string(),
                    uri: s.uri.to_string(),
                    cid: s.cid.map(String::from),
                    val: val.clone(),
                    cts: s.cts.unwrap_or_default().to_string(),
                    exp: None,
                });
            }
        }
        Ok(out)
    }

    /// The labels shown on a record (a list, feed, labeler, starter pack, notification): on
    /// its URI, and its self-labels.
    pub fn record_labels(
        &self,
        rec: &aerie_storage::StoredRecord,
    ) -> aerie_storage::Result<Vec<Label>> {
        let uri = rec.id.uri();
        let value: serde_json::Value = serde_json::from_slice(&rec.value).unwrap_or_default();
        let values = super::content::self_labels(&value);
        let cid = crate::util::syntax::cid_string(&rec.cid);
        let own = SelfLabels {
            author: &rec.id.did,
            uri: &uri,
            cid: Some(&cid),
            values: &values,
            cts: value.get("createdAt").and_then(|c| c.as_str()),
        };
        self.labels(&[&uri], Some(own))
    }

    /// Whether a labeler the request accepts as redacting took the account `did` down (looked
    /// up once per request).
    pub(super) fn account_taken_down(&self, did: &str) -> aerie_storage::Result<bool> {
        if let Some(down) = self.memo.taken_down.get(did) {
            return Ok(down);
        }
        let down = self.taken_down(&self.labels(&[did], None)?);
        self.memo.taken_down.put(did.to_string(), down);
        Ok(down)
    }

    /// Whether a labeler the request accepts as redacting took `labels`' subject down.
    pub fn taken_down(&self, labels: &[Label]) -> bool {
        labels.iter().any(|l| {
            matches!(l.val.as_str(), "!takedown" | "!suspend") && self.accepted.redacts(&l.src)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_labelers_and_whether_they_redact() {
        let default = vec!["did:plc:ar7c4by46qjdydhdevvrndac".to_string()];
        let a = Accepted::parse(
            Some("did:plc:ar7c4by46qjdydhdevvrndac;redact, did:web:other.example"),
            &default,
        );
        assert_eq!(
            a.labelers,
            vec![
                ("did:plc:ar7c4by46qjdydhdevvrndac".into(), true),
                ("did:web:other.example".into(), false)
            ]
        );
        assert_eq!(
            a.header(),
            "did:plc:ar7c4by46qjdydhdevvrndac;redact,did:web:other.example"
        );
        assert_eq!(
            Accepted::parse(None, &default).labelers,
            vec![("did:plc:ar7c4by46qjdydhdevvrndac".into(), true)]
        );
        assert_eq!(Accepted::parse(Some(""), &default).labelers, vec![]);
        assert_eq!(
            Accepted::parse(Some("nonsense"), &default).labelers,
            vec![("did:plc:ar7c4by46qjdydhdevvrndac".into(), true)]
        );
    }
}
