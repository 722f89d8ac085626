//! `app.bsky.feed.getRepostedBy`: who reposted a record, newest first.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let raw = p.uri("uri")?;
    let uri = raw.uri();
    let page = match resolve_uri(&state, raw)? {
        Some(id) => state.store.reposts(&id, p.cursor(), limit)?,
        None => Page {
            items: vec![],
            cursor: None,
        },
    };
    let mut out = json!({ "uri": uri, "repostedBy": profiles_of(&Views::for_viewer(&state, viewer), &page.items)? });
    if let Some(cid) = p.get("cid") {
        out["cid"] = json!(cid);
    }
    Ok(with_cursor(out, page.cursor))
}
