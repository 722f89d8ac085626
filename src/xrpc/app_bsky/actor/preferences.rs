//! `app.bsky.actor.getPreferences` / `putPreferences`: the user's preferences live on their
//! PDS; Aerie forwards the call with the session's tokens and returns the PDS's answer.

use crate::xrpc::pds::proxy;
use crate::xrpc::prelude::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::Response;

/// `app.bsky.actor.getPreferences`.
pub async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    proxy(
        &state,
        &headers,
        "app.bsky.actor.getPreferences",
        reqwest::Method::GET,
        None,
    )
    .await
}

/// `app.bsky.actor.putPreferences`.
pub async fn put(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = Some(("application/json".to_string(), body.to_vec()));
    proxy(
        &state,
        &headers,
        "app.bsky.actor.putPreferences",
        reqwest::Method::POST,
        body,
    )
    .await
}
