//! `app.bsky.graph.getFollowers`: accounts following an actor, newest follow first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    super::follow_list(&state, viewer, &p, "followers", |s, did, cursor, limit| {
        s.followers(did, cursor, limit)
    })
}
