//! `app.bsky.unspecced.getSuggestedUsersForExplore`, `…ForDiscover`, `…ForSeeMore` and
//! `getSuggestedOnboardingUsers` (one answer for the four: Aerie has no categories) and
//! `app.bsky.actor.getSuggestions` (paged): accounts to follow from the viewer's own graph.

use crate::xrpc::prelude::*;

/// The `getSuggestedUsersFor*` methods, as routed.
pub const METHODS: [&str; 4] = [
    "getSuggestedUsersForExplore",
    "getSuggestedUsersForDiscover",
    "getSuggestedUsersForSeeMore",
    "getSuggestedOnboardingUsers",
];

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(25, 50)?;
        let actors = match viewer.clone() {
            Some(v) => service::suggestions::accounts(s, viewer, &v, limit)?,
            None => Vec::new(),
        };
        Ok(json!({ "actors": actors }))
    })
    .await
}

/// `app.bsky.actor.getSuggestions`: the same, paged by offset.
pub async fn paged(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let offset: usize = match p.cursor() {
            Some(c) => c
                .parse()
                .map_err(|_| XrpcError::invalid("invalid cursor"))?,
            None => 0,
        };
        let Some(v) = viewer.clone() else {
            return Ok(json!({ "actors": [] }));
        };
        let mut actors = service::suggestions::accounts(s, viewer, &v, offset + limit)?;
        let page: Vec<_> = actors.drain(offset.min(actors.len())..).collect();
        let mut out = json!({ "actors": page });
        if page.len() == limit {
            out["cursor"] = json!((offset + limit).to_string());
        }
        Ok(out)
    })
    .await
}
