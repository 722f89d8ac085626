//! `app.bsky.graph.getActorStarterPacks`: the starter packs an account made, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let raw = p.required("actor")?.to_string();
    let did = run(&state, move |s| resolve_actor(s, &raw))
        .await?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    let cursor = p.cursor().map(String::from);
    let page =
        service::starter_packs::actor_starter_packs(&state, viewer, &did, cursor, limit).await?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| XrpcError::internal(&e))?,
    ))
}
