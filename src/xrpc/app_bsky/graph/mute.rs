//! `app.bsky.graph.muteActor` / `unmuteActor` / `getMutes`: mutes are private, so Aerie keeps
//! them itself (they never reach the PDS or the network).

use crate::xrpc::prelude::*;
use aerie_storage::Op;
use axum::http::HeaderMap;

async fn set(
    state: &AppState,
    headers: &HeaderMap,
    nsid: &str,
    body: Option<Json<serde_json::Value>>,
    muted: bool,
) -> XrpcResult {
    let viewer = crate::xrpc::viewer::required(state, headers, nsid).await?;
    let raw = body
        .as_ref()
        .and_then(|Json(b)| b.get("actor")?.as_str())
        .ok_or_else(|| XrpcError::invalid("Input must have the property \"actor\""))?;
    let subject =
        resolve_actor(state, raw)?.ok_or_else(|| XrpcError::invalid("Actor not found"))?;
    if subject == viewer {
        return Err(XrpcError::invalid("Cannot mute oneself"));
    }
    state.store.apply(
        &[Op::Mute {
            viewer,
            subject,
            muted,
        }],
        None,
    )?;
    Ok(Json(json!({})))
}

/// `app.bsky.graph.muteActor`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    set(&state, &headers, "app.bsky.graph.muteActor", body, true).await
}

/// `app.bsky.graph.unmuteActor`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    set(&state, &headers, "app.bsky.graph.unmuteActor", body, false).await
}

/// `app.bsky.graph.getMutes`: the viewer's mutes, as profile views.
pub async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap, p: Params) -> XrpcResult {
    let viewer = crate::xrpc::viewer::required(&state, &headers, "app.bsky.graph.getMutes").await?;
    let limit = p.limit(50, 100)?;
    let dids = state.store.mutes(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer));
    let mut mutes = Vec::with_capacity(dids.len());
    for d in &dids {
        mutes.push(views.profile(d, ProfileKind::Plain)?);
    }
    let cursor = (dids.len() == limit)
        .then(|| dids.last().cloned())
        .flatten();
    Ok(with_cursor(json!({ "mutes": mutes }), cursor))
}
