//! The one writer: drains the channel into batches (bounded by size and time) and commits each
//! batch with its cursor in one atomic store call, through the scope (which drops what is out
//! of scope and keeps the tracked set current). When the channel closes it commits what it
//! holds and makes it durable.

use super::event::Event;
use super::IngestStats;
use aerie_storage::{Cursor, Op, Store};
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
        let st = scope.apply(
            &*store,
            std::mem::replace(&mut ops, Vec::with_capacity(cfg.batch_size)),
            Some(&cursor),
        )?;
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
