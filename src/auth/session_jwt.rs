//! Aerie's session tokens, shaped as a PDS shapes its own: HS256 JWTs signed with a key derived
//! from the server secret (`Secret::jwt_key`). An access token has the header `typ: at+jwt`
//! and the scope `com.atproto.appPass` (every Aerie login comes from an app password); a
//! refresh token `typ: refresh+jwt` and `com.atproto.refresh`. Both carry `sub` (the user's
//! DID), `aud` (Aerie's service DID), `iat`, `exp` and a `jti` of `<session id>.<nonce>`
//! naming the stored session, which keeps only a hash of each token (so logging out or a
//! refresh ends them). Refusals carry the reference PDS's names and messages: `InvalidToken`
//! ("Token could not be verified", "Invalid token type", "Bad token scope", "Malformed
//! token") and `ExpiredToken`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The scope of an access token made from an app password.
pub const SCOPE_APP_PASS: &str = "com.atproto.appPass";
/// The scope of a full access token (accepted, never issued: Aerie sees only app passwords).
pub const SCOPE_ACCESS: &str = "com.atproto.access";
/// The scope of a refresh token.
pub const SCOPE_REFRESH: &str = "com.atproto.refresh";

/// Which of a session's two tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Sent with every call.
    Access,
    /// Sent only to `refreshSession` and `deleteSession` (and kept in the pages' cookie).
    Refresh,
}

