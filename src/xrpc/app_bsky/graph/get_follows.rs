//! `app.bsky.graph.getFollows`: accounts an actor follows, newest follow first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    super::follow_list(&state, viewer, &p, "follows", |s, did, cursor, limit| {
        s.follows(did, cursor, limit)
    })
}
