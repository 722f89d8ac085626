//! `app.bsky.draft.*`: the user's drafts, private, kept only in Aerie.

use crate::xrpc::prelude::*;

/// `app.bsky.draft.createDraft`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let draft = body.as_ref().and_then(|Json(b)| b.get("draft"));
        let id = service::drafts::create(s, &viewer, draft)?;
        Ok(json!({ "id": id }))
    })
    .await
}

/// `app.bsky.draft.updateDraft`.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let with_id = body
            .as_ref()
            .and_then(|Json(b)| b.get("draft"))
            .ok_or_else(|| XrpcError::invalid("Input must have the property \"draft\""))?;
        let id = with_id
            .get("id")
            .and_then(|i| i.as_str())
            .ok_or_else(|| XrpcError::invalid("Input/draft must have the property \"id\""))?;
        service::drafts::update(s, &viewer, id, with_id.get("draft"))?;
        Ok(json!({}))
    })
    .await
}

/// `app.bsky.draft.deleteDraft`.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    body: Option<Json<serde_json::Value>>,
) -> Response {
    respond(&state, move |s| {
        let id = input_str(&body, "id")?;
        service::drafts::delete(s, &viewer, id)?;
        Ok(json!({}))
    })
    .await
}

/// `app.bsky.draft.getDrafts`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        Ok(service::drafts::list(s, &viewer, p.cursor(), limit)?)
    })
    .await
}
