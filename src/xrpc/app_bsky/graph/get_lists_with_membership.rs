//! `app.bsky.graph.getListsWithMembership`: the viewer's own lists, each saying whether the
//! actor is on it (the app's "add to lists" dialog).

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let actor = actor_param(&state, &p).await?;
    let purposes = super::purposes(&p)?;
    let cursor = p.cursor().map(String::from);
    let page =
        service::lists::lists_with_membership(&state, viewer, actor, purposes, cursor, limit)
            .await?;
    reply(page)
}
