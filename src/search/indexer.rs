//! The index's one writer: a thread that takes in the store's change log in order, commits
//! with the last position taken in (the commit payload), reloads the reader at once, and lets
//! the store drop what was taken in. At start it resumes from its payload, or rebuilds from
//! the whole store when the payload does not name this store's history (a new or damaged
//! index, another store, an older index version, a position the log no longer holds).
//! Replays are harmless: every change deletes the document by identifier, then adds what the
//! store holds now.

use super::schema::{kind, Fields};
use super::{doc, Search, SearchError, INDEX_VERSION};
use aerie_storage::facts::nsid;
use aerie_storage::{Change, RecordId, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy, NoMergePolicy, UserOperation};
use tantivy::{IndexWriter, TantivyDocument, Term};

/// Changes read from the log at once.
const BATCH: usize = 2_000;
/// How often the log is looked at when it had nothing new.
const IDLE: Duration = Duration::from_millis(20);
/// How often the store is told what was taken in.
const TRIM_EVERY: Duration = Duration::from_secs(5);
/// Trimming ops at most each time (each drops up to 50,000 changes): a backlog goes at up to
/// 40,000 changes a second, faster than posts are written.
const TRIM_ROUNDS: usize = 4;

/// What a commit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Payload {
    version: u32,
    store_id: u64,
    /// The last change taken in.
    seq: u64,
    /// Changes up to here may already be in the index though not taken in (a rebuild's walk
    /// met them): even a created record replaces its document.
    #[serde(default)]
    replace_until: u64,
}

/// How segments are merged: by size levels, and a segment with a fifth of its documents
/// deleted is merged again to reclaim them.
fn merge_policy() -> Box<dyn tantivy::indexer::MergePolicy> {
    let mut policy = LogMergePolicy::default();
    policy.set_del_docs_ratio_before_merge(0.2);
    Box::new(policy)
}

/// A commit this slow is logged, with where the time went.
const SLOW_COMMIT: Duration = Duration::from_secs(1);

/// How long a hole in the log's sequence numbers is waited for.
const HOLE_WAIT: Duration = Duration::from_secs(2);

/// Operations handed to the writer at once (one message each way, not one per document).
const OPS: usize = 1_000;

/// How a rebuild goes (for a progress bar).
pub trait Progress {
    /// `done` records of about `total` read.
    fn advance(&mut self, done: u64, total: u64);
}

impl<F: FnMut(u64, u64)> Progress for F {
    fn advance(&mut self, done: u64, total: u64) {
        self(done, total)
    }
}

/// The writer half.
pub struct Indexer {
    search: Arc<Search>,
    store: Arc<dyn Store>,
    writer: IndexWriter<TantivyDocument>,
    commit_every: Duration,
    /// The last change taken in.
    seq: u64,
    store_id: u64,
    /// See [`Payload::replace_until`].
    replace_until: u64,
    /// Operations not yet handed to the writer.
    ops: Vec<UserOperation>,
    /// A hole in the log's sequence numbers, and since when it has been seen.
    hole: Option<(u64, Instant)>,
}

impl Indexer {
    pub(super) fn new(
        search: Arc<Search>,
        store: Arc<dyn Store>,
        cfg: &crate::config::SearchConfig,
    ) -> Result<Self, SearchError> {
        let options = IndexWriterOptions::builder()
            .memory_budget_per_thread(cfg.writer_memory_mb.max(15) << 20)
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build();
        let writer = search.index.writer_with_options(options)?;
        writer.set_merge_policy(merge_policy());
        // Merges yield to requests. (Not the writer itself: it must keep up with ingest.)
        crate::util::priority::lower_threads_named(&["merge_thread"]);
        Ok(Indexer {
            search,
            store,
            writer,
            commit_every: Duration::from_millis(cfg.commit_interval_ms.clamp(10, 500)),
            seq: 0,
            store_id: 0,
            replace_until: 0,
            ops: Vec::with_capacity(OPS),
            hole: None,
        })
    }

    /// The payload of the last commit, when it names this index version.
    fn committed(&self) -> Option<Payload> {
        let metas = self.search.index.load_metas().ok()?;
        let p: Payload = serde_json::from_str(metas.payload.as_deref()?).ok()?;
        (p.version == INDEX_VERSION).then_some(p)
    }

