//! `app.bsky.unspecced.getConfig`: the runtime switches the app reads at start. Aerie asks
//! nobody to confirm an email (the PDS does), shows no topics and has no live-now partners.

use crate::xrpc::prelude::*;

pub async fn handler() -> XrpcResult {
    Ok(Json(json!({
        "checkEmailConfirmed": false,
        "topicsEnabled": false,
        "liveNow": [],
    })))
}
