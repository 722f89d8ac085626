//! `app.bsky.notification.getPreferences` / `putPreferencesV2`: the viewer's notification
//! preferences, private, kept only in Aerie.

use crate::xrpc::prelude::*;

/// Both methods' output.
#[derive(serde::Serialize)]
pub struct Output {
    preferences: service::notification_prefs::Preferences,
}

/// `app.bsky.notification.getPreferences`.
pub async fn get(State(state): State<Arc<AppState>>, Authed(viewer): Authed) -> Response {
    respond(&state, move |s| {
        let preferences = service::notification_prefs::get(s, &viewer)?;
        Ok(Output { preferences })
    })
    .await
}

/// `app.bsky.notification.putPreferencesV2`.
pub async fn put(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let input = body.map(|Json(b)| b).unwrap_or_default();
        let preferences = service::notification_prefs::put(s, &viewer, &input)?;
        Ok(Output { preferences })
    })
    .await
}
