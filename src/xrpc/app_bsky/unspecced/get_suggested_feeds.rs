//! `app.bsky.unspecced.getSuggestedFeeds` and `getPopularFeedGenerators`: the feeds the
//! accounts the viewer follows made, most liked first; with `query`, feeds found by search.

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

/// `app.bsky.unspecced.getPopularFeedGenerators`: with `query`, feeds by name and
/// description from the search index (best match, then most liked); without, the suggested
/// feeds.
pub async fn popular(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let query = p.get("query").unwrap_or_default().trim().to_string();
    if query.is_empty() {
        let feeds = suggested(&state, viewer, limit).await?;
        return Ok(Json(json!({ "feeds": feeds })));
    }
    let cursor = p.cursor().map(String::from);
    let (ids, next, _) = service::search::named(
        &state,
        viewer.clone(),
        crate::search::schema::kind::FEED,
        query,
        cursor,
        limit,
    )
    .await?;
    let feeds = service::feedgen::generators(&state, viewer, &ids).await?;
    let out = with_cursor(json!({ "feeds": feeds }), next);
    Ok(Json(out))
}
