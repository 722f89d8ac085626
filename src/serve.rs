//! `aerie serve`, and the assembly: opens the store, builds the shared services (the write
//! gate, the identity resolver, login sessions) and from them the backfiller and the request
//! handlers' state, starts the Jetstream reader and the writer, the backfill queue and the
//! config-users sync, serves HTTP, and on SIGINT/SIGTERM stops reading, commits what was
//! received and exits.

use crate::auth::secret::Secret;
use crate::auth::session::Sessions;
use crate::config::{Config, JetstreamMode, SourceKind};
use crate::gate::{own, Scope};
use crate::identity::Resolver;
use crate::ingest::backfill::{queue, Backfiller};
use crate::ingest::filtered::{self, Connections};
use crate::ingest::firehose::Firehose;
use crate::ingest::{jetstream::Reader, writer, IngestStats};
use crate::AppState;
use aerie_storage::{Cursor, Gap, Store};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Why `serve` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] aerie_storage::Error),
    /// The stop signals could not be listened for.
    #[error("cannot listen for stop signals: {0}")]
    Signal(std::io::Error),
    /// The listener could not bind.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// Address.
        addr: std::net::SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// The Jetstream reader could not start.
    #[error("jetstream: {0}")]
    Reader(#[from] crate::ingest::jetstream::ReaderError),
    /// The writer thread failed.
    #[error("writer: {0}")]
    Writer(String),
    /// The configuration names something that cannot be used.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The server secret could not be had.
    #[error("server secret: {0}")]
    Secret(#[from] crate::auth::secret::SecretError),
    /// The identity resolver could not be built.
    #[error("identity: {0}")]
    Identity(#[from] crate::identity::IdentityError),
    /// HTTPS could not be set up.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
}

/// Opens the configured store.
pub fn open_store(cfg: &Config) -> Result<Arc<dyn Store>, ServeError> {
    let backend = cfg.backend()?;
    let store = aerie_storage::open(backend, &cfg.data_dir.join("store"), cfg.storage.durability)?;
    tracing::info!(store = %store.location(), "store open");
    Ok(store)
}

/// The search index of `cfg`: `<data_dir>/search` beside an on-disk store, in memory beside
/// a memory store. One that cannot be opened even anew is logged and left out: search
/// answers nothing, everything else runs.
fn open_search(cfg: &Config) -> Option<crate::search::Search> {
    if !cfg.search.enabled {
        return None;
    }
    let dir = match cfg.backend() {
        Ok(aerie_storage::Backend::Memory) => None,
        _ => Some(cfg.data_dir.join("search")),
    };
    match crate::search::Search::open(dir.as_deref()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!(error = %e, "search is off: the index cannot be opened");
            None
        }
    }
}

/// Starts the search index's writer thread: it catches up with the store (or rebuilds), then
/// follows its change log until `stop`.
fn start_search(
    services: &Services,
    cfg: &Config,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    let search = services.search.as_ref()?;
    let mut indexer = match search.indexer(services.store.clone(), &cfg.search) {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "search is not kept: the index writer cannot start");
            return None;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("aerie-search".into())
        .spawn(move || {
            let mut last = 0u64;
            let mut progress = |done: u64, total: u64| {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                if pct >= last + 10 {
                    last = pct;
                    tracing::info!(done, total, "search index: rebuilding, {pct}%");
                }
            };
            if let Err(e) = indexer.start(&mut progress) {
                tracing::error!(error = %e, "search index: cannot catch up with the store");
                return;
            }
            indexer.run(stop);
        });
    match spawned {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::error!(error = %e, "search index: cannot start its thread");
            None
        }
    }
}

/// The services the parts share, built once over a store: the write gate with its tracked set
/// loaded from the store, and the identity resolver (answers cached in the store, fetches
/// through the guarded outbound client).
pub struct Services {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The write gate.
    pub scope: Arc<Scope>,
    /// Identity resolution (and the guarded HTTP client).
    pub resolver: Arc<Resolver>,
    /// The search index (`None`: `search.enabled = false`, or it could not be opened).
    pub search: Option<Arc<crate::search::Search>>,
}

