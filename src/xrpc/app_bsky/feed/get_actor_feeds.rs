//! `app.bsky.feed.getActorFeeds`: the feed generators an account declared, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let did = p
            .actor(s, "actor")?
            .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
        Ok(service::feedgen::actor_feeds(
            s,
            viewer,
            &did,
            p.cursor(),
            limit,
        )?)
    })
    .await
}
