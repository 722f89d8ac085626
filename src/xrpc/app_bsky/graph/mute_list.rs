//! `app.bsky.graph.muteActorList` / `unmuteActorList`: private, kept only in Aerie.

use crate::xrpc::prelude::*;

fn set(
    state: &AppState,
    viewer: &str,
    body: &Option<Json<serde_json::Value>>,
    muted: bool,
) -> Result<serde_json::Value, XrpcError> {
    let id = input_uri(body, "list")?;
    service::lists::mute(state, viewer, &id, muted)?;
    Ok(json!({}))
}

/// `app.bsky.graph.muteActorList`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, &viewer, &body, true)).await
}

/// `app.bsky.graph.unmuteActorList`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, &viewer, &body, false)).await
}
