//! A Jetstream v1 simulator for tests and benchmarks, on 127.0.0.1: cursor replay, silent
//! clamping of cursors older than its retention, `wantedCollections` / `wantedDids` filters,
//! `options_update`, `requireHello`, zstd frames with a dictionary, abrupt drops, and chaos
//! (duplicated and swapped deliveries), and pings whose pongs measure how promptly the client
//! reads. Events are pushed in by the test; it stops when dropped.

// The handshake callback must return tungstenite's error response, large by its design.
#![allow(clippy::result_large_err)]

pub mod corpus;
pub mod ids;
pub mod rng;

use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

/// One event the simulator serves.
#[derive(Debug, Clone)]
pub struct SimEvent {
    /// Position.
    pub time_us: i64,
    /// Owner DID (`wantedDids`).
    pub did: String,
    /// Commit collection (`wantedCollections`); `None` for identity/account/malformed.
    pub collection: Option<String>,
    /// The frame.
    pub json: String,
}

impl From<&corpus::GenEvent> for SimEvent {
    fn from(e: &corpus::GenEvent) -> Self {
        SimEvent {
            time_us: e.time_us,
            did: e.did.clone(),
            collection: e.collection.clone(),
            json: e.json.clone(),
        }
    }
}

/// Behaviour switches.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// zstd dictionary used for `compress=true` subscribers.
    pub dictionary: Option<Vec<u8>>,
    /// Drop the socket (no close frame) after this many events on one connection; 0 = never.
    pub drop_after: u64,
    /// Send every n-th event twice; 0 = never.
    pub duplicate_every: u64,
    /// Swap every n-th event with the next one; 0 = never.
    pub swap_every: u64,
    /// Ping an idle connection this often (ms); 0 = never. The client's pongs (sent when it
    /// next reads the socket) measure how long its reader took to come round.
    pub ping_every_ms: u64,
}

/// Ping round trips seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PongStats {
    /// Pongs received.
    pub pongs: u64,
    /// The longest ping → pong time (µs).
    pub max_us: u64,
}

/// What a subscriber asked for, as recorded by the simulator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscription {
    /// `cursor`, if sent.
    pub cursor: Option<i64>,
    /// `wantedCollections`.
    pub collections: Vec<String>,
    /// `wantedDids`.
    pub dids: Vec<String>,
    /// `compress=true`.
    pub compress: bool,
    /// `requireHello=true`.
    pub require_hello: bool,
    /// `time_us` of the first event sent on this connection.
    pub first_sent: Option<i64>,
}

struct Inner {
    events: RwLock<Vec<SimEvent>>,
    retention_start: AtomicI64,
    opts: Mutex<SimOptions>,
    appended: Notify,
    subs: Mutex<Vec<Subscription>>,
    sent: AtomicU64,
    kill: watch::Sender<u64>,
    closed: AtomicBool,
    pongs: AtomicU64,
    max_pong_us: AtomicU64,
}

/// A running simulator. Dropping it stops the listener and every connection.
pub struct Sim {
    inner: Arc<Inner>,
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.inner.closed.store(true, Ordering::Relaxed);
        self.kill_connections();
        self.task.abort();
    }
}

