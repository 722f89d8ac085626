//! `app.bsky.notification.getUnreadCount`: notifications since the viewer's `seenAt`.

use crate::xrpc::prelude::*;

/// Counted up to this many (clients show "99+" long before).
const CAP: usize = 1000;

pub async fn handler(State(state): State<Arc<AppState>>, Authed(viewer): Authed) -> XrpcResult {
    Ok(Json(json!({ "count": unread(&state, &viewer)? })))
}

/// The viewer's notifications since their `seenAt` (the nav badge counts the same).
pub fn unread(state: &AppState, viewer: &str) -> aerie_storage::Result<u64> {
    let since = state.store.seen_at(viewer)?.unwrap_or(i64::MIN);
    state.store.unread_count(viewer, since, CAP)
}
