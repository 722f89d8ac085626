//! Schema 1 → 2: the `time_feed` keyspace (every author-feed entry indexed by time, read by
//! the home timeline) was added after stores of schema 1 existed; their older entries are
//! missing from it. This step writes a `time_feed` entry for every `author_feed` entry (the
//! same flags); entries already there are written again unchanged.

use super::super::{keys, Engine, Ks, KvWrite};
use crate::model::Durability;
use crate::Result;

/// Entries per batch.
const BATCH: usize = 10_000;

pub(super) fn run(engine: &dyn Engine) -> Result<u64> {
    let mut after: Option<Vec<u8>> = None;
    let mut n = 0u64;
    loop {
        let rows = engine.scan_asc(Ks::Feed, &[], after.as_deref(), BATCH)?;
        let Some((last, _)) = rows.last() else {
            return Ok(n);
        };
        after = Some(last.clone());
        let writes: Vec<KvWrite> = rows
            .iter()
            .filter_map(|(k, v)| Some((Ks::FeedByTime, keys::feed_by_time(k)?, Some(v.clone()))))
            .collect();
        n += writes.len() as u64;
        engine.commit(writes, Durability::Buffer)?;
    }
}
