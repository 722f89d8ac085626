//! `app.bsky.feed.getFeedGenerators`: the views of up to 25 generators, in the order asked;
//! those that cannot be found are left out (the app's Home tabs are built from this answer).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let ids = p.uris("feeds", 25)?;
    let feeds = service::feedgen::generators(&state, viewer, &ids).await?;
    Ok(Json(json!({ "feeds": feeds })))
}
