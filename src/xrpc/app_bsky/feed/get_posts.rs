//! `app.bsky.feed.getPosts`: hydrated views of up to 25 posts, in the order asked.

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
) -> Response {
    respond(&state, move |s| {
        let ids = p.uris("uris", 25)?;
        let posts = service::feed::posts(s, viewer, &ids)?;
        Ok(Output { posts })
    })
    .await
}
