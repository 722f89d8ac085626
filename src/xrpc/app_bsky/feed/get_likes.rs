//! `app.bsky.feed.getLikes`: who liked a record, newest first.

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
    let (likes, cursor) = match resolve_uri(&state, raw)? {
        None => (vec![], None),
        Some(id) => {
            let page = state.store.likes(&id, p.cursor(), limit)?;
            let mut likes = Vec::new();
            for e in &page.items {
                if !views.active(&e.other)? {
                    continue;
                }
                // The like's own createdAt when it is a valid datetime, else when it sorted.
                let like = state.store.record(&e.id)?;
                let indexed_at = like.as_ref().map_or(e.sort_at_us, |r| r.indexed_at_us);
                let created_at = like
                    .as_ref()
                    .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.value).ok())
                    .and_then(|v| v.get("createdAt")?.as_str().and_then(datetime::parse_us))
                    .unwrap_or(e.sort_at_us);
                likes.push(json!({
                    "indexedAt": datetime::format_us(indexed_at),
                    "createdAt": datetime::format_us(created_at),
                    "actor": views.profile(&e.other, ProfileKind::Plain)?,
                }));
            }
            (likes, page.cursor)
        }
    };
    let mut out = json!({ "uri": uri, "likes": likes });
    if let Some(cid) = p.get("cid") {
        out["cid"] = json!(cid);
    }
    Ok(with_cursor(out, cursor))
}
