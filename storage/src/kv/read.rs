//! The readers of the KV backends: point reads and keyset-paginated index scans. Cursors are
//! the hex of the last index key's suffix, opaque to callers.

use super::keys::{self, Count};
use super::row::{read_u64, ActorRow, Body, Row};
use super::{Engine, Ks, KvStore};
use crate::facts::nsid;
use crate::model::*;
use crate::{
    ActorReader, GraphReader, InteractionReader, MetaReader, NotificationReader, RecordReader,
    Result,
};

pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(super) fn unhex(s: &str) -> Result<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 1024 {
        return Err(crate::Error::BadCursor);
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(s.get(i..i + 2).unwrap_or("zz"), 16)
                .map_err(|_| crate::Error::BadCursor)
        })
        .collect()
}

/// Whose record an edge key names: the prefix's owner (follows, blocks) or the key's actor
/// (likes, reposts, quotes, followers).
#[derive(Clone, Copy)]
enum Owner<'a> {
    Prefix(&'a str),
    KeyActor,
}

impl<E: Engine> KvStore<E> {
    /// Scans `prefix` newest first from `cursor`, keeping up to `limit` items that `f` accepts.
    pub(super) fn page<T>(
        &self,
        ks: Ks,
        prefix: &[u8],
        cursor: Option<&str>,
        limit: usize,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<Option<T>>,
    ) -> Result<Page<T>> {
        let mut before = match cursor {
            Some(c) => Some([prefix, &unhex(c)?].concat()),
            None => None,
        };
        let mut items = Vec::new();
        let chunk = limit.clamp(1, 100) + 1;
        loop {
            let rows = self
                .engine
                .scan_desc(ks, prefix, before.as_deref(), chunk)?;
            let exhausted = rows.len() < chunk;
            for (k, v) in rows {
                if items.len() == limit {
                    return Ok(Page {
                        items,
                        cursor: before.map(|b| hex(&b[prefix.len()..])),
                    });
                }
                if let Some(t) = f(&k[prefix.len()..], &v)? {
                    items.push(t);
                }
                before = Some(k);
            }
            if exhausted {
                return Ok(Page {
                    items,
                    cursor: None,
                });
            }
        }
    }

    /// Pages of an edge index: keys `prefix · sort_at · aid · rkey`.
    fn edges(
        &self,
        ks: Ks,
        prefix: Option<Vec<u8>>,
        owner: Owner<'_>,
        collection: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Edge>> {
        let Some(prefix) = prefix else {
            return Ok(Page {
                items: vec![],
                cursor: None,
            });
        };
        self.page(ks, &prefix, cursor, limit, |suffix, _| {
            let sort_at_us =
                keys::read_sort_key(suffix).ok_or(crate::Error::Corrupt("edge key"))?;
            let aid = suffix
                .get(8..)
                .and_then(keys::read_aid)
                .ok_or(crate::Error::Corrupt("edge key"))?;
            let rkey = keys::read_rkey(suffix.get(16..).unwrap_or_default());
            let key_did = super::did(self, aid)?;
            let record_did = match owner {
                Owner::Prefix(d) => d.to_string(),
                Owner::KeyActor => key_did.clone(),
            };
            Ok(Some(Edge {
                id: RecordId {
                    did: record_did,
                    collection: collection.into(),
                    rkey,
                },
                other: key_did,
                sort_at_us,
            }))
        })
    }

    fn subject_key(&self, id: &RecordId) -> Result<Option<Vec<u8>>> {
        Ok(self
            .lookup_aid(&id.did)?
            .map(|aid| keys::subject(aid, &id.collection, &id.rkey)))
    }

    fn aid_prefix(&self, did: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.lookup_aid(did)?.map(|a| a.to_be_bytes().to_vec()))
    }

    fn record_row(&self, id: &RecordId) -> Result<Option<Row>> {
        let Some(aid) = self.lookup_aid(&id.did)? else {
            return Ok(None);
        };
        self.engine
            .get(Ks::Records, &keys::record(aid, &id.collection, &id.rkey))?
            .map(|v| Row::decode(&v))
            .transpose()
    }

