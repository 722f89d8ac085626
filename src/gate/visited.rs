//! Visited content: records fetched on demand from their owners' PDSes (each checked against
//! its CID on the way in), kept in the store beside — not among — the network data. They
//! change no count or tracked set (search finds them: their changes are logged for it); they
//! serve again after a restart, or when their PDS is slow or down; retention prunes them by
//! when they were fetched. Aerie's own bookkeeping, decided by no scope (see [`super::own`]).

use crate::util::syntax::{cid_bytes, cid_string};
use aerie_storage::{Op, RecordId, Store, StoredRecord};
use serde::{Deserialize, Serialize};

/// The owner and kind visited records are kept under (key: the record's URI).
const OWNER: &str = "aerie";
const KIND: &str = "visited";

#[derive(Serialize, Deserialize)]
struct Kept {
    cid: String,
    value: String,
    at_us: i64,
}

/// Keeps `rec` (fetched at `at_us`) as visited, or (`None`: its PDS says it is gone) forgets
/// the record `uri`.
pub fn keep(
    store: &dyn Store,
    uri: &str,
    rec: Option<&StoredRecord>,
    at_us: i64,
) -> aerie_storage::Result<()> {
    let value = rec.and_then(|r| {
        let kept = Kept {
            cid: cid_string(&r.cid),
            value: String::from_utf8(r.value.clone()).ok()?,
            at_us,
        };
        serde_json::to_vec(&kept).ok()
    });
    let mut ops = vec![Op::Private {
        owner: OWNER.into(),
        kind: KIND.into(),
        key: uri.to_string(),
        value,
    }];
    ops.extend(searchable(uri));
    store.apply(&ops, None).map(drop)
}

/// The change search must see when the visited record `uri` comes or goes.
fn searchable(uri: &str) -> Option<Op> {
    let id = RecordId::parse_uri(uri)?;
    match aerie_storage::facts::searchable(&id)? {
        aerie_storage::Change::Record(id) | aerie_storage::Change::Created(id) => {
            Some(Op::Changed(aerie_storage::Change::Record(id)))
        }
        aerie_storage::Change::Actor(_) => None,
    }
}

/// Up to `limit` visited records after the URI `after`, in URI order; and where the next
/// page starts (`None`: the end). What search rebuilds from, beside the network data.
pub fn page(
    store: &dyn Store,
    after: Option<&str>,
    limit: usize,
) -> aerie_storage::Result<(Vec<StoredRecord>, Option<String>)> {
    let rows = store.privates(OWNER, KIND, after, limit)?;
    let next = (rows.len() == limit)
        .then(|| rows.last().map(|(k, _)| k.clone()))
        .flatten();
    let mut out = Vec::with_capacity(rows.len());
    for (key, _) in rows {
        if let Some(id) = RecordId::parse_uri(&key) {
            out.extend(get(store, &id)?.map(|(rec, _)| rec));
        }
    }
    Ok((out, next))
}

/// The visited copy of `id`, and when it was fetched.
pub fn get(store: &dyn Store, id: &RecordId) -> aerie_storage::Result<Option<(StoredRecord, i64)>> {
    let Some(bytes) = store.private(OWNER, KIND, &id.uri())? else {
        return Ok(None);
    };
    let Ok(kept) = serde_json::from_slice::<Kept>(&bytes) else {
        return Ok(None);
    };
    let Some(cid) = cid_bytes(&kept.cid) else {
        return Ok(None);
    };
    let rec = StoredRecord {
        id: id.clone(),
        cid,
        rev: 0,
        indexed_at_us: kept.at_us,
        sort_at_us: kept.at_us,
        value: kept.value.into_bytes(),
    };
    Ok(Some((rec, kept.at_us)))
}

/// Forgets up to `limit` visited records after `after` that were fetched before
/// `cutoff_us`; returns how many, and where the next call starts (`None`: the end).
pub fn prune(
    store: &dyn Store,
    cutoff_us: i64,
    after: Option<&str>,
    limit: usize,
) -> aerie_storage::Result<(usize, Option<String>)> {
    let page = store.privates(OWNER, KIND, after, limit)?;
    let next = (page.len() == limit)
        .then(|| page.last().map(|(k, _)| k.clone()))
        .flatten();
    let mut ops: Vec<Op> = Vec::new();
    let mut pruned = 0;
    for (key, v) in page {
        if serde_json::from_slice::<Kept>(&v).is_ok_and(|k| k.at_us >= cutoff_us) {
            continue;
        }
        pruned += 1;
        ops.extend(searchable(&key));
        ops.push(Op::Private {
            owner: OWNER.into(),
            kind: KIND.into(),
            key,
            value: None,
        });
    }
    if pruned > 0 {
        store.apply(&ops, None)?;
    }
    Ok((pruned, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::{Backend, Durability};

    #[test]
    fn visited_records_come_back_as_fetched_and_are_pruned_by_age() {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let value = serde_json::json!({"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2024-01-01T00:00:00.000Z"});
        let rec = |rkey: &str| StoredRecord {
            id: RecordId::new("did:plc:stranger", "app.bsky.feed.post", rkey),
            cid: aerie_storage::cbor::record_cid(&value).expect("cid"),
            rev: 0,
            indexed_at_us: 0,
            sort_at_us: 0,
            value: value.to_string().into_bytes(),
        };
        let (old, new) = (rec("old"), rec("new"));
        keep(&*store, &old.id.uri(), Some(&old), 100).expect("keep");
        keep(&*store, &new.id.uri(), Some(&new), 200).expect("keep");
        let (back, at) = get(&*store, &new.id).expect("get").expect("kept");
        assert_eq!(
            (back.cid, back.value, at),
            (new.cid.clone(), new.value.clone(), 200)
        );
        assert_eq!(prune(&*store, 150, None, 10).expect("prune"), (1, None));
        assert!(get(&*store, &old.id).expect("get").is_none());
        assert!(get(&*store, &new.id).expect("get").is_some());
        keep(&*store, &new.id.uri(), None, 300).expect("forget");
        assert!(get(&*store, &new.id).expect("get").is_none());
    }
}
