//! Ingest: a reader task turns the source's socket (Jetstream or the firehose) into checked events, a bounded channel
//! carries them, and one writer thread commits them to the store in batches together with the
//! cursor. Stats are shared with the HTTP side for `/ready`, `/` and metrics.

pub mod backfill;
pub mod car;
pub mod event;
pub mod filtered;
pub mod firehose;
pub mod jetstream;
pub mod labels;
pub mod retention;
pub mod socket;
pub mod users;
pub mod writer;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// Live figures of the ingest pipeline.
#[derive(Debug, Default)]
pub struct IngestStats {
    /// The socket is open.
    pub connected: AtomicBool,
    /// Events accepted by the reader.
    pub received: AtomicU64,
    /// Events skipped as malformed or unwanted.
    pub skipped: AtomicU64,
    /// Events applied by the writer (changed state).
    pub applied: AtomicU64,
    /// Events that were replays or older than the store.
    pub stale: AtomicU64,
    /// Connections made.
    pub connects: AtomicU64,
    /// Last committed position (`time_us`), 0 = none.
    pub committed_position: AtomicI64,
    /// Events per second over the last measuring window, ×1000.
    pub rate_milli: AtomicU64,
    /// Time of the newest event seen, when positions are not times (firehose `seq`), µs.
    pub source_time_us: AtomicI64,
}

impl IngestStats {
    /// Seconds between now and the last committed event (None before the first commit).
    pub fn lag_secs(&self) -> Option<f64> {
        let p = match self.source_time_us.load(Ordering::Relaxed) {
            0 => self.committed_position.load(Ordering::Relaxed),
            t => t,
        };
        (p > 0).then(|| (crate::util::now_us() - p).max(0) as f64 / 1e6)
    }

    /// Events per second recently committed.
    pub fn rate(&self) -> f64 {
        self.rate_milli.load(Ordering::Relaxed) as f64 / 1000.0
    }
}