    pub(super) fn counter(&self, kind: Count, target: &[u8]) -> Result<u64> {
        Ok(self
            .engine
            .get(Ks::Counts, &keys::count(kind, target))?
            .and_then(|v| super::row::read_varint(&v))
            .unwrap_or(0))
    }
}

impl<E: Engine> super::Source for KvStore<E> {
    fn read(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.engine.get(ks, key)
    }
}

impl<E: Engine> RecordReader for KvStore<E> {
    fn record_rev(&self, id: &RecordId) -> Result<Option<RecordRev>> {
        // A pruned record still exists upstream: it counts as live here (its delete must come
        // through and subtract its counts).
        Ok(self.record_row(id)?.map(|row| RecordRev {
            rev: row.rev,
            live: row.live.is_some(),
        }))
    }

    fn record(&self, id: &RecordId) -> Result<Option<StoredRecord>> {
        let Some(row) = self.record_row(id)? else {
            return Ok(None);
        };
        let rev = row.rev;
        let Some(live) = row.visible() else {
            return Ok(None);
        };
        let sort_at_us = live.sort_at_us();
        let (value, cid) = match live.body {
            Body::Json { cid, json, .. } => (json, cid),
            body => {
                let (value, cid) = super::compact::rebuild(self, &id.collection, &body)?;
                (
                    serde_json::to_vec(&value).map_err(|_| crate::Error::Corrupt("record"))?,
                    cid,
                )
            }
        };
        Ok(Some(StoredRecord {
            id: id.clone(),
            cid,
            rev,
            indexed_at_us: live.indexed_at_us,
            sort_at_us,
            value,
        }))
    }

    fn records_of(
        &self,
        did: &str,
        after: Option<&RecordId>,
        limit: usize,
    ) -> Result<Vec<RecordId>> {
        let Some(aid) = self.lookup_aid(did)? else {
            return Ok(vec![]);
        };
        let prefix = aid.to_be_bytes();
        let mut after = after.map(|a| keys::record(aid, &a.collection, &a.rkey));
        let mut out = Vec::new();
        while out.len() < limit {
            let rows =
                self.engine
                    .scan_asc(Ks::Records, &prefix, after.as_deref(), limit - out.len())?;
            let Some((last, _)) = rows.last() else { break };
            after = Some(last.clone());
            for (k, v) in &rows {
                if Row::decode(v)?.visible().is_none() {
                    continue;
                }
                let (collection, rkey) =
                    keys::read_collection(&k[8..]).ok_or(crate::Error::Corrupt("record key"))?;
                out.push(RecordId {
                    did: did.to_string(),
                    collection,
                    rkey: keys::read_rkey(rkey),
                });
            }
        }
        Ok(out)
    }

