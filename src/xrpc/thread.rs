//! The thread methods' shared flow: the anchor resolved and — when the store holds the thread
//! from the anchor up to its root — the answer built in that same piece of store work (one
//! turn at the store's work slots, like any other read); otherwise what the store lacks is
//! fetched from its owners' PDSes first (`service::beyond::thread`) and the answer built after.

use super::params::resolve_uri;
use super::prelude::*;
use crate::service::thread::Beyond;
use axum::response::IntoResponse;

/// `NotFound` for the post `uri`, as the reference names it.
pub fn not_found(uri: &str) -> XrpcError {
    XrpcError::named("NotFound", format!("Post not found: {uri}"))
}

/// Answers with `build` of the thread around the post the AT-URI parameter `name` names.
pub async fn answer<T, F>(state: &Arc<AppState>, p: &Params, name: &str, build: F) -> Response
where
    T: serde::Serialize + Send + 'static,
    F: Fn(&AppState, &RecordId, Beyond) -> Result<T, XrpcError> + Clone + Send + 'static,
{
    let raw = match p.uri(name) {
        Ok(raw) => raw,
        Err(e) => return e.into_response(),
    };
    let shown = raw.uri();
    let at_once = build.clone();
    // The answer is serialized inside the store work too: a deep thread is a large output.
    let first = run(state, move |s| -> Result<Response, RecordId> {
        let id = match resolve_uri(s, raw).and_then(|id| id.ok_or_else(|| not_found(&shown))) {
            Ok(id) => id,
            Err(e) => return Ok(e.into_response()),
        };
        match service::beyond::holds_thread(&*s.store, &id) {
            true => Ok(super::response(at_once(s, &id, Beyond::default()))),
            false => Err(id),
        }
    })
    .await;
    match first {
        Ok(answered) => answered,
        Err(id) => {
            let beyond = service::beyond::thread(state, &id).await;
            respond(state, move |s| build(s, &id, beyond)).await
        }
    }
}
