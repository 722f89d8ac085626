//! Labels: one `com.atproto.label.subscribeLabels` stream per labeler subscribed to — the
//! configured ones (`labels.labelers`) and those local users' apps name, up to
//! `labels.max_labelers`. Each label's signature is checked against the labeler's
//! `#atproto_label` key (DAG-CBOR of the label without `sig`, SHA-256, ECDSA); labels on
//! accounts and records Aerie does not keep are dropped; the rest reach the store through the
//! gate with the stream's cursor in the same batch, and a reconnect resumes from it.

use super::event::Event;
use super::firehose::{split, Map};
use super::socket::{self, Decoder, Frame, Timing};
use super::IngestStats;
use crate::config::LabelsConfig;
use crate::gate::labels::{self as gate, StoredLabel, KIND};
use crate::gate::Scope;
use crate::identity::keys::PublicKey;
use crate::identity::Resolver;
use aerie_storage::{Op, RecordId, Store};
use ipld_core::ipld::Ipld;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How often the set of labelers is looked at again.
const LOOK: Duration = Duration::from_secs(5);
/// A labeler that could not be set up is tried again after this.
const RETRY: Duration = Duration::from_secs(600);
/// A labeler may be quiet for long: a silent socket is reconnected after this.
const QUIET: Duration = Duration::from_secs(3600);
/// Labels written per batch at most.
const BATCH: usize = 1000;
/// The longest label value the lexicon allows.
const MAX_VAL: usize = 128;

/// One labeler's stream, for the shared socket loop.
struct Labeler {
    did: String,
    ws: String,
    key: PublicKey,
    cursor: Arc<AtomicI64>,
    scope: Arc<Scope>,
}

fn text(m: &Map, k: &str) -> Option<String> {
    match m.get(k) {
        Some(Ipld::String(s)) => Some(s.clone()),
        _ => None,
    }
}

impl Labeler {
    /// A label off the wire, its signature checked; `None` (with why) when it is not to be
    /// kept.
    fn label(&self, mut m: Map) -> Result<StoredLabel, String> {
        let Some(Ipld::Bytes(sig)) = m.remove("sig") else {
            return Err("label without sig".into());
        };
        let signed =
            serde_ipld_dagcbor::to_vec(&Ipld::Map(m.clone())).map_err(|e| format!("label: {e}"))?;
        let alg = match self.key {
            PublicKey::K256(_) => "ES256K",
            PublicKey::P256(_) => "ES256",
        };
        if !self.key.verify(alg, &signed, &sig).unwrap_or(false) {
            return Err(format!("label from {} with a bad signature", self.did));
        }
        let label = StoredLabel {
            src: text(&m, "src").ok_or("label without src")?,
            uri: text(&m, "uri").ok_or("label without uri")?,
            cid: text(&m, "cid"),
            val: text(&m, "val").ok_or("label without val")?,
            neg: matches!(m.get("neg"), Some(Ipld::Bool(true))),
            cts: text(&m, "cts").ok_or("label without cts")?,
            exp: text(&m, "exp"),
        };
        if label.src != self.did {
            return Err(format!("label from {} signed by {}", label.src, self.did));
        }
        if label.val.is_empty() || label.val.len() > MAX_VAL {
            return Err("label value out of bounds".into());
        }
        if aerie_storage::datetime::parse_us(&label.cts).is_none() {
            return Err("label with a bad cts".into());
        }
        Ok(label)
    }

    /// Whether Aerie keeps the labelled account or record.
    fn kept(&self, uri: &str) -> bool {
        let did = match uri.starts_with("did:") {
            true => Some(uri.to_string()),
            false => RecordId::parse_uri(uri).map(|id| id.did),
        };
        did.is_some_and(|d| self.scope.keeps(&d))
    }
}

impl Decoder for Labeler {
    fn name(&self) -> &'static str {
        "labeler"
    }

    fn url(&mut self) -> String {
        format!(
            "{}/xrpc/com.atproto.label.subscribeLabels?cursor={}",
            self.ws,
            self.cursor.load(Ordering::Relaxed)
        )
    }

    fn decode(&mut self, frame: Frame<'_>, out: &mut Vec<Event>) -> Result<(), String> {
        let Frame::Binary(bytes) = frame else {
            return Err("a text frame from a labeler".into());
        };
        let (header, mut body) = split(bytes)?;
        if matches!(header.get("op"), Some(Ipld::Integer(-1))) {
            return Err(format!("{}: {:?}", self.did, text(&body, "error")));
        }
        match text(&header, "t").as_deref() {
            Some("#labels") => {}
            Some("#info") => {
                tracing::info!(labeler = %self.did, "{:?}", text(&body, "name"));
                return Ok(());
            }
            _ => return Ok(()),
        }
        let seq = match body.get("seq") {
            Some(Ipld::Integer(i)) => i64::try_from(*i).map_err(|_| "seq out of range")?,
            _ => return Err("labels without seq".into()),
        };
        let Some(Ipld::List(labels)) = body.remove("labels") else {
            return Err("labels without labels".into());
        };
        let mut refused = None;
        for l in labels {
            let Ipld::Map(m) = l else { continue };
            match self.label(m) {
                Ok(label) if self.kept(&label.uri) => out.push(Event::new(
                    seq,
                    Some(Op::Private {
                        owner: label.uri.clone(),
                        kind: KIND.into(),
                        key: String::new(),
                        value: serde_json::to_vec(&label).ok(),
                    }),
                )),
                Ok(_) => {}
                Err(why) => refused = Some(why),
            }
        }
        // The position moves on even when nothing in the frame is kept.
        out.push(Event::new(seq, None));
        refused.map_or(Ok(()), Err)
    }
}

