//! The Jetstream v1 source: the subscribe URL (collections, cursor = committed position minus a
//! rewind, compression), text or zstd-dictionary frames checked into events, and the silent
//! clamp of an old cursor recorded as a gap. The shared loop in `socket.rs` does the rest.

use super::event::{self, Event};
use super::filtered::Shard;
use super::socket::{self, Frame};
use super::IngestStats;
use crate::config::JetstreamConfig;
use crate::gate::change::Filter;
use aerie_storage::{Gap, Op};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

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
        let filter = Filter::from_config(&cfg);
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

    /// Where a connection whose committed position is `committed` (0 = none) resumes.
    fn resume_from(&self, committed: i64) -> Option<i64> {
        match committed {
            0 => self.initial,
            p => Some((p - self.cfg.rewind_secs as i64 * 1_000_000).max(1)),
        }
    }

    /// Runs until `shutdown` turns true or the writer goes away.
    pub async fn run(self, tx: mpsc::Sender<Event>, shutdown: watch::Receiver<bool>) {
        self.run_connection(None, tx, shutdown).await
    }

    /// Runs one connection: the whole stream, or (`shard`) one shard of a filtered
    /// subscription, whose `wantedDids` follow the tracked set.
    pub async fn run_connection(
        &self,
        shard: Option<Shard>,
        tx: mpsc::Sender<Event>,
        shutdown: watch::Receiver<bool>,
    ) {
        let decompressor = match &self.dictionary {
            Some(d) => match zstd::bulk::Decompressor::with_prepared_dictionary(d) {
                Ok(dec) => Some(dec),
                Err(e) => return tracing::error!("zstd decoder: {e}"),
            },
            None => None,
        };
        let timing = socket::Timing::from_config(&self.cfg);
        let changes = shard.as_ref().map(|s| s.scope.subscribe());
        let dec = Decoding {
            reader: self,
            decompressor,
            buf: Vec::with_capacity(4 << 20),
            asked: None,
            first: true,
            shard,
        };
        socket::run(dec, timing, self.stats.clone(), tx, shutdown, changes).await
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
}

/// The reader's per-connection state for the shared socket loop.
struct Decoding<'a> {
    reader: &'a Reader,
    decompressor: Option<zstd::bulk::Decompressor<'a>>,
    buf: Vec<u8>,
    /// The cursor asked for on this connection.
    asked: Option<i64>,
    /// No event has arrived on this connection yet.
    first: bool,
    /// The shard this connection serves in filtered mode.
    shard: Option<Shard>,
}

impl socket::Decoder for Decoding<'_> {
    fn name(&self) -> &'static str {
        "jetstream"
    }

    fn url(&mut self) -> String {
        let committed = match &self.shard {
            Some(s) => s.committed(),
            None => self.reader.stats.committed_position.load(Ordering::Relaxed),
        };
        self.asked = self.reader.resume_from(committed);
        self.first = true;
        let url = self.reader.url(self.asked);
        match self.shard {
            // Nothing is sent until the filter (options_update) arrives.
            Some(_) => format!("{url}&requireHello=true"),
            None => url,
        }
    }

    fn options(&mut self) -> Option<String> {
        let s = self.shard.as_ref()?;
        Some(s.options_update(&self.reader.cfg.collections))
    }

    fn decode(&mut self, frame: Frame<'_>, out: &mut Vec<Event>) -> Result<(), String> {
        let bytes: &[u8] = match frame {
            Frame::Text(t) => t.as_bytes(),
            Frame::Binary(b) => {
                let dec = self
                    .decompressor
                    .as_mut()
                    .ok_or("binary frame without compression")?;
                self.buf.clear();
                dec.decompress_to_buffer(b, &mut self.buf)
                    .map_err(|e| format!("zstd frame: {e}"))?;
                &self.buf
            }
        };
        let ev = event::parse(bytes, &self.reader.filter).map_err(|e| e.to_string())?;
        if std::mem::take(&mut self.first) {
            if let Some(gap) = self.reader.clamped(self.asked, ev.time_us) {
                tracing::warn!(
                    from = gap.from_us,
                    to = gap.to_us,
                    "gap recorded: {}",
                    gap.reason
                );
                out.push(Event::new(ev.time_us, Some(Op::Gap(gap))));
            }
        }
        out.push(ev);
        if let Some(s) = &self.shard {
            for e in out.iter_mut() {
                e.connection = Some(s.endpoint.clone());
            }
        }
        Ok(())
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