impl Sim {
    /// Starts a simulator on an ephemeral loopback port.
    pub async fn start(opts: SimOptions) -> std::io::Result<Sim> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let inner = Arc::new(Inner {
            events: RwLock::new(Vec::new()),
            retention_start: AtomicI64::new(0),
            opts: Mutex::new(opts),
            appended: Notify::new(),
            subs: Mutex::new(Vec::new()),
            sent: AtomicU64::new(0),
            kill: watch::channel(0).0,
            closed: AtomicBool::new(false),
            pongs: AtomicU64::new(0),
            max_pong_us: AtomicU64::new(0),
        });
        let i2 = inner.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let inner = i2.clone();
                tokio::spawn(async move {
                    let _ = serve(inner, sock).await;
                });
            }
        });
        Ok(Sim { inner, port, task })
    }

    /// The `/subscribe` URL.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/subscribe", self.port)
    }

    /// Appends events (kept sorted by `time_us`) and wakes live subscribers.
    pub fn push(&self, events: impl IntoIterator<Item = SimEvent>) {
        if let Ok(mut ev) = self.inner.events.write() {
            ev.extend(events);
            ev.sort_by_key(|e| e.time_us);
        }
        self.inner.appended.notify_waiters();
    }

    /// Forgets events older than `time_us`: cursors below it are clamped, silently.
    pub fn set_retention_start(&self, time_us: i64) {
        self.inner.retention_start.store(time_us, Ordering::Relaxed);
    }

    /// Changes behaviour for new and running connections.
    pub fn set_options(&self, f: impl FnOnce(&mut SimOptions)) {
        if let Ok(mut o) = self.inner.opts.lock() {
            f(&mut o);
        }
    }

    /// Drops every open connection abruptly.
    pub fn kill_connections(&self) {
        self.inner.kill.send_modify(|n| *n += 1);
    }

    /// Every subscription seen so far.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.inner
            .subs
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Events sent in total.
    pub fn sent(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// Ping round trips since the start or the last reset.
    pub fn pong_stats(&self) -> PongStats {
        PongStats {
            pongs: self.inner.pongs.load(Ordering::Relaxed),
            max_us: self.inner.max_pong_us.load(Ordering::Relaxed),
        }
    }

    /// Starts counting ping round trips afresh.
    pub fn reset_pong_stats(&self) {
        self.inner.pongs.store(0, Ordering::Relaxed);
        self.inner.max_pong_us.store(0, Ordering::Relaxed);
    }
}

/// Microseconds since an arbitrary fixed origin (pings carry it; pongs echo it back).
fn mono_us() -> u64 {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    ORIGIN
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_micros() as u64
}

/// Records a pong echoing a ping's send time.
fn pong(inner: &Inner, payload: &[u8]) {
    let Ok(sent) = <[u8; 8]>::try_from(payload) else {
        return;
    };
    let rtt = mono_us().saturating_sub(u64::from_be_bytes(sent));
    inner.pongs.fetch_add(1, Ordering::Relaxed);
    inner.max_pong_us.fetch_max(rtt, Ordering::Relaxed);
}

fn parse_query(q: &str) -> Subscription {
    let mut s = Subscription::default();
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        match k.as_ref() {
            "cursor" => s.cursor = v.parse().ok(),
            "wantedCollections" => s.collections.push(v.into_owned()),
            "wantedDids" => s.dids.push(v.into_owned()),
            "compress" => s.compress = v == "true",
            "requireHello" => s.require_hello = v == "true",
            _ => {}
        }
    }
    s
}

fn wanted(sub: &Subscription, e: &SimEvent) -> bool {
    let did_ok = sub.dids.is_empty() || sub.dids.contains(&e.did);
    let coll_ok = match &e.collection {
        None => true,
        Some(c) => {
            sub.collections.is_empty()
                || sub.collections.iter().any(|w| match w.strip_suffix('*') {
                    Some(prefix) => c.starts_with(prefix),
                    None => w == c,
                })
        }
    };
    did_ok && coll_ok
}

