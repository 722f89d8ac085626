//! `app.bsky.unspecced.getPostThreadV2`: the thread around a post as a flat list (the only
//! thread call the current Bluesky app makes); what the store lacks of it fetched first.

use crate::hydrate::thread_v2::{Shape, Sort, MAX_PARENTS};
use crate::xrpc::prelude::*;
use axum::response::IntoResponse;

/// The method's output.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    thread: Vec<view::ThreadItem>,
    has_other_replies: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    threadgate: Option<view::ThreadgateView>,
}

/// The `sort` parameter (unknown values sort as the default, as the reference does).
fn sort(p: &Params) -> Sort {
    match p.get("sort") {
        Some("newest") => Sort::Newest,
        Some("top") => Sort::Top,
        _ => Sort::Oldest,
    }
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> Response {
    let shape = match shape(&p) {
        Ok(shape) => shape,
        Err(e) => return e.into_response(),
    };
    crate::xrpc::thread::answer(&state, &p, "anchor", move |s, id, beyond| {
        let t = service::thread::post_thread_v2(s, viewer.clone(), id, shape, beyond)?;
        Ok(Output {
            thread: t.thread,
            has_other_replies: t.has_other_replies,
            threadgate: t.threadgate,
        })
    })
    .await
}

/// The thread's shape from the parameters.
fn shape(p: &Params) -> Result<Shape, XrpcError> {
    let above = match p.boolean("above", true)? {
        true => MAX_PARENTS,
        false => 0,
    };
    Ok(Shape {
        above,
        below: p.int("below", 6, 0, 20)?,
        branching: p.int("branchingFactor", 10, 0, 100)? as usize,
        sort: sort(p),
    })
}
