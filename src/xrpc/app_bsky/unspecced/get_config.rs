//! `app.bsky.unspecced.getConfig`: the runtime switches the app reads at start. Aerie asks
//! nobody to confirm an email (the PDS does), has trending topics (its own, `getTrends`) and no
//! live-now partners.

use crate::xrpc::prelude::*;

pub async fn handler() -> XrpcResult {
    Ok(Json(json!({
        "checkEmailConfirmed": false,
        "topicsEnabled": true,
        "liveNow": [],
    })))
}
