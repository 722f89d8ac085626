//! `app.bsky.feed.getTimeline`: the viewer's home timeline — the posts and reposts of the
//! accounts they follow and their own, newest first (sortAt), with a keyset cursor. Needs a
//! viewer (Aerie session or service auth from their PDS): 401 `AuthMissing` otherwise.

use crate::service::feed::timeline;
use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        Ok(timeline(s, &viewer, p.cursor(), p.limit(50, 100)?)?)
    })
    .await
}
