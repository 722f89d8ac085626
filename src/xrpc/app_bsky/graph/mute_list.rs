//! `app.bsky.graph.muteActorList` / `unmuteActorList` / `getListMutes` (private, kept only in
//! Aerie) and `getListBlocks` (the viewer's listblock records).

use crate::xrpc::prelude::*;

/// `app.bsky.graph.muteActorList`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    super::set_flag(state, viewer, body, "list", true, service::lists::mute).await
}

/// `app.bsky.graph.unmuteActorList`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    super::set_flag(state, viewer, body, "list", false, service::lists::mute).await
}

/// `app.bsky.graph.getListMutes`: the lists the viewer muted.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let cursor = p.cursor().map(String::from);
    let page = service::lists::muted_lists(&state, viewer, cursor, limit).await?;
    reply(page)
}

/// `app.bsky.graph.getListBlocks`: the lists the viewer blocks.
pub async fn blocked(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let cursor = p.cursor().map(String::from);
    let page = service::list_blocks::blocked_lists(&state, viewer, cursor, limit).await?;
    reply(page)
}
