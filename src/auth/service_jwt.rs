//! Service-auth JWTs: what a PDS sends when it proxies a request to Aerie (`atproto-proxy`).
//! Checked as the reference implementation does, with its error names: three parts, a
//! compatible `typ`, not expired, `aud` = Aerie's DID, `lxm` = the method called, `iss` a DID
//! (optionally `#service`), and an ES256K or ES256 signature by the issuer's `#atproto` key
//! (`issuers.rs` looks it up, within bounds). High-S signatures are accepted, as the reference
//! does.

use crate::identity::keys::PublicKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

/// Why a token was refused: the XRPC error name (status 401) and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct AuthError {
    /// `BadJwt`, `BadJwtType`, `JwtExpired`, `BadJwtAudience`, `BadJwtLexiconMethod`,
    /// `BadJwtIss`, `BadJwtSignature`.
    pub name: &'static str,
    /// What was wrong.
    pub message: String,
}

fn err(name: &'static str, message: impl Into<String>) -> AuthError {
    AuthError {
        name,
        message: message.into(),
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
}

/// The claims Aerie uses.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Claims {
    /// The issuer: the user's DID (a `#fragment` names a service of it).
    pub iss: String,
    /// The audience.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: f64,
    /// The lexicon method the token is for.
    #[serde(default)]
    pub lxm: Option<String>,
}

impl Claims {
    /// The issuer's DID without a service fragment.
    pub fn did(&self) -> &str {
        self.iss.split('#').next().unwrap_or(&self.iss)
    }
}

/// A token split and decoded, not yet verified.
pub struct Parsed {
    alg: String,
    /// The claims.
    pub claims: Claims,
    signed: Vec<u8>,
    signature: Vec<u8>,
}

/// `app.bsky.feed.getFeed`, whose tokens are minted for the feed generator.
pub const GET_FEED: &str = "app.bsky.feed.getFeed";

/// Splits and decodes a token, and checks everything but the signature.
pub fn check(token: &str, own_did: &str, lxm: &str, now_secs: f64) -> Result<Parsed, AuthError> {
    if lxm == GET_FEED {
        // As the reference: the user's PDS mints the token for the generator (its DID is the
        // audience, getFeedSkeleton the method) and proxies getFeed here with it; Aerie passes
        // it on to the generator and reads the viewer from it.
        let lxms = ["app.bsky.feed.getFeedSkeleton", GET_FEED];
        return check_with(token, None, &lxms, now_secs);
    }
    check_with(token, Some(own_did), &[lxm], now_secs)
}

