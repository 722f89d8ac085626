//! `app.bsky.bookmark.deleteBookmark`: removes a bookmark.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let uri = input_str(&body, "uri")?;
        let id = crate::util::syntax::record_uri(uri)
            .ok_or_else(|| XrpcError::invalid("Input/uri must be a valid at-uri"))?;
        service::bookmarks::delete(s, &viewer, &id.uri())?;
        Ok(json!({}))
    })
    .await
}
