//! `app.bsky.feed.getPostThread`: a post with its parents and nested replies.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let depth = p.int("depth", 6, 0, 1000)? as usize;
    let parent_height = p.int("parentHeight", 80, 0, 1000)? as usize;
    let raw = p.uri("uri")?;
    let shown = raw.uri();
    let not_found = || XrpcError::named("NotFound", format!("Post not found: {shown}"));
    let id = resolve_uri(&state, raw)?.ok_or_else(not_found)?;
    let thread = views::thread(
        &Views::for_viewer(&state, viewer),
        &id,
        depth,
        parent_height,
    )?
    .ok_or_else(not_found)?;
    Ok(Json(json!({ "thread": thread })))
}
