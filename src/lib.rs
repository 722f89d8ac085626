//! Aerie: a personal AT Protocol AppView in one binary. This library holds everything the
//! `aerie` command runs: configuration, ingest, the XRPC API and the web pages.

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
}

/// The whole HTTP application.
pub fn app(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .merge(xrpc::router())
        .merge(web::status::router())
        .with_state(state)
}
