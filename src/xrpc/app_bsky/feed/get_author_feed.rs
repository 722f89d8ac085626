//! `app.bsky.feed.getAuthorFeed`: an account's posts and reposts, newest first; refused with
//! `BlockedActor` / `BlockedByActor` when the viewer and the account block each other.

use crate::xrpc::prelude::*;
use aerie_storage::FeedFilter;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
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
        .actor(&state, "actor")?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    author_feed(&state, viewer, &did, filter, p.cursor(), limit)
}

/// One page of an account's feed as the method's output (the profile page shows the same).
pub fn author_feed(
    state: &AppState,
    viewer: Option<String>,
    did: &str,
    filter: FeedFilter,
    cursor: Option<&str>,
    limit: usize,
) -> XrpcResult {
    if let Some(v) = &viewer {
        if state.store.blocking(v, did)? {
            return Err(XrpcError::named(
                "BlockedActor",
                "Requester has blocked actor",
            ));
        }
        if state.store.blocking(did, v)? {
            return Err(XrpcError::named(
                "BlockedByActor",
                "Requester is blocked by actor",
            ));
        }
    }
    let views = Views::for_viewer(state, viewer);
    if !views.active(did)? {
        return Err(XrpcError::invalid("Profile not found"));
    }
    let page = state.store.author_feed(did, filter, cursor, limit)?;
    let items = views.each(&page.items, |entry| views.feed_item(entry))?;
    let feed: Vec<_> = items.into_iter().flatten().collect();
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
