//! `app.bsky.notification.getUnreadCount`: notifications since the viewer's `seenAt`.

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

const NSID: &str = "app.bsky.notification.getUnreadCount";

/// Counted up to this many (clients show "99+" long before).
const CAP: usize = 1000;

pub async fn handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> XrpcResult {
    let viewer = crate::xrpc::viewer::required(&state, &headers, NSID).await?;
    let since = state.store.seen_at(&viewer)?.unwrap_or(i64::MIN);
    let count = state.store.unread_count(&viewer, since, CAP)?;
    Ok(Json(json!({ "count": count })))
}
