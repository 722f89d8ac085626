//! `tls.mode = "acme"`: certificates for `tls.domains` from an ACME CA (Let's Encrypt, its
//! staging directory, or `tls.directory_url`), by TLS-ALPN-01 on the HTTPS listener or HTTP-01
//! on the plain one. The account and certificates are cached in `<data_dir>/acme`; renewal
//! happens in the background (rustls-acme) and the new certificate is served at once.

use super::TlsError;
use crate::config::{Challenge, Config};
use futures_util::StreamExt;
use rustls::server::ResolvesServerCert;
use rustls_acme::caches::DirCache;
use rustls_acme::{AcmeConfig, ResolvesServerCertAcme, UseChallenge};
use std::sync::Arc;

/// What serving needs from ACME.
pub struct Acme {
    /// Serves the current certificate (and TLS-ALPN-01 answers).
    pub resolver: Arc<ResolvesServerCertAcme>,
    /// Whether TLS-ALPN-01 is the challenge.
    pub tls_alpn: bool,
}

/// The rustls client config for a private directory's CA (`tls.directory_ca`).
fn directory_client(cfg: &Config) -> Result<Option<Arc<rustls::ClientConfig>>, TlsError> {
    let Some(path) = &cfg.tls.directory_ca else {
        return Ok(None);
    };
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path)
        .map_err(|e| TlsError::Acme(format!("{}: {e}", path.display())))?
    {
        let cert = cert.map_err(|e| TlsError::Acme(format!("{}: {e}", path.display())))?;
        roots
            .add(cert)
            .map_err(|e| TlsError::Acme(format!("{}: {e}", path.display())))?;
    }
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TlsError::Acme(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Some(Arc::new(client)))
}

/// Starts the ACME state machine: loads the cache, orders and renews in the background.
pub fn start(cfg: &Config) -> Result<Acme, TlsError> {
    let t = &cfg.tls;
    if t.domains.is_empty() {
        return Err(TlsError::Acme(
            "tls.mode = \"acme\" needs tls.domains".into(),
        ));
    }
    let cache = cfg.data_dir.join("acme");
    std::fs::create_dir_all(&cache)
        .map_err(|e| TlsError::Acme(format!("{}: {e}", cache.display())))?;
    let mut acme = match directory_client(cfg)? {
        Some(client) => AcmeConfig::new_with_client_config(&t.domains, client),
        None => AcmeConfig::new(&t.domains),
    }
    .contact(t.email.iter().map(|e| format!("mailto:{e}")))
    .cache(DirCache::new(cache));
    acme = match &t.directory_url {
        Some(url) => acme.directory(url),
        None => acme.directory_lets_encrypt(!t.staging),
    };
    let tls_alpn = t.challenge == Challenge::TlsAlpn01;
    if !tls_alpn {
        acme = acme.challenge_type(UseChallenge::Http01);
    }
    let mut state = acme.state();
    let resolver = state.resolver();
    tokio::spawn(async move {
        while let Some(event) = state.next().await {
            match event {
                Ok(ok) => tracing::info!("ACME: {ok:?}"),
                Err(err) => tracing::error!("ACME: {err:?}"),
            }
        }
    });
    Ok(Acme { resolver, tls_alpn })
}

impl Acme {
    /// The answer to an HTTP-01 challenge token, if one is pending.
    pub fn http01(&self, token: &str) -> Option<String> {
        self.resolver.get_http_01_key_auth(token)
    }

    /// The certificate resolver for ordinary connections.
    pub fn serving(&self) -> Arc<dyn ResolvesServerCert> {
        self.resolver.clone()
    }
}
