//! `app.bsky.actor.getProfiles`: up to 25 detailed profiles; unknown or hidden ones are left out.

use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    profiles: Vec<view::ProfileViewDetailed>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let mut dids = Vec::new();
        for raw in p.list("actors", 25)? {
            dids.extend(resolve_actor(s, raw)?);
        }
        Ok(Output {
            profiles: service::actors::profiles(s, viewer, &dids)?,
        })
    })
    .await
}
