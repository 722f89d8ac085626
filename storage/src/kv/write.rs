//! The one writer of the KV backends: applies ops through a batch-local overlay (so later ops
//! see earlier ones), then commits every change and the cursor in one atomic engine batch.

use super::compact;
use super::keys::{self, Count};
use super::row::{ActorRow, Body, Created, Live, Ref, Row};
use super::{Engine, Ks, KvStore, KvWrite};
use crate::facts::{self, Facts};
use crate::model::{ApplyStats, Cursor, Op, RecordId};
use crate::{Result, Writer};
use std::collections::HashMap;

/// The new content of a put.
struct Put<'a> {
    json: &'a [u8],
    cid: &'a [u8],
    time_us: i64,
}

/// A batch in progress: reads see the overlay first, then the engine.
pub(super) struct Tx<'a, E: Engine> {
    pub(super) store: &'a KvStore<E>,
    /// One map per keyspace (indexed by `Ks as usize`): no allocation to look a key up.
    overlay: Vec<super::KeyMap>,
    next_aid: u64,
    new_aids: Vec<(String, u64)>,
    /// Local users added (true) or removed in this batch.
    pub(super) local_changes: Vec<(String, bool)>,
    /// Subscriptions changed in this batch: (viewer, subject, what), in order.
    pub(super) subscriptions: Vec<(String, String, crate::model::ActivitySubscription)>,
    /// Whether index changes move counts (false only while pruning).
    counting: bool,
    /// The change log's next sequence number, once this batch has logged a change.
    pub(super) next_change: Option<u64>,
}

