//! `app.bsky.feed.getTimeline`: the viewer's home timeline — the posts and reposts of the
//! accounts they follow and their own, newest first (sortAt), with a keyset cursor. Needs a
//! viewer (Aerie session or service auth from their PDS): 401 `AuthMissing` otherwise.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let page = state.store.home_timeline(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer.clone()));
    let mut feed = Vec::with_capacity(page.items.len());
    // Whether each author is hidden, decided once per author.
    let mut hidden: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for entry in &page.items {
        let author = entry.id.did.as_str();
        let hide = match hidden.get(author) {
            Some(h) => *h,
            None => {
                // Blocked either way, or muted by the viewer: not in their timeline.
                let h = views.blocked_between(&viewer, author)?
                    || state.store.muted(&viewer, author)?;
                hidden.insert(author, h);
                h
            }
        };
        if !hide {
            feed.extend(views.feed_item(entry)?);
        }
    }
    Ok(with_cursor(json!({ "feed": feed }), page.cursor))
}
