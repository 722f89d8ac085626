//! `app.bsky.unspecced.getSuggestedFeeds` and `getPopularFeedGenerators` (with `query`, until
//! search has an index of feeds): the feeds the accounts the viewer follows made, most liked
//! first.

use crate::xrpc::prelude::*;

/// The feeds for the viewer (none without one).
async fn suggested(
    state: &Arc<AppState>,
    viewer: Option<String>,
    limit: usize,
) -> Result<Vec<view::GeneratorView>, XrpcError> {
    let Some(v) = viewer.clone() else {
        return Ok(Vec::new());
    };
    Ok(service::suggestions::feeds(state, viewer, v, limit).await?)
}

/// `app.bsky.unspecced.getSuggestedFeeds`.
pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(10, 25)?;
    let feeds = suggested(&state, viewer, limit).await?;
    Ok(Json(json!({ "feeds": feeds })))
}

/// `app.bsky.unspecced.getPopularFeedGenerators`: the same, filtered by `query` (in the name
/// or description, case-insensitive), one page.
pub async fn popular(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let query = p.get("query").unwrap_or_default().to_lowercase();
    let mut feeds = suggested(&state, viewer, 1000).await?;
    feeds.retain(|f| {
        let text = format!(
            "{} {}",
            f.display_name,
            f.description.as_deref().unwrap_or_default()
        );
        text.to_lowercase().contains(&query)
    });
    feeds.truncate(limit);
    Ok(Json(json!({ "feeds": feeds })))
}