impl<'a, E: Engine> Tx<'a, E> {
    pub(super) fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.overlay[ks as usize].get(key) {
            Some(v) => Ok(v.clone()),
            None => self.store.committed(ks, key),
        }
    }

    pub(super) fn put(&mut self, ks: Ks, key: Vec<u8>, value: Vec<u8>) {
        self.overlay[ks as usize].insert(key, Some(value));
    }

    pub(super) fn del(&mut self, ks: Ks, key: Vec<u8>) {
        self.overlay[ks as usize].insert(key, None);
    }

    /// Adds or removes an index entry.
    pub(super) fn set(&mut self, ks: Ks, key: Vec<u8>, value: Vec<u8>, add: bool) {
        if add {
            self.put(ks, key, value)
        } else {
            self.del(ks, key)
        }
    }

    pub(super) fn bump(&mut self, kind: Count, target: &[u8], add: bool) -> Result<()> {
        if !self.counting {
            return Ok(());
        }
        let key = keys::count(kind, target);
        let cur = self
            .get(Ks::Counts, &key)?
            .and_then(|v| super::row::read_varint(&v))
            .unwrap_or(0);
        let next = if add { cur + 1 } else { cur.saturating_sub(1) };
        if next == 0 {
            self.del(Ks::Counts, key);
        } else {
            self.put(Ks::Counts, key, super::row::varint(next));
        }
        Ok(())
    }

    /// The actor id of a DID, allocating one when the DID is new.
    pub(super) fn aid(&mut self, did: &str) -> Result<u64> {
        if let Some(a) = self.store.cached_aid(did) {
            return Ok(a);
        }
        if let Some(v) = self.get(Ks::Dids, did.as_bytes())? {
            return super::row::read_u64(&v).ok_or(crate::Error::Corrupt("did_aid"));
        }
        let aid = self.next_aid;
        self.next_aid += 1;
        self.put(
            Ks::Dids,
            did.as_bytes().to_vec(),
            aid.to_be_bytes().to_vec(),
        );
        self.put(
            Ks::DidNames,
            aid.to_be_bytes().to_vec(),
            did.as_bytes().to_vec(),
        );
        self.new_aids.push((did.to_string(), aid));
        Ok(aid)
    }

    fn subject(&mut self, id: &RecordId) -> Result<Vec<u8>> {
        let aid = self.aid(&id.did)?;
        Ok(keys::subject(aid, &id.collection, &id.rkey))
    }

    /// A post or repost in its author's feed and in the feed of everyone by time.
    fn feed_entry(&mut self, aid: u64, t: i64, kind: u8, rkey: &str, flags: u8, add: bool) {
        let key = keys::feed(aid, t, kind, rkey);
        if let Some(by_time) = keys::feed_by_time(&key) {
            self.set(Ks::FeedByTime, by_time, vec![flags], add);
        }
        self.set(Ks::Feed, key, vec![flags], add);
    }

    /// Inserts (`add`) or removes every index entry and count of one live record, whose
    /// parsed JSON is `value`.
    fn index(
        &mut self,
        id: &RecordId,
        aid: u64,
        live: &Live,
        value: &serde_json::Value,
        add: bool,
    ) -> Result<()> {
        let t = live.sort_at_us();
        let rkey = &keys::rkey(&id.rkey)[..];
        let facts = facts::derive(&id.collection, value);
        self.notify(id, aid, live, value, &facts, add)?;
        self.relate(id, aid, &facts, add)?;
        match facts {
            Facts::Post {
                reply,
                quote,
                media,
                video,
            } => {
                let self_thread = reply.as_ref().is_some_and(|r| r.root.did == id.did);
                let flags = feed_flags(false, reply.is_some(), self_thread, media, video);
                self.feed_entry(aid, t, keys::FEED_POST, &id.rkey, flags, add);
                self.bump(Count::Posts, &aid.to_be_bytes(), add)?;
                if let Some(r) = reply {
                    let parent = self.subject(&r.parent)?;
                    self.set(Ks::Replies, keys::timed(&parent, t, aid, rkey), vec![], add);
                    self.bump(Count::Replies, &parent, add)?;
                }
                if let Some(q) = quote {
                    let subject = self.subject(&q)?;
                    self.set(Ks::Quotes, keys::timed(&subject, t, aid, rkey), vec![], add);
                    self.bump(Count::Quotes, &subject, add)?;
                }
            }
            Facts::Like(s) => {
                let subject = self.subject(&s)?;
                self.set(Ks::Likes, keys::timed(&subject, t, aid, rkey), vec![], add);
                self.bump(Count::Likes, &subject, add)?;
            }
            Facts::Repost(s) => {
                let subject = self.subject(&s)?;
                self.set(
                    Ks::Reposts,
                    keys::timed(&subject, t, aid, rkey),
                    vec![],
                    add,
                );
                self.bump(Count::Reposts, &subject, add)?;
                let flags = feed_flags(true, false, false, false, false);
                self.feed_entry(aid, t, keys::FEED_REPOST, &id.rkey, flags, add);
            }
            Facts::Follow(did) => {
                let other = self.aid(&did)?;
                self.set(
                    Ks::Follows,
                    keys::timed(&aid.to_be_bytes(), t, other, rkey),
                    vec![],
                    add,
                );
                self.set(
                    Ks::Followers,
                    keys::timed(&other.to_be_bytes(), t, aid, rkey),
                    vec![],
                    add,
                );
                self.bump(Count::Follows, &aid.to_be_bytes(), add)?;
                self.bump(Count::Followers, &other.to_be_bytes(), add)?;
            }
            Facts::Block(did) => {
                let other = self.aid(&did)?;
                self.set(
                    Ks::Blocks,
                    keys::timed(&aid.to_be_bytes(), t, other, rkey),
                    vec![],
                    add,
                );
                let pair = [&aid.to_be_bytes()[..], &other.to_be_bytes(), rkey].concat();
                self.set(Ks::BlockPairs, pair, vec![], add);
            }
            Facts::Plain => {}
        }
        self.bump(Count::LiveRecords, &[], add)
    }

    fn record_row(&mut self, id: &RecordId) -> Result<(u64, Vec<u8>, Option<Row>)> {
        let aid = self.aid(&id.did)?;
        let key = keys::record(aid, &id.collection, &id.rkey);
        let row = self
            .get(Ks::Records, &key)?
            .map(|v| Row::decode(&v))
            .transpose()?;
        Ok((aid, key, row))
    }

    /// Applies a put or a delete if `rev` is newer than what is stored; returns whether it did.
    fn write_record(&mut self, id: &RecordId, rev: u64, put: Option<Put<'_>>) -> Result<bool> {
        let (aid, key, old) = self.record_row(id)?;
        // The same version of a pruned record (a backfill after its author became tracked)
        // restores it; otherwise only newer revs apply.
        let restores = put.is_some()
            && old.as_ref().is_some_and(|o| {
                o.rev == rev && matches!(&o.live, Some(l) if matches!(l.body, Body::Pruned { .. }))
            });
        if old.as_ref().is_some_and(|o| o.rev >= rev) && !restores {
            return Ok(false);
        }
        let had_row = old.is_some();
        if let Some(old_live) = old.and_then(|o| o.live) {
            let (old_value, _) = compact::rebuild(self, &id.collection, &old_live.body)?;
            self.index(id, aid, &old_live, &old_value, false)?;
        }
        let live = match put {
            Some(p) => {
                let value: serde_json::Value = serde_json::from_slice(p.json).unwrap_or_default();
                let body = match compact::shape(&id.collection, &value, p.cid) {
                    Some(shape) => self.compact_body(shape)?,
                    None => full_body(&value, &p),
                };
                let live = Live {
                    indexed_at_us: p.time_us,
                    body,
                };
                self.index(id, aid, &live, &value, true)?;
                Some(live)
            }
            None => None,
        };
        let created = !had_row && live.is_some();
        self.put(Ks::Records, key, Row { rev, live }.encode());
        self.log_searchable(id, created)?;
        Ok(true)
    }

    /// Logs a change of `id` when a derived index must see it (`created`: the store held no
    /// version of it before).
    fn log_searchable(&mut self, id: &RecordId, created: bool) -> Result<()> {
        match facts::searchable(id) {
            Some(crate::model::Change::Record(id)) if created => {
                self.log_change(crate::model::Change::Created(id))
            }
            Some(change) => self.log_change(change),
            None => Ok(()),
        }
    }

    /// Retention: removes a live record's index entries but not its counts, and keeps only its
    /// skeleton (see `Body::Pruned`). Its rev stays, so replays and its delete are gated as
    /// before; the delete un-indexes the skeleton with counting on, subtracting exactly once.
    fn prune_record(&mut self, id: &RecordId) -> Result<bool> {
        let (aid, key, old) = self.record_row(id)?;
        let Some(row) = old else {
            return Ok(false);
        };
        let rev = row.rev;
        let Some(live) = row.visible() else {
            return Ok(false);
        };
        let (value, _) = compact::rebuild(self, &id.collection, &live.body)?;
        self.counting = false;
        let unindexed = self.index(id, aid, &live, &value, false);
        self.counting = true;
        unindexed?;
        let skeleton = serde_json::to_vec(&facts::skeleton(&id.collection, &value))
            .map_err(|e| crate::Error::Engine(e.to_string()))?;
        let pruned = Live {
            indexed_at_us: live.indexed_at_us,
            body: Body::Pruned {
                sort_at_us: live.sort_at_us(),
                skeleton,
            },
        };
        self.put(
            Ks::Records,
            key,
            Row {
                rev,
                live: Some(pruned),
            }
            .encode(),
        );
        self.log_searchable(id, false)?;
        Ok(true)
    }

    fn compact_body(&mut self, shape: compact::Shape<'_>) -> Result<Body> {
        Ok(match shape {
            compact::Shape::Ref {
                created,
                subject,
                via,
            } => Body::Ref {
                created: Created::from_text(created),
                subject: self.strong_ref(&subject.0, subject.1)?,
                via: via.map(|(id, cid)| self.strong_ref(&id, cid)).transpose()?,
            },
            compact::Shape::Did { created, subject } => Body::Did {
                created: Created::from_text(created),
                subject_aid: self.aid(subject)?,
            },
        })
    }

    /// A compact strong ref; its CID goes to the ref-CID table when the table has none yet.
    fn strong_ref(&mut self, id: &RecordId, cid: Vec<u8>) -> Result<Ref> {
        let aid = self.aid(&id.did)?;
        let key = keys::subject(aid, &id.collection, &id.rkey);
        let inline = match self.get(Ks::RefCids, &key)? {
            Some(known) => (known != cid).then_some(cid),
            None => {
                self.put(Ks::RefCids, key, cid);
                None
            }
        };
        Ok(Ref {
            aid,
            collection: id.collection.clone(),
            rkey: id.rkey.clone(),
            cid: inline,
        })
    }

    fn actor_row(&mut self, did: &str) -> Result<(u64, ActorRow)> {
        let aid = self.aid(did)?;
        let row = match self.get(Ks::Actors, &aid.to_be_bytes())? {
            Some(v) => ActorRow::decode(&v)?,
            None => ActorRow::default(),
        };
        Ok((aid, row))
    }

    fn apply_op(&mut self, op: &Op) -> Result<bool> {
        match op {
            Op::Put {
                id,
                rev,
                cid,
                record,
                time_us,
            } => self.write_record(
                id,
                *rev,
                Some(Put {
                    json: record,
                    cid,
                    time_us: *time_us,
                }),
            ),
            Op::Delete { id, rev } => self.write_record(id, *rev, None),
            Op::Identity { did, handle, seq } => {
                let (aid, mut row) = self.actor_row(did)?;
                if row.identity_seq >= *seq {
                    return Ok(false);
                }
                let new_handle = handle.as_ref().map(|h| h.to_ascii_lowercase());
                for k in super::state::stale_identity_keys(
                    did,
                    &[row.handle.as_deref(), new_handle.as_deref()],
                ) {
                    self.del(Ks::State, k);
                }
                if let Some(old) = row.handle.take() {
                    let held = self
                        .get(Ks::Handles, old.as_bytes())?
                        .and_then(|v| super::row::read_u64(&v));
                    if held == Some(aid) {
                        self.del(Ks::Handles, old.into_bytes());
                    }
                }
                let handle = new_handle;
                if let Some(h) = &handle {
                    self.put(
                        Ks::Handles,
                        h.as_bytes().to_vec(),
                        aid.to_be_bytes().to_vec(),
                    );
                }
                row.handle = handle;
                row.identity_seq = *seq;
                self.put(Ks::Actors, aid.to_be_bytes().to_vec(), row.encode());
                self.log_change(crate::model::Change::Actor(did.clone()))?;
                Ok(true)
            }
            Op::Gap(g) => {
                // One entry per start: a later detection from the same point only widens it.
                let key = keys::gap(g.from_us);
                if let Some(old) = self.get(Ks::Meta, &key)? {
                    let old: crate::Gap =
                        serde_json::from_slice(&old).map_err(|_| crate::Error::Corrupt("gap"))?;
                    if old.to_us >= g.to_us {
                        return Ok(false);
                    }
                }
                let value =
                    serde_json::to_vec(g).map_err(|e| crate::Error::Engine(e.to_string()))?;
                self.put(Ks::Meta, key, value);
                Ok(true)
            }
            Op::GapProgress { from_us, repaired } => {
                let key = keys::gap(*from_us);
                let Some(old) = self.get(Ks::Meta, &key)? else {
                    return Ok(false);
                };
                if *repaired {
                    self.del(Ks::Meta, key);
                    return Ok(true);
                }
                let mut g: crate::Gap =
                    serde_json::from_slice(&old).map_err(|_| crate::Error::Corrupt("gap"))?;
                if g.repairing {
                    return Ok(false);
                }
                g.repairing = true;
                let value =
                    serde_json::to_vec(&g).map_err(|e| crate::Error::Engine(e.to_string()))?;
                self.put(Ks::Meta, key, value);
                Ok(true)
            }
            Op::ConnectionCursor(c) => {
                let key = [keys::META_CONNECTION_CURSOR, c.endpoint.as_bytes()].concat();
                let v = serde_json::to_vec(c).map_err(|e| crate::Error::Engine(e.to_string()))?;
                self.put(Ks::Meta, key, v);
                Ok(true)
            }
            Op::LocalUser { user, add } => self.apply_local_user(user, *add),
            Op::Queue(q) => self.apply_queue(q),
            Op::Session { id, session } => self.apply_session(id, session.as_ref()),
            Op::Seen { did, at_us } => self.apply_seen(did, *at_us),
            Op::Prune { id } => self.prune_record(id),
            Op::TrimChanges { upto } => self.trim_changes(*upto),
            Op::Changed(change) => self.log_change(change.clone()).map(|()| true),
            Op::Mute {
                viewer,
                subject,
                muted,
            } => self.apply_mute(viewer, subject, *muted),
            Op::CacheIdentity { key, entry } => self.apply_cache(key, entry.as_ref()),
            Op::Subscribe {
                viewer,
                subject,
                activity,
            } => self.apply_subscribe(viewer, subject, *activity),
            Op::Private {
                owner,
                kind,
                key,
                value,
            } => self.apply_private(owner, kind, key, value.as_deref()),
            Op::Account {
                did,
                active,
                status,
                seq,
            } => {
                let (aid, mut row) = self.actor_row(did)?;
                if row.account_seq >= *seq {
                    return Ok(false);
                }
                row.inactive = !active;
                row.status = if *active { None } else { status.clone() };
                row.account_seq = *seq;
                self.put(Ks::Actors, aid.to_be_bytes().to_vec(), row.encode());
                self.log_change(crate::model::Change::Actor(did.clone()))?;
                Ok(true)
            }
        }
    }
}

