//! The timeline read: the posts and reposts of many authors, newest first — read off everyone's
//! feed by time when the followed accounts fill a page quickly, else a k-way merge over their
//! author feeds. Order is (sort_at, author id, entry) descending; the cursor is the last
//! entry's position in that order, so pages neither skip nor repeat. Each author's newest entry
//! time is cached (`FeedHeads`), and authors are opened newest first only while they could
//! still beat what the merge holds, so a viewer following a thousand mostly quiet accounts
//! costs a few dozen seeks, not a thousand.

use super::keys;
use super::{Engine, Ks, KvStore};
use crate::facts::nsid;
use crate::model::{FeedEntry, Page, RecordId};
use crate::Result;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;

/// Newest feed entry time per author id (`i64::MIN`: none), filled on first use and kept
/// current by the writer.
#[derive(Default)]
pub(crate) struct FeedHeads(Mutex<HashMap<u64, i64>>);

/// Authors remembered at most (about 32 bytes each).
const HEADS_MAX: usize = 1 << 20;

impl FeedHeads {
    fn get(&self, aid: u64) -> Option<i64> {
        self.0.lock().ok()?.get(&aid).copied()
    }

    fn set(&self, aid: u64, t: i64) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= HEADS_MAX {
                m.clear();
            }
            m.insert(aid, t);
        }
    }

    /// Forgets every head (read again on next use).
    pub(crate) fn forget(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }

    /// A committed feed write: an added entry can only raise the head; a removed one may
    /// lower it, so the author is looked up again next time.
    pub(crate) fn written(&self, key: &[u8], added: bool) {
        let (Some(aid), Some(t)) = (
            keys::read_aid(key),
            key.get(8..).and_then(keys::read_sort_key),
        ) else {
            return;
        };
        if let Ok(mut m) = self.0.lock() {
            match (added, m.get_mut(&aid)) {
                (true, Some(head)) => *head = (*head).max(t),
                (false, Some(_)) => {
                    m.remove(&aid);
                }
                (_, None) => {}
            }
        }
    }
}

/// One feed entry in merge order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Item {
    sort_at: i64,
    aid: u64,
    /// `kind · rkey` as stored.
    tail: Vec<u8>,
    flags: u8,
}

/// An author being merged: what was fetched and not yet used, and where to fetch next.
struct Open {
    buffered: std::vec::IntoIter<Item>,
    before: Option<Vec<u8>>,
    exhausted: bool,
}

/// Entries fetched per seek.
const BATCH: usize = 16;

/// Entries of everyone's feed by time looked at before falling back to the merge.
const BY_TIME_SCAN: usize = 8192;
/// Entries read per scan of it.
const BY_TIME_CHUNK: usize = 512;

impl<E: Engine> KvStore<E> {
    fn head(&self, aid: u64) -> Result<i64> {
        if let Some(t) = self.feed_heads.get(aid) {
            return Ok(t);
        }
        let rows = self
            .engine
            .scan_desc(Ks::Feed, &aid.to_be_bytes(), None, 1)?;
        let t = rows
            .first()
            .and_then(|(k, _)| k.get(8..).and_then(keys::read_sort_key))
            .unwrap_or(i64::MIN);
        self.feed_heads.set(aid, t);
        Ok(t)
    }

    fn fetch(&self, aid: u64, open: &mut Open) -> Result<()> {
        let prefix = aid.to_be_bytes();
        let rows = self
            .engine
            .scan_desc(Ks::Feed, &prefix, open.before.as_deref(), BATCH)?;
        open.exhausted = rows.len() < BATCH;
        let mut items = Vec::with_capacity(rows.len());
        for (k, v) in rows {
            let sort_at = k
                .get(8..)
                .and_then(keys::read_sort_key)
                .ok_or(crate::Error::Corrupt("feed key"))?;
            items.push(Item {
                sort_at,
                aid,
                tail: k.get(16..).unwrap_or_default().to_vec(),
                flags: v.first().copied().unwrap_or(0),
            });
            open.before = Some(k);
        }
        open.buffered = items.into_iter();
        Ok(())
    }

    /// Where an author's scan starts for a cursor at (t, cursor author, cursor tail).
    fn bound(aid: u64, cursor: Option<&(i64, u64, Vec<u8>)>) -> Option<Vec<u8>> {
        let (t, caid, ctail) = cursor?;
        let mut k = aid.to_be_bytes().to_vec();
        match aid.cmp(caid) {
            std::cmp::Ordering::Equal => {
                k.extend_from_slice(&keys::sort_key(*t));
                k.extend_from_slice(ctail);
            }
            std::cmp::Ordering::Less => k.extend_from_slice(&keys::sort_key(t.saturating_add(1))),
            std::cmp::Ordering::Greater => k.extend_from_slice(&keys::sort_key(*t)),
        }
        Some(k)
    }

    pub(super) fn merged_feeds(
        &self,
        authors: &[String],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        let mut aids = Vec::with_capacity(authors.len());
        for did in authors {
            aids.extend(self.lookup_aid(did)?);
        }
        self.merge(aids, cursor, limit)
    }

    /// The home timeline of `viewer`: the accounts they follow (read straight off their
    /// follow index, as ids) and their own.
    pub(super) fn home(
        &self,
        viewer: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        let Some(me) = self.lookup_aid(viewer)? else {
            return Ok(Page {
                items: vec![],
                cursor: None,
            });
        };
        let rows = self
            .engine
            .scan_asc(Ks::Follows, &me.to_be_bytes(), None, usize::MAX)?;
        let mut aids: Vec<u64> = rows
            .iter()
            .filter_map(|(k, _)| k.get(16..).and_then(keys::read_aid))
            .collect();
        aids.push(me);
        if let Some(page) = self.by_time(&aids, cursor, limit)? {
            return Ok(page);
        }
        self.merge(aids, cursor, limit)
    }

