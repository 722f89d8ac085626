//! `app.bsky.feed.getActorLikes`: the posts an account liked, newest like first. Likes are
//! only shown to their author (the viewer must be `actor`), as the reference does.

use crate::xrpc::prelude::*;
use aerie_storage::facts::{self, nsid, Facts};

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let actor = p
        .actor(&state, "actor")?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    if actor != viewer {
        return Err(XrpcError::invalid("Profile not found"));
    }
    actor_likes(&state, &viewer, p.cursor(), limit)
}

/// One page of the posts `viewer` liked, as the method's output (their profile's Likes tab).
pub fn actor_likes(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> XrpcResult {
    let page = state.store.records_in(viewer, nsid::LIKE, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let items = views.each(&page.items, |like| {
        let Some(rec) = state.store.record(like)? else {
            return Ok(None);
        };
        let value: serde_json::Value = serde_json::from_slice(&rec.value).unwrap_or_default();
        let Facts::Like(subject) = facts::derive(nsid::LIKE, &value) else {
            return Ok(None);
        };
        Ok(views.post(&subject)?.map(|post| json!({ "post": post })))
    })?;
    let feed: Vec<_> = items.into_iter().flatten().collect();
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
