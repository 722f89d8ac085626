//! `app.bsky.feed.getAuthorFeed`: an account's posts and reposts, newest first; refused with
//! `BlockedActor` / `BlockedByActor` when the viewer and the account block each other. An
//! account Aerie does not keep has its posts read from its PDS.

use crate::service::feed::author_feed;
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
    let actor = p.required("actor")?.to_string();
    let cursor = p.cursor().map(String::from);
    let v = viewer.clone();
    let (did, page) = run(&state, move |s| -> Result<_, XrpcError> {
        let did = resolve_actor(s, &actor)?;
        match did {
            Some(did) if s.scope.keeps(&did) => {
                let page = author_feed(s, v, &did, filter, cursor.as_deref(), limit)?;
                Ok((Some(did), Some(page)))
            }
            other => Ok((other.or(Some(actor)), None)),
        }
    })
    .await?;
    if let Some(page) = page {
        return reply(page);
    }
    // Beyond the follows: the account's identity resolved (once, within the deadline), its
    // posts read from its PDS.
    let raw = did.unwrap_or_default();
    let lookup = state.resolver().resolve(&raw);
    let identity = match tokio::time::timeout(service::remote::DEADLINE, lookup).await {
        Ok(Ok(identity)) => identity,
        _ => return Err(XrpcError::invalid("Profile not found")),
    };
    let cursor = p.cursor();
    let page =
        service::remote_feed::author_feed(&state, viewer, identity, filter, cursor, limit).await?;
    reply(page)
}
