//! `app.bsky.bookmark.getBookmarks`: the viewer's bookmarks, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        Ok(service::bookmarks::list(s, &viewer, p.cursor(), limit)?)
    })
    .await
}
