//! The fjall engine: the default, embedded, zero-setup backend.
//!
//! # Key layout
//!
//! DIDs are interned to 8-byte actor ids (`aid`, big-endian, allocated from 1). Times are
//! microseconds, stored big-endian with the sign bit flipped so byte order is time order.
//! `coll` is one byte for the indexed collections (1 post, 2 like, 3 repost, 4 follow,
//! 5 block, 6 profile) or `0 · NSID · 0` for any other. `subj` = `aid · coll · len(rkey) · rkey`
//! names a record inside another key. `rkey` is a TID as `0x01 · u64`, any other key as its text.
//!
//! | keyspace           | key                                   | value                              |
//! |--------------------|---------------------------------------|------------------------------------|
//! | `meta`             | `schema_version` / `cursor` / `next_aid` | u32 / JSON `{position,endpoint}` / u64 |
//! | `meta`             | `gap/` · from · to                    | JSON gap (open until repaired)     |
//! | `meta`             | `cursor/` · endpoint                  | JSON cursor of one connection (sharded subscriptions) |
//! | `meta`             | `change_next` / `store_id`            | u64 / u64 (the change log's next seq, the store's id) |
//! | `did_aid`          | DID                                   | aid                                |
//! | `aid_did`          | aid                                   | DID                                |
//! | `aid_actor`        | aid                                   | JSON: handle, status, gating seqs  |
//! | `handle_aid`       | lowercase handle                      | aid                                |
//! | `rkey_record`      | aid · coll · rkey                     | record row (JSON or compact body) or tombstone; see `row.rs` |
//! | `author_feed`      | aid · sort_at · kind(0 post, 1 repost) · rkey | flags (repost, reply, self-thread, media, video) |
//! | `time_feed`        | sort_at · aid · kind · rkey           | flags (the same entries, by time)  |
//! | `seq_change`       | seq (u64)                             | `R` (`C`: created) · AT-URI or `A` · DID (what search must look at again) |
//! | `parent_reply`     | subj(parent) · sort_at · aid · rkey   | –                                  |
//! | `subject_like`     | subj · sort_at · liker aid · rkey     | –                                  |
//! | `subject_repost`   | subj · sort_at · reposter aid · rkey  | –                                  |
//! | `subject_quote`    | subj · sort_at · quoter aid · rkey    | –                                  |
//! | `actor_follow`     | aid · sort_at · subject aid · rkey    | –                                  |
//! | `subject_follower` | subject aid · sort_at · follower aid · rkey | –                            |
//! | `actor_block`      | aid · sort_at · subject aid · rkey    | –                                  |
//! | `actor_subject_block` | aid · subject aid · rkey           | –                                  |
//! | `subject_cid`      | subj                                  | first-seen CID of a strong-ref target |
//! | `counts`           | kind · (subj or aid or status or empty) | varint (absent = 0)              |
//! | `account_state`    | `u/` · DID                            | JSON local user                    |
//! | `account_state`    | `r/` · DID                            | JSON backfill state of a repo      |
//! | `account_state`    | `q/` · not_before · DID               | – (pending repos in due order)     |
//! | `account_state`    | `i/d/` · DID / `i/h/` · handle        | JSON cached lookup (answer, time)  |
//! | `account_state`    | `s/` · session id                     | JSON session (token hashes, sealed PDS tokens) |
//! | `account_state`    | `n/` · DID                            | i64 µs: notifications seen up to   |
//! | `account_state`    | `m/` · viewer DID · `/` · subject DID | – (a private mute)                 |
//! | `recipient_notification` | recipient aid · indexed_at · author aid · coll · rkey | reason byte (local users only) |
//! | `actor_subject_relation` | kind (1 like, 2 repost, 3 follow) · actor aid · subj or subject aid · rkey | – (a local user at one end) |
//!
//! Every batch (index entries, counts, tombstones and the cursor) is one fjall write batch,
//! so a crash leaves either all of it or none of it.

use super::{Engine, Ks, KvPair, KvWrite};
use crate::model::Durability;
use crate::{Error, Result};
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

