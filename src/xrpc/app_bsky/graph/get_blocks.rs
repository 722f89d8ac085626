//! `app.bsky.graph.getBlocks`: accounts the viewer blocks, newest block first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let page = state.store.blocks(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer));
    Ok(with_cursor(
        json!({ "blocks": profiles_of(&views, &page.items)? }),
        page.cursor,
    ))
}