/// A record that has no compact form: DAG-CBOR when those bytes hash to the CID the network
/// sent (the CID need not be kept), else the JSON as received with its CID.
fn full_body(value: &serde_json::Value, p: &Put<'_>) -> Body {
    let sort_at_us = facts::sort_at_us(value, p.time_us);
    match crate::cbor::encode(value) {
        Some(cbor) if crate::cbor::cid_of_bytes(&cbor) == p.cid => Body::Cbor { sort_at_us, cbor },
        _ => Body::Json {
            sort_at_us,
            cid: p.cid.to_vec(),
            json: p.json.to_vec(),
        },
    }
}

impl<E: Engine> super::Source for Tx<'_, E> {
    fn read(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get(ks, key)
    }
}

fn feed_flags(repost: bool, reply: bool, self_thread: bool, media: bool, video: bool) -> u8 {
    u8::from(repost)
        | u8::from(reply) << 1
        | u8::from(self_thread) << 2
        | u8::from(media) << 3
        | u8::from(video) << 4
}

/// Inverse of `feed_flags`.
pub(super) fn read_feed_flags(b: u8) -> crate::model::FeedFlags {
    crate::model::FeedFlags {
        repost: b & 1 != 0,
        reply: b & 2 != 0,
        self_thread: b & 4 != 0,
        media: b & 8 != 0,
        video: b & 16 != 0,
    }
}

