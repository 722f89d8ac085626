//! `app.bsky.feed.getFeedGenerator`: one feed generator, and whether its service can be found
//! (the generator record from the store, else from its creator's PDS).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let id = record_param(&state, &p, "feed", || {
        XrpcError::invalid("could not find feed")
    })
    .await?;
    let out = service::feedgen::generator(&state, viewer, &id).await?;
    reply(out)
}
