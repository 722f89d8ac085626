//! `/.well-known/did.json`: Aerie's `did:web` document, naming its public URL as the
//! `#bsky_appview` and `#bsky_notif` services so a PDS can proxy to it (`atproto-proxy`).

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// The route.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/.well-known/did.json", get(document))
}

async fn document(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let did = state.cfg.service_did();
    let url = state.cfg.public_url();
    Json(json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "service": [
            {"id": "#bsky_appview", "type": "BskyAppView", "serviceEndpoint": url},
            {"id": "#bsky_notif", "type": "BskyNotificationService", "serviceEndpoint": url},
        ],
    }))
}
