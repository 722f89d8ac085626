//! `app.bsky.actor.searchActors` and `searchActorsTypeahead`: accounts by handle, name and
//! description from the search index (see `search::actors`), and in `scope = "follows"` also
//! from the network's people search when the local answer is thin.

use crate::xrpc::prelude::*;

/// `q` (or the deprecated `term`).
fn query(p: &Params) -> String {
    p.get("q")
        .or_else(|| p.get("term"))
        .unwrap_or_default()
        .to_string()
}

/// `app.bsky.actor.searchActors`.
pub async fn full(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(25, 100)?;
    let cursor = p.cursor().map(String::from);
    let found = service::search::actors(&state, viewer, query(&p), false, cursor, limit).await?;
    let out = with_cursor(json!({ "actors": found.actors }), found.cursor);
    reply(out)
}

/// `app.bsky.actor.searchActorsTypeahead`.
pub async fn typeahead(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(10, 100)?;
    let found = service::search::actors(&state, viewer, query(&p), true, None, limit).await?;
    reply(json!({ "actors": found.actors }))
}
