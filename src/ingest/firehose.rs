//! The firehose source: `com.atproto.sync.subscribeRepos` of a relay or PDS. Each binary frame
//! is a DAG-CBOR header (`op`, `t`) and body. `#commit` carries a CAR slice with the changed
//! records (each checked against its CID) and becomes the same operations as Jetstream's
//! events; `#identity` and `#account` likewise; a `#sync` or a `tooBig` commit asks for the
//! repository to be fetched again; `#info OutdatedCursor` is a gap. The position is `seq`.

use super::car::Blocks;
use super::event::{clip, Event};
use super::socket::{self, Frame};
use super::IngestStats;
use crate::config::FirehoseConfig;
use crate::gate::change::{invalid, Change, Filter};
use crate::util::syntax;
use aerie_storage::{Gap, Op, QueueOp};
use ipld_core::ipld::Ipld;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The firehose decoder for the shared socket loop.
pub struct Firehose {
    base: String,
    filter: Filter,
    stats: Arc<IngestStats>,
}

impl Firehose {
    /// A source for the configured relay or PDS.
    pub fn new(cfg: &FirehoseConfig, filter: Filter, stats: Arc<IngestStats>) -> Self {
        Firehose {
            base: cfg.endpoint(),
            filter,
            stats,
        }
    }

    /// Runs until `shutdown` turns true or the writer goes away.
    pub async fn run(
        self,
        timing: socket::Timing,
        tx: mpsc::Sender<Event>,
        shutdown: watch::Receiver<bool>,
    ) {
        let stats = self.stats.clone();
        socket::run(self, timing, stats, tx, shutdown, None).await
    }
}

pub(super) type Map = BTreeMap<String, Ipld>;

fn field<'a>(m: &'a Map, k: &str) -> Option<&'a Ipld> {
    m.get(k)
}

fn text<'a>(m: &'a Map, k: &str) -> Result<&'a str, String> {
    match field(m, k) {
        Some(Ipld::String(s)) => Ok(s),
        _ => Err(format!("frame without {k}")),
    }
}

fn int(m: &Map, k: &str) -> Result<i64, String> {
    match field(m, k) {
        Some(Ipld::Integer(i)) => i64::try_from(*i).map_err(|_| format!("{k} out of range")),
        _ => Err(format!("frame without {k}")),
    }
}

fn did(m: &Map, k: &str) -> Result<String, String> {
    let d = text(m, k)?;
    match syntax::is_did(d) {
        true => Ok(d.to_string()),
        false => Err(invalid("did", d).to_string()),
    }
}

/// Splits a frame into its header and body maps.
pub(super) fn split(frame: &[u8]) -> Result<(Map, Map), String> {
    let mut values = serde_ipld_dagcbor::de::Deserializer::from_slice(frame).into_iter::<Ipld>();
    let mut next = |what: &str| match values.next() {
        Some(Ok(Ipld::Map(m))) => Ok(m),
        Some(Err(e)) => Err(format!("frame {what}: {e}")),
        _ => Err(format!("frame {what}: not a map")),
    };
    Ok((next("header")?, next("body")?))
}

