//! `app.bsky.actor.getProfiles`: up to 25 detailed profiles; unknown or hidden ones are left out.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let actors = p.list("actors", 25)?;
    let views = Views::for_viewer(&state, viewer);
    let mut profiles = Vec::new();
    for raw in actors {
        let Some(did) = resolve_actor(&state, raw)? else {
            continue;
        };
        match state.store.actor(&did)? {
            Some(a) if a.active => profiles.push(views.profile(&did, ProfileKind::Detailed)?),
            _ => {}
        }
    }
    Ok(Json(json!({ "profiles": profiles })))
}
