//! `app.bsky.graph.getList`: a list and a page of its members (a stranger's fetched from
//! their PDS).

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
        .ok_or_else(|| XrpcError::invalid("List not found"))?;
    let page = service::lists::list(&state, viewer, &id, p.cursor(), limit).await?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| XrpcError::internal(&e))?,
    ))
}
