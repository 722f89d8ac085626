//! `com.atproto.server.describeServer`: the first call of an app's login screen when Aerie is
//! typed in as the "hosting provider". Aerie's own DID; it hosts no accounts and creates none
//! (no user domains, invite codes required), so the app offers only to sign in — with an
//! app password, checked by the user's own PDS.

use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>) -> XrpcResult {
    Ok(Json(json!({
        "did": state.cfg.service_did(),
        "availableUserDomains": [],
        "inviteCodeRequired": true,
    })))
}
