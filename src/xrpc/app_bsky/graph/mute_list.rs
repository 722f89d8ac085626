//! `app.bsky.graph.muteActorList` / `unmuteActorList` / `getListMutes` (private, kept only in
//! Aerie) and `getListBlocks` (the viewer's listblock records).

use crate::xrpc::prelude::*;

/// `app.bsky.graph.muteActorList`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    set(state, viewer, body, true).await
}

/// `app.bsky.graph.unmuteActorList`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    set(state, viewer, body, false).await
}

/// Mutes or unmutes the list, then reads the viewer's muted lists' members again, so the
/// next request already hides (or shows) them.
async fn set(
    state: Arc<AppState>,
    viewer: String,
    body: Option<Json<serde_json::Value>>,
    on: bool,
) -> Response {
    let done = super::set_flag(
        state.clone(),
        viewer.clone(),
        body,
        "list",
        on,
        service::lists::mute,
    )
    .await;
    if done.status().is_success() {
        if let Err(e) = service::mod_lists::refresh(&state, &viewer, true).await {
            tracing::info!("muted lists of {viewer}: {e}");
        }
    }
    done
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
    let page = service::mod_lists::blocked_lists(&state, viewer, cursor, limit).await?;
    reply(page)
}
