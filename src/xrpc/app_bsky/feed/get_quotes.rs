//! `app.bsky.feed.getQuotes`: posts quoting a post, newest first.

use crate::service::interactions::quotes;
use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cid: Option<String>,
    posts: Vec<view::PostView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let raw = p.uri("uri")?;
        let uri = raw.uri();
        let id = resolve_uri(s, raw)?;
        let page = quotes(s, viewer, id.as_ref(), p.cursor(), limit)?;
        Ok(Output {
            uri,
            cid: p.get("cid").map(String::from),
            posts: page.items,
            cursor: page.cursor,
        })
    })
    .await
}
