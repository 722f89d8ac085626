//! Service-auth issuers: whose token is signed by the key in their DID document, with the
//! fetches of those documents bounded — anyone can send a token naming any DID, and no
//! signature can be checked before the document is had. Issuers whose document could not be
//! had (or names no usable key) are refused for `FAILED_TTL` without asking again; a document
//! is fetched anew for a key that did not verify (it may have rotated) at most once per
//! `REFETCH_EVERY` per issuer; and all fetches together, for issuers the identity cache does not
//! already answer for, stay within `BURST` plus one per `REFILL`, `CONCURRENT` at a time.

use super::service_jwt::{AuthError, Parsed};
use crate::identity::keys::PublicKey;
use crate::identity::{DidDoc, Resolver};
use quick_cache::sync::Cache;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an issuer whose document could not be had is refused without asking again.
pub const FAILED_TTL: Duration = Duration::from_secs(60);
/// At most one fresh fetch per issuer this often.
pub const REFETCH_EVERY: Duration = Duration::from_secs(60);
/// Fetches allowed at once after a quiet spell.
pub const BURST: u32 = 10;
/// One more fetch allowed each time this passes.
pub const REFILL: Duration = Duration::from_secs(2);
/// Fetches in flight at most.
pub const CONCURRENT: usize = 4;
/// Issuers remembered (each table), the least used forgotten first.
const REMEMBERED: usize = 10_000;

/// Why a token's issuer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssuerError {
    /// The token is not signed by the issuer's key (or the key could not be had).
    #[error(transparent)]
    Refused(#[from] AuthError),
    /// Too many issuers to look up just now: try again shortly.
    #[error("too many unknown token issuers; try again shortly")]
    Busy,
}

/// The fetch allowance: a bucket of `BURST` that refills one per `REFILL`.
struct Allowance {
    tokens: u32,
    refilled: Instant,
}

/// What is remembered about issuers.
pub struct Issuers {
    /// Issuers refused until the instant kept.
    failed: Cache<String, Instant>,
    /// When each issuer's document was last fetched.
    fetched: Cache<String, Instant>,
    allowance: Mutex<Allowance>,
    running: tokio::sync::Semaphore,
}

impl Default for Issuers {
    fn default() -> Self {
        Issuers {
            failed: Cache::new(REMEMBERED),
            fetched: Cache::new(REMEMBERED),
            allowance: Mutex::new(Allowance {
                tokens: BURST,
                refilled: Instant::now(),
            }),
            running: tokio::sync::Semaphore::new(CONCURRENT),
        }
    }
}

impl Issuers {
    /// The issuer's DID when `parsed` is signed by its `#atproto` key: the cached document's,
    /// else one fetched (within the bounds above).
    pub async fn verify(
        &self,
        resolver: &Resolver,
        parsed: &Parsed,
    ) -> Result<String, IssuerError> {
        let did = parsed.claims.did();
        let now = Instant::now();
        if self.failed.get(did).is_some_and(|until| now < until) {
            return Err(Parsed::mismatch().into());
        }
        let cached = resolver.cached_did_doc(did);
        match &cached {
            Some(Some(doc)) => {
                if signed_by(parsed, doc)? {
                    return Ok(did.to_string());
                }
                // The key may have rotated: ask again, but not for every token.
                if self
                    .fetched
                    .get(did)
                    .is_some_and(|at| now.duration_since(at) < REFETCH_EVERY)
                {
                    return Err(Parsed::mismatch().into());
                }
            }
            Some(None) => return Err(Parsed::mismatch().into()),
            None => {}
        }
        let had_cached = cached.is_some();
        let _running = self.start_fetch(now)?;
        self.fetched.insert(did.to_string(), now);
        let doc = match resolver.did_doc_fresh(did).await {
            Ok(doc) if key_of(&doc).is_some() => doc,
            Ok(_) => return Err(self.failed(did, "no usable signing key")),
            // The cached document stays good for the tokens it verifies.
            Err(_) if had_cached => return Err(Parsed::mismatch().into()),
            Err(e) => return Err(self.failed(did, &e.to_string())),
        };
        if signed_by(parsed, &doc)? {
            Ok(did.to_string())
        } else {
            Err(Parsed::mismatch().into())
        }
    }

    /// Remembers that `did`'s document could not be had.
    fn failed(&self, did: &str, why: &str) -> IssuerError {
        tracing::debug!("service-auth issuer {did} refused for {FAILED_TTL:?}: {why}");
        self.failed
            .insert(did.to_string(), Instant::now() + FAILED_TTL);
        Parsed::mismatch().into()
    }

    /// One fetch from the allowance and a place among those running, or `Busy`.
    fn start_fetch(&self, now: Instant) -> Result<tokio::sync::SemaphorePermit<'_>, IssuerError> {
        let running = self.running.try_acquire().map_err(|_| IssuerError::Busy)?;
        let mut a = self.allowance.lock().unwrap_or_else(|p| p.into_inner());
        let earned = (now.saturating_duration_since(a.refilled).as_nanos() / REFILL.as_nanos())
            .min(u128::from(BURST)) as u32;
        if earned > 0 {
            a.tokens = (a.tokens + earned).min(BURST);
            a.refilled = if a.tokens == BURST {
                now
            } else {
                a.refilled + REFILL * earned
            };
        }
        if a.tokens == 0 {
            tracing::debug!("service-auth: issuer lookups over their allowance; refusing");
            return Err(IssuerError::Busy);
        }
        a.tokens -= 1;
        Ok(running)
    }
}

/// The document's signing key, if it has one Aerie can use.
fn key_of(doc: &DidDoc) -> Option<PublicKey> {
    doc.signing_method()
        .and_then(|(kind, k)| PublicKey::from_method(&kind, &k).ok())
}

fn signed_by(parsed: &Parsed, doc: &DidDoc) -> Result<bool, AuthError> {
    match key_of(doc) {
        Some(key) => parsed.verify(&key),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_is_a_burst_then_one_per_refill() {
        let i = Issuers::default();
        let t0 = Instant::now();
        for _ in 0..BURST {
            assert!(i.start_fetch(t0).is_ok());
        }
        assert_eq!(i.start_fetch(t0).err(), Some(IssuerError::Busy));
        assert_eq!(
            i.start_fetch(t0 + REFILL / 2).err(),
            Some(IssuerError::Busy)
        );
        assert!(i.start_fetch(t0 + REFILL).is_ok());
        assert_eq!(i.start_fetch(t0 + REFILL).err(), Some(IssuerError::Busy));
        assert!(i.start_fetch(t0 + REFILL * 3).is_ok());
        assert!(i.start_fetch(t0 + REFILL * 3).is_ok());
        assert_eq!(
            i.start_fetch(t0 + REFILL * 3).err(),
            Some(IssuerError::Busy)
        );
        // A long quiet spell gives the burst back, no more.
        let later = t0 + REFILL * 1000;
        for _ in 0..BURST {
            assert!(i.start_fetch(later).is_ok());
        }
        assert_eq!(i.start_fetch(later).err(), Some(IssuerError::Busy));
    }
}
