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
    let page = state
        .store
        .records_in(&actor, nsid::LIKE, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer));
    let mut feed = Vec::with_capacity(page.items.len());
    for like in &page.items {
        let Some(rec) = state.store.record(like)? else {
            continue;
        };
        let value: serde_json::Value = serde_json::from_slice(&rec.value).unwrap_or_default();
        if let Facts::Like(subject) = facts::derive(nsid::LIKE, &value) {
            if let Some(post) = views.post(&subject)? {
                feed.push(json!({ "post": post }));
            }
        }
    }
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
