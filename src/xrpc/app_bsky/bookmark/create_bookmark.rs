//! `app.bsky.bookmark.createBookmark`: bookmarks a post (privately).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let id = input_uri(&body, "uri")?;
        let cid = input_str(&body, "cid")?;
        if crate::util::syntax::cid_bytes(cid).is_none() {
            return Err(XrpcError::invalid("Input/cid must be a cid string"));
        }
        service::bookmarks::create(s, &viewer, &id, cid)?;
        Ok(json!({}))
    })
    .await
}
