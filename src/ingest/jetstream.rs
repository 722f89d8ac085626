//! The Jetstream v1 reader: connects (rustls/ring), resumes from the committed cursor minus a
//! rewind, decodes text or zstd-dictionary frames, checks each event and hands it to the writer
//! through the bounded channel. Reconnects with jittered exponential backoff; a silent socket
//! past the liveness timeout counts as dropped.

use super::event::{self, Event, Filter};
use super::IngestStats;
use crate::config::JetstreamConfig;
use crate::util::ratelog::RateLog;
use aerie_storage::{Gap, Op};
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// Why the reader could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    /// The dictionary file could not be read.
    #[error("reading zstd dictionary {path}: {source}")]
    Dictionary {
        /// File path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The URL is not a ws:// or wss:// URL.
    #[error("jetstream.url {0:?} is not a ws:// or wss:// URL")]
    Url(String),
}

static SKIPS: RateLog = RateLog::new(Duration::from_secs(5));

/// The reader's fixed inputs.
pub struct Reader {
    cfg: JetstreamConfig,
    /// `cfg.url`, parsed and checked.
    base: url::Url,
    filter: Filter,
    dictionary: Option<zstd::dict::DecoderDictionary<'static>>,
    stats: Arc<IngestStats>,
    /// Where to start before anything is committed (`None` = live).
    initial: Option<i64>,
}

impl Reader {
    /// Prepares a reader; reads the dictionary when compression is on.
    pub fn new(
        cfg: JetstreamConfig,
        stats: Arc<IngestStats>,
        initial: Option<i64>,
    ) -> Result<Self, ReaderError> {
        let base = url::Url::parse(&cfg.url).map_err(|_| ReaderError::Url(cfg.url.clone()))?;
        if !matches!(base.scheme(), "ws" | "wss") {
            return Err(ReaderError::Url(cfg.url.clone()));
        }
        let dictionary = match (&cfg.compress, &cfg.zstd_dictionary) {
            (true, Some(path)) => {
                let bytes = std::fs::read(path).map_err(|source| ReaderError::Dictionary {
                    path: path.display().to_string(),
                    source,
                })?;
                Some(zstd::dict::DecoderDictionary::copy(&bytes))
            }
            _ => None,
        };
        let filter = Filter::new(&cfg.collections, cfg.max_record_bytes);
        Ok(Reader {
            cfg,
            base,
            filter,
            dictionary,
            stats,
            initial,
        })
    }

    /// The subscribe URL for a start position.
    pub fn url(&self, cursor: Option<i64>) -> String {
        let mut url = self.base.clone();
        {
            let mut q = url.query_pairs_mut();
            for c in &self.cfg.collections {
                q.append_pair("wantedCollections", c);
            }
            if let Some(c) = cursor {
                // Jetstream treats a missing cursor as "live"; 0 means "oldest kept", which any
                // cursor older than retention gives.
                q.append_pair("cursor", &c.max(1).to_string());
            }
            if self.dictionary.is_some() {
                q.append_pair("compress", "true");
            }
        }
        url.to_string()
    }

    fn resume_cursor(&self) -> Option<i64> {
        match self.stats.committed_position.load(Ordering::Relaxed) {
            0 => self.initial,
            p => Some((p - self.cfg.rewind_secs as i64 * 1_000_000).max(1)),
        }
    }

