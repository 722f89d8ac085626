//! The one writer: drains the channel into batches (bounded by size and time) and commits each
//! batch with its cursor in one atomic store call, through the scope (which drops what is out
//! of scope and keeps the tracked set current). When the channel closes it commits what it
//! holds and makes it durable.

use super::event::Event;
use super::IngestStats;
use aerie_storage::{Cursor, Op, Store};
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
}

/// Runs the writer on the calling (non-async) thread until the channel closes.
pub fn run(
    store: Arc<dyn Store>,
    scope: Arc<super::scope::Scope>,
    mut rx: mpsc::Receiver<Event>,
    cfg: WriterConfig,
    stats: Arc<IngestStats>,
    rt: tokio::runtime::Handle,
) -> aerie_storage::Result<()> {
    let _runtime = rt.enter();
    let mut ops: Vec<Op> = Vec::with_capacity(cfg.batch_size);
    let mut window = (Instant::now(), 0u64);
    let mut position = stats.committed_position.load(Ordering::Relaxed);
    while let Some(first) = rt.block_on(rx.recv()) {
        let deadline = Instant::now() + cfg.batch_time;
        let mut count = 1u64;
        position = position.max(first.time_us);
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
            position = position.max(e.time_us);
            ops.extend(e.op);
        }
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
