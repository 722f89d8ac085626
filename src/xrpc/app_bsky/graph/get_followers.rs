//! `app.bsky.graph.getFollowers`: accounts following an actor, newest follow first.

use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    subject: view::ProfileView,
    followers: Vec<view::ProfileView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let (subject, page) =
            super::follow_list(s, viewer, &p, |st, did, c, l| st.followers(did, c, l))?;
        Ok(Output {
            subject,
            followers: page.items,
            cursor: page.cursor,
        })
    })
    .await
}
