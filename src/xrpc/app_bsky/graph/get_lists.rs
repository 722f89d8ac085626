//! `app.bsky.graph.getLists`: the lists an account made, newest first (`purposes` filtering).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let did = actor_param(&state, &p).await?;
    let purposes = super::purposes(&p)?;
    let cursor = p.cursor().map(String::from);
    let page = service::lists::lists(&state, viewer, &did, purposes, cursor, limit).await?;
    reply(page)
}
