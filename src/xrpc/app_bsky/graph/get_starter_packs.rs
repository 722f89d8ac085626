//! `app.bsky.graph.getStarterPacks`: up to 25 starter packs, in the order asked.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let ids = p
        .list("uris", 25)?
        .into_iter()
        .map(|raw| {
            crate::util::syntax::record_uri(raw)
                .ok_or_else(|| XrpcError::invalid("Error: Params/uris must contain valid at-uris"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let packs = service::starter_packs::starter_packs(&state, viewer, &ids).await?;
    Ok(Json(json!({ "starterPacks": packs })))
}
