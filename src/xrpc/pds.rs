//! Calls made for the logged-in user at their PDS, with their (server-side) tokens: the
//! session is checked, the PDS token refreshed when due, the request forwarded, and the PDS's
//! answer returned as it gave it.

use crate::auth::session::SessionError;
use crate::outbound::{Inbound, Outbound};
use crate::xrpc::prelude::*;
use aerie_storage::StoredSession;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// Largest body forwarded either way (blobs included).
pub const MAX_BYTES: usize = 64 << 20;

/// The session of the request's access token.
pub fn session(state: &AppState, headers: &HeaderMap) -> Result<StoredSession, XrpcError> {
    let token = crate::auth::bearer(headers).ok_or_else(XrpcError::auth_missing)?;
    Ok(state.sessions.authenticate(token)?)
}

/// Forwards a request for `nsid` to the session's PDS.
pub async fn forward(
    state: &AppState,
    session: &StoredSession,
    nsid: &str,
    method: reqwest::Method,
    query: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> Result<Inbound, XrpcError> {
    let (session, access) = state.sessions.pds_access(session).await?;
    let mut url = format!("{}/xrpc/{nsid}", session.pds.trim_end_matches('/'));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.push('?');
        url.push_str(q);
    }
    let mut out = Outbound::get(&url, MAX_BYTES);
    out.method = method;
    out.headers
        .push(("authorization", format!("Bearer {access}")));
    out.body = body;
    let resp = state
        .resolver()
        .fetcher()
        .send(out)
        .await
        .map_err(SessionError::Fetch)?;
    Ok(resp)
}

/// Forwards a JSON body; returns the PDS's answer parsed when it succeeded.
pub async fn forward_json(
    state: &AppState,
    session: &StoredSession,
    nsid: &str,
    body: &serde_json::Value,
) -> Result<(Inbound, Option<serde_json::Value>), XrpcError> {
    let body = (
        "application/json".to_string(),
        body.to_string().into_bytes(),
    );
    let resp = forward(
        state,
        session,
        nsid,
        reqwest::Method::POST,
        None,
        Some(body),
    )
    .await?;
    let parsed = (resp.status == 200)
        .then(|| serde_json::from_slice(&resp.body).ok())
        .flatten();
    Ok((resp, parsed))
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
            forward(state, &s, nsid, method, None, body).await?,
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
