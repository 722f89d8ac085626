//! `app.bsky.notification.getUnreadCount`: notifications since the viewer's `seenAt`.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, Authed(viewer): Authed) -> XrpcResult {
    let count = run(&state, move |s| service::notifications::unread(s, &viewer)).await?;
    Ok(Json(json!({ "count": count })))
}
