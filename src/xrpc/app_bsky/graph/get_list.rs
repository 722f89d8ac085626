//! `app.bsky.graph.getList`: a list and a page of its members (a stranger's fetched from
//! their PDS).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let id = record_param(&state, &p, "list", || XrpcError::invalid("List not found")).await?;
    let page = service::lists::list(&state, viewer, &id, p.cursor(), limit).await?;
    reply(page)
}
