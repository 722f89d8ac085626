//! `app.bsky.graph.muteActor` / `unmuteActor` / `getMutes`: mutes are private, so Aerie keeps
//! them itself (they never reach the PDS or the network).

use crate::xrpc::prelude::*;

fn set(
    state: &AppState,
    viewer: String,
    body: Option<Json<serde_json::Value>>,
    muted: bool,
) -> XrpcResult {
    let raw = body
        .as_ref()
        .and_then(|Json(b)| b.get("actor")?.as_str())
        .ok_or_else(|| XrpcError::invalid("Input must have the property \"actor\""))?;
    let subject =
        resolve_actor(state, raw)?.ok_or_else(|| XrpcError::invalid("Actor not found"))?;
    if subject == viewer {
        return Err(XrpcError::invalid("Cannot mute oneself"));
    }
    crate::gate::own::mute(&*state.store, viewer, subject, muted)?;
    Ok(Json(json!({})))
}

/// `app.bsky.graph.muteActor`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    set(&state, viewer, body, true)
}

/// `app.bsky.graph.unmuteActor`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    set(&state, viewer, body, false)
}

/// `app.bsky.graph.getMutes`: the viewer's mutes, as profile views.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
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
