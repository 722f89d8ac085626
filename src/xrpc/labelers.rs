//! The labelers of an XRPC request: `atproto-accept-labelers` read (absent: the configured
//! ones, all redacting) and carried with the request to hydration, `atproto-content-labelers`
//! answered with the labelers applied, and the labelers a local user's app names remembered,
//! once each, for the label subscriptions.

use crate::front::caller::Caller;
use crate::gate::labels::want;
use crate::hydrate::labels::{Accepted, ACCEPTED};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// Serves the request with its labelers.
pub async fn middleware(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get("atproto-accept-labelers")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let accepted = Arc::new(Accepted::parse(
        header.as_deref(),
        &state.cfg.labels.labelers,
    ));
    let local = req.extensions().get::<Caller>().is_some_and(|c| c.viewer);
    if header.is_some() && local {
        remember(&state, &accepted);
    }
    let mut resp = ACCEPTED.scope(accepted.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&accepted.header()) {
        resp.headers_mut().insert("atproto-content-labelers", v);
    }
    resp
}

/// Remembers (in the store, for the subscriptions) the labelers a local user's app named.
fn remember(state: &Arc<AppState>, accepted: &Accepted) {
    let new: Vec<String> = {
        let Ok(mut named) = state.labelers_named.lock() else {
            return;
        };
        accepted
            .labelers
            .iter()
            .filter(|(d, _)| named.len() < state.cfg.labels.max_labelers && named.insert(d.clone()))
            .map(|(d, _)| d.clone())
            .collect()
    };
    if new.is_empty() {
        return;
    }
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        for did in new {
            if let Err(e) = want(&*state.store, &did) {
                tracing::warn!("remembering labeler {did}: {e}");
            }
        }
    });
}