/// fjall database with one keyspace per `Ks`.
///
/// fjall accepts no write after one failed (a full disk, an I/O error): it poisons the
/// database. The engine then reopens it before the next write (`Engine::recover`), once a
/// probe file shows there is room again; until then reads go on from the old handle.
pub struct FjallEngine {
    open: RwLock<Option<Open>>,
    /// A write failed: the database must be reopened before the next one.
    broken: AtomicBool,
    opts: FjallOptions,
    path: PathBuf,
}

/// The open database and its keyspaces.
struct Open {
    db: Database,
    keyspaces: Vec<Keyspace>,
}

/// Bytes a probe file must take before a broken database is reopened.
const PROBE_BYTES: usize = 4 << 20;

/// Tuning knobs of the fjall engine. The defaults keep a small machine's memory bounded:
/// memtables are flushed early (small memtables are also faster to search: 4 MB measured ~10%
/// faster ingest than 8 MB and ~15% faster than 64 MB, with a third of the memory).
#[derive(Debug, Clone, Copy)]
pub struct FjallOptions {
    /// Block cache size in bytes.
    pub cache_bytes: u64,
    /// Largest memtable of one keyspace before it is flushed.
    pub memtable_bytes: u64,
}

impl Default for FjallOptions {
    fn default() -> Self {
        FjallOptions {
            cache_bytes: 48 << 20,
            memtable_bytes: 4 << 20,
        }
    }
}

impl Open {
    fn new(path: &Path, opts: FjallOptions) -> Result<Self> {
        let db = Database::builder(path)
            .cache_size(opts.cache_bytes)
            .open()?;
        let keyspaces = Ks::ALL
            .iter()
            .map(|ks| {
                // The records keyspace takes most writes by bytes; the indexes are small.
                let memtable = if *ks == Ks::Records {
                    opts.memtable_bytes * 2
                } else {
                    opts.memtable_bytes / 2
                };
                db.keyspace(ks.name(), || {
                    KeyspaceCreateOptions::default().max_memtable_size(memtable)
                })
            })
            .collect::<fjall::Result<Vec<_>>>()?;
        Ok(Open { db, keyspaces })
    }

    fn ks(&self, ks: Ks) -> &Keyspace {
        // `keyspaces` was built from `Ks::ALL`, which lists the variants in declaration order.
        &self.keyspaces[ks as usize]
    }
}

impl FjallEngine {
    /// Opens (or creates) the database in `path`.
    pub fn open(path: &Path, opts: FjallOptions) -> Result<Self> {
        std::fs::create_dir_all(path)
            .map_err(|e| Error::Engine(format!("{}: {e}", path.display())))?;
        Ok(FjallEngine {
            open: RwLock::new(Some(Open::new(path, opts)?)),
            broken: AtomicBool::new(false),
            opts,
            path: path.to_path_buf(),
        })
    }

    /// Runs `f` on the open database (an error while a reopen has not succeeded yet).
    fn with<T>(&self, f: impl FnOnce(&Open) -> Result<T>) -> Result<T> {
        let guard = self.open.read().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(o) => f(o),
            None => Err(Error::Engine(format!(
                "{}: the database is being reopened after a failed write",
                self.path.display()
            ))),
        }
    }

    /// A failed write: the database is marked broken, and the error says it may pass (and
    /// why: a database that refuses writes after a failed background flush tells no cause,
    /// so a probe write looks for one).
    fn failed(&self) -> impl FnOnce(fjall::Error) -> Error + '_ {
        move |e| {
            self.broken.store(true, Ordering::Release);
            let why = match e {
                fjall::Error::Io(e) => e.to_string(),
                fjall::Error::Poisoned => match self.room() {
                    Err(probe) => format!("it refuses writes after a failed one; {probe}"),
                    Ok(()) => "it refuses writes after a failed one".into(),
                },
                e => e.to_string(),
            };
            Error::Write(format!("{}: {why}", self.path.display()))
        }
    }

    /// Whether `PROBE_BYTES` can be written beside the database now (else why not).
    fn room(&self) -> std::result::Result<(), String> {
        let probe = self.path.with_extension("space-check");
        let written = std::fs::File::create(&probe).and_then(|mut f| {
            f.write_all(&vec![0u8; PROBE_BYTES])?;
            f.sync_all()
        });
        let _ = std::fs::remove_file(&probe);
        written.map_err(|e| format!("a test write to {}: {e}", probe.display()))
    }

    /// Bytes on disk per keyspace (tables and blobs; the journal is not included).
    pub fn keyspace_sizes(&self) -> Vec<(&'static str, u64)> {
        self.with(|o| {
            Ok(Ks::ALL
                .iter()
                .map(|ks| (ks.name(), o.ks(*ks).disk_space()))
                .collect())
        })
        .unwrap_or_default()
    }

    /// Compacts every keyspace fully (benchmarks measure size after this).
    pub fn major_compact(&self) -> Result<()> {
        self.with(|o| {
            for k in &o.keyspaces {
                k.rotate_memtable_and_wait()?;
                k.major_compact()?;
            }
            Ok(())
        })
    }
}

