//! A write batch on PostgreSQL: the last write of each key kept, deletes and upserts grouped
//! by keyspace (one `DELETE ... = ANY` and one `INSERT ... unnest ... ON CONFLICT` per
//! keyspace), all in one transaction.

use super::conn::{pg, Conn, Query};
use super::pool::Outcome;
use crate::kv::{Ks, KvWrite};
use crate::model::Durability;
use crate::Result;
use std::collections::HashMap;

/// The last write of each key wins; deletes and puts grouped by keyspace.
pub(super) type Grouped = HashMap<Ks, (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Vec<u8>>)>;

pub(super) fn group(writes: Vec<KvWrite>) -> Grouped {
    let mut last: HashMap<(Ks, Vec<u8>), Option<Vec<u8>>> = HashMap::with_capacity(writes.len());
    for (ks, k, v) in writes {
        last.insert((ks, k), v);
    }
    let mut out = Grouped::new();
    for ((ks, k), v) in last {
        let (dels, keys, vals) = out.entry(ks).or_default();
        match v {
            Some(v) => {
                keys.push(k);
                vals.push(v);
            }
            None => dels.push(k),
        }
    }
    out
}

/// Every write of a grouped batch: keyspace, key, new value (`None` = deleted).
pub(super) fn each_write(g: &Grouped) -> impl Iterator<Item = (Ks, &[u8], Option<&[u8]>)> {
    g.iter().flat_map(|(ks, (dels, keys, vals))| {
        let deleted = dels.iter().map(move |k| (*ks, k.as_slice(), None));
        let put = keys
            .iter()
            .zip(vals)
            .map(move |(k, v)| (*ks, k.as_slice(), Some(v.as_slice())));
        deleted.chain(put)
    })
}

/// Commits a batch if the session `holder` still holds the schema's lock (`false`: it does
/// not, and nothing was written). A lost connection before `COMMIT` was sent left nothing
/// behind, so the batch may run again; one lost at `COMMIT` may or may not have committed,
/// and is an error.
pub(super) fn commit_on(
    c: &mut Conn,
    grouped: &Grouped,
    durability: Durability,
    holder: i32,
) -> Outcome<bool> {
    let result = prepare_and_write(c, grouped, durability, holder);
    match result {
        Ok(tx_done) => Outcome::Done(tx_done),
        Err(e) if c.lost() => Outcome::Again(e),
        Err(e) => Outcome::Done(Err(e)),
    }
}

/// Writes the batch in a transaction: `Err` if it failed before `COMMIT`, else what `COMMIT`
/// answered (`false` when the lock's holder has changed, and nothing was written).
fn prepare_and_write(
    c: &mut Conn,
    grouped: &Grouped,
    durability: Durability,
    holder: i32,
) -> Result<Result<bool>> {
    let mut plan = Vec::with_capacity(grouped.len());
    for (ks, (dels, keys, vals)) in grouped {
        let ks = *ks;
        let del = c.statement(ks, Query::Delete)?;
        let up = c.statement(ks, Query::Upsert)?;
        plan.push((del, dels, up, keys, vals));
    }
    let mut tx = c.client.transaction().map_err(pg("begin"))?;
    let held: bool = tx
        .query_one(super::lock::HELD_BY, &[&holder])
        .map_err(pg("lock"))?
        .get(0);
    if !held {
        return Ok(Ok(false));
    }
    if durability == Durability::Buffer {
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .map_err(pg("begin"))?;
    }
    for (del, dels, up, keys, vals) in plan {
        if !dels.is_empty() {
            tx.execute(&del, &[&dels]).map_err(pg("delete"))?;
        }
        if !keys.is_empty() {
            tx.execute(&up, &[&keys, &vals]).map_err(pg("write"))?;
        }
    }
    Ok(tx.commit().map(|()| true).map_err(pg("commit")))
}
