//! A read-through cache of point reads (absent keys included), bounded by bytes. It is exact
//! because this process is the schema's only writer (the advisory lock): every change passes
//! `committed`, which updates the entries it touches. A read that raced a commit does not fill
//! the cache: fills carry the epoch seen before the read, and a commit moves the epoch on.

use super::super::Ks;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::sync::RwLock;

type Key = (Ks, Vec<u8>);
type Value = Option<Vec<u8>>;

/// Bytes an entry holds, with the map's overhead.
#[derive(Clone)]
struct Bytes;

impl Weighter<Key, Value> for Bytes {
    fn weight(&self, key: &Key, value: &Value) -> u64 {
        (key.1.len() + value.as_ref().map_or(0, Vec::len) + 64) as u64
    }
}

pub(super) struct ReadCache {
    entries: Option<Cache<Key, Value, Bytes>>,
    /// Moves on with every commit; held for writing while a commit updates the entries.
    epoch: RwLock<u64>,
}

impl ReadCache {
    /// A cache of about `bytes` (0 = none).
    pub fn new(bytes: u64) -> ReadCache {
        let entries = (bytes > 0).then(|| {
            let items = (bytes / 256).max(16) as usize;
            Cache::with_weighter(items, bytes, Bytes)
        });
        ReadCache {
            entries,
            epoch: RwLock::new(0),
        }
    }

    /// Whether anything is cached at all.
    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The cached value of a key: `Some(None)` when it is known to be absent.
    pub fn get(&self, ks: Ks, key: &[u8]) -> Option<Value> {
        self.entries.as_ref()?.get(&(ks, key.to_vec()))
    }

    /// Whether the key's value (or its absence) is cached.
    pub fn has(&self, ks: Ks, key: &[u8]) -> bool {
        self.entries
            .as_ref()
            .is_some_and(|e| e.contains_key(&(ks, key.to_vec())))
    }

    /// The epoch to pass to `fill` for a read starting now.
    pub fn epoch(&self) -> u64 {
        self.epoch.read().map_or(u64::MAX, |e| *e)
    }

    /// Remembers what a read that started at `epoch` found, unless a commit came in between.
    pub fn fill(&self, epoch: u64, ks: Ks, key: Vec<u8>, value: Value) {
        let (Some(entries), Ok(now)) = (&self.entries, self.epoch.read()) else {
            return;
        };
        if *now == epoch {
            entries.insert((ks, key), value);
        }
    }

    /// A batch was committed: entries it changed take their new values.
    pub fn committed<'a>(&self, writes: impl Iterator<Item = (Ks, &'a [u8], Option<&'a [u8]>)>) {
        let Ok(mut epoch) = self.epoch.write() else {
            return;
        };
        *epoch = epoch.wrapping_add(1);
        let Some(entries) = &self.entries else { return };
        for (ks, k, v) in writes {
            let key = (ks, k.to_vec());
            if entries.contains_key(&key) {
                entries.insert(key, v.map(<[u8]>::to_vec));
            }
        }
    }

    /// A commit failed (and may or may not have happened): nothing cached can be trusted.
    pub fn forget_all(&self) {
        if let Ok(mut epoch) = self.epoch.write() {
            *epoch = epoch.wrapping_add(1);
            if let Some(entries) = &self.entries {
                entries.clear();
            }
        }
    }
}