    /// The page from everyone's feed by time, keeping the followed authors' entries, when it
    /// fills within `BY_TIME_SCAN` entries (followed accounts that post often enough);
    /// `None` sends the caller to the merge.
    fn by_time(
        &self,
        aids: &[u64],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Option<Page<FeedEntry>>> {
        let wanted: std::collections::HashSet<u64> = aids.iter().copied().collect();
        let mut before = match cursor {
            Some(c) => Some(super::read::unhex(c)?),
            None => None,
        };
        let mut items = Vec::with_capacity(limit);
        let mut names: HashMap<u64, String> = HashMap::new();
        let mut scanned = 0;
        while scanned < BY_TIME_SCAN {
            let rows =
                self.engine
                    .scan_desc(Ks::FeedByTime, &[], before.as_deref(), BY_TIME_CHUNK)?;
            let exhausted = rows.len() < BY_TIME_CHUNK;
            for (k, v) in rows {
                scanned += 1;
                let (Some(sort_at), Some(aid)) =
                    (keys::read_sort_key(&k), k.get(8..).and_then(keys::read_aid))
                else {
                    return Err(crate::Error::Corrupt("time feed key"));
                };
                if wanted.contains(&aid) {
                    let did = match names.get(&aid) {
                        Some(d) => d.clone(),
                        None => {
                            let d = super::did(self, aid)?;
                            names.insert(aid, d.clone());
                            d
                        }
                    };
                    let tail = k.get(16..).unwrap_or_default();
                    let collection = match tail.first() {
                        Some(&keys::FEED_REPOST) => nsid::REPOST,
                        _ => nsid::POST,
                    };
                    items.push(FeedEntry {
                        id: RecordId::new(
                            &did,
                            collection,
                            &keys::read_rkey(tail.get(1..).unwrap_or_default()),
                        ),
                        sort_at_us: sort_at,
                        flags: super::write::read_feed_flags(v.first().copied().unwrap_or(0)),
                    });
                }
                let full = items.len() == limit;
                before = Some(k);
                if full {
                    let cursor = before.as_deref().map(super::read::hex);
                    return Ok(Some(Page { items, cursor }));
                }
            }
            if exhausted {
                return Ok(Some(Page {
                    items,
                    cursor: None,
                }));
            }
        }
        Ok(None)
    }

    fn merge(
        &self,
        mut aids: Vec<u64>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>> {
        let cursor = match cursor {
            Some(c) => {
                let b = super::read::unhex(c)?;
                let (Some(t), Some(aid)) =
                    (keys::read_sort_key(&b), b.get(8..).and_then(keys::read_aid))
                else {
                    return Err(crate::Error::BadCursor);
                };
                Some((t, aid, b.get(16..).unwrap_or_default().to_vec()))
            }
            None => None,
        };
        aids.sort_unstable();
        aids.dedup();
        let mut candidates = Vec::with_capacity(aids.len());
        for aid in aids {
            let head = self.head(aid)?;
            if head != i64::MIN {
                candidates.push((head, aid));
            }
        }
        let mut names: HashMap<u64, String> = HashMap::new();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        let mut heap: BinaryHeap<Item> = BinaryHeap::new();
        let mut open: HashMap<u64, Open> = HashMap::new();
        let mut next = 0;
        let mut items = Vec::with_capacity(limit);
        let mut last: Option<Item> = None;
        while items.len() < limit {
            // Open every author whose newest entry could still beat the best one held.
            while let Some(&(head, aid)) = candidates.get(next) {
                if heap.peek().is_some_and(|top| top.sort_at > head) {
                    break;
                }
                next += 1;
                let mut o = Open {
                    buffered: Vec::new().into_iter(),
                    before: Self::bound(aid, cursor.as_ref()),
                    exhausted: false,
                };
                self.fetch(aid, &mut o)?;
                if let Some(first) = o.buffered.next() {
                    heap.push(first);
                }
                open.insert(aid, o);
            }
            let Some(top) = heap.pop() else {
                break;
            };
            if let Some(o) = open.get_mut(&top.aid) {
                let mut following = o.buffered.next();
                if following.is_none() && !o.exhausted {
                    self.fetch(top.aid, o)?;
                    following = o.buffered.next();
                }
                heap.extend(following);
            }
            let kind = top.tail.first().copied().unwrap_or(keys::FEED_POST);
            let collection = if kind == keys::FEED_REPOST {
                nsid::REPOST
            } else {
                nsid::POST
            };
            let did = match names.get(&top.aid) {
                Some(d) => d.clone(),
                None => {
                    let d = super::did(self, top.aid)?;
                    names.insert(top.aid, d.clone());
                    d
                }
            };
            items.push(FeedEntry {
                id: RecordId::new(
                    &did,
                    collection,
                    &keys::read_rkey(top.tail.get(1..).unwrap_or_default()),
                ),
                sort_at_us: top.sort_at,
                flags: super::write::read_feed_flags(top.flags),
            });
            last = Some(top);
        }
        let more = !heap.is_empty()
            || candidates.len() > next
            || open.values().any(|o| !o.exhausted || o.buffered.len() > 0);
        let cursor = match (more && items.len() == limit, last) {
            (true, Some(l)) => Some(super::read::hex(
                &[
                    &keys::sort_key(l.sort_at)[..],
                    &l.aid.to_be_bytes(),
                    &l.tail,
                ]
                .concat(),
            )),
            _ => None,
        };
        Ok(Page { items, cursor })
    }
}
