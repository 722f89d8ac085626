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
    let seen = state.store.seen_at(&viewer)?;
    let page = state.store.notifications(&viewer, p.cursor(), limit)?;
    let views = Views::for_viewer(&state, Some(viewer.clone()));
    let mut out = Vec::with_capacity(page.items.len());
    for n in &page.items {
        if !reasons.is_empty() && !reasons.contains(&n.reason.as_str()) {
            continue;
        }
        if views.blocked_between(&viewer, &n.id.did)? || state.store.muted(&viewer, &n.id.did)? {
            continue;
        }
        out.extend(views.notification(n, seen)?);
    }
    let mut body = json!({ "notifications": out, "priority": false });
    if let Some(s) = seen {
        body["seenAt"] = json!(datetime::format_us(s));
    }
    Ok(with_cursor(body, page.cursor))
}
