//! The change log: every change a derived index (search) must see — a searchable record put,
//! deleted or pruned, an account's handle, status or profile — logged by the writer in the
//! same atomic batch as the change, under a sequence number. The index records the last number
//! it took in and asks for what follows; `Op::TrimChanges` drops what it has taken in.

use super::keys;
use super::write::Tx;
use super::{Engine, Ks, KvStore};
use crate::model::{Change, ChangeLog, RecordId};
use crate::{ChangeReader, Error, Result};

/// Entries dropped by one `TrimChanges` (the rest go with the next one).
const TRIM_MAX: u64 = 50_000;

fn encode(change: &Change) -> Vec<u8> {
    match change {
        Change::Record(id) => [b"R".as_slice(), id.uri().as_bytes()].concat(),
        Change::Created(id) => [b"C".as_slice(), id.uri().as_bytes()].concat(),
        Change::Actor(did) => [b"A".as_slice(), did.as_bytes()].concat(),
    }
}

fn decode(v: &[u8]) -> Result<Change> {
    let text = std::str::from_utf8(v.get(1..).unwrap_or_default())
        .map_err(|_| Error::Corrupt("seq_change"))?;
    match v.first() {
        Some(b'R') => RecordId::parse_uri(text)
            .map(Change::Record)
            .ok_or(Error::Corrupt("seq_change")),
        Some(b'C') => RecordId::parse_uri(text)
            .map(Change::Created)
            .ok_or(Error::Corrupt("seq_change")),
        Some(b'A') => Ok(Change::Actor(text.to_string())),
        _ => Err(Error::Corrupt("seq_change")),
    }
}

fn seq_of(key: &[u8]) -> Result<u64> {
    super::row::read_u64(key).ok_or(Error::Corrupt("seq_change"))
}

/// A store id for a store that has none yet: the clock and the process, mixed.
fn new_store_id() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mixed = (nanos ^ (u64::from(std::process::id()) << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed.max(1)
}

impl<E: Engine> Tx<'_, E> {
    /// Logs `change` under the next sequence number.
    pub(super) fn log_change(&mut self, change: Change) -> Result<()> {
        let seq = match self.next_change {
            Some(n) => n,
            None => {
                if self.get(Ks::Meta, keys::META_STORE_ID)?.is_none() {
                    let id = new_store_id().to_be_bytes().to_vec();
                    self.put(Ks::Meta, keys::META_STORE_ID.to_vec(), id);
                }
                self.get(Ks::Meta, keys::META_CHANGE_NEXT)?
                    .and_then(|v| super::row::read_u64(&v))
                    .unwrap_or(1)
            }
        };
        self.put(Ks::Changes, seq.to_be_bytes().to_vec(), encode(&change));
        self.next_change = Some(seq + 1);
        self.put(
            Ks::Meta,
            keys::META_CHANGE_NEXT.to_vec(),
            (seq + 1).to_be_bytes().to_vec(),
        );
        Ok(())
    }

    /// Drops logged changes up to `upto` (at most `TRIM_MAX` of them), by their numbers from
    /// where the last trim stopped: an LSM keeps what was deleted as tombstones until it
    /// compacts, so walking the log from its start would pass over every one of them.
    pub(super) fn trim_changes(&mut self, upto: u64) -> Result<bool> {
        let next = match self.next_change {
            Some(n) => n,
            None => read(self.get(Ks::Meta, keys::META_CHANGE_NEXT)?).unwrap_or(1),
        };
        let first = match read(self.get(Ks::Meta, keys::META_CHANGE_FIRST)?) {
            Some(f) => f,
            // A log trimmed before trims were recorded: found by a walk, once.
            None => match self
                .store
                .engine
                .scan_asc(Ks::Changes, &[], None, 1)?
                .first()
            {
                Some((k, _)) => seq_of(k)?,
                None => next,
            },
        };
        let end = upto
            .min(next.saturating_sub(1))
            .min(first.saturating_add(TRIM_MAX - 1));
        if end < first {
            return Ok(false);
        }
        for seq in first..=end {
            self.del(Ks::Changes, seq.to_be_bytes().to_vec());
        }
        self.put(
            Ks::Meta,
            keys::META_CHANGE_FIRST.to_vec(),
            (end + 1).to_be_bytes().to_vec(),
        );
        Ok(true)
    }
}

/// A stored number, if any.
fn read(v: Option<Vec<u8>>) -> Option<u64> {
    v.and_then(|v| super::row::read_u64(&v))
}

impl<E: Engine> ChangeReader for KvStore<E> {
    fn change_log(&self) -> Result<ChangeLog> {
        let read = |key: &[u8]| -> Result<u64> {
            Ok(self
                .engine
                .get(Ks::Meta, key)?
                .and_then(|v| super::row::read_u64(&v))
                .unwrap_or(0))
        };
        let store_id = read(keys::META_STORE_ID)?;
        let next = read(keys::META_CHANGE_NEXT)?.max(1);
        let first = match self.engine.get(Ks::Meta, keys::META_CHANGE_FIRST)? {
            Some(v) => super::row::read_u64(&v).unwrap_or(1).min(next),
            // Never trimmed since trims were recorded: the first entry left.
            None => match self.engine.scan_asc(Ks::Changes, &[], None, 1)?.first() {
                Some((k, _)) => seq_of(k)?,
                None => next,
            },
        };
        Ok(ChangeLog {
            store_id,
            first,
            next,
        })
    }

    fn changes(&self, after: u64, limit: usize) -> Result<Vec<(u64, Change)>> {
        self.engine
            .scan_asc(Ks::Changes, &[], Some(&after.to_be_bytes()), limit)?
            .iter()
            .map(|(k, v)| Ok((seq_of(k)?, decode(v)?)))
            .collect()
    }
}