/// [`check`] for an audience (`None`: any) and the methods accepted.
fn check_with(
    token: &str,
    own_did: Option<&str>,
    lxms: &[&str],
    now_secs: f64,
) -> Result<Parsed, AuthError> {
    let lxm = lxms.first().copied().unwrap_or_default();
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err(err("BadJwt", "poorly formatted jwt"));
    };
    let json = |b64: &str| URL_SAFE_NO_PAD.decode(b64.trim_end_matches('=')).ok();
    let header: Header = json(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| err("BadJwt", "poorly formatted jwt"))?;
    if let Some(t @ ("at+jwt" | "refresh+jwt" | "dpop+jwt")) = header.typ.as_deref() {
        return Err(err("BadJwtType", format!("Invalid jwt type \"{t}\"")));
    }
    let claims: Claims = json(p)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| err("BadJwt", "poorly formatted jwt"))?;
    if now_secs > claims.exp {
        return Err(err("JwtExpired", "jwt expired"));
    }
    if own_did.is_some_and(|own| claims.aud != own) {
        return Err(err(
            "BadJwtAudience",
            "jwt audience does not match service did",
        ));
    }
    match claims.lxm.as_deref() {
        Some(m) if lxms.contains(&m) => {}
        Some(_) => {
            return Err(err(
                "BadJwtLexiconMethod",
                format!("bad jwt lexicon method (\"lxm\"). must match: {lxm}"),
            ))
        }
        None => {
            return Err(err(
                "BadJwtLexiconMethod",
                format!("missing jwt lexicon method (\"lxm\"). must match: {lxm}"),
            ))
        }
    }
    if !crate::util::syntax::is_did(claims.did()) {
        return Err(err("BadJwtIss", "jwt iss is not a valid did"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| err("BadJwtSignature", "could not verify jwt signature"))?;
    Ok(Parsed {
        alg: header.alg,
        claims,
        signed: format!("{h}.{p}").into_bytes(),
        signature,
    })
}

impl Parsed {
    /// Whether `key` signed the token with the algorithm its header names.
    pub fn verify(&self, key: &PublicKey) -> Result<bool, AuthError> {
        key.verify(&self.alg, &self.signed, &self.signature)
            .map_err(|_| err("BadJwtSignature", "could not verify jwt signature"))
    }

    /// The refusal when no key verified it.
    pub fn mismatch() -> AuthError {
        err("BadJwtSignature", "jwt signature does not match jwt issuer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::keys::tests::{did_key, sign_es256, sign_es256k};

    const AUD: &str = "did:web:aerie.test";
    const LXM: &str = "app.bsky.feed.getTimeline";

    fn token(header: &str, claims: serde_json::Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
        let h = URL_SAFE_NO_PAD.encode(header);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        let sig = sign(format!("{h}.{p}").as_bytes());
        format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn claims(exp: f64, aud: &str, lxm: Option<&str>) -> serde_json::Value {
        serde_json::json!({"iss": "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "aud": aud, "exp": exp, "lxm": lxm})
    }

    #[test]
    fn valid_tokens_of_both_curves_verify() {
        for (alg, seed) in [("ES256K", 1u8), ("ES256", 2u8)] {
            let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
            let sign = |m: &[u8]| match alg {
                "ES256K" => sign_es256k(seed, m),
                _ => sign_es256(seed, m),
            };
            let t = token(&header, claims(2e9, AUD, Some(LXM)), sign);
            let parsed = check(&t, AUD, LXM, 1e9).expect("checks");
            assert_eq!(parsed.claims.did(), "did:plc:ewvi7nxzyoun6zhxrhs64oiz");
            let key = PublicKey::from_did_key(&did_key(alg, seed)).expect("key");
            assert_eq!(parsed.verify(&key), Ok(true), "{alg}");
            let other = PublicKey::from_did_key(&did_key(alg, seed + 10)).expect("key");
            assert_eq!(parsed.verify(&other), Ok(false), "{alg}: another key");
        }
    }

    #[test]
    fn forged_expired_and_misdirected_tokens_are_refused_by_name() {
        let h = r#"{"alg":"ES256K"}"#;
        let sign = |m: &[u8]| sign_es256k(1, m);
        let name = |t: &str| check(t, AUD, LXM, 1e9).err().map(|e| e.name);
        assert_eq!(name("a.b"), Some("BadJwt"));
        assert_eq!(
            name(&token(h, claims(1.0, AUD, Some(LXM)), sign)),
            Some("JwtExpired")
        );
        assert_eq!(
            name(&token(h, claims(2e9, "did:web:other", Some(LXM)), sign)),
            Some("BadJwtAudience")
        );
        assert_eq!(
            name(&token(
                h,
                claims(2e9, AUD, Some("app.bsky.actor.getProfile")),
                sign
            )),
            Some("BadJwtLexiconMethod")
        );
        assert_eq!(
            name(&token(h, claims(2e9, AUD, None), sign)),
            Some("BadJwtLexiconMethod")
        );
        assert_eq!(
            name(&token(
                r#"{"alg":"ES256K","typ":"at+jwt"}"#,
                claims(2e9, AUD, Some(LXM)),
                sign
            )),
            Some("BadJwtType")
        );
        // A token whose payload was changed after signing.
        let good = token(h, claims(2e9, AUD, Some(LXM)), sign);
        let parts: Vec<&str> = good.split('.').collect();
        let forged_claims = serde_json::json!({"iss": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "aud": AUD, "exp": 2e9, "lxm": LXM});
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(forged_claims.to_string()),
            parts[2]
        );
        let parsed = check(&forged, AUD, LXM, 1e9).expect("well formed");
        let key = PublicKey::from_did_key(&did_key("ES256K", 1)).expect("key");
        assert_eq!(parsed.verify(&key), Ok(false));
    }
}
