//! Identity: DIDs (`did:plc` through the PLC directory, `did:web`) to DID documents, handles to
//! DIDs (DNS TXT `_atproto.<handle>`, `https://<handle>/.well-known/atproto-did`, or a configured
//! `resolveHandle` service), each verified in both directions. Every fetch goes through the
//! guarded client of `outbound` (the SSRF guard).

mod cache;
mod doc;
pub mod keys;

pub use doc::DidDoc;

use crate::config::IdentityConfig;
use crate::outbound::{FetchError, Fetcher};
use crate::util::syntax;
use aerie_storage::IdentityKey;
use serde::Serialize;

/// What an account resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The DID.
    pub did: String,
    /// The handle, when the document claims one and it resolves back to the DID.
    pub handle: Option<String>,
    /// The handle the DID document claims, verified or not.
    pub claimed_handle: Option<String>,
    /// PDS endpoint.
    pub pds: Option<String>,
    /// Signing key (multibase).
    pub signing_key: Option<String>,
}

/// Why an identity could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Neither a DID nor a handle.
    #[error("{0:?} is neither a DID nor a handle")]
    Syntax(String),
    /// A DID method Aerie does not resolve.
    #[error("unsupported DID method in {0}")]
    Method(String),
    /// No way to resolve the handle gave a DID.
    #[error("handle {0} does not resolve to a DID")]
    HandleNotFound(String),
    /// The handle's DNS records disagree.
    #[error("handle {0} has conflicting DNS records")]
    Conflict(String),
    /// The DID document names another DID.
    #[error("the DID document for {0} is for another DID")]
    WrongDocument(String),
    /// The directory has no document for the DID (unknown or tombstoned).
    #[error("no DID document for {0}")]
    NotFound(String),
    /// A fetch failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

impl IdentityError {
    /// The lookup found nothing (worth remembering), as opposed to failing to ask.
    pub fn is_absence(&self) -> bool {
        match self {
            IdentityError::HandleNotFound(_)
            | IdentityError::NotFound(_)
            | IdentityError::WrongDocument(_) => true,
            IdentityError::Fetch(FetchError::Status { status, .. }) => {
                matches!(status, 400 | 404 | 410)
            }
            _ => false,
        }
    }
}

/// Resolves DIDs and handles.
pub struct Resolver {
    cfg: IdentityConfig,
    http: Fetcher,
    dns: Option<hickory_resolver::TokioResolver>,
    cache: Option<cache::Cache>,
}

impl Resolver {
    /// A resolver with the configured directory, handle service and guard.
    pub fn new(cfg: IdentityConfig) -> Result<Self, IdentityError> {
        let http = Fetcher::new(&cfg)?;
        let dns = hickory_resolver::TokioResolver::builder_tokio()
            .ok()
            .and_then(|b| b.build().ok());
        Ok(Resolver {
            cfg,
            http,
            dns,
            cache: None,
        })
    }

    /// The same, caching answers in `store` (`identity.cache_ttl_secs`, `negative_ttl_secs`).
    pub fn with_cache(
        cfg: IdentityConfig,
        store: std::sync::Arc<dyn aerie_storage::Store>,
    ) -> Result<Self, IdentityError> {
        let cache = cache::Cache::new(store, cfg.cache_ttl_secs, cfg.negative_ttl_secs);
        let mut r = Self::new(cfg)?;
        r.cache = Some(cache);
        Ok(r)
    }

    /// Looks `key` up in the cache, else with `fetch`, and remembers the answer (or that there
    /// was none: a missing handle or document, not a network failure).
    async fn cached<F>(
        &self,
        key: IdentityKey,
        fetch: F,
        missing: impl FnOnce() -> IdentityError,
    ) -> Result<String, IdentityError>
    where
        F: std::future::Future<Output = Result<String, IdentityError>>,
    {
        let Some(cache) = &self.cache else {
            return fetch.await;
        };
        match cache.get(&key) {
            Some(Some(v)) => return Ok(v),
            Some(None) => return Err(missing()),
            None => {}
        }
        let r = fetch.await;
        match &r {
            Ok(v) => cache.put(key, Some(v.clone())),
            Err(e) if e.is_absence() => cache.put(key, None),
            Err(_) => {}
        }
        r
    }

    /// The guarded HTTP client, for other fetches from servers people control (repositories).
    pub fn fetcher(&self) -> &Fetcher {
        &self.http
    }

    /// Resolves a DID or a handle and verifies the pair both ways.
    pub async fn resolve(&self, actor: &str) -> Result<Identity, IdentityError> {
        let actor = actor.strip_prefix('@').unwrap_or(actor);
        if syntax::is_did(actor) {
            let doc = self.did_doc(actor).await?;
            let handle = match doc.handle() {
                Some(h) => self
                    .resolve_handle(&h)
                    .await
                    .ok()
                    .filter(|d| d == actor)
                    .map(|_| h),
                None => None,
            };
            return Ok(identity(actor, &doc, handle));
        }
        if !syntax::is_handle(actor) {
            return Err(IdentityError::Syntax(actor.into()));
        }
        let handle = actor.to_ascii_lowercase();
        let did = self.resolve_handle(&handle).await?;
        let doc = self.did_doc(&did).await?;
        let verified = doc.handle().filter(|h| *h == handle);
        Ok(identity(&did, &doc, verified))
    }

