//! `app.bsky.graph.getBlocks`: accounts the viewer blocks, newest block first.

use crate::service::actors::profiles_of;
use crate::xrpc::prelude::*;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    blocks: Vec<view::ProfileView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let page = s.store.blocks(&viewer, p.cursor(), limit)?;
        let views = Views::for_viewer(s, Some(viewer));
        Ok(Output {
            blocks: profiles_of(&views, &page.items)?,
            cursor: page.cursor,
        })
    })
    .await
}
