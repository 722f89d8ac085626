//! `app.bsky.feed.getAuthorFeed`: an account's posts and reposts, newest first; refused with
//! `BlockedActor` / `BlockedByActor` when the viewer and the account block each other.

use crate::service::feed::author_feed;
use crate::xrpc::prelude::*;
use aerie_storage::FeedFilter;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let filter = match p.get("filter").unwrap_or("posts_with_replies") {
            "posts_with_replies" => FeedFilter::WithReplies,
            "posts_no_replies" => FeedFilter::NoReplies,
            "posts_with_media" => FeedFilter::WithMedia,
            "posts_and_author_threads" => FeedFilter::AuthorThreads,
            "posts_with_video" => FeedFilter::WithVideo,
            other => {
                return Err(XrpcError::invalid(format!(
                    "Error: Params/filter must be one of the known values, not {other:?}"
                )))
            }
        };
        let did = p
            .actor(s, "actor")?
            .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
        Ok(author_feed(s, viewer, &did, filter, p.cursor(), limit)?)
    })
    .await
}
