//! `app.bsky.feed.getListFeed`: the posts of a list's members, newest first (a list pinned as
//! a Home tab).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let raw = p.uri("list")?;
    let id = run(&state, move |s| resolve_uri(s, raw))
        .await?
        .ok_or_else(|| XrpcError::named("UnknownList", "List not found"))?;
    let cursor = p.cursor().map(String::from);
    let page = service::lists::list_feed(&state, viewer, &id, cursor, limit).await?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| XrpcError::internal(&e))?,
    ))
}
