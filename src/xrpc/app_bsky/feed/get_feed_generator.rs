//! `app.bsky.feed.getFeedGenerator`: one feed generator, and whether its service can be found
//! (the generator record from the store, else from its creator's PDS).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let raw = p.uri("feed")?;
    let id = run(&state, move |s| resolve_uri(s, raw))
        .await?
        .ok_or_else(|| XrpcError::invalid("could not find feed"))?;
    let out = service::feedgen::generator(&state, viewer, &id).await?;
    Ok(Json(
        serde_json::to_value(out).map_err(|e| XrpcError::internal(&e))?,
    ))
}
