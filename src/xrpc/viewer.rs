//! Who is asking. A request may carry Aerie's own session token (clients pointed at Aerie) or
//! a service-auth JWT (a PDS proxying for its user): the latter is checked against Aerie's DID
//! and the method called, and its signature against the issuer's DID document — fetched anew
//! once if the cached key does not match (the key may have rotated).

use crate::auth::keys::PublicKey;
use crate::auth::service_jwt::{self, Parsed};
use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

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
    let did = parsed.claims.did().to_string();
    let resolver = state.resolver();
    let cached = resolver.did_doc(&did).await.ok();
    if signed_by(&parsed, cached.as_ref())? {
        return Ok(Some(did));
    }
    let fresh = resolver.did_doc_fresh(&did).await.ok();
    if signed_by(&parsed, fresh.as_ref())? {
        return Ok(Some(did));
    }
    Err(Parsed::mismatch().into())
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

fn signed_by(parsed: &Parsed, doc: Option<&crate::identity::DidDoc>) -> Result<bool, XrpcError> {
    let Some(key) = doc
        .and_then(|d| d.signing_method())
        .and_then(|(kind, k)| PublicKey::from_method(&kind, &k).ok())
    else {
        return Ok(false);
    };
    Ok(parsed.verify(&key)?)
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
