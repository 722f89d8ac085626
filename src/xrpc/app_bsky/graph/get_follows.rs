//! `app.bsky.graph.getFollows`: accounts an actor follows, newest follow first.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    super::follow_list(&state, &p, "follows", |s, did, cursor, limit| {
        s.follows(did, cursor, limit)
    })
}