    /// Runs until `shutdown` turns true or the writer goes away.
    pub async fn run(self, tx: mpsc::Sender<Event>, mut shutdown: watch::Receiver<bool>) {
        let mut attempt: u32 = 0;
        let mut buf = Vec::with_capacity(4 << 20);
        let mut decoder = match &self.dictionary {
            Some(d) => match zstd::bulk::Decompressor::with_prepared_dictionary(d) {
                Ok(dec) => Some(dec),
                Err(e) => {
                    tracing::error!("zstd decoder: {e}");
                    return;
                }
            },
            None => None,
        };
        while !*shutdown.borrow() {
            let asked = self.resume_cursor();
            let url = self.url(asked);
            tracing::info!(%url, "connecting to jetstream");
            let started = Instant::now();
            let mut received_here = 0u64;
            match tokio::select! {
                r = tokio_tungstenite::connect_async(url.as_str()) => Some(r),
                _ = shutdown.changed() => None,
            } {
                None => break,
                Some(Err(e)) => tracing::warn!("jetstream connect failed: {e}"),
                Some(Ok((mut ws, _))) => {
                    self.stats.connected.store(true, Ordering::Relaxed);
                    self.stats.connects.fetch_add(1, Ordering::Relaxed);
                    let liveness = Duration::from_secs(self.cfg.liveness_timeout_secs.max(1));
                    loop {
                        let msg = tokio::select! {
                            m = tokio::time::timeout(liveness, ws.next()) => m,
                            _ = shutdown.changed() => break,
                        };
                        let bytes: &[u8] = match msg {
                            Err(_) => {
                                tracing::warn!("jetstream silent for {liveness:?}; reconnecting");
                                break;
                            }
                            Ok(None) => break,
                            Ok(Some(Err(e))) => {
                                tracing::warn!("jetstream read: {e}");
                                break;
                            }
                            Ok(Some(Ok(Message::Text(t)))) => {
                                buf.clear();
                                buf.extend_from_slice(t.as_bytes());
                                &buf
                            }
                            Ok(Some(Ok(Message::Binary(b)))) => match decoder.as_mut() {
                                Some(dec) => {
                                    buf.clear();
                                    match dec.decompress_to_buffer(&b, &mut buf) {
                                        Ok(_) => &buf,
                                        Err(e) => {
                                            self.skip(&format!("zstd frame: {e}"));
                                            continue;
                                        }
                                    }
                                }
                                None => {
                                    self.skip(&"binary frame without compression");
                                    continue;
                                }
                            },
                            Ok(Some(Ok(Message::Close(_)))) => break,
                            Ok(Some(Ok(_))) => continue,
                        };
                        match event::parse(bytes, &self.filter) {
                            Ok(ev) => {
                                if received_here == 0 {
                                    if let Some(gap) = self.clamped(asked, ev.time_us) {
                                        tracing::warn!(
                                            from = gap.from_us,
                                            to = gap.to_us,
                                            "gap recorded: {}",
                                            gap.reason
                                        );
                                        let marker = Event {
                                            time_us: ev.time_us,
                                            op: Some(Op::Gap(gap)),
                                        };
                                        if tx.send(marker).await.is_err() {
                                            return;
                                        }
                                    }
                                }
                                received_here += 1;
                                self.stats.received.fetch_add(1, Ordering::Relaxed);
                                if tx.send(ev).await.is_err() {
                                    return;
                                }
                            }
                            Err(skip) => self.skip(&skip),
                        }
                    }
                    self.stats.connected.store(false, Ordering::Relaxed);
                }
            }
            if *shutdown.borrow() {
                break;
            }
            if received_here > 0 || started.elapsed() > Duration::from_secs(30) {
                attempt = 0;
            }
            let delay = crate::util::backoff(
                attempt,
                Duration::from_millis(250),
                Duration::from_secs(self.cfg.max_backoff_secs),
            );
            attempt = attempt.saturating_add(1);
            tracing::info!(?delay, "jetstream reconnect scheduled");
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.changed() => break,
            }
        }
    }

    /// A gap when the first event of a connection is far past the cursor asked for: Jetstream
    /// clamped a cursor older than its retention, or time jumped across a reconnect. Asking for
    /// the oldest event (`0`) expects a clamp.
    fn clamped(&self, asked: Option<i64>, first_us: i64) -> Option<Gap> {
        let asked = asked.filter(|c| *c > 1)?;
        (first_us - asked > self.cfg.gap_threshold_secs as i64 * 1_000_000).then(|| Gap {
            from_us: asked,
            to_us: first_us,
            endpoint: self.cfg.url.clone(),
            reason: "the first event was far past the cursor asked for (clamped to the source's retention, or a jump after reconnecting)".into(),
            repairing: false,
        })
    }

    fn skip(&self, why: &dyn std::fmt::Display) {
        self.stats.skipped.fetch_add(1, Ordering::Relaxed);
        SKIPS.warn("skipped event", why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_carries_filters_cursor_and_compression() {
        let cfg = JetstreamConfig {
            url: "ws://127.0.0.1:1/subscribe".into(),
            ..Default::default()
        };
        let r = Reader::new(cfg, Arc::default(), Some(0)).expect("reader");
        let u = r.url(Some(0));
        assert!(u.contains("wantedCollections=app.bsky.feed.post"), "{u}");
        assert!(u.contains("cursor=1"), "{u}");
        assert!(!r.url(None).contains("cursor"));
        let bad = JetstreamConfig {
            url: "http://x/".into(),
            ..Default::default()
        };
        assert!(Reader::new(bad, Arc::default(), None).is_err());
    }
}