    fn records_in(
        &self,
        did: &str,
        collection: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<RecordId>> {
        let Some(aid) = self.lookup_aid(did)? else {
            return Ok(Page {
                items: vec![],
                cursor: None,
            });
        };
        let mut prefix = aid.to_be_bytes().to_vec();
        keys::push_collection(&mut prefix, collection);
        self.page(Ks::Records, &prefix, cursor, limit, |suffix, v| {
            if Row::decode(v)?.visible().is_none() {
                return Ok(None);
            }
            Ok(Some(RecordId::new(
                did,
                collection,
                &keys::read_rkey(suffix),
            )))
        })
    }

    fn post_counts(&self, id: &RecordId) -> Result<PostCounts> {
        let Some(s) = self.subject_key(id)? else {
            return Ok(PostCounts::default());
        };
        Ok(PostCounts {
            likes: self.counter(Count::Likes, &s)?,
            reposts: self.counter(Count::Reposts, &s)?,
            replies: self.counter(Count::Replies, &s)?,
            quotes: self.counter(Count::Quotes, &s)?,
        })
    }

    fn author_feed(
        &self,
        did: &str,
        filter: FeedFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        let Some(prefix) = self.aid_prefix(did)? else {
            return Ok(Page {
                items: vec![],
                cursor: None,
            });
        };
        self.page(Ks::Feed, &prefix, cursor, limit, |suffix, value| {
            let sort_at_us =
                keys::read_sort_key(suffix).ok_or(crate::Error::Corrupt("feed key"))?;
            let kind = *suffix.get(8).ok_or(crate::Error::Corrupt("feed key"))?;
            let rkey = keys::read_rkey(suffix.get(9..).unwrap_or_default());
            let flags = super::write::read_feed_flags(value.first().copied().unwrap_or(0));
            if !filter.accepts(flags) {
                return Ok(None);
            }
            let collection = if kind == keys::FEED_REPOST {
                nsid::REPOST
            } else {
                nsid::POST
            };
            Ok(Some(FeedEntry {
                id: RecordId::new(did, collection, &rkey),
                sort_at_us,
                flags,
            }))
        })
    }

    fn timeline(
        &self,
        authors: &[String],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        self.merged_feeds(authors, cursor, limit)
    }

    fn home_timeline(
        &self,
        viewer: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        self.home(viewer, cursor, limit)
    }

    fn replies(&self, parent: &RecordId, limit: usize) -> Result<Vec<RecordId>> {
        let Some(prefix) = self.subject_key(parent)? else {
            return Ok(vec![]);
        };
        let rows = self.engine.scan_asc(Ks::Replies, &prefix, None, limit)?;
        rows.iter()
            .map(|(k, _)| {
                let suffix = &k[prefix.len()..];
                let aid = suffix
                    .get(8..)
                    .and_then(keys::read_aid)
                    .ok_or(crate::Error::Corrupt("reply key"))?;
                let rkey = keys::read_rkey(suffix.get(16..).unwrap_or_default());
                Ok(RecordId {
                    did: super::did(self, aid)?,
                    collection: nsid::POST.into(),
                    rkey,
                })
            })
            .collect()
    }
}

impl<E: Engine> ActorReader for KvStore<E> {
    fn actor(&self, did: &str) -> Result<Option<Actor>> {
        let Some(aid) = self.lookup_aid(did)? else {
            return Ok(None);
        };
        let row = match self.engine.get(Ks::Actors, &aid.to_be_bytes())? {
            Some(v) => ActorRow::decode(&v)?,
            None => ActorRow::default(),
        };
        Ok(Some(Actor {
            did: did.to_string(),
            handle: row.handle,
            active: !row.inactive,
            status: row.status,
        }))
    }

    fn did_for_handle(&self, handle: &str) -> Result<Option<String>> {
        match self
            .engine
            .get(Ks::Handles, handle.to_ascii_lowercase().as_bytes())?
        {
            Some(v) => read_u64(&v).map(|aid| super::did(self, aid)).transpose(),
            None => Ok(None),
        }
    }

    fn actor_counts(&self, did: &str) -> Result<ActorCounts> {
        let Some(p) = self.aid_prefix(did)? else {
            return Ok(ActorCounts::default());
        };
        Ok(ActorCounts {
            followers: self.counter(Count::Followers, &p)?,
            follows: self.counter(Count::Follows, &p)?,
            posts: self.counter(Count::Posts, &p)?,
        })
    }
}

impl<E: Engine> GraphReader for KvStore<E> {
    fn relation(&self, kind: Relation, actor: &str, subject: &str) -> Result<Option<RecordId>> {
        self.relation_record(kind, actor, subject)
    }

    fn blocking(&self, blocker: &str, subject: &str) -> Result<bool> {
        Ok(self.block_record(blocker, subject)?.is_some())
    }

    fn block_record(&self, blocker: &str, subject: &str) -> Result<Option<RecordId>> {
        let (Some(a), Some(b)) = (self.lookup_aid(blocker)?, self.lookup_aid(subject)?) else {
            return Ok(None);
        };
        let prefix = [a.to_be_bytes(), b.to_be_bytes()].concat();
        let rows = self.engine.scan_asc(Ks::BlockPairs, &prefix, None, 1)?;
        Ok(rows.first().map(|(k, _)| {
            RecordId::new(blocker, nsid::BLOCK, &keys::read_rkey(&k[prefix.len()..]))
        }))
    }