impl Kind {
    fn typ(self) -> &'static str {
        match self {
            Kind::Access => "at+jwt",
            Kind::Refresh => "refresh+jwt",
        }
    }

    fn accepts(self, scope: &str) -> bool {
        match self {
            Kind::Access => scope == SCOPE_APP_PASS || scope == SCOPE_ACCESS,
            Kind::Refresh => scope == SCOPE_REFRESH,
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// `InvalidToken` with the reference's message.
    #[error("{0}")]
    Invalid(&'static str),
    /// `ExpiredToken`.
    #[error("Token has expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// A session token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `com.atproto.appPass` (access) or `com.atproto.refresh`.
    pub scope: String,
    /// The user's DID.
    pub sub: String,
    /// Aerie's service DID.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// `<session id>.<nonce>`.
    pub jti: String,
}

impl Claims {
    /// The claims of a new token of `kind` for a session: `now` and `exp` in seconds.
    pub fn new(kind: Kind, did: &str, aud: &str, session_id: &str, now: i64, exp: i64) -> Self {
        let nonce = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
        Claims {
            scope: match kind {
                Kind::Access => SCOPE_APP_PASS,
                Kind::Refresh => SCOPE_REFRESH,
            }
            .to_string(),
            sub: did.to_string(),
            aud: aud.to_string(),
            iat: now,
            exp,
            jti: format!("{session_id}.{nonce}"),
        }
    }

    /// The stored session the token belongs to.
    pub fn session_id(&self) -> &str {
        self.jti.split('.').next().unwrap_or_default()
    }
}

fn b64_json<T: Serialize>(v: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

/// Signs a token of `kind`.
pub fn sign(key: &ring::hmac::Key, kind: Kind, claims: &Claims) -> String {
    let header = Header {
        alg: "HS256".into(),
        typ: Some(kind.typ().into()),
    };
    let signed = format!("{}.{}", b64_json(&header), b64_json(claims));
    let tag = ring::hmac::sign(key, signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Whether a bearer token is (shaped like) one of Aerie's session tokens rather than a
/// service-auth JWT: an HS256 header, or the opaque `aerie.` tokens of earlier versions
/// (which no longer verify: their holders log in again).
pub fn is_session_token(token: &str) -> bool {
    if token.starts_with("aerie.") {
        return true;
    }
    let header = token.split('.').next().unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice::<Header>(&b).ok())
        .is_some_and(|h| h.alg == "HS256")
}

/// The claims of a token of `kind` signed with `key` for audience `aud`, at `now` (seconds).
pub fn verify(
    key: &ring::hmac::Key,
    token: &str,
    kind: Kind,
    aud: &str,
    now: i64,
) -> Result<Claims, TokenError> {
    const UNVERIFIED: TokenError = TokenError::Invalid("Token could not be verified");
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err(UNVERIFIED);
    };
    let tag = URL_SAFE_NO_PAD.decode(s).map_err(|_| UNVERIFIED)?;
    ring::hmac::verify(key, format!("{h}.{p}").as_bytes(), &tag).map_err(|_| UNVERIFIED)?;
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
    let header: Header = decode(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(UNVERIFIED)?;
    if header.alg != "HS256" {
        return Err(UNVERIFIED);
    }
    let claims: Claims = decode(p)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Invalid("Malformed token"))?;
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    if claims.aud != aud {
        return Err(UNVERIFIED);
    }
    if header.typ.as_deref().is_some_and(|t| t != kind.typ()) {
        return Err(TokenError::Invalid("Invalid token type"));
    }
    if !crate::util::syntax::is_did(&claims.sub) || claims.session_id().is_empty() {
        return Err(TokenError::Invalid("Malformed token"));
    }
    if !kind.accepts(&claims.scope) {
        return Err(TokenError::Invalid("Bad token scope"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUD: &str = "did:web:aerie.test";
    const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

    fn key(byte: u8) -> ring::hmac::Key {
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[byte; 32])
    }

    fn part(token: &str, i: usize) -> serde_json::Value {
        let b64 = token.split('.').nth(i).expect("part");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).expect("base64url")).expect("json")
    }

    #[test]
    fn tokens_decode_as_a_pds_shapes_them() {
        let k = key(1);
        let access = sign(
            &k,
            Kind::Access,
            &Claims::new(Kind::Access, DID, AUD, "sid", 1000, 8200),
        );
        assert_eq!(
            part(&access, 0),
            serde_json::json!({"alg": "HS256", "typ": "at+jwt"})
        );
        let c = part(&access, 1);
        assert_eq!(
            (&c["sub"], &c["aud"], &c["scope"], &c["iat"], &c["exp"]),
            (
                &DID.into(),
                &AUD.into(),
                &SCOPE_APP_PASS.into(),
                &1000.into(),
                &8200.into()
            )
        );
        assert!(
            c["jti"].as_str().is_some_and(|j| j.starts_with("sid.")),
            "{c}"
        );
        let claims = verify(&k, &access, Kind::Access, AUD, 1001).expect("valid");
        assert_eq!(claims.session_id(), "sid");
        assert!(is_session_token(&access));
        assert!(is_session_token("aerie.a.id.secret"));
        let refresh = sign(
            &k,
            Kind::Refresh,
            &Claims::new(Kind::Refresh, DID, AUD, "sid", 1000, 9000),
        );
        assert_eq!(part(&refresh, 0)["typ"], "refresh+jwt");
        assert_eq!(part(&refresh, 1)["scope"], SCOPE_REFRESH);
        assert_ne!(
            part(&refresh, 1)["jti"],
            c["jti"],
            "every token its own nonce"
        );
        // A service-auth JWT (ES256K) is not a session token.
        let es = format!(
            "{}.e30.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256K","typ":"JWT"}"#)
        );
        assert!(!is_session_token(&es));
    }

    #[test]
    fn forged_misused_and_expired_tokens_are_refused_by_name() {
        let k = key(1);
        let claims = Claims::new(Kind::Access, DID, AUD, "sid", 1000, 8200);
        let access = sign(&k, Kind::Access, &claims);
        let check = |t: &str, kind| verify(&k, t, kind, AUD, 2000).err();
        let unverified = Some(TokenError::Invalid("Token could not be verified"));
        // Signed with another key.
        assert_eq!(
            check(&sign(&key(2), Kind::Access, &claims), Kind::Access),
            unverified
        );
        // Claims changed after signing.
        let parts: Vec<&str> = access.split('.').collect();
        let mut other = claims.clone();
        other.sub = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into();
        let forged = format!("{}.{}.{}", parts[0], b64_json(&other), parts[2]);
        assert_eq!(check(&forged, Kind::Access), unverified);
        assert_eq!(check("not.a.jwt", Kind::Access), unverified);
        assert_eq!(check("aerie.a.id.secret", Kind::Access), unverified);
        // A refresh token used as an access token, and the other way round.
        let refresh = sign(
            &k,
            Kind::Refresh,
            &Claims::new(Kind::Refresh, DID, AUD, "sid", 1000, 9000),
        );
        assert_eq!(
            check(&refresh, Kind::Access),
            Some(TokenError::Invalid("Invalid token type"))
        );
        assert_eq!(
            check(&access, Kind::Refresh),
            Some(TokenError::Invalid("Invalid token type"))
        );
        // Without `typ`, the scope still tells them apart.
        let untyped = |c: &Claims| {
            let h = b64_json(&Header {
                alg: "HS256".into(),
                typ: None,
            });
            let signed = format!("{h}.{}", b64_json(c));
            let tag = ring::hmac::sign(&k, signed.as_bytes());
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
        };
        let mut as_refresh = claims.clone();
        as_refresh.scope = SCOPE_REFRESH.into();
        assert_eq!(
            check(&untyped(&as_refresh), Kind::Access),
            Some(TokenError::Invalid("Bad token scope"))
        );
        // Expired, and for another audience.
        assert_eq!(
            verify(&k, &access, Kind::Access, AUD, 8200).err(),
            Some(TokenError::Expired)
        );
        assert_eq!(
            verify(&k, &access, Kind::Access, "did:web:other.test", 2000).err(),
            unverified
        );
    }
}
