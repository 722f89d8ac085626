//! A whole-store dump on PostgreSQL: every keyspace read in one repeatable-read transaction
//! and streamed to the caller in chunks.

use super::conn::{pg, Conn};
use crate::kv::{Ks, KvPair};
use crate::{Error, Result};

/// Rows sent from the dumping connection per message.
pub(super) const DUMP_CHUNK: usize = 1024;

/// Streams every keyspace from one snapshot (a repeatable-read transaction) to `out`.
pub(super) fn dump_on(
    c: &mut Conn,
    schema: &str,
    out: &std::sync::mpsc::SyncSender<(Ks, Vec<KvPair>)>,
) -> Result<()> {
    use postgres::fallible_iterator::FallibleIterator;
    let mut tx = c
        .client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(pg("begin"))?;
    for ks in Ks::ALL {
        let sql = format!("SELECT k, v FROM {schema}.{} ORDER BY k", ks.name());
        let mut rows = tx
            .query_raw(sql.as_str(), std::iter::empty::<i32>())
            .map_err(pg("dump"))?;
        let mut chunk = Vec::with_capacity(DUMP_CHUNK);
        while let Some(r) = rows.next().map_err(pg("dump"))? {
            chunk.push((r.get(0), r.get(1)));
            if chunk.len() == DUMP_CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(DUMP_CHUNK));
                if out.send((ks, full)).is_err() {
                    return Err(Error::Engine("postgres: dump abandoned".into()));
                }
            }
        }
        if !chunk.is_empty() && out.send((ks, chunk)).is_err() {
            return Err(Error::Engine("postgres: dump abandoned".into()));
        }
    }
    tx.commit().map_err(pg("dump"))
}
