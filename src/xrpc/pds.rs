//! XRPC calls made for the logged-in user at their PDS: the request's session checked, the
//! request forwarded by the service layer's write path (`service::write`), and the PDS's
//! answer passed on as it gave it.

use crate::outbound::Inbound;
use crate::service::write::forward;
use crate::xrpc::prelude::*;
use aerie_storage::StoredSession;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The session of the request's access token.
pub fn session(state: &AppState, headers: &HeaderMap) -> Result<StoredSession, XrpcError> {
    let token = crate::auth::bearer(headers).ok_or_else(XrpcError::auth_missing)?;
    Ok(state.sessions.authenticate(token)?)
}

/// A request of the session's user, forwarded to their PDS as it came (`body`: content type
/// and bytes) and answered as the PDS answered: for methods Aerie keeps nothing of.
pub async fn proxy(
    state: &AppState,
    headers: &HeaderMap,
    nsid: &str,
    method: reqwest::Method,
    body: Option<(String, Vec<u8>)>,
) -> Response {
    let run = async {
        let s = session(state, headers)?;
        Ok::<_, XrpcError>(passthrough(
            forward(state, &s, nsid, method, None, Vec::new(), body).await?,
        ))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// The PDS's answer, passed on (status, content type and body; no body stays no body).
pub fn passthrough(resp: Inbound) -> Response {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY);
    if resp.body.is_empty() {
        return status.into_response();
    }
    let content_type = resp
        .content_type
        .unwrap_or_else(|| "application/json".to_string());
    (
        status,
        [(axum::http::header::CONTENT_TYPE, content_type)],
        resp.body,
    )
        .into_response()
}
