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
    let sizes = p
        .int("depth", 6, 0, 1000)
        .and_then(|depth| Ok((depth as usize, p.int("parentHeight", 80, 0, 1000)? as usize)));
    let (depth, parent_height) = match sizes {
        Ok(sizes) => sizes,
        Err(e) => return e.into_response(),
    };
    crate::xrpc::thread::answer(&state, &p, "uri", move |s, id, beyond| {
        let thread =
            service::thread::post_thread(s, viewer.clone(), id, depth, parent_height, beyond)
                .map_err(|e| match e {
                    service::Error::Refused { .. } => crate::xrpc::thread::not_found(&id.uri()),
                    e => e.into(),
                })?;
        Ok(Output { thread })
    })
    .await
}
