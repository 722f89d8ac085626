//! Who is calling, decided once in the front door so that the rate limit can count a local
//! user's requests against their own budget: an XRPC request with a valid Aerie access token
//! (or refresh token, for `refreshSession` and `deleteSession`), a page request with the
//! session cookie, or an XRPC request with a service-auth JWT whose issuer is a local user and
//! whose signature verifies (claims first, which is cheap; the signature only for a local
//! issuer). Only verified callers are kept, in the request's extensions, where the XRPC viewer
//! reads those whose credential names a viewer (access and service-auth tokens) instead of
//! verifying again; anything else (no token, a forged or expired one, a stranger's) is left to
//! the handler, which refuses it by name, and is counted against its address.

use super::rate_limit::Class;
use crate::auth::{service_jwt, session};
use crate::AppState;
use axum::http::request::Parts;

/// A verified local user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Their DID.
    pub did: String,
    /// Whether the credential makes them the viewer of an XRPC call (an access or service-auth
    /// token; not a refresh token or a cookie).
    pub viewer: bool,
}

/// The verified local user behind a request of `class`, if any.
pub async fn identify(state: &AppState, parts: &Parts, class: Class) -> Option<Caller> {
    match class {
        Class::Xrpc => xrpc_caller(state, parts).await,
        Class::Pages => {
            let (s, _) = crate::web::visitor::cookie_session(state, &parts.headers)?;
            Some(Caller {
                did: s.did,
                viewer: false,
            })
        }
        Class::Free => None,
    }
}

async fn xrpc_caller(state: &AppState, parts: &Parts) -> Option<Caller> {
    let token = crate::auth::bearer(&parts.headers)?;
    if session::is_session_token(token) {
        let sessions = &state.sessions;
        return match sessions.authenticate(token) {
            Ok(s) => Some(Caller {
                did: s.did,
                viewer: true,
            }),
            Err(_) => sessions.by_refresh_token(token).ok().map(|s| Caller {
                did: s.did,
                viewer: false,
            }),
        };
    }
    let nsid = parts.uri.path().trim_start_matches("/xrpc/");
    let now = crate::util::now_us() as f64 / 1e6;
    let parsed = service_jwt::check(token, &state.cfg.service_did(), nsid, now).ok()?;
    if !state.scope.is_local(parsed.claims.did()) {
        return None;
    }
    let did = state.issuers.verify(state.resolver(), &parsed).await.ok()?;
    Some(Caller { did, viewer: true })
}