fn collect(iter: impl Iterator<Item = fjall::Guard>, limit: usize) -> Result<Vec<KvPair>> {
    iter.take(limit)
        .map(|g| {
            g.into_inner()
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(Into::into)
        })
        .collect()
}

impl Engine for FjallEngine {
    fn dump(&self, f: &mut super::DumpSink<'_>) -> Result<()> {
        self.with(|o| {
            let snapshot = o.db.snapshot();
            for ks in Ks::ALL {
                for guard in snapshot.iter(o.ks(ks)) {
                    let (k, v) = guard.into_inner()?;
                    f(ks, &k, &v)?;
                }
            }
            Ok(())
        })
    }

    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.with(|o| Ok(o.ks(ks).get(key)?.map(|v| v.to_vec())))
    }

    fn scan_desc(
        &self,
        ks: Ks,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        self.with(|o| {
            let snapshot = o.db.snapshot();
            match before {
                None => collect(snapshot.prefix(o.ks(ks), prefix).rev(), limit),
                Some(b) => collect(snapshot.range(o.ks(ks), prefix..b).rev(), limit),
            }
        })
    }

    fn scan_asc(
        &self,
        ks: Ks,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        self.with(|o| {
            let snapshot = o.db.snapshot();
            match after {
                None => collect(snapshot.prefix(o.ks(ks), prefix), limit),
                Some(a) => {
                    let mut out = Vec::new();
                    for g in snapshot.range(o.ks(ks), a..) {
                        let (k, v) = g.into_inner()?;
                        if !k.starts_with(prefix) || out.len() == limit {
                            break;
                        }
                        if &*k != a {
                            out.push((k.to_vec(), v.to_vec()));
                        }
                    }
                    Ok(out)
                }
            }
        })
    }

    fn commit(&self, writes: Vec<KvWrite>, durability: Durability) -> Result<()> {
        let mode = match durability {
            Durability::Sync => PersistMode::SyncAll,
            Durability::Buffer => PersistMode::Buffer,
        };
        self.with(|o| {
            let mut batch = o.db.batch().durability(Some(mode));
            for (ks, k, v) in writes {
                match v {
                    Some(v) => batch.insert(o.ks(ks), k, v),
                    None => batch.remove(o.ks(ks), k),
                }
            }
            batch.commit().map_err(self.failed())
        })
    }

    fn persist(&self) -> Result<()> {
        self.with(|o| o.db.persist(PersistMode::SyncAll).map_err(self.failed()))
    }

    fn recover(&self) -> Result<bool> {
        if !self.broken.load(Ordering::Acquire) {
            return Ok(false);
        }
        self.room().map_err(Error::Write)?;
        let mut open = self.open.write().unwrap_or_else(|p| p.into_inner());
        // The old handle goes first: it holds the directory's lock (and flushes its journal;
        // a batch it left half-written is discarded when the journal is read again).
        drop(open.take());
        *open = Some(Open::new(&self.path, self.opts).map_err(|e| match e {
            Error::Engine(m) => Error::Write(m),
            e => e,
        })?);
        self.broken.store(false, Ordering::Release);
        Ok(true)
    }

    fn disk_bytes(&self) -> u64 {
        self.with(|o| Ok(o.db.disk_space().unwrap_or(0)))
            .unwrap_or(0)
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}
