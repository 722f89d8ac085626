//! `app.bsky.feed.getPosts`: hydrated views of up to 25 posts, in the order asked.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let uris = p.list("uris", 25)?;
    let views = Views::for_viewer(&state, viewer);
    let mut posts = Vec::new();
    for raw in uris {
        let Some(id) = crate::util::syntax::record_uri(raw) else {
            return Err(XrpcError::invalid(
                "Error: Params/uris must contain valid at-uris",
            ));
        };
        posts.extend(views.post(&id)?);
    }
    Ok(Json(json!({ "posts": posts })))
}
