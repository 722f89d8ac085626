//! `app.bsky.unspecced.getSuggestedStarterPacks` and `getOnboardingSuggestedStarterPacks`:
//! starter packs the accounts the viewer follows made.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(10, 25)?;
    let packs = match viewer.clone() {
        Some(v) => service::suggestions::starter_packs(&state, viewer, v, limit).await?,
        None => Vec::new(),
    };
    Ok(Json(json!({ "starterPacks": packs })))
}