impl<E: Engine> KvStore<E> {
    /// Where reads are round trips: the DIDs, then the stored rows, of the records a batch
    /// writes, read together ahead of the ops' one-by-one reads.
    fn prefetch_records(&self, ops: &[Op]) -> Result<()> {
        if !self.engine.round_trips() {
            return Ok(());
        }
        let ids: Vec<&RecordId> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Put { id, .. } | Op::Delete { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        let unknown: Vec<Vec<u8>> = ids
            .iter()
            .filter(|id| self.cached_aid(&id.did).is_none())
            .map(|id| id.did.as_bytes().to_vec())
            .collect();
        self.engine.prefetch(Ks::Dids, unknown)?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(aid) = self.lookup_aid(&id.did)? {
                rows.push(keys::record(aid, &id.collection, &id.rkey));
            }
        }
        self.engine.prefetch(Ks::Records, rows)
    }
}

impl<E: Engine> Writer for KvStore<E> {
    fn apply(&self, ops: &[Op], cursor: Option<&Cursor>) -> Result<ApplyStats> {
        let _guard = self
            .write_lock
            .lock()
            .map_err(|_| crate::Error::Engine("writer lock poisoned".into()))?;
        if self.engine.recover()? {
            self.forget_cached();
        }
        let next_aid = self
            .engine
            .get(Ks::Meta, keys::META_NEXT_AID)?
            .and_then(|v| super::row::read_u64(&v))
            .unwrap_or(1);
        let mut tx = Tx {
            store: self,
            overlay: vec![HashMap::new(); Ks::ALL.len()],
            next_aid,
            new_aids: Vec::new(),
            local_changes: Vec::new(),
            subscriptions: Vec::new(),
            counting: true,
            next_change: None,
        };
        self.prefetch_records(ops)?;
        let mut stats = ApplyStats::default();
        for op in ops {
            if tx.apply_op(op)? {
                stats.applied += 1;
            } else {
                stats.stale += 1;
            }
        }
        if tx.next_aid != next_aid {
            tx.put(
                Ks::Meta,
                keys::META_NEXT_AID.to_vec(),
                tx.next_aid.to_be_bytes().to_vec(),
            );
        }
        if let Some(c) = cursor {
            let v = serde_json::to_vec(c).map_err(|e| crate::Error::Engine(e.to_string()))?;
            tx.put(Ks::Meta, keys::META_CURSOR.to_vec(), v);
        }
        let Tx {
            overlay,
            new_aids,
            local_changes,
            subscriptions,
            ..
        } = tx;
        let writes: Vec<KvWrite> = Ks::ALL
            .iter()
            .zip(overlay)
            .flat_map(|(ks, m)| m.into_iter().map(move |(k, v)| (*ks, k, v)))
            .collect();
        let feed: Vec<(Vec<u8>, bool)> = writes
            .iter()
            .filter(|w| w.0 == Ks::Feed)
            .map(|w| (w.1.clone(), w.2.is_some()))
            .collect();
        let hot: Vec<KvWrite> = writes
            .iter()
            .filter(|w| super::is_hot(w.0))
            .cloned()
            .collect();
        self.engine.commit(writes, self.durability)?;
        self.remember_aids(new_aids);
        self.local_users_changed(local_changes);
        if !subscriptions.is_empty() {
            self.subscribed.forget();
        }
        self.remember_hot(hot);
        for (k, v) in &feed {
            self.feed_heads.written(k, *v);
        }
        Ok(stats)
    }

    fn flush(&self) -> Result<()> {
        self.engine.persist()
    }
}
