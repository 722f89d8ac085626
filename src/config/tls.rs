//! Configuration of HTTPS: off, certificates from an ACME CA (Let's Encrypt by default), or the
//! user's own certificate files.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// How Aerie gets a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain HTTP only (behind a TLS-terminating proxy, or for local use).
    #[default]
    Off,
    /// Certificates from an ACME CA, renewed without a restart.
    Acme,
    /// The user's certificate and key files, reloaded on change or SIGHUP.
    Files,
}

/// Which ACME challenge proves control of the domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Challenge {
    /// TLS-ALPN-01, answered on the HTTPS listener (port 443).
    #[default]
    #[serde(rename = "tls-alpn-01")]
    TlsAlpn01,
    /// HTTP-01, answered on the plain listener (port 80).
    #[serde(rename = "http-01")]
    Http01,
}

/// HTTPS settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TlsConfig {
    /// `off`, `acme` or `files`.
    pub mode: TlsMode,
    /// The HTTPS listen address.
    pub listen: SocketAddr,
    /// Domains the certificate is for (`acme`).
    pub domains: Vec<String>,
    /// Contact email given to the CA (`acme`).
    pub email: Option<String>,
    /// Use Let's Encrypt's staging directory (`acme`, untrusted certificates, for trying out).
    pub staging: bool,
    /// Another ACME directory (a private CA, or Pebble in tests); overrides `staging`.
    pub directory_url: Option<String>,
    /// A PEM file of CA certificates to trust when talking to `directory_url` (instead of the
    /// public roots).
    pub directory_ca: Option<PathBuf>,
    /// The ACME challenge: `tls-alpn-01` or `http-01`.
    pub challenge: Challenge,
    /// Certificate chain, PEM (`files`).
    pub cert: Option<PathBuf>,
    /// Private key, PEM (`files`).
    pub key: Option<PathBuf>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            mode: TlsMode::Off,
            listen: SocketAddr::from(([0, 0, 0, 0], 443)),
            domains: Vec::new(),
            email: None,
            staging: false,
            directory_url: None,
            directory_ca: None,
            challenge: Challenge::TlsAlpn01,
            cert: None,
            key: None,
        }
    }
}
