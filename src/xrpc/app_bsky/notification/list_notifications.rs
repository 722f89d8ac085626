//! `app.bsky.notification.listNotifications`: likes, reposts, follows, mentions, replies and
//! quotes, newest first, each with `isRead` against the viewer's `seenAt`; `reasons` filters.

use crate::service::notifications::list;
use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let reasons: Vec<String> = p
            .list("reasons", 20)
            .unwrap_or_default()
            .into_iter()
            .map(String::from)
            .collect();
        Ok(list(s, &viewer, &reasons, p.cursor(), limit)?)
    })
    .await
}
