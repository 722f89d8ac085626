//! `app.bsky.labeler.getServices`: the labelers the app's moderation settings name (Bluesky's
//! own and the user's subscriptions, at every start), their service records fetched from their
//! PDSes when the store lacks them.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let dids = p
        .list("dids", 100)?
        .into_iter()
        .map(|d| match crate::util::syntax::is_did(d) {
            true => Ok(d.to_string()),
            false => Err(XrpcError::invalid(
                "Error: Params/dids must contain valid dids",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let detailed = p.boolean("detailed", false)?;
    let views = service::labelers::services(&state, viewer, &dids, detailed).await?;
    Ok(Json(json!({ "views": views })))
}
