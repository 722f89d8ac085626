//! `app.bsky.feed.getPosts`: hydrated views of up to 25 posts, in the order asked — those
//! beyond the store fetched from their authors' PDSes.

use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    posts: Vec<view::PostView>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let ids = p.uris("uris", 25)?;
    let posts = service::feed::posts(&state, viewer, ids).await?;
    reply(Output { posts })
}
