//! `app.bsky.graph.muteThread` / `unmuteThread`: private, kept only in Aerie; a muted thread
//! sends no notifications and its posts say `threadMuted`.

use crate::xrpc::prelude::*;

fn set(
    state: &AppState,
    viewer: &str,
    body: &Option<Json<serde_json::Value>>,
    muted: bool,
) -> Result<serde_json::Value, XrpcError> {
    let id = input_uri(body, "root")?;
    service::thread::mute_thread(state, viewer, &id, muted)?;
    Ok(json!({}))
}

/// `app.bsky.graph.muteThread`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, &viewer, &body, true)).await
}

/// `app.bsky.graph.unmuteThread`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, &viewer, &body, false)).await
}
