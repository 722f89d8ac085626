//! `app.bsky.graph.getBlocks`: accounts the viewer blocks, newest block first.

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    p: Params,
) -> XrpcResult {
    let viewer =
        crate::xrpc::viewer::required(&state, &headers, "app.bsky.graph.getBlocks").await?;
    let limit = p.limit(50, 100)?;
    let page = state.store.blocks(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer));
    Ok(with_cursor(
        json!({ "blocks": profiles_of(&views, &page.items)? }),
        page.cursor,
    ))
}
