//! `app.bsky.graph.getFollows`: accounts an actor follows, newest follow first.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let did = known_active_actor(&state, &p)?;
    let page = state.store.follows(&did, p.cursor(), limit)?;
    let subject = Views::new(&state).profile(&did, ProfileKind::Plain)?;
    Ok(with_cursor(
        json!({ "subject": subject, "follows": profiles_of(&state, &page.items)? }),
        page.cursor,
    ))
}
