//! `app.bsky.feed.getQuotes`: posts quoting a post, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let raw = p.uri("uri")?;
    let uri = raw.uri();
    let views = Views::for_viewer(&state, viewer);
    let page = match resolve_uri(&state, raw)? {
        Some(id) => state.store.quotes(&id, p.cursor(), limit)?,
        None => Page {
            items: vec![],
            cursor: None,
        },
    };
    let mut posts = Vec::new();
    for e in &page.items {
        posts.extend(views.post(&e.id)?);
    }
    let mut out = json!({ "uri": uri, "posts": posts });
    if let Some(cid) = p.get("cid") {
        out["cid"] = json!(cid);
    }
    Ok(with_cursor(out, page.cursor))
}
