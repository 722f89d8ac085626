//! `com.atproto.server.createSession`: log in with a handle (or DID) and an app password,
//! checked by the user's PDS; its refusals (wrong password, `AuthFactorTokenRequired`) come
//! back as it gave them, and nothing is stored.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    body: Option<Json<serde_json::Value>>,
) -> XrpcResult {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let text = |k: &str| body.get(k).and_then(|v| v.as_str());
    let (Some(identifier), Some(password)) = (text("identifier"), text("password")) else {
        return Err(XrpcError::invalid(
            "Input must have the properties \"identifier\" and \"password\"",
        ));
    };
    let (session, tokens, pds) = state
        .sessions
        .create(identifier, password, text("authFactorToken"))
        .await?;
    let mut out = super::session_view(&state, &session);
    out["accessJwt"] = json!(tokens.access);
    out["refreshJwt"] = json!(tokens.refresh);
    for k in [
        "email",
        "emailConfirmed",
        "emailAuthFactor",
        "active",
        "status",
    ] {
        if let Some(v) = pds.get(k) {
            out[k] = v.clone();
        }
    }
    Ok(Json(out))
}
