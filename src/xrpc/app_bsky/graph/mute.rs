//! `app.bsky.graph.muteActor` / `unmuteActor` / `getMutes`: mutes are private, so Aerie keeps
//! them itself (they never reach the PDS or the network).

use crate::xrpc::prelude::*;

fn set(
    state: &AppState,
    viewer: String,
    body: Option<Json<serde_json::Value>>,
    muted: bool,
) -> Result<serde_json::Value, XrpcError> {
    let raw = input_str(&body, "actor")?;
    let subject =
        resolve_actor(state, raw)?.ok_or_else(|| XrpcError::invalid("Actor not found"))?;
    if subject == viewer {
        return Err(XrpcError::invalid("Cannot mute oneself"));
    }
    crate::gate::own::mute(&*state.store, viewer, subject, muted)?;
    Ok(json!({}))
}

/// `app.bsky.graph.muteActor`.
pub async fn mute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, viewer, body, true)).await
}

/// `app.bsky.graph.unmuteActor`.
pub async fn unmute(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| set(s, viewer, body, false)).await
}

/// `app.bsky.graph.getMutes`'s output.
#[derive(serde::Serialize)]
pub struct MutesOut {
    mutes: Vec<view::ProfileView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// `app.bsky.graph.getMutes`: the viewer's mutes, as profile views.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let dids = s.store.mutes(&viewer, p.cursor(), limit)?;
        let views = Views::for_viewer(s, Some(viewer));
        let mutes = dids
            .iter()
            .map(|d| views.profile(d))
            .collect::<Result<Vec<_>, _>>()?;
        let cursor = (dids.len() == limit)
            .then(|| dids.last().cloned())
            .flatten();
        Ok(MutesOut { mutes, cursor })
    })
    .await
}
