//! `app.bsky.unspecced.getTrends`: the hashtags trending among the accounts the viewer follows
//! (see `service::trends`).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(10, 25)?;
        let trends = service::trends::trends(s, viewer, limit)?;
        Ok(json!({ "trends": trends }))
    })
    .await
}
