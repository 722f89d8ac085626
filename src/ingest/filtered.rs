//! `jetstream.mode = "filtered"`: only the tracked accounts' events, through `wantedDids`.
//! The tracked DIDs are spread over `ceil(n / 10,000)` connections by a stable hash; each
//! connection opens with `requireHello`, sends its filter as `options_update` and sends it again
//! whenever the tracked set changes (no reconnect), and has its own cursor in the store. The
//! main cursor is the smallest of them, so a restart or a re-shard (when the tracked set crosses
//! a multiple of 10,000) resumes every connection from where none can have missed anything.

use super::event::Event;
use super::jetstream::Reader;
use crate::gate::Scope;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// Jetstream's limit of `wantedDids` per connection.
pub const DIDS_PER_CONNECTION: usize = 10_000;

/// Connections needed for `tracked` accounts.
pub fn shard_count(tracked: usize) -> usize {
    tracked.div_ceil(DIDS_PER_CONNECTION).max(1)
}

/// A DID's shard: FNV-1a of its bytes, modulo the shard count (stable across restarts).
pub fn shard_of(did: &str, count: usize) -> usize {
    let h = did.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (h % count.max(1) as u64) as usize
}

/// The connections of the current layout and their committed positions, shared by the
/// connections (to resume) and the writer (to commit them and the main cursor).
#[derive(Debug, Default)]
pub struct Connections {
    layout: RwLock<Vec<Arc<str>>>,
    committed: Mutex<HashMap<Arc<str>, i64>>,
}

impl Connections {
    /// Seeds committed positions from the store's connection cursors.
    pub fn new(stored: impl IntoIterator<Item = (String, i64)>) -> Self {
        let committed = stored.into_iter().map(|(e, p)| (e.into(), p)).collect();
        Connections {
            layout: RwLock::default(),
            committed: Mutex::new(committed),
        }
    }

    /// Replaces the layout. A connection keeps its own position when it has one at or past
    /// `main` (the main cursor, the smallest position of the last layout); any other — new to
    /// the layout, or left from an older one — starts from `main`.
    fn set_layout(&self, endpoints: Vec<Arc<str>>, main: i64) {
        let mut committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        for e in &endpoints {
            let p = committed
                .get(e)
                .copied()
                .filter(|p| *p >= main)
                .unwrap_or(main);
            committed.insert(e.clone(), p);
        }
        *self.layout.write().unwrap_or_else(|p| p.into_inner()) = endpoints;
    }

    /// The committed position of one connection (0 = none).
    pub fn committed(&self, endpoint: &str) -> i64 {
        let committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        committed.get(endpoint).copied().unwrap_or(0)
    }

    /// The main cursor once `batch` (positions by connection) commits: the smallest position
    /// over the layout, never past `fallback` for a connection with none.
    pub fn main_after(&self, batch: &HashMap<Arc<str>, i64>, fallback: i64) -> i64 {
        let committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        let layout = self.layout.read().unwrap_or_else(|p| p.into_inner());
        layout
            .iter()
            .map(|e| {
                let old = committed.get(e).copied().unwrap_or(0);
                batch.get(e).copied().unwrap_or(old).max(old)
            })
            .map(|p| if p == 0 { fallback } else { p })
            .min()
            .unwrap_or(fallback)
    }

    /// Records positions the writer committed.
    pub fn committed_batch(&self, batch: &HashMap<Arc<str>, i64>) {
        let mut committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        for (e, p) in batch {
            let c = committed.entry(e.clone()).or_insert(*p);
            *c = (*c).max(*p);
        }
    }
}

/// One connection's share of a filtered subscription.
pub struct Shard {
    /// The connection's endpoint (its cursor's key): `url#<index>of<count>`.
    pub endpoint: Arc<str>,
    index: usize,
    count: usize,
    /// The tracked set the DIDs come from.
    pub scope: Arc<Scope>,
    conns: Arc<Connections>,
}

impl Shard {
    /// This connection's committed position (0 = none).
    pub fn committed(&self) -> i64 {
        self.conns.committed(&self.endpoint)
    }

    /// The `options_update` message with this shard's tracked DIDs.
    pub fn options_update(&self, collections: &[String]) -> String {
        let dids: Vec<String> = self
            .scope
            .tracked()
            .into_iter()
            .filter(|d| shard_of(d, self.count) == self.index)
            .collect();
        serde_json::json!({
            "type": "options_update",
            "payload": {
                "wantedCollections": collections,
                "wantedDids": dids,
                "maxMessageSizeBytes": 0,
            }
        })
        .to_string()
    }
}

/// Runs the connections until `shutdown`, re-sharding when the tracked set needs another
/// number of connections.
pub async fn run(
    reader: Arc<Reader>,
    url: String,
    scope: Arc<Scope>,
    conns: Arc<Connections>,
    stats: Arc<super::IngestStats>,
    tx: mpsc::Sender<Event>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut changes = scope.subscribe();
    while !*shutdown.borrow() {
        let count = shard_count(scope.counts().1);
        let endpoints: Vec<Arc<str>> = (0..count)
            .map(|i| Arc::from(format!("{url}#{i}of{count}")))
            .collect();
        conns.set_layout(
            endpoints.clone(),
            stats
                .committed_position
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        tracing::info!(connections = count, "filtered jetstream subscription");
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut set = JoinSet::new();
        for (index, endpoint) in endpoints.into_iter().enumerate() {
            let shard = Shard {
                endpoint,
                index,
                count,
                scope: scope.clone(),
                conns: conns.clone(),
            };
            let (reader, tx, stop) = (reader.clone(), tx.clone(), stop_rx.clone());
            set.spawn(async move { reader.run_connection(Some(shard), tx, stop).await });
        }
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                r = changes.changed() => {
                    if r.is_err() || shard_count(scope.counts().1) != count {
                        break;
                    }
                }
            }
        }
        let _ = stop_tx.send(true);
        while set.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_sized_by_the_limit() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(10_000), 1);
        assert_eq!(shard_count(10_001), 2);
        let did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
        assert_eq!(shard_of(did, 3), shard_of(did, 3));
        let spread: std::collections::HashSet<usize> = (0..100)
            .map(|i| shard_of(&format!("did:plc:{i}"), 4))
            .collect();
        assert_eq!(spread.len(), 4);
    }

    #[test]
    fn the_main_cursor_is_the_smallest_connection_position() {
        let conns = Connections::new([("u#0of2".to_string(), 50), ("u#0of3".to_string(), 10)]);
        conns.set_layout(vec!["u#0of2".into(), "u#1of2".into()], 40);
        assert_eq!(conns.committed("u#0of2"), 50, "its own cursor");
        assert_eq!(
            conns.committed("u#1of2"),
            40,
            "a new connection starts at main"
        );
        let batch: HashMap<Arc<str>, i64> = [(Arc::from("u#1of2"), 70)].into();
        assert_eq!(
            conns.main_after(&batch, 40),
            50,
            "the smallest connection's position"
        );
        conns.committed_batch(&batch);
        let batch: HashMap<Arc<str>, i64> = [(Arc::from("u#0of2"), 90)].into();
        assert_eq!(conns.main_after(&batch, 40), 70);
        // A re-shard starts every connection of the new layout from the main cursor.
        conns.set_layout(vec!["u#0of1".into()], 70);
        assert_eq!(conns.committed("u#0of1"), 70);
    }
}
