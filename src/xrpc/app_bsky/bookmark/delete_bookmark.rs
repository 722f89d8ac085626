//! `app.bsky.bookmark.deleteBookmark`: removes a bookmark.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let id = input_uri(&body, "uri")?;
        service::bookmarks::delete(s, &viewer, &id.uri())?;
        Ok(json!({}))
    })
    .await
}
