//! `app.bsky.notification.getUnreadCount`: notifications since the viewer's `seenAt`.

use crate::xrpc::prelude::*;

/// Counted up to this many (clients show "99+" long before).
const CAP: usize = 1000;

pub async fn handler(State(state): State<Arc<AppState>>, Authed(viewer): Authed) -> XrpcResult {
    let since = state.store.seen_at(&viewer)?.unwrap_or(i64::MIN);
    let count = state.store.unread_count(&viewer, since, CAP)?;
    Ok(Json(json!({ "count": count })))
}
