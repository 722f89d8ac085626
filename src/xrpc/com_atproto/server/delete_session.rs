//! `com.atproto.server.deleteSession`: log out (the PDS session ends too).

use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> XrpcResult {
    let token = crate::auth::bearer(&headers).ok_or_else(XrpcError::auth_missing)?;
    state.sessions.delete(token).await?;
    Ok(Json(json!({})))
}
