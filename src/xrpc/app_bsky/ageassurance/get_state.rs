//! `app.bsky.ageassurance.getState`: the server's age-assurance state of the viewer. Aerie runs
//! no age-assurance process, so the state is `unknown` (as the reference answers for an account
//! it has no record of) and the app computes it on the device from the region's rules.

use crate::xrpc::prelude::*;

pub async fn handler(Authed(_viewer): Authed, p: Params) -> XrpcResult {
    if p.get("countryCode").is_none_or(str::is_empty) {
        return Err(XrpcError::invalid(
            "Error: Params must have the property \"countryCode\"",
        ));
    }
    Ok(Json(json!({
        "state": { "status": "unknown", "access": "unknown" },
        "metadata": {},
    })))
}
