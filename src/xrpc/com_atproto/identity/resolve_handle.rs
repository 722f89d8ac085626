//! `com.atproto.identity.resolveHandle`: a handle the store has seen in identity events, else
//! (an account beyond the follows) resolved by DNS or `/.well-known/atproto-did` and verified
//! against its DID document, within the deadline.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    let handle = p.required("handle")?.to_ascii_lowercase();
    if !crate::util::syntax::is_handle(&handle) {
        return Err(XrpcError::invalid(
            "Error: Params/handle must be a valid handle",
        ));
    }
    let not_found = || XrpcError::named("HandleNotFound", "Unable to resolve handle");
    let h = handle.clone();
    if let Some(did) = run(&state, move |s| s.store.did_for_handle(&h)).await? {
        return Ok(Json(json!({ "did": did })));
    }
    let lookup = state.resolver().resolve(&handle);
    match tokio::time::timeout(service::remote::DEADLINE, lookup).await {
        Ok(Ok(identity)) if identity.handle.as_deref() == Some(handle.as_str()) => {
            Ok(Json(json!({ "did": identity.did })))
        }
        Ok(Err(e)) => {
            tracing::info!("resolveHandle {handle}: {e}");
            Err(not_found())
        }
        _ => Err(not_found()),
    }
}
