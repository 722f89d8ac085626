//! `app.bsky.actor.getPreferences` / `putPreferences`: the user's preferences live on their
//! PDS; Aerie forwards the call with the session's tokens and returns the PDS's answer.

use crate::xrpc::pds::{forward, passthrough, session};
use crate::xrpc::prelude::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// `app.bsky.actor.getPreferences`.
pub async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let run = async {
        let s = session(&state, &headers)?;
        let resp = forward(
            &state,
            &s,
            "app.bsky.actor.getPreferences",
            reqwest::Method::GET,
            None,
            None,
        )
        .await?;
        Ok::<_, XrpcError>(passthrough(resp))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// `app.bsky.actor.putPreferences`.
pub async fn put(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        let s = session(&state, &headers)?;
        let body = Some(("application/json".to_string(), body.to_vec()));
        let resp = forward(
            &state,
            &s,
            "app.bsky.actor.putPreferences",
            reqwest::Method::POST,
            None,
            body,
        )
        .await?;
        Ok::<_, XrpcError>(passthrough(resp))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}
