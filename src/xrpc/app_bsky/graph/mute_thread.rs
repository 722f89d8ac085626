//! `app.bsky.graph.muteThread` / `unmuteThread`: private, kept only in Aerie; a muted thread
//! sends no notifications and its posts say `threadMuted`.

use crate::xrpc::prelude::*;

/// `app.bsky.graph.muteThread`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    super::set_flag(
        state,
        viewer,
        body,
        "root",
        true,
        service::thread::mute_thread,
    )
    .await
}

/// `app.bsky.graph.unmuteThread`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    super::set_flag(
        state,
        viewer,
        body,
        "root",
        false,
        service::thread::mute_thread,
    )
    .await
}
