//! `app.bsky.actor.getProfile`: one detailed profile — the store's, else (an account beyond
//! the follows) its identity resolved and its profile record fetched from its PDS.

use crate::service::actors::{known_profile, remote_profile, Known};
use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let actor = p.required("actor")?.to_string();
    let v = viewer.clone();
    let known = run(&state, move |s| known_profile(s, v, &actor)).await?;
    let profile = match known {
        Known::Here(p) => (*p)?,
        Known::Elsewhere(actor) => remote_profile(&state, viewer, &actor).await?,
    };
    reply(profile)
}
