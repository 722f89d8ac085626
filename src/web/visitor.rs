//! Who is looking at a page. A logged-in browser carries `aerie_session`: the user's Aerie
//! refresh token sealed under the server secret (ChaCha20-Poly1305; HttpOnly, SameSite=Lax,
//! Secure under https). Every form carries a CSRF token: an HMAC of the session id when
//! logged in, else of a random nonce kept in its own cookie (`aerie_nonce`, for the login
//! form). A post whose token does not match, or whose `Origin` is another site, is refused.

use crate::AppState;
use aerie_storage::StoredSession;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::convert::Infallible;
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aerie_session";
/// The anonymous form nonce cookie's name.
pub const NONCE_COOKIE: &str = "aerie_nonce";
/// What the session cookie is sealed for (a value sealed for anything else does not open).
const SEAL_CONTEXT: &[u8] = b"aerie web session";
/// How long the session cookie lives (Aerie's refresh tokens last as long).
const SESSION_MAX_AGE: u64 = 90 * 86_400;

/// The session cookie's value for an Aerie refresh token: sealed under the server secret.
pub fn seal_session(state: &AppState, refresh: &str) -> String {
    state
        .sessions
        .secret()
        .seal(SEAL_CONTEXT, refresh.as_bytes())
}

/// The browser behind a request.
pub struct Visitor {
    /// The logged-in user's session.
    pub user: Option<StoredSession>,
    /// The refresh token the cookie held (logout ends it).
    pub refresh: Option<String>,
    /// The anonymous nonce (from its cookie, or new).
    nonce: String,
    /// Whether the nonce is new and must be set.
    new_nonce: bool,
    /// Whether cookies get `Secure`.
    secure: bool,
    /// The request's `Origin` header, when it had one.
    origin: Option<String>,
    /// The request's `Host` header.
    host: Option<String>,
}

/// A cookie's value in a `Cookie` header.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session the request's cookie logs in, and the refresh token the cookie holds.
pub fn cookie_session(state: &AppState, headers: &HeaderMap) -> Option<(StoredSession, String)> {
    let sessions = &state.sessions;
    let refresh = cookie(headers, SESSION_COOKIE)
        .and_then(|c| sessions.secret().open(SEAL_CONTEXT, c))
        .and_then(|b| String::from_utf8(b).ok())?;
    let user = sessions.by_refresh_token(&refresh).ok()?;
    Some((user, refresh))
}

impl FromRequestParts<Arc<AppState>> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Visitor::from_headers(state, &parts.headers))
    }
}

impl Visitor {
    /// The visitor a request's headers describe.
    pub fn from_headers(state: &AppState, headers: &HeaderMap) -> Self {
        let (user, refresh) = cookie_session(state, headers).unzip();
        let existing = cookie(headers, NONCE_COOKIE)
            .filter(|n| n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()));
        let header_str = |h| {
            headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        Visitor {
            refresh,
            user,
            nonce: existing.map_or_else(
                || {
                    rand::random::<[u8; 16]>()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()
                },
                String::from,
            ),
            new_nonce: existing.is_none(),
            secure: state.front.https,
            origin: header_str(header::ORIGIN),
            host: header_str(header::HOST),
        }
    }

    /// The logged-in user's DID.
    pub fn did(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.did.as_str())
    }

    fn csrf_data(&self) -> String {
        match &self.user {
            Some(u) => format!("csrf session {}", u.id),
            None => format!("csrf nonce {}", self.nonce),
        }
    }

    /// The CSRF token this visitor's forms carry.
    pub fn csrf(&self, state: &AppState) -> String {
        state.sessions.secret().mac(self.csrf_data().as_bytes())
    }

    /// Whether a posted form may act for this visitor: its token matches, and the request
    /// came from a page of this site (when the browser says where it came from).
    pub fn form_ok(&self, state: &AppState, token: &str) -> bool {
        let same_site = match (&self.origin, &self.host) {
            // `Origin: null` (a sandboxed or privacy-redirected page) is not this site.
            (Some(origin), Some(host)) => origin
                .split_once("://")
                .is_some_and(|(_, h)| h.eq_ignore_ascii_case(host)),
            _ => true,
        };
        same_site
            && state
                .sessions
                .secret()
                .verify_mac(self.csrf_data().as_bytes(), token)
    }

    /// `Set-Cookie` values the response must carry (a new nonce).
    pub fn set_cookies(&self) -> Vec<String> {
        if self.new_nonce && self.user.is_none() {
            vec![self.cookie(NONCE_COOKIE, &self.nonce, None)]
        } else {
            Vec::new()
        }
    }

    /// A cookie for this site: HttpOnly, SameSite=Lax, Secure under https.
    fn cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }

    /// The cookie that logs a browser in with an Aerie refresh token.
    pub fn login_cookie(&self, state: &AppState, refresh: &str) -> String {
        let sealed = state
            .sessions
            .secret()
            .seal(SEAL_CONTEXT, refresh.as_bytes());
        self.cookie(SESSION_COOKIE, &sealed, Some(SESSION_MAX_AGE))
    }

    /// The cookie that logs a browser out.
    pub fn logout_cookie(&self) -> String {
        self.cookie(SESSION_COOKIE, "", Some(0))
    }
}
