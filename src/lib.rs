//! Aerie: a personal AT Protocol AppView in one binary. This library holds everything the
//! `aerie` command runs: configuration, ingest, the XRPC API and the web pages.

pub mod auth;
pub mod config;
pub mod identity;
pub mod ingest;
pub mod serve;
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
    pub scope: Arc<ingest::scope::Scope>,
    /// Live backfill figures.
    pub backfill: Arc<ingest::backfill::queue::QueueStats>,
    /// Login sessions.
    pub sessions: Arc<auth::session::Sessions>,
}

impl AppState {
    /// State over a store with fresh figures and its tracked set (tools, benchmarks); sessions
    /// are sealed with a throwaway key.
    pub fn new(
        store: Arc<dyn aerie_storage::Store>,
        cfg: Arc<config::Config>,
    ) -> Result<Self, ingest::backfill::SetupError> {
        let bf = ingest::backfill::Backfiller::from_config(&cfg, store.clone())?;
        let secret = auth::secret::Secret::from_bytes(&rand::random::<[u8; 32]>())
            .map_err(|e| ingest::backfill::SetupError::Secret(e.to_string()))?;
        Ok(Self::with(Arc::new(bf), cfg, secret))
    }

    /// State over a backfiller's store, scope and resolver.
    pub fn with(
        bf: Arc<ingest::backfill::Backfiller>,
        cfg: Arc<config::Config>,
        secret: auth::secret::Secret,
    ) -> Self {
        let sessions = auth::session::Sessions::new(
            bf.store.clone(),
            secret,
            bf.resolver.clone(),
            bf.scope.clone(),
            cfg.auth.pds_refresh_margin_secs,
        );
        AppState {
            store: bf.store.clone(),
            cfg,
            ingest: Arc::default(),
            scope: bf.scope.clone(),
            backfill: Arc::default(),
            sessions: Arc::new(sessions),
        }
    }
}

impl AppState {
    /// The identity resolver (and its guarded HTTP client).
    pub fn resolver(&self) -> &identity::Resolver {
        self.sessions.resolver()
    }
}

/// The whole HTTP application.
pub fn app(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .merge(xrpc::router())
        .merge(web::router())
        .merge(web::status::router())
        .merge(web::did::router())
        .with_state(state)
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
