//! `app.bsky.notification.listNotifications`: likes, reposts, follows, mentions, replies and
//! quotes, newest first, each with `isRead` against the viewer's `seenAt`; `reasons` filters.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let reasons: Vec<&str> = p.list("reasons", 20).unwrap_or_default();
    notifications(&state, &viewer, &reasons, p.cursor(), limit)
}

/// One page of the viewer's notifications as the method's output (the notifications page).
pub fn notifications(
    state: &AppState,
    viewer: &str,
    reasons: &[&str],
    cursor: Option<&str>,
    limit: usize,
) -> XrpcResult {
    let seen = state.store.seen_at(viewer)?;
    let page = state.store.notifications(viewer, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let items = views.each(&page.items, |n| {
        if !reasons.is_empty() && !reasons.contains(&n.reason.as_str()) {
            return Ok(None);
        }
        if views.hidden_from_viewer(&n.id.did)? {
            return Ok(None);
        }
        views.notification(n, seen)
    })?;
    let out: Vec<_> = items.into_iter().flatten().collect();
    let mut body = json!({ "notifications": out, "priority": false });
    if let Some(s) = seen {
        body["seenAt"] = json!(datetime::format_us(s));
    }
    Ok(with_cursor(body, page.cursor))
}
