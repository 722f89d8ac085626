//! `/health` (the process is up), `/ready` (store open, ingest connected, lag) and `/status`, a small
//! status page.

use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The probe and status routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/status", get(page))
        .route("/health", get(health))
        .route("/ready", get(ready))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn ready(State(state): State<Arc<AppState>>) -> Response {
    let store_ok = state.store.stats().is_ok();
    let connected = state.ingest.connected.load(Ordering::Relaxed);
    let ingest_ok = connected || !state.cfg.ingest.enabled;
    let body = json!({
        "ready": store_ok && ingest_ok,
        "store": if store_ok { "open" } else { "error" },
        "ingest": if !state.cfg.ingest.enabled { "disabled" } else if connected { "connected" } else { "disconnected" },
        "lag_seconds": state.ingest.lag_secs(),
        "cursor": state.ingest.committed_position.load(Ordering::Relaxed),
        "events_per_second": state.ingest.rate(),
        "skipped": state.ingest.skipped.load(Ordering::Relaxed),
        "gaps": state.store.gaps().map(|g| g.len()).unwrap_or(0),
        "backfill": backfill(&state),
    });
    let code = if store_ok && ingest_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// The backfill queue in figures.
fn backfill(state: &AppState) -> serde_json::Value {
    let q = state.store.queue_stats().unwrap_or_default();
    let b = &state.backfill;
    let (users, tracked) = state.scope.counts();
    json!({
        "pending": q.pending,
        "running": b.running.load(Ordering::Relaxed),
        "done": q.done,
        "unavailable": q.unavailable,
        "fetched": b.fetched.load(Ordering::Relaxed),
        "failed": b.failed.load(Ordering::Relaxed),
        "local_users": users,
        "tracked": tracked,
    })
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    version: &'static str,
    connected: bool,
    endpoint: String,
    lag: String,
    rate: String,
    received: u64,
    skipped: u64,
    connects: u64,
    gaps: usize,
    records: u64,
    actors: u64,
    disk: String,
    backfill: serde_json::Value,
}

async fn page(State(state): State<Arc<AppState>>) -> Response {
    let stats = state.store.stats().unwrap_or_default();
    let i = &state.ingest;
    let page = StatusPage {
        version: env!("CARGO_PKG_VERSION"),
        connected: i.connected.load(Ordering::Relaxed),
        endpoint: state.cfg.endpoint(),
        lag: i
            .lag_secs()
            .map_or_else(|| "no events yet".into(), |s| format!("{s:.1} s")),
        rate: format!("{:.0}", i.rate()),
        received: i.received.load(Ordering::Relaxed),
        skipped: i.skipped.load(Ordering::Relaxed),
        connects: i.connects.load(Ordering::Relaxed),
        gaps: state.store.gaps().map(|g| g.len()).unwrap_or(0),
        records: stats.records,
        actors: stats.actors,
        disk: format!("{:.1} MB", stats.disk_bytes as f64 / 1e6),
        backfill: backfill(&state),
    };
    match page.render() {
        Ok(html) => (
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("status page: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
