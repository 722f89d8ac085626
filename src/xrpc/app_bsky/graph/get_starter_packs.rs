//! `app.bsky.graph.getStarterPacks`: up to 25 starter packs, in the order asked.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let ids = p.uris("uris", 25)?;
    let packs = service::starter_packs::starter_packs(&state, viewer, &ids).await?;
    Ok(Json(json!({ "starterPacks": packs })))
}
