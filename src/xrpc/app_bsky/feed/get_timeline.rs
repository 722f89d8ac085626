//! `app.bsky.feed.getTimeline`: the viewer's home timeline — the posts and reposts of the
//! accounts they follow and their own, newest first (sortAt), with a keyset cursor. Needs a
//! viewer (Aerie session or service auth from their PDS): 401 `AuthMissing` otherwise.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    timeline(&state, &viewer, p.cursor(), p.limit(50, 100)?)
}

/// One page of the viewer's timeline as the method's output (the home page shows the same).
pub fn timeline(state: &AppState, viewer: &str, cursor: Option<&str>, limit: usize) -> XrpcResult {
    let page = state.store.home_timeline(viewer, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let items = views.each(&page.items, |entry| {
        // Blocked either way, or muted by the viewer: not in their timeline.
        if views.hidden_from_viewer(&entry.id.did)? {
            return Ok(None);
        }
        views.feed_item(entry)
    })?;
    let feed: Vec<_> = items.into_iter().flatten().collect();
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
