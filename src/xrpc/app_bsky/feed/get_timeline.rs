//! `app.bsky.feed.getTimeline`: the viewer's home timeline — the posts and reposts of the
//! accounts they follow and their own, newest first (sortAt), with a keyset cursor. Needs a
//! viewer (Aerie session or service auth from their PDS): 401 `AuthMissing` otherwise.

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    p: Params,
) -> XrpcResult {
    let viewer =
        crate::xrpc::viewer::required(&state, &headers, "app.bsky.feed.getTimeline").await?;
    let limit = p.limit(50, 100)?;
    let page = state.store.home_timeline(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer.clone()));
    let mut feed = Vec::with_capacity(page.items.len());
    for entry in &page.items {
        // Blocked either way, or muted by the viewer: not in their timeline.
        if views.blocked_between(&viewer, &entry.id.did)?
            || state.store.muted(&viewer, &entry.id.did)?
        {
            continue;
        }
        feed.extend(views.feed_item(entry)?);
    }
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
