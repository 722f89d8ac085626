//! `app.bsky.notification.listActivitySubscriptions` / `putActivitySubscription`: whose new
//! posts (and replies) notify the viewer; private, kept only in Aerie.

use crate::hydrate::view::ActivitySubscription;
use crate::xrpc::prelude::*;

/// `app.bsky.notification.listActivitySubscriptions`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        Ok(service::subscriptions::list(s, &viewer, p.cursor(), limit)?)
    })
    .await
}

/// `app.bsky.notification.putActivitySubscription`.
pub async fn put(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let subject = input_str(&body, "subject")?;
        if !crate::util::syntax::is_did(subject) {
            return Err(XrpcError::invalid("Input/subject must be a valid did"));
        }
        let activity: ActivitySubscription = body
            .as_ref()
            .and_then(|Json(b)| serde_json::from_value(b.get("activitySubscription")?.clone()).ok())
            .ok_or_else(|| {
                XrpcError::invalid("Input must have the property \"activitySubscription\"")
            })?;
        service::subscriptions::put(s, &viewer, subject, activity)?;
        Ok(json!({ "subject": subject, "activitySubscription": activity }))
    })
    .await
}