impl Services {
    /// The services over `store` as configured.
    pub fn open(cfg: &Config, store: Arc<dyn Store>) -> Result<Self, ServeError> {
        let scope = Arc::new(Scope::load(&*store, cfg.scope)?);
        let resolver = Arc::new(Resolver::with_cache(cfg.identity.clone(), store.clone())?);
        let search = open_search(cfg).map(Arc::new);
        Ok(Services {
            store,
            scope,
            resolver,
            search,
        })
    }

    /// The backfiller (`aerie backfill`, `aerie audit`, the queue).
    pub fn backfiller(&self, cfg: &Config) -> Backfiller {
        Backfiller::new(
            self.store.clone(),
            self.scope.clone(),
            self.resolver.clone(),
            cfg,
        )
    }

    /// What every request handler shares: these services, login sessions sealed with
    /// `secret`, the front door, and fresh ingest and backfill figures.
    pub fn state(&self, cfg: Arc<Config>, secret: Secret) -> AppState {
        let sessions = Sessions::new(
            self.store.clone(),
            secret,
            self.resolver.clone(),
            self.scope.clone(),
            cfg.auth.pds_refresh_margin_secs,
            cfg.service_did(),
        );
        let ttl = std::time::Duration::from_secs(cfg.counts.ttl_secs.max(1));
        let counts = crate::hydrate::outside::OutsideCounts::new(cfg.counts.url().map(|_| ttl));
        AppState {
            store: self.store.clone(),
            front: Arc::new(crate::front::Front::new(&cfg)),
            cfg,
            ingest: Arc::default(),
            scope: self.scope.clone(),
            backfill: Arc::default(),
            sessions: Arc::new(sessions),
            issuers: Arc::default(),
            remote: Arc::default(),
            list_blocks: Arc::default(),
            list_mutes: Arc::default(),
            labelers_named: Arc::default(),
            counts: Arc::new(counts),
            search: self.search.clone(),
            work: Arc::new(tokio::sync::Semaphore::new(crate::service::work_slots())),
        }
    }
}

/// Decides where the reader starts; for a fresh Jetstream store with no `initial_cursor`,
/// records "now" durably first so that a crash before the first commit loses nothing. A cursor
/// of another endpoint is a gap; Jetstream resumes from its time (comparable across
/// instances), the firehose starts live (another relay's `seq` means nothing here).
fn starting_point(
    store: &dyn Store,
    cfg: &Config,
    stats: &IngestStats,
) -> Result<Option<i64>, ServeError> {
    let endpoint = cfg.endpoint();
    let jetstream = cfg.source == SourceKind::Jetstream;
    if let Some(c) = store.cursor()? {
        let gaps = startup_gaps(&c, &endpoint, jetstream, cfg, crate::util::now_us());
        for g in &gaps {
            tracing::warn!(from = g.from_us, to = g.to_us, "gap recorded: {}", g.reason);
        }
        if !gaps.is_empty() {
            own::gaps_found(store, gaps)?;
        }
        if jetstream || c.endpoint == endpoint {
            stats
                .committed_position
                .store(c.position, Ordering::Relaxed);
        }
        return Ok(None);
    }
    match (jetstream, cfg.jetstream.initial_cursor) {
        (false, _) => Ok(None),
        (true, Some(p)) => Ok(Some(p)),
        (true, None) => {
            let now = crate::util::now_us();
            let start = Cursor {
                position: now,
                endpoint,
            };
            own::start_at(store, &start)?;
            store.flush()?;
            stats.committed_position.store(now, Ordering::Relaxed);
            tracing::info!(position = now, "fresh store: starting live, start recorded");
            Ok(None)
        }
    }
}

/// Gaps visible before connecting: a cursor saved for another endpoint (positions are not
/// comparable), or a Jetstream cursor older than the source keeps (`retention_secs`).
fn startup_gaps(
    c: &Cursor,
    endpoint: &str,
    time_positions: bool,
    cfg: &Config,
    now_us: i64,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let gap = |from_us, to_us, reason: String| Gap {
        from_us,
        to_us,
        endpoint: endpoint.to_string(),
        reason,
        repairing: false,
    };
    let from = if time_positions { c.position } else { 0 };
    if c.endpoint != endpoint {
        let reason = format!(
            "the saved cursor belongs to another endpoint ({})",
            c.endpoint
        );
        gaps.push(gap(from, now_us, reason));
    }
    let oldest_kept = now_us - cfg.jetstream.retention_secs as i64 * 1_000_000;
    if time_positions && c.position < oldest_kept {
        let reason = "the saved cursor is older than the source keeps events".to_string();
        gaps.push(gap(c.position, oldest_kept, reason));
    }
    gaps
}

