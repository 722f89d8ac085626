//! `app.bsky.feed.getRepostedBy`: who reposted a record, newest first.

use crate::service::interactions::reposted_by;
use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cid: Option<String>,
    reposted_by: Vec<view::ProfileView>,
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
        let page = reposted_by(s, viewer, q.id.as_ref(), p.cursor(), q.limit)?;
        Ok(Output {
            uri: q.uri,
            cid: q.cid,
            reposted_by: page.items,
            cursor: page.cursor,
        })
    })
    .await
}
