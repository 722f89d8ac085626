//! `app.bsky.feed.getPosts`: hydrated views of up to 25 posts, in the order asked.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let uris = p.list("uris", 25)?;
    let views = Views::for_viewer(&state, viewer);
    let mut ids = Vec::with_capacity(uris.len());
    for raw in uris {
        let Some(id) = crate::util::syntax::record_uri(raw) else {
            return Err(XrpcError::invalid(
                "Error: Params/uris must contain valid at-uris",
            ));
        };
        ids.push(id);
    }
    let posts: Vec<_> = views.each(&ids, |id| views.post(id))?;
    let posts: Vec<_> = posts.into_iter().flatten().collect();
    Ok(Json(json!({ "posts": posts })))
}