impl Firehose {
    fn commit(&self, body: &Map, seq: i64, out: &mut Vec<Event>) -> Result<(), String> {
        let repo = did(body, "repo")?;
        let rev = text(body, "rev")?;
        let time_us = self.time(body);
        if matches!(field(body, "tooBig"), Some(Ipld::Bool(true))) {
            return self.refetch(&repo, "tooBig commit", seq, out);
        }
        let blocks = match field(body, "blocks") {
            Some(Ipld::Bytes(b)) => Blocks::read(b).map_err(|e| e.to_string())?,
            _ => return Err("commit without blocks".into()),
        };
        let Some(Ipld::List(ops)) = field(body, "ops") else {
            return Err("commit without ops".into());
        };
        let mut first_error = None;
        for op in ops {
            match self.repo_op(&repo, rev, op, &blocks, time_us) {
                Ok(op) => out.push(Event::new(seq, Some(op))),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn repo_op(
        &self,
        repo: &str,
        rev: &str,
        op: &Ipld,
        blocks: &Blocks,
        time_us: i64,
    ) -> Result<Op, String> {
        let Ipld::Map(op) = op else {
            return Err("commit op: not a map".into());
        };
        let path = text(op, "path")?;
        let (collection, rkey) = path
            .split_once('/')
            .ok_or_else(|| invalid("path", path).to_string())?;
        let body = match field(op, "cid") {
            Some(Ipld::Link(cid)) => {
                let value = blocks.decode(cid).map_err(|e| e.to_string())?;
                let json = serde_json::to_string(&aerie_storage::cbor::to_json(&value))
                    .map_err(|e| e.to_string())?;
                Some((json, cid.to_bytes()))
            }
            _ => None,
        };
        let change = Change {
            did: repo,
            collection,
            rkey,
            rev,
            action: text(op, "action")?,
        };
        change
            .into_op(
                body.as_ref().map(|(j, c)| (j.as_str(), c.clone())),
                time_us,
                &self.filter,
            )
            .map_err(|e| e.to_string())
    }

    /// A repository whose changes the stream cannot carry: fetch it again.
    fn refetch(&self, did: &str, why: &str, seq: i64, out: &mut Vec<Event>) -> Result<(), String> {
        out.push(Event::new(
            seq,
            Some(Op::Queue(QueueOp::Request {
                did: did.to_string(),
                reason: why.to_string(),
                at_us: crate::util::now_us(),
            })),
        ));
        Ok(())
    }

    /// The event's time (µs), now when absent or invalid; tracked for the lag figure.
    fn time(&self, body: &Map) -> i64 {
        let t = text(body, "time")
            .ok()
            .and_then(aerie_storage::datetime::parse_us)
            .unwrap_or_else(crate::util::now_us);
        self.stats.source_time_us.fetch_max(t, Ordering::Relaxed);
        t
    }
}

impl socket::Decoder for Firehose {
    fn name(&self) -> &'static str {
        "firehose"
    }

    fn url(&mut self) -> String {
        match self.stats.committed_position.load(Ordering::Relaxed) {
            0 => self.base.clone(),
            seq => format!("{}?cursor={seq}", self.base),
        }
    }

    fn decode(&mut self, frame: Frame<'_>, out: &mut Vec<Event>) -> Result<(), String> {
        let Frame::Binary(bytes) = frame else {
            return Err("text frame on the firehose".into());
        };
        let (header, body) = split(bytes)?;
        if int(&header, "op")? != 1 {
            let msg = text(&body, "message").unwrap_or_default();
            return Err(clip(&format!(
                "error frame: {} {msg}",
                text(&body, "error").unwrap_or("?")
            )));
        }
        match text(&header, "t")? {
            "#commit" => {
                let seq = int(&body, "seq")?;
                self.commit(&body, seq, out)
            }
            "#sync" => {
                let seq = int(&body, "seq")?;
                self.time(&body);
                self.refetch(&did(&body, "did")?, "sync event", seq, out)
            }
            "#identity" => {
                let seq = int(&body, "seq")?;
                self.time(&body);
                let handle = text(&body, "handle")
                    .ok()
                    .filter(|h| syntax::is_handle(h))
                    .map(str::to_string);
                out.push(Event::new(
                    seq,
                    Some(Op::Identity {
                        did: did(&body, "did")?,
                        handle,
                        seq,
                    }),
                ));
                Ok(())
            }
            "#account" => {
                let seq = int(&body, "seq")?;
                self.time(&body);
                let active = matches!(field(&body, "active"), Some(Ipld::Bool(true)));
                out.push(Event::new(
                    seq,
                    Some(Op::Account {
                        did: did(&body, "did")?,
                        active,
                        status: text(&body, "status").ok().map(str::to_string),
                        seq,
                    }),
                ));
                Ok(())
            }
            "#info" => {
                let name = text(&body, "name").unwrap_or("?");
                if name == "OutdatedCursor" {
                    let now = crate::util::now_us();
                    let gap = Gap {
                        from_us: self.stats.source_time_us.load(Ordering::Relaxed).min(now),
                        to_us: now,
                        endpoint: self.base.clone(),
                        reason: "the firehose no longer has events from the cursor asked for (OutdatedCursor)".into(),
                        repairing: false,
                    };
                    tracing::warn!("gap recorded: {}", gap.reason);
                    let position = self.stats.committed_position.load(Ordering::Relaxed);
                    out.push(Event::new(position, Some(Op::Gap(gap))));
                } else {
                    tracing::info!(name, "firehose info");
                }
                Ok(())
            }
            // Unknown kinds are for newer clients; skipping them is the protocol's rule.
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error frame's message is logged as the skip reason: it is cut short (the
    /// `firehose_frame` fuzz target checks this).
    #[test]
    fn an_error_frame_reason_stays_short() {
        let map = |fields: [(&str, Ipld); 2]| {
            Ipld::Map(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            )
        };
        let header = map([("op", Ipld::Integer(-1)), ("t", Ipld::String("".into()))]);
        let body = map([
            ("error", Ipld::String("ConsumerTooSlow".into())),
            ("message", Ipld::String("A".repeat(3000))),
        ]);
        let mut frame = serde_ipld_dagcbor::to_vec(&header).expect("header");
        frame.extend(serde_ipld_dagcbor::to_vec(&body).expect("body"));
        let filter = Filter::new(&[], 1);
        let mut source = Firehose::new(&Default::default(), filter, Arc::default());
        let why = socket::Decoder::decode(&mut source, Frame::Binary(&frame), &mut Vec::new())
            .expect_err("an error frame");
        assert!(
            why.starts_with("error frame: ConsumerTooSlow AAA") && why.len() < 300,
            "{why}"
        );
    }
}
