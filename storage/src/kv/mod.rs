//! The key-value family of backends: one implementation of the domain traits (`KvStore`) over
//! a tiny ordered-KV engine interface, with two engines: fjall (on disk, the default) and an
//! in-memory map (tests, tools). The key layout is documented at the top of `fjall.rs`.

mod backup;
mod changes;
mod compact;
pub mod fjall;
mod keys;
pub mod memory;
pub mod migrate;
mod notify;
pub mod postgres;
mod read;
mod relations;
mod row;
mod scan;
mod state;
mod timeline;
mod write;

use crate::model::Durability;
use crate::Result;
use std::collections::HashMap;
use std::sync::Mutex;

pub use backup::BackupStats;
pub use keys::feed_by_time;

/// Current on-disk schema version. Bump it (and add a migration) whenever the layout changes.
pub const SCHEMA_VERSION: u32 = 3;

/// The keyspaces (column families) of a KV store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ks {
    /// Schema version, cursor, id allocator.
    Meta,
    /// DID → actor id.
    Dids,
    /// Actor id → DID.
    DidNames,
    /// Actor id → actor row (handle, status).
    Actors,
    /// Handle → actor id.
    Handles,
    /// Record key → record row or tombstone.
    Records,
    /// Author feed: posts and reposts by author and time.
    Feed,
    /// Reply tree: parent post → replies.
    Replies,
    /// Likes by subject.
    Likes,
    /// Reposts by subject.
    Reposts,
    /// Quote posts by subject.
    Quotes,
    /// Follow records by follower.
    Follows,
    /// Follow records by subject.
    Followers,
    /// Block records by blocker.
    Blocks,
    /// Block records by (blocker, subject) pair, for point checks.
    BlockPairs,
    /// First-seen CID of records named by strong refs (compact likes and reposts point here).
    RefCids,
    /// Counters.
    Counts,
    /// Local users, backfill queue, identity cache.
    State,
    /// Notifications of local users, by recipient and time.
    Notifications,
    /// Likes, reposts and follows where a local user is one end, for point lookups.
    Relations,
    /// Every post and repost by time (home timelines of many follows).
    FeedByTime,
    /// The change log derived indexes (search) follow, by sequence number.
    Changes,
}

impl Ks {
    /// Every keyspace, in a fixed order.
    pub const ALL: [Ks; 22] = [
        Ks::Meta,
        Ks::Dids,
        Ks::DidNames,
        Ks::Actors,
        Ks::Handles,
        Ks::Records,
        Ks::Feed,
        Ks::Replies,
        Ks::Likes,
        Ks::Reposts,
        Ks::Quotes,
        Ks::Follows,
        Ks::Followers,
        Ks::Blocks,
        Ks::BlockPairs,
        Ks::RefCids,
        Ks::Counts,
        Ks::State,
        Ks::Notifications,
        Ks::Relations,
        Ks::FeedByTime,
        Ks::Changes,
    ];

    /// The keyspace's name on disk.
    pub fn name(self) -> &'static str {
        match self {
            Ks::Meta => "meta",
            Ks::Dids => "did_aid",
            Ks::DidNames => "aid_did",
            Ks::Actors => "aid_actor",
            Ks::Handles => "handle_aid",
            Ks::Records => "rkey_record",
            Ks::Feed => "author_feed",
            Ks::Replies => "parent_reply",
            Ks::Likes => "subject_like",
            Ks::Reposts => "subject_repost",
            Ks::Quotes => "subject_quote",
            Ks::Follows => "actor_follow",
            Ks::Followers => "subject_follower",
            Ks::Blocks => "actor_block",
            Ks::BlockPairs => "actor_subject_block",
            Ks::RefCids => "subject_cid",
            Ks::Counts => "counts",
            Ks::State => "account_state",
            Ks::Notifications => "recipient_notification",
            Ks::Relations => "actor_subject_relation",
            Ks::FeedByTime => "time_feed",
            Ks::Changes => "seq_change",
        }
    }
}