/// Runs until a signal arrives (or the writer fails).
pub async fn run(cfg: Config) -> Result<(), ServeError> {
    // Listened for before anything else: a stop asked for while Aerie starts is honoured once
    // it is up, never the signal's default (killed mid-start).
    let mut stop_signal = StopSignal::listen().map_err(ServeError::Signal)?;
    tracing::info!("starting");
    let cfg = Arc::new(cfg);
    let store = open_store(&cfg)?;
    let stats = Arc::new(IngestStats::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let services = Services::open(&cfg, store.clone())?;
    let bf = Arc::new(services.backfiller(&cfg));
    let scope = services.scope.clone();
    let queue_stats = Arc::new(queue::QueueStats::default());
    // A read-only server (`ingest.enabled = false`) fetches nothing either.
    let queue_done = cfg.ingest.enabled.then(|| {
        tokio::spawn(crate::ingest::users::sync(
            bf.clone(),
            cfg.users.clone(),
            stop_rx.clone(),
        ));
        tokio::spawn(queue::run(bf.clone(), queue_stats.clone(), stop_rx.clone()))
    });
    if cfg.ingest.enabled {
        let labels = crate::ingest::labels::Labels {
            store: store.clone(),
            scope: scope.clone(),
            resolver: services.resolver.clone(),
            cfg: cfg.labels.clone(),
        };
        tokio::spawn(labels.run(stop_rx.clone()));
    }
    if cfg.retention.days > 0 {
        tokio::spawn(crate::ingest::retention::run(
            store.clone(),
            scope.clone(),
            cfg.retention.clone(),
            stop_rx.clone(),
        ));
    }

    let mut writer_done = None;
    if cfg.ingest.enabled {
        let initial = starting_point(&*store, &cfg, &stats)?;
        let (tx, rx) = mpsc::channel(cfg.ingest.channel_capacity);
        let mut connections = None;
        match cfg.source {
            SourceKind::Jetstream => {
                let reader = Reader::new(cfg.jetstream.clone(), stats.clone(), initial)?;
                match cfg.jetstream.mode {
                    JetstreamMode::Full => {
                        tokio::spawn(reader.run(tx, stop_rx.clone()));
                    }
                    JetstreamMode::Filtered => {
                        let stored = store.connection_cursors()?;
                        let conns = Arc::new(Connections::new(
                            stored.into_iter().map(|c| (c.endpoint, c.position)),
                        ));
                        connections = Some(conns.clone());
                        // A newly tracked account is fetched a little after its filter is
                        // sent, so nothing falls between the fetch and the subscription.
                        scope.set_request_delay(std::time::Duration::from_secs(3));
                        tokio::spawn(filtered::run(
                            Arc::new(reader),
                            cfg.jetstream.url.clone(),
                            scope.clone(),
                            conns,
                            stats.clone(),
                            tx,
                            stop_rx.clone(),
                        ));
                    }
                }
            }
            SourceKind::Firehose => {
                let source = Firehose::new(&cfg.firehose, bf.filter.clone(), stats.clone());
                let timing = crate::ingest::socket::Timing::from_config(&cfg.jetstream);
                tokio::spawn(source.run(timing, tx, stop_rx.clone()));
            }
        }
        let wcfg = writer::WriterConfig {
            batch_size: cfg.ingest.batch_size,
            batch_time: std::time::Duration::from_millis(cfg.ingest.batch_ms),
            endpoint: cfg.endpoint(),
            connections,
        };
        let (store2, scope2, stats2, rt) = (
            store.clone(),
            scope.clone(),
            stats.clone(),
            tokio::runtime::Handle::current(),
        );
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("aerie-writer".into())
            .spawn(move || {
                let r = writer::run(store2, scope2, rx, wcfg, stats2, rt);
                let _ = done_tx.send(r);
            })
            .map_err(|e| ServeError::Writer(e.to_string()))?;
        writer_done = Some(done_rx);
    }

    let search_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let search_done = start_search(&services, &cfg, search_stop.clone());

    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: cfg.listen,
            source,
        })?;
    tracing::info!(addr = %cfg.listen, "listening");
    let secret = Secret::load(cfg.auth.secret_key.as_deref(), &cfg.data_dir)?;
    let mut state = services.state(cfg.clone(), secret);
    state.ingest = stats;
    state.backfill = queue_stats;
    let state = Arc::new(state);
    tokio::spawn(crate::service::mod_lists::keep_fresh(state.clone()));
    tokio::spawn(crate::service::outside_counts::run_fetcher(state.clone()));
    let app = crate::app(state);
    let serving = |app| crate::front::conn::Serving {
        app,
        stop: stop_rx.clone(),
        header_timeout: std::time::Duration::from_secs(cfg.http.header_timeout_secs.max(1)),
    };
    // With TLS on, the app is served over HTTPS and the plain listener redirects to it.
    let (app, https) = match crate::tls::Tls::from_config(&cfg)? {
        Some(tls) => {
            let addr = cfg.tls.listen;
            let tls_listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { addr, source })?;
            tracing::info!(%addr, mode = ?cfg.tls.mode, "listening (https)");
            let https = tokio::spawn(tls.clone().serve(tls_listener, serving(app)));
            (tls.plain_app(), Some(https))
        }
        None => (app, None),
    };
    let server = tokio::spawn(crate::front::conn::serve_plain(listener, serving(app)));

    // Wait for a signal, or for the writer to stop on its own (a store failure).
    type Done = Result<aerie_storage::Result<()>, tokio::sync::oneshot::error::RecvError>;
    enum Stop {
        Signal,
        Writer(Done),
    }
    let stop = tokio::select! {
        _ = stop_signal.recv() => Stop::Signal,
        r = async { match writer_done.as_mut() { Some(d) => d.await, None => std::future::pending().await } } => Stop::Writer(r),
    };
    tracing::info!("stopping: no more reading; committing what was received");
    let _ = stop_tx.send(true);
    let writer_result: Option<Done> = match stop {
        Stop::Writer(r) => Some(r),
        Stop::Signal => match writer_done {
            Some(d) => Some(d.await),
            None => None,
        },
    };
    let _ = server.await;
    if let Some(h) = https {
        let _ = h.await;
    }
    if let Some(q) = queue_done {
        let _ = q.await;
    }
    search_stop.store(true, Ordering::Relaxed);
    if let Some(h) = search_done {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    store.flush()?;
    match writer_result {
        Some(Err(_)) => Err(ServeError::Writer("the writer thread panicked".into())),
        Some(Ok(Err(e))) => Err(ServeError::Writer(e.to_string())),
        _ => Ok(()),
    }
}

/// SIGINT and SIGTERM, registered when made.
struct StopSignal {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignal {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    /// The next stop signal (or one that came before this was asked).
    async fn recv(&mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_gaps_for_another_endpoint_and_past_retention() {
        let mut cfg = Config::default();
        cfg.jetstream.url = "wss://b/subscribe".into();
        let url = cfg.jetstream.url.clone();
        let day = 24 * 3_600_000_000i64;
        let now = 100 * day;
        let at = |position: i64, endpoint: &str| Cursor {
            position,
            endpoint: endpoint.into(),
        };
        assert!(startup_gaps(&at(now - 1000, &url), &url, true, &cfg, now).is_empty());
        let moved = at(now - 1000, "wss://a/subscribe");
        assert_eq!(startup_gaps(&moved, &url, true, &cfg, now).len(), 1);
        let g = startup_gaps(&at(now - 2 * day, &url), &url, true, &cfg, now);
        assert_eq!(
            (g.len(), g[0].from_us, g[0].to_us),
            (1, now - 2 * day, now - day)
        );
        // Firehose positions are sequence numbers: only an endpoint change is visible here.
        assert!(startup_gaps(&at(5, &url), &url, false, &cfg, now).is_empty());
    }
}
