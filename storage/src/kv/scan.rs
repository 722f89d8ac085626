//! Walks over every visible record in key order (author, collection, key), and over every
//! post in time order, page by page from an opaque position: what retention examines in
//! bounded passes, and what search rebuilds from.

use super::row::Row;
use super::{keys, Engine, Ks, KvStore};
use crate::model::RecordId;
use crate::{PostsByTime, RecordScan, Result, ScanPage, ScannedRecord};

impl<E: Engine> RecordScan for KvStore<E> {
    fn scan_records_where(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<ScanPage> {
        let rows = self.engine.scan_asc(Ks::Records, &[], after, limit)?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|(k, _)| k.clone()))
            .flatten();
        let mut records = Vec::with_capacity(rows.len());
        for (k, v) in rows {
            let aid = keys::read_aid(&k).ok_or(crate::Error::Corrupt("record key"))?;
            let (collection, rkey) =
                keys::read_collection(&k[8..]).ok_or(crate::Error::Corrupt("record key"))?;
            if !keep(&collection) {
                continue;
            }
            let Some(live) = Row::decode(&v)?.visible() else {
                continue;
            };
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

    fn posts_by_time(&self, after: Option<&[u8]>, limit: usize) -> Result<PostsByTime> {
        let rows = self.engine.scan_asc(Ks::FeedByTime, &[], after, limit)?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|(k, _)| k.clone()))
            .flatten();
        let mut names: std::collections::HashMap<u64, String> = std::collections::HashMap::new();
        let mut posts = Vec::with_capacity(rows.len());
        for (k, _) in rows {
            let (Some(sort_at), Some(aid)) =
                (keys::read_sort_key(&k), k.get(8..).and_then(keys::read_aid))
            else {
                return Err(crate::Error::Corrupt("time feed key"));
            };
            let tail = k.get(16..).unwrap_or_default();
            if tail.first() != Some(&keys::FEED_POST) {
                continue;
            }
            let did = match names.get(&aid) {
                Some(d) => d.clone(),
                None => {
                    let d = super::did(self, aid)?;
                    names.insert(aid, d.clone());
                    d
                }
            };
            let rkey = keys::read_rkey(tail.get(1..).unwrap_or_default());
            posts.push((
                RecordId::new(&did, crate::facts::nsid::POST, &rkey),
                sort_at,
            ));
        }
        Ok((posts, next))
    }
}
