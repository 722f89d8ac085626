//! `app.bsky.feed.getLikes`: who liked a record, newest first.

use crate::service::interactions::{likes, Like};
use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cid: Option<String>,
    likes: Vec<Like>,
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
        let page = likes(s, viewer, q.id.as_ref(), p.cursor(), q.limit)?;
        Ok(Output {
            uri: q.uri,
            cid: q.cid,
            likes: page.items,
            cursor: page.cursor,
        })
    })
    .await
}
