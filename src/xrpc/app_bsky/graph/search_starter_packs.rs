//! `app.bsky.graph.searchStarterPacks` and `searchStarterPacksV2` (the app's): starter packs
//! by name and description from the search index; V2 also tells `hitsTotal`.

use crate::search::schema::kind;
use crate::xrpc::prelude::*;

async fn answer(state: Arc<AppState>, viewer: Option<String>, p: Params, v2: bool) -> XrpcResult {
    let q = p.required("q")?.to_string();
    let limit = p.limit(25, 100)?;
    let cursor = p.cursor().map(String::from);
    let (ids, next, total) =
        service::search::named(&state, viewer.clone(), kind::PACK, q, cursor, limit).await?;
    let mut packs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(25) {
        packs.extend(service::starter_packs::starter_packs(&state, viewer.clone(), chunk).await?);
    }
    let mut out = with_cursor(json!({ "starterPacks": packs }), next);
    if v2 {
        out["hitsTotal"] = json!(total);
    }
    reply(out)
}

/// `app.bsky.graph.searchStarterPacks`.
pub async fn v1(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    answer(state, viewer, p, false).await
}

/// `app.bsky.graph.searchStarterPacksV2`.
pub async fn v2(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    answer(state, viewer, p, true).await
}
