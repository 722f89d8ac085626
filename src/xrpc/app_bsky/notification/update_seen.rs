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
    run(&state, move |s| {
        service::notifications::mark_seen(s, &viewer, seen)
    })
    .await?;
    Ok(Json(json!({})))
}
