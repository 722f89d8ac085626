//! The in-memory engine: ordered maps behind one lock. For tests and tools; nothing persists.

use super::{Engine, Ks, KvPair, KvWrite};
use crate::model::Durability;
use crate::Result;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

type Tree = BTreeMap<Vec<u8>, Vec<u8>>;

/// One ordered map per keyspace.
#[derive(Default)]
pub struct MemoryEngine {
    maps: RwLock<BTreeMap<Ks, Tree>>,
}

fn poisoned() -> crate::Error {
    crate::Error::Engine("memory engine lock poisoned".into())
}

impl MemoryEngine {
    fn scan(
        &self,
        ks: Ks,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        prefix: &[u8],
        limit: usize,
        desc: bool,
    ) -> Result<Vec<KvPair>> {
        let maps = self.maps.read().map_err(|_| poisoned())?;
        let Some(m) = maps.get(&ks) else {
            return Ok(vec![]);
        };
        let range = m.range((lo, hi)).filter(|(k, _)| k.starts_with(prefix));
        let pick = |(k, v): (&Vec<u8>, &Vec<u8>)| (k.clone(), v.clone());
        Ok(if desc {
            range.rev().take(limit).map(pick).collect()
        } else {
            range.take(limit).map(pick).collect()
        })
    }
}

impl Engine for MemoryEngine {
    fn dump(&self, f: &mut super::DumpSink<'_>) -> Result<()> {
        let maps = self.maps.read().map_err(|_| poisoned())?;
        for (ks, tree) in maps.iter() {
            for (k, v) in tree {
                f(*ks, k, v)?;
            }
        }
        Ok(())
    }

    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let maps = self.maps.read().map_err(|_| poisoned())?;
        Ok(maps.get(&ks).and_then(|m| m.get(key).cloned()))
    }

    fn scan_desc(
        &self,
        ks: Ks,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        let hi = before.map_or(Bound::Unbounded, |b| Bound::Excluded(b.to_vec()));
        self.scan(
            ks,
            Bound::Included(prefix.to_vec()),
            hi,
            prefix,
            limit,
            true,
        )
    }

    fn scan_asc(
        &self,
        ks: Ks,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        let lo = after.map_or(Bound::Included(prefix.to_vec()), |a| {
            Bound::Excluded(a.to_vec())
        });
        self.scan(ks, lo, Bound::Unbounded, prefix, limit, false)
    }

    fn commit(&self, writes: Vec<KvWrite>, _durability: Durability) -> Result<()> {
        let mut maps = self.maps.write().map_err(|_| poisoned())?;
        for (ks, k, v) in writes {
            let m = maps.entry(ks).or_default();
            match v {
                Some(v) => m.insert(k, v),
                None => m.remove(&k),
            };
        }
        Ok(())
    }

    fn persist(&self) -> Result<()> {
        Ok(())
    }

    fn disk_bytes(&self) -> u64 {
        0
    }

    fn location(&self) -> String {
        "memory".into()
    }
}