/// Applies an `options_update` message; `false` when it is invalid.
fn options_update(sub: &mut Subscription, text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    if v.get("type").and_then(|t| t.as_str()) != Some("options_update") {
        return true; // unknown types are ignored
    }
    let Some(p) = v.get("payload") else {
        return false;
    };
    let list = |k: &str| -> Vec<String> {
        p.get(k)
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    sub.collections = list("wantedCollections");
    sub.dids = list("wantedDids");
    true
}

async fn serve(
    inner: Arc<Inner>,
    sock: tokio::net::TcpStream,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut query = String::new();
    let ws = tokio_tungstenite::accept_hdr_async(sock, |req: &Request, resp: Response| {
        query = req.uri().query().unwrap_or("").to_string();
        Ok(resp)
    })
    .await?;
    let mut sub = parse_query(&query);
    let (mut tx, mut rx) = ws.split();
    let mut kill = inner.kill.subscribe();
    kill.mark_unchanged();
    if sub.require_hello {
        match rx.next().await {
            Some(Ok(Message::Text(t))) if options_update(&mut sub, &t) => {}
            _ => return Ok(()),
        }
    }
    let opts = inner.opts.lock().map(|o| o.clone()).unwrap_or_default();
    let mut compressor = match (&opts.dictionary, sub.compress) {
        (Some(d), true) => Some(zstd::bulk::Compressor::with_dictionary(3, d)?),
        _ => None,
    };
    let retention = inner.retention_start.load(Ordering::Relaxed);
    let mut idx = {
        let ev = inner.events.read().map_err(|_| "lock")?;
        match sub.cursor {
            None => ev.len(),
            // Too old: silently clamped to the oldest retained event.
            Some(c) => ev.partition_point(|e| e.time_us < c.max(retention)),
        }
    };
    let slot = {
        let mut subs = inner.subs.lock().map_err(|_| "lock")?;
        subs.push(sub.clone());
        subs.len() - 1
    };
    let mut sent_here = 0u64;
    let ping_every = std::time::Duration::from_millis(opts.ping_every_ms);
    let mut last_ping = std::time::Instant::now();
    loop {
        let batch: Vec<SimEvent> = {
            let ev = inner.events.read().map_err(|_| "lock")?;
            let end = (idx + 256).min(ev.len());
            let b = ev[idx..end].to_vec();
            idx = end;
            b
        };
        if batch.is_empty() {
            if opts.ping_every_ms > 0 && last_ping.elapsed() >= ping_every {
                last_ping = std::time::Instant::now();
                tx.send(Message::Ping(mono_us().to_be_bytes().to_vec().into()))
                    .await?;
            }
            let notified = inner.appended.notified();
            let tick = ping_every.clamp(
                std::time::Duration::from_millis(1),
                std::time::Duration::from_millis(50),
            );
            tokio::select! {
                _ = notified => continue,
                _ = tokio::time::sleep(tick) => continue,
                m = rx.next() => match m {
                    Some(Ok(Message::Text(t))) => { if !options_update(&mut sub, &t) { return Ok(()) } continue }
                    Some(Ok(Message::Pong(p))) => { pong(&inner, &p); continue }
                    Some(Ok(_)) => continue,
                    _ => return Ok(()),
                },
                _ = kill.changed() => return Ok(()),
            }
        }
        let mut frames: Vec<&SimEvent> = batch
            .iter()
            .filter(|e| e.time_us >= retention && wanted(&sub, e))
            .collect();
        if opts.swap_every > 0 {
            for i in 0..frames.len().saturating_sub(1) {
                if (inner.sent.load(Ordering::Relaxed) + i as u64) % opts.swap_every
                    == opts.swap_every - 1
                {
                    frames.swap(i, i + 1);
                }
            }
        }
        for e in frames {
            if kill.has_changed().unwrap_or(true) || inner.closed.load(Ordering::Relaxed) {
                return Ok(());
            }
            if opts.drop_after > 0 && sent_here >= opts.drop_after {
                // Abrupt: what was sent arrives, then the socket goes without a close frame.
                tx.flush().await?;
                return Ok(());
            }
            let n = inner.sent.fetch_add(1, Ordering::Relaxed);
            if sent_here == 0 {
                if let Ok(mut subs) = inner.subs.lock() {
                    subs[slot].first_sent = Some(e.time_us);
                }
            }
            sent_here += 1;
            let copies = if opts.duplicate_every > 0 && n.is_multiple_of(opts.duplicate_every) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let msg = match compressor.as_mut() {
                    Some(c) => Message::Binary(c.compress(e.json.as_bytes())?.into()),
                    None => Message::Text(e.json.clone().into()),
                };
                tx.feed(msg).await?;
            }
        }
        tx.flush().await?;
    }
}

/// Trains a zstd dictionary from sample frames (tests make their own; users use Jetstream's).
pub fn train_dictionary(samples: &[String], size: usize) -> std::io::Result<Vec<u8>> {
    let bytes: Vec<&[u8]> = samples.iter().map(|s| s.as_bytes()).collect();
    zstd::dict::from_samples(&bytes, size)
}
