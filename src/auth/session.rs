//! Login sessions. A user logs in with their handle (or DID) and an app password: Aerie
//! resolves their PDS, calls `createSession` there, keeps the PDS's tokens sealed in the store
//! and hands out its own tokens: JWTs shaped like a PDS's (`session_jwt`), whose `jti` names
//! the stored session, which keeps only their hashes (a refresh or logout ends them). The PDS
//! tokens are refreshed shortly before they expire, one refresh at a time per
//! session (refresh tokens rotate), and requests made for the user go to their PDS with them.
//! Logging out calls `deleteSession` on the PDS and forgets everything.

use super::secret::Secret;
use super::session_jwt::{self, Claims, Kind, TokenError};
use crate::gate::{own, Scope};
use crate::identity::Resolver;
use crate::outbound::{FetchError, Inbound, Outbound};
use aerie_storage::{LocalUser, Store, StoredSession};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long Aerie's access tokens last (µs).
const ACCESS_TTL_US: i64 = 2 * 3600 * 1_000_000;
/// How long Aerie's refresh tokens last (µs).
const REFRESH_TTL_US: i64 = 90 * 86_400 * 1_000_000;
/// Largest PDS response read for session calls.
const MAX_BYTES: usize = 1 << 20;

/// Why a session call failed; each maps onto an XRPC error.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The PDS refused (wrong password, `AuthFactorTokenRequired`, ...): passed on as it said.
    #[error("the PDS answered {status}: {error}: {message}")]
    Pds {
        /// Its status.
        status: u16,
        /// Its error name.
        error: String,
        /// Its message.
        message: String,
    },
    /// No token, or one Aerie did not issue or has ended (401 `InvalidToken`, with the
    /// reference's message).
    #[error("{0}")]
    InvalidToken(&'static str),
    /// An access token past its time (400 `ExpiredToken`: clients refresh on it).
    #[error("token has expired")]
    ExpiredToken,
    /// The identifier is not a handle or DID, or does not resolve.
    #[error("{0}")]
    Identifier(String),
    /// The PDS could not be reached.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] aerie_storage::Error),
}

/// The tokens Aerie hands out for a session.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The access token.
    pub access: String,
    /// The refresh token.
    pub refresh: String,
}

#[derive(Serialize, Deserialize)]
struct PdsTokens {
    access: String,
    refresh: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PdsSession {
    access_jwt: String,
    refresh_jwt: String,
    did: String,
    handle: String,
}

/// The session service.
pub struct Sessions {
    store: Arc<dyn Store>,
    secret: Secret,
    resolver: Arc<Resolver>,
    scope: Arc<Scope>,
    /// One change at a time per session (PDS refreshes rotate tokens; none may be lost).
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// A PDS access token this close to expiry is refreshed before use (s).
    refresh_margin_secs: i64,
    /// Aerie's service DID: the `aud` of its tokens.
    service_did: String,
}

/// The refusal of a token Aerie did not issue or has ended.
const ENDED: SessionError = SessionError::InvalidToken("Token could not be verified");

impl From<TokenError> for SessionError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Invalid(why) => SessionError::InvalidToken(why),
            TokenError::Expired => SessionError::ExpiredToken,
        }
    }
}

