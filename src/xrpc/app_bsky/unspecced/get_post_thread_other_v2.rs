//! `app.bsky.unspecced.getPostThreadOtherV2`: the replies a V2 thread leaves out of its main
//! list (by muted accounts, and the like), shown when the reader asks for them.

use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    thread: Vec<view::ThreadItem>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let raw = p.uri("anchor")?;
        let shown = raw.uri();
        let id = resolve_uri(s, raw)?
            .ok_or_else(|| XrpcError::named("NotFound", format!("Post not found: {shown}")))?;
        let thread = service::thread::post_thread_other_v2(s, viewer, &id)?;
        Ok(Output { thread })
    })
    .await
}
