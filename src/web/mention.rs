//! `GET /search/mention?q=`: the composer's @-mention suggestions as JSON (`{"actors": [..]}`,
//! basic profile views), for the signed-in visitor (their blocks left out, their follows
//! first) — the page's session, so the suggestions count against the user's budget, not the
//! address's anonymous one.

use super::visitor::Visitor;
use crate::service::search;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// Suggestions listed.
const LIMIT: usize = 8;

/// `?q=`.
#[derive(Deserialize)]
pub struct MentionQuery {
    #[serde(default)]
    q: String,
}

/// `GET /search/mention`.
pub async fn suggest(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(m): Query<MentionQuery>,
) -> Response {
    let viewer = v.did().map(String::from);
    match search::actors(&state, viewer, m.q, true, None, LIMIT).await {
        Ok(found) => Json(serde_json::json!({ "actors": found.actors })).into_response(),
        Err(e) => {
            let a = e.answer();
            (
                a.status,
                Json(serde_json::json!({"error": a.name, "message": a.message})),
            )
                .into_response()
        }
    }
}
