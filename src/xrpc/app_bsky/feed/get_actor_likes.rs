//! `app.bsky.feed.getActorLikes`: the posts an account liked, newest like first. Likes are
//! only shown to their author (the viewer must be `actor`), as the reference does.

use crate::service::feed::actor_likes;
use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let actor = p
            .actor(s, "actor")?
            .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
        if actor != viewer {
            return Err(XrpcError::invalid("Profile not found"));
        }
        Ok(actor_likes(s, &viewer, p.cursor(), limit)?)
    })
    .await
}
