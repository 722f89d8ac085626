//! `app.bsky.notification.updateSeen`: the viewer saw their notifications up to `seenAt`.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    let seen = body
        .as_ref()
        .and_then(|Json(b)| b.get("seenAt")?.as_str())
        .and_then(datetime::parse_us)
        .ok_or_else(|| XrpcError::invalid("Input/seenAt must be a valid datetime"))?;
    mark_seen(&state, &viewer, seen)?;
    Ok(Json(json!({})))
}

/// Records that `viewer` saw their notifications up to `at_us` (the notifications page too).
pub fn mark_seen(state: &AppState, viewer: &str, at_us: i64) -> aerie_storage::Result<()> {
    crate::gate::own::seen(&*state.store, viewer, at_us)
}
