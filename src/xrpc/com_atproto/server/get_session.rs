//! `com.atproto.server.getSession`: who the access token belongs to.

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> XrpcResult {
    let token = crate::auth::bearer(&headers).ok_or_else(XrpcError::auth_missing)?;
    let session = state.sessions.authenticate(token)?;
    Ok(Json(super::session_view(&state, &session)))
}
