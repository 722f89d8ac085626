//! Authentication: login sessions (Aerie's JWTs over the user's PDS session), service-auth
//! JWTs from PDSes proxying to Aerie (verified against the issuer's DID document, fetched within
//! bounds) and the server secret that seals what is kept for
//! users.

pub mod issuers;
pub mod secret;
pub mod service_jwt;
pub mod session;
pub mod session_jwt;

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
