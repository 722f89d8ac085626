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
        let q = super::Subject::from_params(s, &p)?;
        let page = quotes(s, viewer, q.id.as_ref(), p.cursor(), q.limit)?;
        Ok(Output {
            uri: q.uri,
            cid: q.cid,
            posts: page.items,
            cursor: page.cursor,
        })
    })
    .await
}
