//! Who is asking. A request may carry Aerie's own session token (clients pointed at Aerie) or
//! a service-auth JWT (a PDS proxying for its user): the latter is checked against Aerie's DID
//! and the method called, and its signature against the issuer's DID document (`auth::issuers`
//! bounds how often that is fetched). A local user the front door already verified
//! (`front::caller::Caller` in the request's extensions) is not verified again.

use crate::auth::issuers::IssuerError;
use crate::auth::service_jwt;
use crate::xrpc::prelude::*;
use axum::http::{HeaderMap, StatusCode};

/// The viewer's DID, if the request is authenticated; an error when it tries and fails.
pub async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    lxm: &str,
) -> Result<Option<String>, XrpcError> {
    let Some(token) = crate::auth::bearer(headers) else {
        return Ok(None);
    };
    if crate::auth::session::is_session_token(token) {
        return Ok(Some(state.sessions.authenticate(token)?.did));
    }
    let now = crate::util::now_us() as f64 / 1e6;
    let parsed = service_jwt::check(token, &state.cfg.service_did(), lxm, now)?;
    match state.issuers.verify(state.resolver(), &parsed).await {
        Ok(did) => Ok(Some(did)),
        Err(IssuerError::Refused(e)) => Err(e.into()),
        Err(e @ IssuerError::Busy) => Err(XrpcError::with_status(
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimitExceeded",
            e.to_string(),
        )),
    }
}

/// The viewer, required: 401 `AuthMissing` without one.
pub async fn required(
    state: &AppState,
    headers: &HeaderMap,
    lxm: &str,
) -> Result<String, XrpcError> {
    viewer(state, headers, lxm)
        .await?
        .ok_or_else(XrpcError::auth_missing)
}

/// The optional viewer of an XRPC request, as an extractor: the method (for `lxm`) is the
/// request path's NSID.
pub struct Viewer(pub Option<String>);

impl axum::extract::FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = XrpcError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let caller = parts.extensions.get::<crate::front::caller::Caller>();
        if let Some(c) = caller.filter(|c| c.viewer) {
            return Ok(Viewer(Some(c.did.clone())));
        }
        let nsid = parts.uri.path().trim_start_matches("/xrpc/").to_string();
        Ok(Viewer(viewer(state, &parts.headers, &nsid).await?))
    }
}

/// The viewer of an XRPC method that needs one: 401 `AuthMissing` without.
pub struct Authed(pub String);

impl axum::extract::FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = XrpcError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Viewer(v) =
            <Viewer as axum::extract::FromRequestParts<_>>::from_request_parts(parts, state)
                .await?;
        v.map(Authed).ok_or_else(XrpcError::auth_missing)
    }
}
