//! `app.bsky.feed.getPostThread`: a post with its parents and nested replies.

use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    thread: view::ThreadViewPost,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let depth = p.int("depth", 6, 0, 1000)? as usize;
        let parent_height = p.int("parentHeight", 80, 0, 1000)? as usize;
        let raw = p.uri("uri")?;
        let shown = raw.uri();
        let not_found = || XrpcError::named("NotFound", format!("Post not found: {shown}"));
        let id = resolve_uri(s, raw)?.ok_or_else(not_found)?;
        let thread = service::thread::post_thread(s, viewer, &id, depth, parent_height).map_err(
            |e| match e {
                service::Error::Refused { .. } => not_found(),
                e => e.into(),
            },
        )?;
        Ok(Output { thread })
    })
    .await
}
