//! `app.bsky.feed.getPostThread`: a post with its parents and nested replies; what the store
//! lacks of it fetched first.

use crate::xrpc::prelude::*;
use axum::response::IntoResponse;

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
    let shown = match p.uri("uri") {
        Ok(raw) => raw.uri(),
        Err(e) => return e.into_response(),
    };
    let not_found = move || XrpcError::named("NotFound", format!("Post not found: {shown}"));
    let id = match record_param(&state, &p, "uri", not_found.clone()).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let beyond = service::beyond::thread(&state, &id).await;
    respond(&state, move |s| {
        let depth = p.int("depth", 6, 0, 1000)? as usize;
        let parent_height = p.int("parentHeight", 80, 0, 1000)? as usize;
        let thread = service::thread::post_thread(s, viewer, &id, depth, parent_height, beyond)
            .map_err(|e| match e {
                service::Error::Refused { .. } => not_found(),
                e => e.into(),
            })?;
        Ok(Output { thread })
    })
    .await
}