    /// Whether the index must be rebuilt to match the store, and why.
    pub fn stale(&self) -> Result<Option<&'static str>, SearchError> {
        let log = self.store.change_log()?;
        Ok(match self.committed() {
            None => Some("the index has no position of its own"),
            // An index built while the store had logged nothing (no id yet) is this store's.
            Some(p) if p.store_id != log.store_id && p.store_id != 0 => {
                Some("the index was built from another store")
            }
            Some(p) if p.seq >= log.next => Some("the index is ahead of the store"),
            Some(p) if p.seq + 1 < log.first => {
                Some("the store no longer holds the index's position")
            }
            Some(_) => None,
        })
    }

    /// Resumes from the last commit, or rebuilds when it does not match the store.
    pub fn start(&mut self, progress: &mut dyn Progress) -> Result<(), SearchError> {
        match (self.stale()?, self.committed()) {
            (None, Some(p)) => {
                self.seq = p.seq;
                self.store_id = p.store_id;
                self.replace_until = p.replace_until;
                tracing::info!(position = p.seq, "search index resumes");
                Ok(())
            }
            (why, _) => {
                tracing::info!(
                    why = why.unwrap_or("asked"),
                    "search index rebuilds from the store"
                );
                self.rebuild(progress)
            }
        }
    }

    /// Empties the index and builds it again from every record the store holds; commits with
    /// the log's position as it was before the walk (what changes during it is taken in
    /// after, again: harmless).
    pub fn rebuild(&mut self, progress: &mut dyn Progress) -> Result<(), SearchError> {
        // The walk's segments are merged once, at its end: merged level by level instead,
        // its dozens of segments would keep merges running for minutes after, beside the
        // requests. The usual policy comes back however the walk ends.
        self.writer.set_merge_policy(Box::new(NoMergePolicy));
        let walked = self.walk(progress);
        self.writer.set_merge_policy(merge_policy());
        walked
    }

    /// The rebuild's walk over the store, committed and merged into one segment.
    fn walk(&mut self, progress: &mut dyn Progress) -> Result<(), SearchError> {
        let log = self.store.change_log()?;
        let total = self.store.stats()?.records;
        self.ops.clear();
        self.writer.delete_all_documents()?;
        let f = *self.search.fields();
        let mut authors: HashSet<String> = HashSet::new();
        let mut done = 0u64;
        // Everything but posts, in key order (posts are passed over unread)...
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan_records_where(after.as_deref(), 10_000, &|c| c != nsid::POST)?;
            for r in &page.records {
                done += 1;
                if !authors.contains(&r.id.did) {
                    authors.insert(r.id.did.clone());
                }
                if let Some(d) = record_doc(&f, &r.id, r.sort_at_us, &r.value) {
                    self.op(UserOperation::Add(d))?;
                }
            }
            progress.advance(done, total.max(done));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        // ...then posts oldest first, so that segments hold stretches of time and a search
        // for the newest passes the older ones over.
        let mut after: Option<Vec<u8>> = None;
        loop {
            let (posts, next) = self.store.posts_by_time(after.as_deref(), 10_000)?;
            for (id, sort_at_us) in &posts {
                done += 1;
                if !authors.contains(&id.did) {
                    authors.insert(id.did.clone());
                }
                let Some(rec) = self.store.record(id)? else {
                    continue;
                };
                let value: serde_json::Value =
                    serde_json::from_slice(&rec.value).unwrap_or_default();
                if let Some(d) = record_doc(&f, id, *sort_at_us, &value) {
                    self.op(UserOperation::Add(d))?;
                }
            }
            progress.advance(done, total.max(done));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        // Records fetched on demand, kept beside the network data.
        let mut after: Option<String> = None;
        loop {
            let (records, next) = crate::gate::visited::page(&*self.store, after.as_deref(), 1000)?;
            for rec in &records {
                if self.store.record(&rec.id)?.is_some() {
                    continue;
                }
                let value: serde_json::Value =
                    serde_json::from_slice(&rec.value).unwrap_or_default();
                let sort_at = aerie_storage::facts::sort_at_us(&value, rec.indexed_at_us);
                if let Some(d) = record_doc(&f, &rec.id, sort_at, &value) {
                    self.op(UserOperation::Add(d))?;
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        for did in &authors {
            if let Some(d) = actor_doc(&*self.store, &f, did)? {
                self.op(UserOperation::Add(d))?;
            }
        }
        self.seq = log.next.saturating_sub(1);
        self.store_id = log.store_id;
        self.replace_until = self.store.change_log()?.next.saturating_sub(1);
        self.commit()?;
        let segments = self.search.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            self.writer.merge(&segments).wait()?;
            self.search.reload()?;
        }
        // The store's count, taken before the walk, is only about what the walk reads (records
        // arrive during it): the bar ends where the walk did.
        progress.advance(done, done);
        tracing::info!(
            records = done,
            accounts = authors.len(),
            "search index rebuilt"
        );
        Ok(())
    }

    /// Queues an operation for the writer, handing the queue over when it is full.
    fn op(&mut self, op: UserOperation) -> Result<(), SearchError> {
        self.ops.push(op);
        if self.ops.len() >= OPS {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the queued operations to the writer, in order.
    fn hand_over(&mut self) -> Result<(), SearchError> {
        if !self.ops.is_empty() {
            let ops = std::mem::replace(&mut self.ops, Vec::with_capacity(OPS));
            self.writer.run(ops)?;
        }
        Ok(())
    }

    /// Takes in what the log holds after the last position (up to `BATCH` changes); returns
    /// how many.
    fn take_in(&mut self) -> Result<usize, SearchError> {
        let mut changes = self.store.changes(self.seq, BATCH)?;
        // Sequence numbers are consecutive and every engine shows a batch whole (the contract
        // suite checks it), so a hole should never be seen; should an engine break that, what
        // comes before the hole is taken in and the rest read again (a hole that stays is
        // passed, with a warning, after `HOLE_WAIT`) rather than skipped for good.
        let contiguous = changes
            .iter()
            .enumerate()
            .take_while(|(i, (seq, _))| *seq == self.seq + 1 + *i as u64)
            .count();
        if contiguous < changes.len() {
            let hole = self.seq + 1 + contiguous as u64;
            match self.hole {
                Some((at, since)) if at == hole && since.elapsed() >= HOLE_WAIT => {
                    tracing::warn!(
                        from = hole,
                        "search index: changes missing from the store's log; passing over them"
                    );
                    self.hole = None;
                }
                Some((at, _)) if at == hole => changes.truncate(contiguous),
                _ => {
                    self.hole = Some((hole, Instant::now()));
                    changes.truncate(contiguous);
                }
            }
        }
        let f = *self.search.fields();
        for (seq, change) in &changes {
            match change {
                Change::Record(id) | Change::Created(id) => {
                    // A record the store never held before has no document to replace (unless
                    // a rebuild's walk already met it).
                    let fresh = matches!(change, Change::Created(_)) && *seq > self.replace_until;
                    if !fresh {
                        self.op(UserOperation::Delete(Term::from_field_text(
                            f.id,
                            &id.uri(),
                        )))?;
                    }
                    if let Some((sort_at_us, value)) = current(&*self.store, id)? {
                        if let Some(d) = record_doc(&f, id, sort_at_us, &value) {
                            self.op(UserOperation::Add(d))?;
                        }
                    }
                }
                Change::Actor(did) => {
                    self.op(UserOperation::Delete(Term::from_field_text(f.id, did)))?;
                    if let Some(d) = actor_doc(&*self.store, &f, did)? {
                        self.op(UserOperation::Add(d))?;
                    }
                }
            }
            self.seq = *seq;
        }
        self.hand_over()?;
        if self.store_id == 0 && !changes.is_empty() {
            self.store_id = self.store.change_log()?.store_id;
        }
        Ok(changes.len())
    }

    /// Commits what was taken in, with its position, and shows it to searches at once.
    fn commit(&mut self) -> Result<(), SearchError> {
        let t = Instant::now();
        self.hand_over()?;
        // The store first: the index must never record a position the store could lose.
        self.store.flush()?;
        let flushed = t.elapsed();
        let payload = serde_json::to_string(&Payload {
            version: INDEX_VERSION,
            store_id: self.store_id,
            seq: self.seq,
            replace_until: self.replace_until,
        })
        .map_err(|e| SearchError::Directory(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        let ready = t.elapsed();
        prepared.set_payload(&payload);
        prepared.commit()?;
        let committed = t.elapsed();
        self.search.reload()?;
        if t.elapsed() >= SLOW_COMMIT {
            tracing::warn!(
                store_flush_ms = flushed.as_millis(),
                segment_ms = (ready - flushed).as_millis(),
                commit_ms = (committed - ready).as_millis(),
                reload_ms = (t.elapsed() - committed).as_millis(),
                "search index: a slow commit"
            );
        }
        Ok(())
    }

    /// Takes in the change log until `stop`, committing every `commit_interval_ms` while there
    /// is something new, and trimming the log behind it.
    pub fn run(mut self, stop: Arc<AtomicBool>) {
        let mut last_commit = Instant::now();
        let mut last_trim = Instant::now();
        let mut trimmed = self.seq;
        let mut pending = false;
        while !stop.load(Ordering::Relaxed) {
            let taken = match self.take_in() {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "search index: taking in changes failed; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            };
            pending |= taken > 0;
            if pending && last_commit.elapsed() >= self.commit_every {
                match self.commit() {
                    Ok(()) => pending = false,
                    Err(e) => tracing::warn!(error = %e, "search index: commit failed; retrying"),
                }
                last_commit = Instant::now();
            }
            if self.seq > trimmed && last_trim.elapsed() >= TRIM_EVERY && !pending {
                match self.trim() {
                    Ok(true) => trimmed = self.seq,
                    // More is left: the next round takes more.
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "search index: trimming the change log failed")
                    }
                }
                last_trim = Instant::now();
            }
            if taken < BATCH {
                std::thread::sleep(IDLE);
            }
        }
        if pending {
            if let Err(e) = self.commit() {
                tracing::warn!(error = %e, "search index: last commit failed");
            }
        }
    }

    /// Lets the store drop the changes taken in, a few bounded ops at a time (each holds the
    /// store's writer); returns whether none is left.
    fn trim(&self) -> Result<bool, SearchError> {
        for _ in 0..TRIM_ROUNDS {
            crate::gate::own::changes_taken_in(&*self.store, self.seq)?;
            if self.store.change_log()?.first > self.seq {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Takes in everything logged so far and commits (tools, tests).
    pub fn catch_up(&mut self) -> Result<(), SearchError> {
        while self.take_in()? > 0 {}
        self.commit()
    }
}

/// What the store holds of a record now — the network data's copy, else one fetched on
/// demand — as its `sortAt` and value.
fn current(
    store: &dyn Store,
    id: &RecordId,
) -> Result<Option<(i64, serde_json::Value)>, SearchError> {
    if let Some(rec) = store.record(id)? {
        let value = serde_json::from_slice(&rec.value).unwrap_or_default();
        return Ok(Some((rec.sort_at_us, value)));
    }
    Ok(crate::gate::visited::get(store, id)?.map(|(rec, at_us)| {
        let value: serde_json::Value = serde_json::from_slice(&rec.value).unwrap_or_default();
        (aerie_storage::facts::sort_at_us(&value, at_us), value)
    }))
}

/// The document of a searchable record, if it is one.
fn record_doc(
    f: &Fields,
    id: &RecordId,
    sort_at_us: i64,
    v: &serde_json::Value,
) -> Option<TantivyDocument> {
    let uri = id.uri();
    match id.collection.as_str() {
        nsid::POST => Some(doc::post(f, &uri, &id.did, sort_at_us, v)),
        nsid::GENERATOR => Some(doc::named(f, kind::FEED, &uri, &id.did, sort_at_us, v)),
        nsid::STARTER_PACK => Some(doc::named(f, kind::PACK, &uri, &id.did, sort_at_us, v)),
        _ => None,
    }
}

/// An account's document, when it has a handle or a profile.
fn actor_doc(
    store: &dyn Store,
    f: &Fields,
    did: &str,
) -> Result<Option<TantivyDocument>, SearchError> {
    let actor = store.actor(did)?;
    let profile = store
        .record(&RecordId::new(did, nsid::PROFILE, "self"))?
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.value).ok());
    let handle = actor.as_ref().and_then(|a| a.handle.as_deref());
    if handle.is_none() && profile.is_none() {
        return Ok(None);
    }
    let active = actor.as_ref().is_none_or(|a| a.active);
    Ok(Some(doc::actor(f, did, handle, active, profile.as_ref())))
}

#[cfg(test)]
mod tests {
    /// What was taken in and committed is dropped from the store's change log; what was not
    /// stays.
    #[test]
    fn the_change_log_is_trimmed_behind_the_index() {
        let (store, _search, mut indexer) = crate::search::testing::fixture();
        let post = |n: u64| {
            crate::search::testing::post("did:plc:a", n as i64, n, 1_767_225_600_000_000, "hi")
        };
        store
            .apply(&[post(1), post(2), post(3)], None)
            .expect("apply");
        indexer.catch_up().expect("catch up");
        store.apply(&[post(4)], None).expect("apply");
        assert!(indexer.trim().expect("trim"), "nothing taken in is left");
        let log = store.change_log().expect("log");
        assert_eq!(
            (log.first, log.next),
            (4, 5),
            "the change not taken in stays"
        );
    }
}