/// One write of a batch: a put (`Some`) or a delete (`None`).
pub type KvWrite = (Ks, Vec<u8>, Option<Vec<u8>>);

/// A key and its value.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// What `Engine::dump` hands each entry to.
pub type DumpSink<'a> = dyn FnMut(Ks, &[u8], &[u8]) -> Result<()> + 'a;

/// The ordered key-value operations a backend engine provides.
pub trait Engine: Send + Sync + 'static {
    /// Point read.
    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Keys with `prefix`, strictly below `before` when given, in descending order.
    fn scan_desc(
        &self,
        ks: Ks,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>>;
    /// Keys with `prefix`, strictly above `after` when given, in ascending order.
    fn scan_asc(
        &self,
        ks: Ks,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>>;
    /// Applies all writes atomically.
    fn commit(&self, writes: Vec<KvWrite>, durability: Durability) -> Result<()>;
    /// Syncs everything committed to disk.
    fn persist(&self) -> Result<()>;
    /// Makes the engine take writes again after one failed (`Error::Write`), when it can:
    /// `Ok(true)` when it had to reopen, so that what was read before may have changed (a
    /// failed batch can turn out kept). An `Error::Write` while the cause lasts. Engines that
    /// take the next write anyway have nothing to do.
    fn recover(&self) -> Result<bool> {
        Ok(false)
    }
    /// Bytes on disk.
    fn disk_bytes(&self) -> u64;
    /// Where the store lives, for messages.
    fn location(&self) -> String;
    /// Every key and value of every keyspace, from one consistent snapshot, in keyspace then
    /// key order.
    fn dump(&self, f: &mut DumpSink<'_>) -> Result<()>;
    /// Reads worth running at once (see `MetaReader::read_parallelism`).
    fn parallelism(&self) -> usize {
        1
    }
    /// Whether each read is a round trip to a server, so that reads known in advance are
    /// worth handing to `prefetch` together.
    fn round_trips(&self) -> bool {
        false
    }
    /// Reads `keys` of `ks` together ahead of their point reads (a hint; engines whose reads
    /// are local ignore it).
    fn prefetch(&self, _ks: Ks, _keys: Vec<Vec<u8>>) -> Result<()> {
        Ok(())
    }
}

/// The domain store over any engine.
pub struct KvStore<E: Engine> {
    pub(super) engine: E,
    durability: Durability,
    /// DID → actor id for ids already committed (never invalidated: ids never change).
    aid_cache: Mutex<HashMap<String, u64>>,
    /// Committed values of the small, hot keyspaces the writer reads on every event (counters,
    /// ref CIDs), absent ones included. Only the writer changes the store, so entries stay true.
    hot: Mutex<HotCache>,
    /// Serializes writers: the store has one writer by design; this makes misuse safe.
    write_lock: Mutex<()>,
    /// Newest feed entry per author, for the timeline merge.
    feed_heads: timeline::FeedHeads,
    /// DIDs of local users (loaded on first use), who get notifications.
    local: notify::LocalSet,
    /// DIDs someone subscribed to (loaded on first use; forgotten when a subscription changes).
    subscribed: notify::LocalSet,
}

/// Values by key, absent ones included (`None`).
pub(crate) type KeyMap = HashMap<Vec<u8>, Option<Vec<u8>>>;

/// One map per keyspace (indexed by `Ks as usize`) and the number of entries in all of them.
#[derive(Default)]
struct HotCache {
    maps: Vec<KeyMap>,
    len: usize,
}

/// Entries of the hot cache (about 100 bytes each).
const HOT_MAX: usize = 1 << 17;

/// Keyspaces whose committed values the writer caches.
fn is_hot(ks: Ks) -> bool {
    matches!(ks, Ks::Counts | Ks::RefCids)
}

/// DIDs kept in the id cache (about 100 bytes each).
const AID_CACHE_MAX: usize = 1 << 18;

impl<E: Engine> KvStore<E> {
    /// Wraps an engine: records the schema version in a new store, migrates an older one, refuses a newer one.
    pub fn new(engine: E, durability: Durability) -> Result<Self> {
        match migrate::stored_version(&engine)? {
            Some(found) if found == SCHEMA_VERSION => {}
            Some(found) => migrate::upgrade(&engine, found, SCHEMA_VERSION)?,
            None => migrate::set_version(&engine, SCHEMA_VERSION)?,
        }
        Ok(KvStore {
            engine,
            durability,
            aid_cache: Mutex::default(),
            hot: Mutex::default(),
            write_lock: Mutex::default(),
            feed_heads: timeline::FeedHeads::default(),
            local: notify::LocalSet::default(),
            subscribed: notify::LocalSet::default(),
        })
    }

    /// The engine underneath (for tools that need raw access, such as benchmarks).
    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// Committed actor id of a DID, if any (readers never allocate).
    fn lookup_aid(&self, did: &str) -> Result<Option<u64>> {
        if let Some(a) = self.cached_aid(did) {
            return Ok(Some(a));
        }
        let aid = self
            .engine
            .get(Ks::Dids, did.as_bytes())?
            .and_then(|v| row::read_u64(&v));
        if let Some(a) = aid {
            self.remember_aids(std::iter::once((did.to_string(), a)));
        }
        Ok(aid)
    }

    /// A committed value, through the hot cache for hot keyspaces.
    fn committed(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if !is_hot(ks) {
            return self.engine.get(ks, key);
        }
        let hit = self
            .hot
            .lock()
            .ok()
            .and_then(|h| h.maps.get(ks as usize)?.get(key).cloned());
        if let Some(v) = hit {
            return Ok(v);
        }
        let v = self.engine.get(ks, key)?;
        self.remember_hot([(ks, key.to_vec(), v.clone())]);
        Ok(v)
    }

    fn remember_hot(&self, entries: impl IntoIterator<Item = KvWrite>) {
        let Ok(mut h) = self.hot.lock() else { return };
        if h.maps.is_empty() {
            h.maps = vec![KeyMap::new(); Ks::ALL.len()];
        }
        for (ks, k, v) in entries {
            if h.len >= HOT_MAX {
                h.maps.iter_mut().for_each(KeyMap::clear);
                h.len = 0;
            }
            if h.maps[ks as usize].insert(k, v).is_none() {
                h.len += 1;
            }
        }
    }

    /// Forgets the cached committed values that a reopened engine may contradict (a batch
    /// whose write failed can turn out kept). Actor ids stay: they never change.
    fn forget_cached(&self) {
        if let Ok(mut h) = self.hot.lock() {
            *h = HotCache::default();
        }
        self.feed_heads.forget();
        self.local.forget();
        self.subscribed.forget();
    }

    fn cached_aid(&self, did: &str) -> Option<u64> {
        self.aid_cache.lock().ok().and_then(|c| c.get(did).copied())
    }

    fn remember_aids(&self, pairs: impl IntoIterator<Item = (String, u64)>) {
        if let Ok(mut c) = self.aid_cache.lock() {
            if c.len() > AID_CACHE_MAX {
                c.clear();
            }
            c.extend(pairs);
        }
    }
}

/// Point reads of committed state (the store) or of a batch in progress (the writer's overlay).
pub(crate) trait Source {
    /// The value of `key`, if any.
    fn read(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>>;
}

/// The DID behind an actor id.
fn did(src: &impl Source, aid: u64) -> Result<String> {
    let v = src
        .read(Ks::DidNames, &aid.to_be_bytes())?
        .ok_or(crate::Error::Corrupt("aid_did"))?;
    String::from_utf8(v).map_err(|_| crate::Error::Corrupt("aid_did"))
}
