//! The subscription loop every WebSocket source shares: connect (rustls/ring) to the URL the
//! source gives for the current position, read frames with a liveness timeout, let the source
//! decode them into events for the writer's bounded channel, send the source's options message
//! when the tracked set changes, and reconnect with jittered exponential backoff.

use super::event::Event;
use super::IngestStats;
use crate::util::ratelog::RateLog;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

static SKIPS: RateLog = RateLog::new(Duration::from_secs(5));

/// One frame off the socket.
pub enum Frame<'a> {
    /// A text frame.
    Text(&'a str),
    /// A binary frame.
    Binary(&'a [u8]),
}

/// What a source does with the loop.
pub trait Decoder: Send {
    /// Names the source in logs.
    fn name(&self) -> &'static str;
    /// The URL to connect to now (called before every connection).
    fn url(&mut self) -> String;
    /// Decodes one frame, appending events to `out`; an error skips the frame (counted).
    fn decode(&mut self, frame: Frame<'_>, out: &mut Vec<Event>) -> Result<(), String>;
    /// A message to send after connecting and whenever the tracked set changes.
    fn options(&mut self) -> Option<String> {
        None
    }
}

/// Loop timing.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// A socket silent this long counts as dropped.
    pub liveness: Duration,
    /// Longest wait between reconnect attempts.
    pub max_backoff: Duration,
}

impl Timing {
    /// From the `[jetstream]` liveness and backoff keys (one set of knobs for every source).
    pub fn from_config(js: &crate::config::JetstreamConfig) -> Self {
        Timing {
            liveness: Duration::from_secs(js.liveness_timeout_secs.max(1)),
            max_backoff: Duration::from_secs(js.max_backoff_secs),
        }
    }
}

/// Runs until `shutdown` turns true or the writer goes away. `changes` (filtered mode) ticks
/// when the source's options should be sent again.
pub async fn run(
    mut dec: impl Decoder,
    timing: Timing,
    stats: Arc<IngestStats>,
    tx: mpsc::Sender<Event>,
    mut shutdown: watch::Receiver<bool>,
    mut changes: Option<watch::Receiver<u64>>,
) {
    let mut attempt: u32 = 0;
    let mut events = Vec::new();
    let name = dec.name();
    while !*shutdown.borrow() {
        let url = dec.url();
        tracing::info!(%url, "connecting to {name}");
        let started = Instant::now();
        let mut received_here = 0u64;
        match tokio::select! {
            r = tokio_tungstenite::connect_async(url.as_str()) => Some(r),
            _ = shutdown.changed() => None,
        } {
            None => break,
            Some(Err(e)) => tracing::warn!("{name} connect failed: {e}"),
            Some(Ok((mut ws, _))) => {
                stats.connected.store(true, Ordering::Relaxed);
                stats.connects.fetch_add(1, Ordering::Relaxed);
                if let Some(m) = dec.options() {
                    if let Err(e) = ws.send(Message::text(m)).await {
                        tracing::warn!("{name} options: {e}");
                    }
                }
                loop {
                    let changed = async {
                        match changes.as_mut() {
                            Some(c) => c.changed().await.is_ok(),
                            None => std::future::pending().await,
                        }
                    };
                    let msg = tokio::select! {
                        m = tokio::time::timeout(timing.liveness, ws.next()) => m,
                        ok = changed => {
                            if !ok {
                                changes = None;
                            } else if let Some(m) = dec.options() {
                                if let Err(e) = ws.send(Message::text(m)).await {
                                    tracing::warn!("{name} options: {e}");
                                    break;
                                }
                            }
                            continue;
                        }
                        _ = shutdown.changed() => break,
                    };
                    let decoded = match msg {
                        Err(_) => {
                            tracing::warn!("{name} silent for {:?}; reconnecting", timing.liveness);
                            break;
                        }
                        Ok(None) => break,
                        Ok(Some(Err(e))) => {
                            tracing::warn!("{name} read: {e}");
                            break;
                        }
                        Ok(Some(Ok(Message::Text(t)))) => {
                            dec.decode(Frame::Text(t.as_str()), &mut events)
                        }
                        Ok(Some(Ok(Message::Binary(b)))) => {
                            dec.decode(Frame::Binary(&b), &mut events)
                        }
                        Ok(Some(Ok(Message::Close(_)))) => break,
                        Ok(Some(Ok(_))) => continue,
                    };
                    if let Err(why) = decoded {
                        stats.skipped.fetch_add(1, Ordering::Relaxed);
                        SKIPS.warn("skipped event", &why);
                    }
                    for ev in events.drain(..) {
                        if !matches!(ev.op, Some(aerie_storage::Op::Gap(_))) {
                            received_here += 1;
                            stats.received.fetch_add(1, Ordering::Relaxed);
                        }
                        if tx.send(ev).await.is_err() {
                            return;
                        }
                    }
                }
                stats.connected.store(false, Ordering::Relaxed);
            }
        }
        if *shutdown.borrow() {
            break;
        }
        if received_here > 0 || started.elapsed() > Duration::from_secs(30) {
            attempt = 0;
        }
        let delay = crate::util::backoff(attempt, Duration::from_millis(250), timing.max_backoff);
        attempt = attempt.saturating_add(1);
        tracing::info!(?delay, "{name} reconnect scheduled");
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => break,
        }
    }
}
