//! `app.bsky.graph.getStarterPack`: one starter pack with its list, a sample of its members
//! and its feeds.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let id = record_param(&state, &p, "starterPack", || {
        XrpcError::invalid("Starter pack not found")
    })
    .await?;
    let pack = service::starter_packs::starter_pack(&state, viewer, &id).await?;
    Ok(Json(json!({ "starterPack": pack })))
}
