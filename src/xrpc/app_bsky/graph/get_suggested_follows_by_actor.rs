//! `app.bsky.graph.getSuggestedFollowsByActor`: accounts like those an account follows (shown
//! after following it).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let did = p
            .actor(s, "actor")?
            .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
        let suggestions = service::suggestions::accounts(s, viewer, &did, 25)?;
        Ok(json!({ "suggestions": suggestions }))
    })
    .await
}