fn sha256_hex(s: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, s.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a bearer token is one of Aerie's own (as opposed to a service-auth JWT).
pub fn is_session_token(token: &str) -> bool {
    session_jwt::is_session_token(token)
}

/// `exp` of a JWT, read without verifying (the PDS's own tokens, to refresh them in time).
fn jwt_exp(jwt: &str) -> Option<i64> {
    let payload = jwt.split('.').nth(1)?;
    let v: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    v.get("exp")?.as_i64()
}

fn pds_error(resp: &Inbound) -> SessionError {
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let text = |k: &str| {
        v.get(k)
            .and_then(|e| e.as_str())
            .unwrap_or_default()
            .to_string()
    };
    SessionError::Pds {
        status: resp.status,
        error: match text("error") {
            e if e.is_empty() => "InternalServerError".into(),
            e => e,
        },
        message: text("message"),
    }
}

impl Sessions {
    /// The session service over a store.
    pub fn new(
        store: Arc<dyn Store>,
        secret: Secret,
        resolver: Arc<Resolver>,
        scope: Arc<Scope>,
        refresh_margin_secs: u64,
        service_did: String,
    ) -> Self {
        Sessions {
            store,
            secret,
            resolver,
            scope,
            locks: Mutex::default(),
            refresh_margin_secs: refresh_margin_secs.min(i64::MAX as u64) as i64,
            service_did,
        }
    }

    /// The server secret (seals cookies, signs form tokens).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The resolver sessions use (and its guarded HTTP client).
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    async fn post_json(
        &self,
        url: &str,
        bearer: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Result<Inbound, SessionError> {
        let mut out = Outbound::get(url, MAX_BYTES);
        out.method = reqwest::Method::POST;
        if let Some(b) = bearer {
            out.headers.push(("authorization", format!("Bearer {b}")));
        }
        out.body = body.map(|b| ("application/json".to_string(), b.to_string().into_bytes()));
        Ok(self.resolver.fetcher().send(out).await?)
    }

    /// Logs in at the user's PDS; returns the session, Aerie's tokens, and the PDS's answer
    /// (for the optional fields of the reply).
    pub async fn create(
        &self,
        identifier: &str,
        password: &str,
        auth_factor_token: Option<&str>,
    ) -> Result<(StoredSession, Tokens, serde_json::Value), SessionError> {
        let id = self
            .resolver
            .resolve(identifier)
            .await
            .map_err(|e| SessionError::Identifier(e.to_string()))?;
        let pds = id
            .pds
            .clone()
            .ok_or_else(|| SessionError::Identifier(format!("{} has no PDS", id.did)))?;
        let identifier = identifier.strip_prefix('@').unwrap_or(identifier);
        let mut body = serde_json::json!({"identifier": identifier, "password": password});
        if let Some(t) = auth_factor_token {
            body["authFactorToken"] = t.into();
        }
        let url = format!(
            "{}/xrpc/com.atproto.server.createSession",
            pds.trim_end_matches('/')
        );
        let resp = self.post_json(&url, None, Some(&body)).await?;
        if resp.status != 200 {
            return Err(pds_error(&resp));
        }
        let answer: serde_json::Value = serde_json::from_slice(&resp.body)
            .map_err(|e| FetchError::Body(url.clone(), e.to_string()))?;
        let s: PdsSession = serde_json::from_value(answer.clone())
            .map_err(|e| FetchError::Body(url.clone(), e.to_string()))?;
        if s.did != id.did {
            return Err(SessionError::Identifier(format!(
                "the PDS logged in {} instead of {}",
                s.did, id.did
            )));
        }
        let sid = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
        let now = crate::util::now_us();
        let (session, tokens) = self.issue(
            StoredSession {
                id: sid.clone(),
                did: s.did.clone(),
                handle: s.handle.clone(),
                pds,
                access_hash: String::new(),
                refresh_hash: String::new(),
                access_expires_us: 0,
                refresh_expires_us: 0,
                pds_tokens: self.seal(&sid, &s.access_jwt, &s.refresh_jwt),
                created_us: now,
            },
            now,
        );
        self.save(&session)?;
        let user = LocalUser {
            did: s.did.clone(),
            origin: "login".into(),
            added_us: now,
        };
        if self.scope.set_local_user(&*self.store, user, true)? {
            tracing::info!(did = %s.did, "local user added by login");
        }
        Ok((session, tokens, answer))
    }

    fn seal(&self, sid: &str, access: &str, refresh: &str) -> String {
        let tokens = PdsTokens {
            access: access.into(),
            refresh: refresh.into(),
        };
        let json = serde_json::to_vec(&tokens).unwrap_or_default();
        self.secret.seal(sid.as_bytes(), &json)
    }

    fn unseal(&self, s: &StoredSession) -> Option<PdsTokens> {
        let plain = self.secret.open(s.id.as_bytes(), &s.pds_tokens)?;
        serde_json::from_slice(&plain).ok()
    }

    /// New Aerie tokens for a session (the old ones stop working once it is saved).
    fn issue(&self, mut s: StoredSession, now: i64) -> (StoredSession, Tokens) {
        s.access_expires_us = now + ACCESS_TTL_US;
        s.refresh_expires_us = now + REFRESH_TTL_US;
        let key = self.secret.jwt_key();
        let token = |kind, exp_us: i64| {
            let (now, exp) = (now / 1_000_000, exp_us / 1_000_000);
            let claims = Claims::new(kind, &s.did, &self.service_did, &s.id, now, exp);
            session_jwt::sign(key, kind, &claims)
        };
        let tokens = Tokens {
            access: token(Kind::Access, s.access_expires_us),
            refresh: token(Kind::Refresh, s.refresh_expires_us),
        };
        s.access_hash = sha256_hex(&tokens.access);
        s.refresh_hash = sha256_hex(&tokens.refresh);
        (s, tokens)
    }

    /// The stored session a token of `kind` names, when the token verifies and is the one the
    /// session was last given.
    fn session_of(&self, token: &str, kind: Kind) -> Result<StoredSession, SessionError> {
        let now = crate::util::now_us() / 1_000_000;
        let claims =
            session_jwt::verify(self.secret.jwt_key(), token, kind, &self.service_did, now)?;
        let s = self.store.session(claims.session_id())?.ok_or(ENDED)?;
        let hash = match kind {
            Kind::Access => &s.access_hash,
            Kind::Refresh => &s.refresh_hash,
        };
        if *hash != sha256_hex(token) || s.did != claims.sub {
            return Err(ENDED);
        }
        Ok(s)
    }

    /// The session id a token of `kind` names, when it verifies (not yet checked against the
    /// store).
    fn session_id_of(&self, token: &str, kind: Kind) -> Result<String, SessionError> {
        let now = crate::util::now_us() / 1_000_000;
        let claims =
            session_jwt::verify(self.secret.jwt_key(), token, kind, &self.service_did, now)?;
        Ok(claims.session_id().to_string())
    }

    fn save(&self, s: &StoredSession) -> Result<(), SessionError> {
        Ok(own::session(&*self.store, &s.id, Some(s.clone()))?)
    }

    /// The session an access token belongs to.
    pub fn authenticate(&self, token: &str) -> Result<StoredSession, SessionError> {
        self.session_of(token, Kind::Access)
    }

    /// The session a refresh token belongs to (the web session cookie holds one).
    pub fn by_refresh_token(&self, token: &str) -> Result<StoredSession, SessionError> {
        self.session_of(token, Kind::Refresh)
    }

    /// The lock every change of one session takes (so none is lost to another).
    fn lock_of(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(id.to_string()).or_default().clone()
    }

    /// New tokens for a refresh token (which stops working).
    pub async fn refresh(&self, token: &str) -> Result<(StoredSession, Tokens), SessionError> {
        let id = self.session_id_of(token, Kind::Refresh)?;
        let lock = self.lock_of(&id);
        let _guard = lock.lock().await;
        let s = self.by_refresh_token(token)?;
        let (s, tokens) = self.issue(s, crate::util::now_us());
        self.save(&s)?;
        Ok((s, tokens))
    }

    /// Logs out: ends the PDS session (best effort) and forgets this one.
    pub async fn delete(&self, token: &str) -> Result<(), SessionError> {
        let s = self.by_refresh_token(token)?;
        if let Some(t) = self.unseal(&s) {
            let url = format!(
                "{}/xrpc/com.atproto.server.deleteSession",
                s.pds.trim_end_matches('/')
            );
            match self.post_json(&url, Some(&t.refresh), None).await {
                Ok(r) if r.status == 200 => {}
                Ok(r) => {
                    tracing::warn!(did = %s.did, status = r.status, "PDS deleteSession refused")
                }
                Err(e) => tracing::warn!(did = %s.did, "PDS deleteSession: {e}"),
            }
        }
        Ok(own::session(&*self.store, &s.id, None)?)
    }

    /// A PDS access token for the session, refreshed first when it is about to expire. One
    /// refresh runs at a time per session; whoever waited uses its result.
    pub async fn pds_access(
        &self,
        s: &StoredSession,
    ) -> Result<(StoredSession, String), SessionError> {
        let lock = self.lock_of(&s.id);
        let _guard = lock.lock().await;
        let current = self.store.session(&s.id)?.ok_or(ENDED)?;
        let tokens = self.unseal(&current).ok_or(ENDED)?;
        let now_secs = crate::util::now_us() / 1_000_000;
        let fresh = jwt_exp(&tokens.access)
            .is_some_and(|e| e.saturating_sub(now_secs) > self.refresh_margin_secs);
        if fresh {
            return Ok((current, tokens.access));
        }
        let url = format!(
            "{}/xrpc/com.atproto.server.refreshSession",
            current.pds.trim_end_matches('/')
        );
        let resp = self.post_json(&url, Some(&tokens.refresh), None).await?;
        if resp.status != 200 {
            let e = pds_error(&resp);
            tracing::warn!(did = %current.did, "PDS token refresh refused: {e}");
            return Err(e);
        }
        let renewed: PdsSession =
            serde_json::from_slice(&resp.body).map_err(|e| FetchError::Body(url, e.to_string()))?;
        let mut next = current;
        next.pds_tokens = self.seal(&next.id, &renewed.access_jwt, &renewed.refresh_jwt);
        next.handle = renewed.handle;
        self.save(&next)?;
        tracing::info!(did = %next.did, "PDS tokens refreshed");
        Ok((next, renewed.access_jwt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pds_jwts_expire() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":1700000000}"#);
        assert_eq!(jwt_exp(&format!("h.{payload}.s")), Some(1_700_000_000));
        assert_eq!(jwt_exp("garbage"), None);
    }
}
