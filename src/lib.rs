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
}

impl AppState {
    /// State over a store with fresh figures and its tracked set (tools, benchmarks).
    pub fn new(
        store: Arc<dyn aerie_storage::Store>,
        cfg: Arc<config::Config>,
    ) -> aerie_storage::Result<Self> {
        let scope = Arc::new(ingest::scope::Scope::load(&*store, cfg.scope)?);
        Ok(AppState {
            store,
            cfg,
            ingest: Arc::default(),
            scope,
            backfill: Arc::default(),
        })
    }
}

/// The whole HTTP application.
pub fn app(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .merge(xrpc::router())
        .merge(web::status::router())
        .with_state(state)
}
