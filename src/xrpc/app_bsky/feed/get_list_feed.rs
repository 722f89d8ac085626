//! `app.bsky.feed.getListFeed`: the posts of a list's members, newest first (a list pinned as
//! a Home tab).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let id = record_param(&state, &p, "list", || {
        XrpcError::named("UnknownList", "List not found")
    })
    .await?;
    let cursor = p.cursor().map(String::from);
    let page = service::lists::list_feed(&state, viewer, &id, cursor, limit).await?;
    reply(page)
}
