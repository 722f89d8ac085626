//! `app.bsky.actor.getProfile`: one detailed profile.

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
        Ok(service::actors::profile(s, viewer, &did)?)
    })
    .await
}