/// Writes one labeler's labels and cursor as they come, a batch at a time.
async fn write(
    store: Arc<dyn Store>,
    did: String,
    cursor: Arc<AtomicI64>,
    mut rx: mpsc::Receiver<Event>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(_) => break,
            }
        }
        let seq = batch.iter().map(|e| e.time_us).max().unwrap_or(0);
        let labels: Vec<StoredLabel> = batch
            .into_iter()
            .filter_map(|e| match e.op {
                Some(Op::Private { value: Some(v), .. }) => serde_json::from_slice(&v).ok(),
                _ => None,
            })
            .collect();
        let (s, d) = (store.clone(), did.clone());
        let done = tokio::task::spawn_blocking(move || gate::apply(&*s, &d, labels, seq)).await;
        match done {
            Ok(Ok(())) => cursor.store(seq, Ordering::Relaxed),
            Ok(Err(e)) => tracing::warn!(labeler = %did, "storing labels: {e}"),
            Err(e) => tracing::warn!(labeler = %did, "storing labels: {e}"),
        }
    }
}

/// What the subscriptions need.
pub struct Labels {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The tracked set (labels on what it does not keep are dropped).
    pub scope: Arc<Scope>,
    /// Resolves labelers' DID documents.
    pub resolver: Arc<Resolver>,
    /// `[labels]`.
    pub cfg: LabelsConfig,
}

impl Labels {
    /// Subscribes to every labeler wanted, and to new ones as local users' apps name them,
    /// until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut running: HashSet<String> = HashSet::new();
        let mut failed: HashMap<String, Instant> = HashMap::new();
        while !*shutdown.borrow() {
            let mut wanted = self.cfg.labelers.clone();
            match gate::wanted(&*self.store, self.cfg.max_labelers) {
                Ok(more) => wanted.extend(more),
                Err(e) => tracing::warn!("labelers wanted: {e}"),
            }
            let mut seen = HashSet::new();
            wanted.retain(|d| seen.insert(d.clone()));
            wanted.truncate(self.cfg.max_labelers);
            for did in wanted {
                let retry = failed.get(&did).is_some_and(|at| at.elapsed() < RETRY);
                if running.contains(&did) || retry {
                    continue;
                }
                match self.start(&did, &shutdown).await {
                    Ok(()) => {
                        running.insert(did);
                    }
                    Err(why) => {
                        tracing::info!(labeler = %did, "not subscribed: {why}");
                        failed.insert(did, Instant::now());
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(LOOK) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn start(&self, did: &str, shutdown: &watch::Receiver<bool>) -> Result<(), String> {
        let doc = self
            .resolver
            .did_doc(did)
            .await
            .map_err(|e| e.to_string())?;
        let endpoint = doc.labeler().ok_or("no #atproto_labeler service")?;
        let (kind, key) = doc.label_method().ok_or("no #atproto_label key")?;
        let key = PublicKey::from_method(&kind, &key).map_err(|e| e.to_string())?;
        let ws = match endpoint.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => format!("ws://{}", endpoint.trim_start_matches("http://")),
        };
        let (s, d) = (self.store.clone(), did.to_string());
        let from = tokio::task::spawn_blocking(move || gate::cursor(&*s, &d))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
            .unwrap_or(0);
        let cursor = Arc::new(AtomicI64::new(from));
        let (tx, rx) = mpsc::channel(BATCH);
        tokio::spawn(write(
            self.store.clone(),
            did.to_string(),
            cursor.clone(),
            rx,
        ));
        let labeler = Labeler {
            did: did.to_string(),
            ws,
            key,
            cursor,
            scope: self.scope.clone(),
        };
        let timing = Timing {
            liveness: QUIET,
            max_backoff: Duration::from_secs(300),
        };
        let stats = Arc::new(IngestStats::default());
        tokio::spawn(socket::run(
            labeler,
            timing,
            stats,
            tx,
            shutdown.clone(),
            None,
        ));
        tracing::info!(labeler = %did, cursor = from, "subscribed to labels");
        Ok(())
    }
}
