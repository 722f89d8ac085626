//! `tls.mode = "files"`: the user's certificate chain and private key (PEM), served through a
//! resolver whose key is swapped when the files change (checked every 30 s) or on SIGHUP, so a
//! renewal by another tool needs no restart. A change that does not load is logged and the
//! previous certificate kept.

use super::TlsError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// Loads a certificate chain and key into a signing key.
pub fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let bad = |what: &Path, e: String| TlsError::Files(format!("{}: {e}", what.display()));
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(bad(cert, "no certificate in the file".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, e.to_string()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der)
        .map_err(|e| bad(key, e.to_string()))?;
    let ck = CertifiedKey::new(chain, signing);
    ck.keys_match()
        .map_err(|e| bad(key, format!("does not match the certificate: {e}")))?;
    Ok(ck)
}

/// A resolver serving the current certificate from the files.
#[derive(Debug)]
pub struct FileResolver {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    seen: RwLock<Option<(SystemTime, SystemTime)>>,
}

fn mtimes(cert: &Path, key: &Path) -> Option<(SystemTime, SystemTime)> {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    Some((m(cert)?, m(key)?))
}

impl FileResolver {
    /// Loads the files (an error if they do not load).
    pub fn new(cert: &Path, key: &Path) -> Result<Arc<Self>, TlsError> {
        let ck = load(cert, key)?;
        Ok(Arc::new(FileResolver {
            cert: cert.into(),
            key: key.into(),
            current: RwLock::new(Arc::new(ck)),
            seen: RwLock::new(mtimes(cert, key)),
        }))
    }

    /// Loads the files again; on failure keeps the current certificate.
    pub fn reload(&self) {
        match load(&self.cert, &self.key) {
            Ok(ck) => {
                if let Ok(mut c) = self.current.write() {
                    *c = Arc::new(ck);
                }
                if let Ok(mut s) = self.seen.write() {
                    *s = mtimes(&self.cert, &self.key);
                }
                tracing::info!(cert = %self.cert.display(), "TLS certificate loaded");
            }
            Err(e) => tracing::error!("TLS certificate not reloaded, the previous one stays: {e}"),
        }
    }

    /// Reloads when either file changed since the last load.
    pub fn reload_if_changed(&self) {
        let now = mtimes(&self.cert, &self.key);
        let seen = self.seen.read().ok().and_then(|s| *s);
        if now.is_some() && now != seen {
            self.reload();
        }
    }

    /// Watches the files and SIGHUP until the process ends.
    pub fn watch(self: Arc<Self>) {
        tokio::spawn(async move {
            #[cfg(unix)]
            let mut hup =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            loop {
                #[cfg(unix)]
                {
                    let sighup = async {
                        match hup.as_mut() {
                            Some(h) => {
                                h.recv().await;
                            }
                            None => std::future::pending::<()>().await,
                        }
                    };
                    tokio::select! {
                        _ = sighup => {
                            tracing::info!("SIGHUP: reloading the TLS certificate");
                            self.reload();
                            continue;
                        }
                        _ = tokio::time::sleep(Duration::from_secs(30)) => {}
                    }
                }
                #[cfg(not(unix))]
                tokio::time::sleep(Duration::from_secs(30)).await;
                self.reload_if_changed();
            }
        });
    }
}

impl ResolvesServerCert for FileResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}
