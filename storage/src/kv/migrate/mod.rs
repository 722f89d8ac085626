//! Versioned migrations of the on-disk layout, one file each. A store older than
//! `SCHEMA_VERSION` is brought forward step by step when it is opened; each step commits its
//! changes in batches and records its version in its last batch, so an interrupted migration
//! is simply run again (every step is idempotent). A store newer than this build is refused
//! with a message saying what to do.

mod v2_time_feed;

use super::{keys, row, Engine, Ks};
use crate::model::Durability;
use crate::{Error, Result};

/// One step: from `to - 1` to `to`.
struct Migration {
    to: u32,
    what: &'static str,
    run: fn(&dyn Engine) -> Result<u64>,
}

/// Every step, in order. The last one's `to` is `SCHEMA_VERSION`.
const MIGRATIONS: &[Migration] = &[
    Migration {
        to: 2,
        what: "index every feed entry by time (the home timeline)",
        run: v2_time_feed::run,
    },
    Migration {
        to: 3,
        what: "keep a change log for derived indexes (search builds itself from the store)",
        run: v3_change_log,
    },
];

/// Schema 2 → 3: the `seq_change` keyspace is new and starts empty (the engine made it on
/// open); a derived index finds no position of its own in it and rebuilds from the store.
/// Older builds must not write to a store whose changes they would not log.
fn v3_change_log(_: &dyn Engine) -> Result<u64> {
    Ok(0)
}

/// The version a store records, if it records one.
pub fn stored_version(engine: &dyn Engine) -> Result<Option<u32>> {
    engine
        .get(Ks::Meta, keys::META_SCHEMA)?
        .map(|v| row::read_u32(&v).ok_or(Error::Corrupt("schema version")))
        .transpose()
}

/// Records `version` (durably).
pub fn set_version(engine: &dyn Engine, version: u32) -> Result<()> {
    engine.commit(
        vec![(
            Ks::Meta,
            keys::META_SCHEMA.to_vec(),
            Some(version.to_be_bytes().to_vec()),
        )],
        Durability::Sync,
    )
}

/// Brings a store at `found` up to `current`, or refuses a newer one.
pub fn upgrade(engine: &dyn Engine, found: u32, current: u32) -> Result<()> {
    if found > current {
        return Err(Error::SchemaMismatch {
            path: engine.location(),
            found,
            expected: current,
        });
    }
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.to > found && m.to <= current)
    {
        tracing::info!(to = m.to, "migrating the store: {}", m.what);
        let n = (m.run)(engine)?;
        set_version(engine, m.to)?;
        tracing::info!(to = m.to, entries = n, "migration done");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_reach_the_current_version_in_order() {
        let tos: Vec<u32> = MIGRATIONS.iter().map(|m| m.to).collect();
        let expected: Vec<u32> = (2..=super::super::SCHEMA_VERSION).collect();
        assert_eq!(tos, expected);
    }
}