    /// The DID document of a DID (cached).
    pub async fn did_doc(&self, did: &str) -> Result<DidDoc, IdentityError> {
        let text = self
            .cached(
                IdentityKey::Did(did.into()),
                async {
                    let doc = self.fetch_did_doc(did).await?;
                    serde_json::to_string(&doc).map_err(|e| {
                        IdentityError::Fetch(FetchError::Body(did.into(), e.to_string()))
                    })
                },
                || IdentityError::NotFound(did.into()),
            )
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| IdentityError::Fetch(FetchError::Body(did.into(), e.to_string())))
    }

    /// The DID document as the cache has it, without fetching: `None` when the cache has no
    /// fresh answer, `Some(None)` when it remembers there is no document.
    pub fn cached_did_doc(&self, did: &str) -> Option<Option<DidDoc>> {
        let text = self.cache.as_ref()?.get(&IdentityKey::Did(did.into()))?;
        Some(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// The DID document fetched anew (a key may have rotated), and cached.
    pub async fn did_doc_fresh(&self, did: &str) -> Result<DidDoc, IdentityError> {
        let doc = self.fetch_did_doc(did).await?;
        if let (Some(cache), Ok(text)) = (&self.cache, serde_json::to_string(&doc)) {
            cache.put(IdentityKey::Did(did.into()), Some(text));
        }
        Ok(doc)
    }

    async fn fetch_did_doc(&self, did: &str) -> Result<DidDoc, IdentityError> {
        let url = if did.starts_with("did:plc:") {
            format!("{}/{did}", self.cfg.plc_url.trim_end_matches('/'))
        } else if let Some(id) = did.strip_prefix("did:web:") {
            // Host only (atproto has no path-based did:web); a port (`%3A`) only on test networks.
            let host = id.replace("%3A", ":");
            if id.contains(':') || (host.contains(':') && !self.cfg.allow_private_addresses) {
                return Err(IdentityError::Method(did.into()));
            }
            let scheme = if host.contains(':') { "http" } else { "https" };
            format!("{scheme}://{host}/.well-known/did.json")
        } else {
            return Err(IdentityError::Method(did.into()));
        };
        let doc: DidDoc = self.http.get_json(&url).await?;
        if doc.id != did {
            return Err(IdentityError::WrongDocument(did.into()));
        }
        Ok(doc)
    }

    /// The DID a handle claims: the configured service, else DNS TXT (preferred when it
    /// answers), else the well-known file (cached).
    pub async fn resolve_handle(&self, handle: &str) -> Result<String, IdentityError> {
        self.cached(
            IdentityKey::Handle(handle.to_ascii_lowercase()),
            self.fetch_handle(handle),
            || IdentityError::HandleNotFound(handle.into()),
        )
        .await
    }

    async fn fetch_handle(&self, handle: &str) -> Result<String, IdentityError> {
        if let Some(service) = &self.cfg.handle_resolver {
            let url = format!(
                "{}/xrpc/com.atproto.identity.resolveHandle?handle={handle}",
                service.trim_end_matches('/')
            );
            let v: serde_json::Value = self.http.get_json(&url).await?;
            return v["did"]
                .as_str()
                .filter(|d| syntax::is_did(d))
                .map(String::from)
                .ok_or_else(|| IdentityError::HandleNotFound(handle.into()));
        }
        if let Some(did) = self.dns_txt(handle).await? {
            return Ok(did);
        }
        let text = self
            .http
            .get_text(&format!("https://{handle}/.well-known/atproto-did"))
            .await?;
        let did = text.trim();
        if syntax::is_did(did) {
            Ok(did.to_string())
        } else {
            Err(IdentityError::HandleNotFound(handle.into()))
        }
    }

    async fn dns_txt(&self, handle: &str) -> Result<Option<String>, IdentityError> {
        use hickory_resolver::proto::rr::RData;
        let Some(dns) = &self.dns else {
            return Ok(None);
        };
        let Ok(lookup) = dns.txt_lookup(format!("_atproto.{handle}.")).await else {
            return Ok(None);
        };
        let mut found: Vec<String> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(t) => Some(
                    t.txt_data
                        .iter()
                        .map(|p| String::from_utf8_lossy(p))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .filter_map(|s| s.strip_prefix("did=").map(str::to_string))
            .filter(|d| syntax::is_did(d))
            .collect();
        found.dedup();
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.pop()),
            _ => Err(IdentityError::Conflict(handle.into())),
        }
    }
}

fn identity(did: &str, doc: &DidDoc, handle: Option<String>) -> Identity {
    Identity {
        did: did.into(),
        handle,
        claimed_handle: doc.handle(),
        pds: doc.pds(),
        signing_key: doc.signing_key(),
    }
}
