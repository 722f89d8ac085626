//! `app.bsky.graph.getActorStarterPacks`: the starter packs an account made, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let did = actor_param(&state, &p).await?;
    let cursor = p.cursor().map(String::from);
    let page =
        service::starter_packs::actor_starter_packs(&state, viewer, &did, cursor, limit).await?;
    reply(page)
}
