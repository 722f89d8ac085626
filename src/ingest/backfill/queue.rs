//! The backfill queue runner. Pending accounts live in the store (`RepoState`, due order), so
//! the queue survives restarts and a fetch cut short by a crash simply runs again. The runner
//! starts due fetches up to `backfill.concurrency` at once and `backfill.per_host` per PDS host,
//! records failures with exponential backoff and jitter (or the wait the PDS asked for), parks
//! taken-down or deactivated repositories until the account returns, and repairs gaps: every
//! tracked account is fetched again, and the gap is cleared once the queue has drained.

use super::{BackfillError, Backfiller};
use crate::gate::own;
use aerie_storage::{Op, Outcome, QueueOp, RepoState};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

/// Live figures of the queue runner.
#[derive(Debug, Default)]
pub struct QueueStats {
    /// Fetches in flight.
    pub running: AtomicUsize,
    /// Fetches completed since start.
    pub fetched: AtomicU64,
    /// Fetches failed since start.
    pub failed: AtomicU64,
    /// Records applied by completed fetches since start.
    pub records: AtomicU64,
}

/// Accounts looked at per pass.
const SCAN: usize = 512;

/// Longest sleep between passes (new requests wake the runner sooner).
const IDLE: Duration = Duration::from_secs(5);

/// Per-host fetch limits.
#[derive(Default)]
struct Hosts {
    limits: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Hosts {
    fn get(&self, host: &str, per_host: usize) -> Arc<Semaphore> {
        let mut m = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(per_host)))
            .clone()
    }
}

/// Runs the queue until `shutdown` turns true.
pub async fn run(bf: Arc<Backfiller>, stats: Arc<QueueStats>, mut shutdown: watch::Receiver<bool>) {
    let global = Arc::new(Semaphore::new(bf.cfg.concurrency));
    let hosts = Arc::new(Hosts::default());
    let mut running: HashSet<String> = HashSet::new();
    let mut tasks: JoinSet<String> = JoinSet::new();
    while !*shutdown.borrow() {
        while let Some(done) = tasks.try_join_next() {
            if let Ok(did) = done {
                running.remove(&did);
            }
        }
        if let Err(e) = repair_gaps(&bf) {
            tracing::error!("gap repair: {e}");
        }
        let now = crate::util::now_us();
        let mut wake = IDLE;
        match bf.store.pending_repos(None, SCAN) {
            Ok(due) => {
                for r in due {
                    if r.not_before_us > now {
                        let wait = (r.not_before_us - now) as u64;
                        wake = wake.min(Duration::from_micros(wait));
                        break;
                    }
                    // Keep the number of waiting tasks bounded; the rest wait in the store.
                    if running.contains(&r.did) || running.len() >= 4 * bf.cfg.concurrency {
                        continue;
                    }
                    running.insert(r.did.clone());
                    let (bf, stats, global, hosts) =
                        (bf.clone(), stats.clone(), global.clone(), hosts.clone());
                    tasks.spawn(job(bf, stats, global, hosts, r));
                }
            }
            Err(e) => tracing::error!("backfill queue: {e}"),
        }
        stats.running.store(running.len(), Ordering::Relaxed);
        tokio::select! {
            _ = bf.scope.requested() => {}
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok(did) = done {
                    running.remove(&did);
                }
            }
            _ = tokio::time::sleep(wake) => {}
            _ = shutdown.changed() => {}
        }
    }
    // Fetches in flight stop here; their accounts stay pending and run again next start.
    tasks.shutdown().await;
}

/// One fetch, start to finish; returns the DID for the runner's bookkeeping.
async fn job(
    bf: Arc<Backfiller>,
    stats: Arc<QueueStats>,
    global: Arc<Semaphore>,
    hosts: Arc<Hosts>,
    r: RepoState,
) -> String {
    let result = async {
        let id = bf.resolver.resolve(&r.did).await?;
        let pds = id
            .pds
            .clone()
            .ok_or_else(|| BackfillError::NoPds(r.did.clone()))?;
        let host = url::Url::parse(&pds)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or(pds);
        let _host = hosts.get(&host, bf.cfg.per_host).acquire_owned().await;
        let _slot = global.acquire_owned().await;
        tracing::info!(did = %r.did, reason = %r.reason, host, "backfill started");
        bf.run_one(&r.did, Some(r.generation), |_, _| {}).await
    }
    .await;
    match result {
        Ok(report) => {
            stats.fetched.fetch_add(1, Ordering::Relaxed);
            stats
                .records
                .fetch_add(report.records as u64, Ordering::Relaxed);
            tracing::info!(
                did = %r.did,
                rev = %report.rev,
                records = report.records,
                deletes = report.deletes,
                applied = report.applied,
                "backfill done"
            );
        }
        Err(e) => {
            stats.failed.fetch_add(1, Ordering::Relaxed);
            let outcome = outcome(&e, r.attempts, bf.cfg.max_backoff_secs);
            match &outcome {
                Outcome::Unavailable { error } => {
                    tracing::info!(did = %r.did, "repository unavailable: {error}")
                }
                _ => tracing::warn!(did = %r.did, attempt = r.attempts + 1, "backfill failed: {e}"),
            }
            if let Err(e) = own::fetch_ended(&*bf.store, &r.did, r.generation, outcome) {
                tracing::error!(did = %r.did, "backfill queue: {e}");
            }
        }
    }
    r.did
}

/// What a failure means for the queue: wait for the account to come back, or retry after the
/// wait the server asked for, else after an exponential backoff with jitter.
fn outcome(e: &BackfillError, attempts: u32, max_backoff_secs: u64) -> Outcome {
    if let Some(error) = e.unavailable() {
        return Outcome::Unavailable { error };
    }
    let cap = Duration::from_secs(max_backoff_secs);
    let wait = match e.retry_after() {
        Some(d) => d.max(Duration::from_secs(1)),
        None => crate::util::backoff(attempts, Duration::from_secs(5), cap),
    };
    Outcome::Retry {
        not_before_us: crate::util::now_us() + wait.as_micros() as i64,
        error: e.to_string(),
    }
}

/// Requests a fetch of every tracked account for each new gap, and clears repairing gaps once
/// nothing is pending any more.
fn repair_gaps(bf: &Backfiller) -> aerie_storage::Result<()> {
    let gaps = bf.store.gaps()?;
    if gaps.is_empty() {
        return Ok(());
    }
    let fresh: Vec<_> = gaps.iter().filter(|g| !g.repairing).collect();
    if !fresh.is_empty() {
        let tracked = bf.scope.tracked();
        let now = crate::util::now_us();
        let mut ops: Vec<Op> = tracked
            .iter()
            .map(|did| {
                Op::Queue(QueueOp::Request {
                    did: did.clone(),
                    reason: "gap".into(),
                    at_us: now,
                })
            })
            .collect();
        ops.extend(fresh.iter().map(|g| Op::GapProgress {
            from_us: g.from_us,
            repaired: false,
        }));
        bf.scope.apply_repo(&*bf.store, ops)?;
        bf.scope.notify_requested();
        tracing::warn!(
            gaps = fresh.len(),
            accounts = tracked.len(),
            "gap: fetching every tracked account again"
        );
        return Ok(());
    }
    if bf.store.queue_stats()?.pending == 0 {
        own::gaps_repaired(&*bf.store, gaps.iter().map(|g| g.from_us))?;
        for g in &gaps {
            tracing::info!(from = g.from_us, to = g.to_us, "gap repaired by backfill");
        }
    }
    Ok(())
}
