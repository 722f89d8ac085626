//! `com.atproto.server.refreshSession`: new tokens for a refresh token, which stops working.

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> XrpcResult {
    let token = crate::auth::bearer(&headers).ok_or_else(XrpcError::auth_missing)?;
    let (session, tokens) = state.sessions.refresh(token).await?;
    let mut out = super::session_view(&state, &session);
    out["accessJwt"] = json!(tokens.access);
    out["refreshJwt"] = json!(tokens.refresh);
    Ok(Json(out))
}
