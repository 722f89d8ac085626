//! A walk over every visible record in key order (author, collection, key), page by page
//! from an opaque position: what retention examines in bounded passes.

use super::row::Row;
use super::{keys, Engine, Ks, KvStore};
use crate::model::RecordId;
use crate::{RecordScan, Result, ScanPage, ScannedRecord};

impl<E: Engine> RecordScan for KvStore<E> {
    fn scan_records(&self, after: Option<&[u8]>, limit: usize) -> Result<ScanPage> {
        let rows = self.engine.scan_asc(Ks::Records, &[], after, limit)?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|(k, _)| k.clone()))
            .flatten();
        let mut records = Vec::with_capacity(rows.len());
        for (k, v) in rows {
            let Some(live) = Row::decode(&v)?.visible() else {
                continue;
            };
            let aid = keys::read_aid(&k).ok_or(crate::Error::Corrupt("record key"))?;
            let (collection, rkey) =
                keys::read_collection(&k[8..]).ok_or(crate::Error::Corrupt("record key"))?;
            let id = RecordId {
                did: super::did(self, aid)?,
                collection,
                rkey: keys::read_rkey(rkey),
            };
            let (value, _) = super::compact::rebuild(self, &id.collection, &live.body)?;
            records.push(ScannedRecord {
                sort_at_us: live.sort_at_us(),
                id,
                value,
            });
        }
        Ok(ScanPage { records, next })
    }
}