    fn follows(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>> {
        self.edges(
            Ks::Follows,
            self.aid_prefix(did)?,
            Owner::Prefix(did),
            nsid::FOLLOW,
            cursor,
            limit,
        )
    }

    fn followers(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>> {
        self.edges(
            Ks::Followers,
            self.aid_prefix(did)?,
            Owner::KeyActor,
            nsid::FOLLOW,
            cursor,
            limit,
        )
    }

    fn blocks(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>> {
        self.edges(
            Ks::Blocks,
            self.aid_prefix(did)?,
            Owner::Prefix(did),
            nsid::BLOCK,
            cursor,
            limit,
        )
    }
}

impl<E: Engine> InteractionReader for KvStore<E> {
    fn likes(&self, subject: &RecordId, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>> {
        self.edges(
            Ks::Likes,
            self.subject_key(subject)?,
            Owner::KeyActor,
            nsid::LIKE,
            cursor,
            limit,
        )
    }

    fn reposts(
        &self,
        subject: &RecordId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Edge>> {
        self.edges(
            Ks::Reposts,
            self.subject_key(subject)?,
            Owner::KeyActor,
            nsid::REPOST,
            cursor,
            limit,
        )
    }

    fn quotes(&self, subject: &RecordId, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>> {
        self.edges(
            Ks::Quotes,
            self.subject_key(subject)?,
            Owner::KeyActor,
            nsid::POST,
            cursor,
            limit,
        )
    }
}

impl<E: Engine> NotificationReader for KvStore<E> {
    fn notifications(
        &self,
        did: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Notification>> {
        self.notification_page(did, cursor, limit)
    }

    fn unread_count(&self, did: &str, since_us: i64, cap: usize) -> Result<u64> {
        self.unread(did, since_us, cap)
    }

    fn seen_at(&self, did: &str) -> Result<Option<i64>> {
        Ok(self
            .engine
            .get(Ks::State, &keys::state(keys::STATE_SEEN, did))?
            .and_then(|v| Some(i64::from_be_bytes(v.get(..8)?.try_into().ok()?))))
    }
}

impl<E: Engine> MetaReader for KvStore<E> {
    fn read_parallelism(&self) -> usize {
        self.engine.parallelism()
    }

    fn location(&self) -> String {
        self.engine.location()
    }

    fn cursor(&self) -> Result<Option<Cursor>> {
        match self.engine.get(Ks::Meta, keys::META_CURSOR)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|_| crate::Error::Corrupt("cursor")),
            None => Ok(None),
        }
    }

    fn connection_cursors(&self) -> Result<Vec<Cursor>> {
        self.engine
            .scan_asc(Ks::Meta, keys::META_CONNECTION_CURSOR, None, usize::MAX)?
            .iter()
            .map(|(_, v)| serde_json::from_slice(v).map_err(|_| crate::Error::Corrupt("cursor")))
            .collect()
    }

    fn gaps(&self) -> Result<Vec<Gap>> {
        let rows = self
            .engine
            .scan_asc(Ks::Meta, keys::META_GAP, None, usize::MAX)?;
        rows.iter()
            .map(|(_, v)| serde_json::from_slice(v).map_err(|_| crate::Error::Corrupt("gap")))
            .collect()
    }

    fn schema_version(&self) -> Result<u32> {
        Ok(super::SCHEMA_VERSION)
    }

    fn stats(&self) -> Result<StoreStats> {
        let next = self
            .engine
            .get(Ks::Meta, keys::META_NEXT_AID)?
            .and_then(|v| read_u64(&v))
            .unwrap_or(1);
        Ok(StoreStats {
            records: self.counter(Count::LiveRecords, &[])?,
            actors: next.saturating_sub(1),
            disk_bytes: self.engine.disk_bytes(),
        })
    }
}
