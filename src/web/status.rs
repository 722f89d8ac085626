//! `/ready` (store open, ingest connected, lag), `/status`, a small status page, and `/admin`: the same figures and the list of users, for the DIDs in
//! `admins` only.

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
        .route("/admin", get(admin))
        .route("/admin/export", get(export))
        .route("/ready", get(ready))
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
    css: String,
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
    /// The users (admin page only): handle or DID, where they came from, since when.
    users: Option<Vec<(String, String, String)>>,
}

async fn page(State(state): State<Arc<AppState>>) -> Response {
    render(&figures(&state, None))
}

/// Refuses anyone but an admin: logged out → the login page; logged in → "not found".
fn refuse_non_admin(state: &AppState, v: &super::visitor::Visitor, here: &str) -> Option<Response> {
    let Some(did) = v.did() else {
        return Some(super::page::redirect(&format!("/login?next={here}"), &[]));
    };
    if !state.cfg.admins.iter().any(|a| a == did) {
        return Some(super::page::error(
            state,
            v,
            StatusCode::NOT_FOUND,
            "Page not found.",
        ));
    }
    None
}

/// `/admin/export`: the whole store as `aerie export` writes it, from one snapshot of the
/// running store (a live backup; `aerie import` restores it).
async fn export(State(state): State<Arc<AppState>>, v: super::visitor::Visitor) -> Response {
    if let Some(refused) = refuse_non_admin(&state, &v, "/admin/export") {
        return refused;
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(16);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter(tx.clone());
        if let Err(e) = store.export_to(&mut w) {
            tracing::error!("export: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let name = format!(
        "attachment; filename=\"aerie-{}.export\"",
        crate::util::now_us() / 1_000_000
    );
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/octet-stream".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, name),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// Hands written bytes to an async body.
struct ChannelWriter(tokio::sync::mpsc::Sender<Result<axum::body::Bytes, std::io::Error>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(axum::body::Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `/admin`: for an admin, the figures and the users; for anyone else it does not exist.
async fn admin(State(state): State<Arc<AppState>>, v: super::visitor::Visitor) -> Response {
    if let Some(refused) = refuse_non_admin(&state, &v, "/admin") {
        return refused;
    }
    let users = state
        .store
        .local_users()
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            let name = state
                .store
                .actor(&u.did)
                .ok()
                .flatten()
                .and_then(|a| a.handle)
                .unwrap_or_else(|| u.did.clone());
            (
                name,
                u.origin,
                aerie_storage::datetime::format_us(u.added_us),
            )
        })
        .collect();
    render(&figures(&state, Some(users)))
}

fn figures(state: &AppState, users: Option<Vec<(String, String, String)>>) -> StatusPage {
    let stats = state.store.stats().unwrap_or_default();
    let i = &state.ingest;
    StatusPage {
        css: super::assets::url("app.css"),
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
        backfill: backfill(state),
        users,
    }
}

fn render(page: &StatusPage) -> Response {
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
