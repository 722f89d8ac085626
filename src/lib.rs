//! Aerie: a personal AT Protocol AppView in one binary. This library holds everything the
//! `aerie` command runs: configuration, ingest, the XRPC API and the web pages. Its rooms and
//! the arrows allowed between them are written down in ARCHITECTURE.md.

pub mod auth;
pub mod backup;
pub mod config;
pub mod front;
pub mod gate;
pub mod hydrate;
pub mod identity;
pub mod ingest;
pub mod outbound;
pub mod search;
pub mod serve;
pub mod service;
pub mod tls;
pub mod util;
pub mod web;
pub mod xrpc;

use std::sync::Arc;

/// What every request handler shares.
pub struct AppState {
    /// The store (all readers and the writer).
    pub store: Arc<dyn aerie_storage::Store>,
    /// The loaded configuration.
    pub cfg: Arc<config::Config>,
    /// Live ingest figures.
    pub ingest: Arc<ingest::IngestStats>,
    /// The tracked set.
    pub scope: Arc<gate::Scope>,
    /// Live backfill figures.
    pub backfill: Arc<ingest::backfill::queue::QueueStats>,
    /// Login sessions.
    pub sessions: Arc<auth::session::Sessions>,
    /// Service-auth issuers (bounds on their DID-document fetches).
    pub issuers: Arc<auth::issuers::Issuers>,
    /// The front door (rate limits, trusted proxies, HTTP figures).
    pub front: Arc<front::Front>,
    /// Records fetched beyond the store, kept a few minutes.
    pub remote: Arc<service::remote::Remote>,
    /// Slots for requests' store work ([`service::work_slots`]).
    pub work: Arc<tokio::sync::Semaphore>,
    /// The moderation lists local users block, and their members ([`service::mod_lists`]).
    pub list_blocks: Arc<hydrate::mod_lists::ViewerLists>,
    /// The moderation lists local users mute, and their members ([`service::mod_lists`]).
    pub list_mutes: Arc<hydrate::mod_lists::ViewerLists>,
    /// Labelers local users' apps named, each remembered once ([`xrpc::labelers`]).
    pub labelers_named: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Counts from the count source (`counts.source`).
    pub counts: Arc<hydrate::outside::OutsideCounts>,
    /// The search index (`None`: search is off).
    pub search: Option<Arc<search::Search>>,
}

impl AppState {
    /// State over a store with fresh figures and its tracked set (tools, benchmarks, tests):
    /// the same assembly as `aerie serve` (`serve::Services`); sessions are sealed with a
    /// throwaway key.
    pub fn new(
        store: Arc<dyn aerie_storage::Store>,
        cfg: Arc<config::Config>,
    ) -> Result<Self, serve::ServeError> {
        let secret = auth::secret::Secret::from_bytes(&rand::random::<[u8; 32]>())?;
        Ok(serve::Services::open(&cfg, store)?.state(cfg, secret))
    }

    /// The identity resolver (and its guarded HTTP client).
    pub fn resolver(&self) -> &identity::Resolver {
        self.sessions.resolver()
    }
}

/// The whole HTTP application: every route behind the front door (client address, rate
/// limits, body limits, security headers, figures), a timeout, and compression.
pub fn app(state: Arc<AppState>) -> axum::Router {
    let timeout = std::time::Duration::from_secs(state.cfg.http.request_timeout_secs.max(1));
    axum::Router::new()
        .merge(
            xrpc::router()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    xrpc::labelers::middleware,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    xrpc::direct::middleware,
                )),
        )
        .merge(web::router())
        .merge(web::status::router())
        .route("/health", axum::routing::get(util::healthcheck::health))
        .merge(web::did::router())
        .route("/metrics", axum::routing::get(front::metrics::handler))
        // Inside the front door: a timeout's 408 gets its headers, figures and XRPC body.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            front::middleware,
        ))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// mimalloc: page hydration and the writer allocate many small short-lived values, where it
/// is markedly faster than the system allocator (timeline p99 5.6 → 4.8 ms).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Allocator settings for a long-running server: memory freed is returned to the system at
/// once instead of after mimalloc's default delay, which keeps peak RSS near the live set
/// under bursts of ingest (255 → ~205 MB over the 1M-event benchmark).
pub fn tune_allocator() {
    /// `mi_option_purge_delay` in mimalloc.h (v3): milliseconds before freed memory is purged.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an allocator option is a plain store into mimalloc's option table; it is
    // thread-safe and valid at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
