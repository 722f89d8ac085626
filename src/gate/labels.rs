//! Labels from the labelers Aerie subscribes to, as the store keeps them: under each subject
//! (a DID or an AT-URI), one value per (labeler, value) — the newest by `cts` wins, a negation
//! removes it — written in one batch with the labeler's cursor, so a restart resumes exactly
//! where the stored labels end. Also the labelers local users' apps asked for. Aerie's own
//! bookkeeping beside the network data, decided by no scope (see [`super::own`]).

use aerie_storage::{Op, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The private kind labels are kept under (owner: the subject).
pub const KIND: &str = "label";
/// The owner of Aerie's label bookkeeping.
const AERIE: &str = "aerie";
/// Each labeler's cursor (key: the labeler's DID; value: the last `seq` stored).
const CURSOR: &str = "labelcursor";
/// Labelers local users' apps named (key: DID).
const WANTED: &str = "labeler";

/// One label as kept (and shown): `com.atproto.label.defs#label` without its signature, which
/// was checked when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLabel {
    /// The labeler.
    pub src: String,
    /// The subject: a DID or an AT-URI.
    pub uri: String,
    /// The version of the record labelled, when the label names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// The value.
    pub val: String,
    /// A negation of an earlier label (never stored: it removes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub neg: bool,
    /// When it was made.
    pub cts: String,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<String>,
}

impl StoredLabel {
    /// Its key under the subject.
    fn key(&self) -> String {
        format!("{} {}", self.src, self.val)
    }
}

fn time(s: &str) -> i64 {
    aerie_storage::datetime::parse_us(s).unwrap_or(i64::MIN)
}

/// Stores `labels` from `labeler` (in stream order; the newest `cts` per subject, labeler and
/// value wins) and the labeler's cursor `seq`, in one batch.
pub fn apply(
    store: &dyn Store,
    labeler: &str,
    labels: Vec<StoredLabel>,
    seq: i64,
) -> aerie_storage::Result<()> {
    let mut latest: HashMap<(String, String), StoredLabel> = HashMap::new();
    for label in labels {
        let k = (label.uri.clone(), label.key());
        let newer = match latest.get(&k) {
            Some(seen) => time(&label.cts) >= time(&seen.cts),
            None => match store.private(&label.uri, KIND, &k.1)? {
                Some(bytes) => serde_json::from_slice::<StoredLabel>(&bytes)
                    .map_or(true, |kept| time(&label.cts) >= time(&kept.cts)),
                None => true,
            },
        };
        if newer {
            latest.insert(k, label);
        }
    }
    let mut ops: Vec<Op> = latest
        .into_iter()
        .map(|((uri, key), label)| Op::Private {
            owner: uri,
            kind: KIND.into(),
            key,
            value: match label.neg {
                true => None,
                false => serde_json::to_vec(&label).ok(),
            },
        })
        .collect();
    ops.push(Op::Private {
        owner: AERIE.into(),
        kind: CURSOR.into(),
        key: labeler.to_string(),
        value: Some(seq.to_string().into_bytes()),
    });
    store.apply(&ops, None).map(drop)
}

/// The last `seq` stored from `labeler`.
pub fn cursor(store: &dyn Store, labeler: &str) -> aerie_storage::Result<Option<i64>> {
    Ok(store
        .private(AERIE, CURSOR, labeler)?
        .and_then(|v| String::from_utf8(v).ok()?.parse().ok()))
}

/// The labels kept on `subject` (at most `limit`).
pub fn on(
    store: &dyn Store,
    subject: &str,
    limit: usize,
) -> aerie_storage::Result<Vec<StoredLabel>> {
    Ok(store
        .privates(subject, KIND, None, limit)?
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
        .collect())
}

/// Remembers that a local user's app asked for `labeler`'s labels.
pub fn want(store: &dyn Store, labeler: &str) -> aerie_storage::Result<()> {
    let op = Op::Private {
        owner: AERIE.into(),
        kind: WANTED.into(),
        key: labeler.to_string(),
        value: Some(Vec::new()),
    };
    store.apply(&[op], None).map(drop)
}

/// The labelers local users' apps asked for (at most `limit`).
pub fn wanted(store: &dyn Store, limit: usize) -> aerie_storage::Result<Vec<String>> {
    Ok(store
        .privates(AERIE, WANTED, None, limit)?
        .into_iter()
        .map(|(k, _)| k)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::{Backend, Durability};

    fn label(val: &str, cts: &str, neg: bool) -> StoredLabel {
        StoredLabel {
            src: "did:plc:labeler".into(),
            uri: "did:plc:subject".into(),
            cid: None,
            val: val.into(),
            neg,
            cts: cts.into(),
            exp: None,
        }
    }

    #[test]
    fn the_newest_label_wins_and_a_negation_removes_it() {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let s = &*store;
        apply(
            s,
            "did:plc:labeler",
            vec![label("spam", "2024-01-02T00:00:00Z", false)],
            1,
        )
        .expect("apply");
        assert_eq!(on(s, "did:plc:subject", 10).expect("read").len(), 1);
        assert_eq!(cursor(s, "did:plc:labeler").expect("cursor"), Some(1));
        // An older negation (replayed out of order) does not remove the newer label.
        apply(
            s,
            "did:plc:labeler",
            vec![label("spam", "2024-01-01T00:00:00Z", true)],
            2,
        )
        .expect("apply");
        assert_eq!(on(s, "did:plc:subject", 10).expect("read").len(), 1);
        // A newer one does; within one batch the later label wins.
        let batch = vec![
            label("rude", "2024-01-03T00:00:00Z", false),
            label("spam", "2024-01-03T00:00:00Z", true),
        ];
        apply(s, "did:plc:labeler", batch, 3).expect("apply");
        let kept = on(s, "did:plc:subject", 10).expect("read");
        assert_eq!(
            kept.iter().map(|l| l.val.as_str()).collect::<Vec<_>>(),
            ["rude"]
        );
        assert_eq!(cursor(s, "did:plc:labeler").expect("cursor"), Some(3));
        want(s, "did:plc:other").expect("want");
        assert_eq!(wanted(s, 10).expect("wanted"), ["did:plc:other"]);
    }
}
