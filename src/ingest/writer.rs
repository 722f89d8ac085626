//! The one writer: drains the channel into batches (bounded by size and time) and commits each
//! batch with its cursor in one atomic store call, through the scope (which drops what is out
//! of scope and keeps the tracked set current). When the channel closes it commits what it
//! holds and makes it durable. When the store cannot write (a full disk, an I/O error) it
//! stops and tries the same batch again, with backoff, until it can: nothing is skipped, and
//! nothing is applied twice (the cursor is in the batch).

use super::event::Event;
use super::IngestStats;
use aerie_storage::{ApplyStats, Cursor, Op, Store};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Batch bounds and the endpoint the cursor belongs to.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Events per batch at most.
    pub batch_size: usize,
    /// Time a batch may wait to fill.
    pub batch_time: Duration,
    /// Endpoint stored beside the cursor.
    pub endpoint: String,
    /// The connections of a filtered subscription, each with its own cursor (the main cursor
    /// is then the smallest of theirs).
    pub connections: Option<Arc<super::filtered::Connections>>,
}

/// Positions seen in the batch being built.
#[derive(Default)]
struct Positions {
    /// The single connection's newest position.
    main: i64,
    /// Each connection's newest position (filtered subscriptions).
    by_connection: HashMap<Arc<str>, i64>,
}

impl Positions {
    fn take(&mut self, e: &Event) {
        match &e.connection {
            Some(c) => {
                let p = self.by_connection.entry(c.clone()).or_insert(e.time_us);
                *p = (*p).max(e.time_us);
            }
            None => self.main = self.main.max(e.time_us),
        }
    }
}

/// Runs the writer on the calling (non-async) thread until the channel closes.
pub fn run(
    store: Arc<dyn Store>,
    scope: Arc<crate::gate::Scope>,
    mut rx: mpsc::Receiver<Event>,
    cfg: WriterConfig,
    stats: Arc<IngestStats>,
    rt: tokio::runtime::Handle,
) -> aerie_storage::Result<()> {
    let _runtime = rt.enter();
    let mut ops: Vec<Op> = Vec::with_capacity(cfg.batch_size);
    let mut window = (Instant::now(), 0u64);
    let mut seen = Positions {
        main: stats.committed_position.load(Ordering::Relaxed),
        ..Positions::default()
    };
    let mut position = seen.main;
    while let Some(first) = rt.block_on(rx.recv()) {
        let deadline = Instant::now() + cfg.batch_time;
        let mut count = 1u64;
        seen.take(&first);
        ops.extend(first.op);
        let mut closed = false;
        while (count as usize) < cfg.batch_size {
            let next = match rx.try_recv() {
                Ok(e) => Some(e),
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    closed = true;
                    None
                }
                Err(mpsc::error::TryRecvError::Empty) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    match rt.block_on(tokio::time::timeout(left, rx.recv())) {
                        Ok(Some(e)) => Some(e),
                        Ok(None) => {
                            closed = true;
                            None
                        }
                        Err(_) => break,
                    }
                }
            };
            let Some(e) = next else { break };
            count += 1;
            seen.take(&e);
            ops.extend(e.op);
        }
        position = match &cfg.connections {
            Some(conns) => {
                ops.extend(seen.by_connection.iter().map(|(e, p)| {
                    Op::ConnectionCursor(Cursor {
                        position: *p,
                        endpoint: e.to_string(),
                    })
                }));
                conns.main_after(&seen.by_connection, position)
            }
            None => seen.main,
        };
        let cursor = Cursor {
            position,
            endpoint: cfg.endpoint.clone(),
        };
        let batch = std::mem::replace(&mut ops, Vec::with_capacity(cfg.batch_size));
        let st = apply_until_written(&*store, &scope, batch, &cursor, &rx)?;
        stats.applied.fetch_add(st.applied, Ordering::Relaxed);
        stats.stale.fetch_add(st.stale, Ordering::Relaxed);
        stats.committed_position.store(position, Ordering::Relaxed);
        if let Some(conns) = &cfg.connections {
            conns.committed_batch(&seen.by_connection);
            seen.by_connection.clear();
        }
        window.1 += count;
        let elapsed = window.0.elapsed();
        if elapsed >= Duration::from_secs(1) {
            let rate = window.1 as f64 / elapsed.as_secs_f64();
            stats
                .rate_milli
                .store((rate * 1000.0) as u64, Ordering::Relaxed);
            window = (Instant::now(), 0);
        }
        if closed {
            break;
        }
    }
    store.flush()?;
    tracing::info!(position, "writer stopped; committed and flushed");
    Ok(())
}

/// First and longest wait before trying a batch the store could not write again.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);
/// How often a write failure that lasts is logged again.
const RETRY_REMINDER: Duration = Duration::from_secs(600);

/// Applies a batch through the scope. When the store cannot write (`Error::Write`) it logs
/// that once, then tries again with backoff until a write succeeds (and logs that it resumed);
/// when the channel closes meanwhile (Aerie is stopping), it gives up: the batch was not
/// committed, so it is fetched again from the stored cursor on the next start.
fn apply_until_written(
    store: &dyn Store,
    scope: &crate::gate::scope::Scope,
    ops: Vec<Op>,
    cursor: &Cursor,
    rx: &mpsc::Receiver<Event>,
) -> aerie_storage::Result<ApplyStats> {
    let mut failing: Option<(Instant, u32, Instant)> = None;
    let mut wait = RETRY_FIRST;
    loop {
        let e = match scope.apply(store, ops.clone(), Some(cursor)) {
            Ok(st) => {
                if let Some((since, attempts, _)) = failing {
                    tracing::info!(
                        after_secs = since.elapsed().as_secs(),
                        attempts,
                        "store writes resumed: ingest goes on from where it stopped"
                    );
                }
                return Ok(st);
            }
            Err(e @ aerie_storage::Error::Write(_)) => e,
            Err(e) => return Err(e),
        };
        match &mut failing {
            None => {
                tracing::error!(
                    error = %e,
                    position = cursor.position,
                    "ingest stopped: the store cannot write (disk full?); the batch is tried \
                     again until it can be written, nothing is skipped"
                );
                failing = Some((Instant::now(), 1, Instant::now()));
            }
            Some((since, attempts, reminded)) => {
                *attempts += 1;
                if reminded.elapsed() >= RETRY_REMINDER {
                    tracing::warn!(error = %e, for_secs = since.elapsed().as_secs(), "the store still cannot write");
                    *reminded = Instant::now();
                }
            }
        }
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if rx.is_closed() {
                tracing::warn!(
                    "stopping while the store cannot write; the batch is fetched again on restart"
                );
                return Err(e);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        wait = (wait * 2).min(RETRY_MAX);
    }
}
