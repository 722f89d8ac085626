//! `com.atproto.identity.resolveHandle` for handles the store has seen in identity events.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    let handle = p.required("handle")?;
    if !crate::util::syntax::is_handle(handle) {
        return Err(XrpcError::invalid(
            "Error: Params/handle must be a valid handle",
        ));
    }
    let did = state
        .store
        .did_for_handle(handle)?
        .ok_or_else(|| XrpcError::named("HandleNotFound", "Unable to resolve handle"))?;
    Ok(Json(json!({ "did": did })))
}
