//! `app.bsky.graph.getStarterPacksWithMembership`: the viewer's own starter packs, each saying
//! whether the actor is in it (the app's "add to starter pack" dialog).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let actor = actor_param(&state, &p).await?;
    let cursor = p.cursor().map(String::from);
    let page =
        service::starter_packs::with_membership(&state, viewer, actor, cursor, limit).await?;
    reply(page)
}
