//! HTTPS inside the binary (what nginx and certbot did in the seed deployment). `tls.mode`:
//! `off` (plain HTTP on `listen`), `acme` (certificates from an ACME CA, see `acme`) or
//! `files` (the user's own, see `files`). With TLS on, `tls.listen` serves the app over
//! HTTPS (HTTP/1.1 with the front door's connection limits; TLS-ALPN-01 challenges answered
//! there), and the plain listener answers HTTP-01 challenges and `/health` and redirects
//! everything else to HTTPS.

pub mod acme;
pub mod files;

use crate::config::{Config, TlsMode};
use crate::front::conn;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use rustls::server::ResolvesServerCert;
use rustls::ServerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// ACME settings or cache.
    #[error("acme: {0}")]
    Acme(String),
    /// Certificate files.
    #[error("tls files: {0}")]
    Files(String),
    /// rustls refused the settings.
    #[error("tls: {0}")]
    Rustls(String),
}

/// A TLS handshake not finished in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What terminates TLS.
pub struct Tls {
    serving: Arc<ServerConfig>,
    challenge: Option<Arc<ServerConfig>>,
    acme: Option<acme::Acme>,
    port: u16,
    domain: Option<String>,
}

fn server_config(
    resolver: Arc<dyn ResolvesServerCert>,
    alpn: &[&[u8]],
) -> Result<Arc<ServerConfig>, TlsError> {
    let mut c =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Rustls(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(resolver);
    c.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(c))
}

impl Tls {
    /// TLS as configured; `None` when `tls.mode = "off"`.
    pub fn from_config(cfg: &Config) -> Result<Option<Arc<Tls>>, TlsError> {
        let (resolver, acme): (Arc<dyn ResolvesServerCert>, _) = match cfg.tls.mode {
            TlsMode::Off => return Ok(None),
            TlsMode::Files => {
                let (Some(cert), Some(key)) = (&cfg.tls.cert, &cfg.tls.key) else {
                    return Err(TlsError::Files(
                        "tls.mode = \"files\" needs tls.cert and tls.key".into(),
                    ));
                };
                let r = files::FileResolver::new(cert, key)?;
                r.clone().watch();
                (r, None)
            }
            TlsMode::Acme => {
                let a = acme::start(cfg)?;
                (a.serving(), Some(a))
            }
        };
        let challenge = match &acme {
            Some(a) if a.tls_alpn => Some(server_config(
                a.serving(),
                &[rustls_acme::acme::ACME_TLS_ALPN_NAME],
            )?),
            _ => None,
        };
        Ok(Some(Arc::new(Tls {
            serving: server_config(resolver, &[b"http/1.1"])?,
            challenge,
            acme,
            port: cfg.tls.listen.port(),
            domain: cfg.tls.domains.first().cloned(),
        })))
    }

    /// Serves over HTTPS on `listener` until shutdown.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, s: conn::Serving) {
        let stop = s.stop.clone();
        conn::accept_loop(listener, stop, move |tcp, peer| {
            let (tls, s) = (self.clone(), s.clone());
            async move { tls.connection(tcp, peer, s).await }
        })
        .await
    }

    async fn connection(
        &self,
        tcp: tokio::net::TcpStream,
        peer: SocketAddr,
        s: conn::Serving,
    ) -> Result<(), String> {
        let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp);
        let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, start)
            .await
            .map_err(|_| "handshake timed out".to_string())?
            .map_err(|e| e.to_string())?;
        if let Some(challenge) = self
            .challenge
            .as_ref()
            .filter(|_| rustls_acme::is_tls_alpn_challenge(&handshake.client_hello()))
        {
            // TLS-ALPN-01: the handshake itself is the answer.
            let mut stream = handshake
                .into_stream(challenge.clone())
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!("answered a TLS-ALPN-01 challenge");
            let _ = tokio::io::AsyncWriteExt::shutdown(&mut stream).await;
            return Ok(());
        }
        let stream = handshake
            .into_stream(self.serving.clone())
            .await
            .map_err(|e| e.to_string())?;
        conn::serve_io(stream, peer, s).await
    }

    /// The app the plain listener serves while TLS is on: `/health` (for `aerie healthcheck`),
    /// HTTP-01 challenges, and a permanent redirect to HTTPS for everything else.
    pub fn plain_app(self: Arc<Self>) -> Router {
        Router::new()
            .route("/health", get(crate::util::healthcheck::health))
            .route("/.well-known/acme-challenge/{token}", get(http01))
            .fallback(redirect)
            .with_state(self)
    }
}

async fn http01(State(tls): State<Arc<Tls>>, Path(token): Path<String>) -> Response {
    match tls.acme.as_ref().and_then(|a| a.http01(&token)) {
        Some(key_auth) => {
            tracing::info!("answered an HTTP-01 challenge");
            (
                [(header::CONTENT_TYPE, "application/octet-stream")],
                key_auth,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn redirect(State(tls): State<Arc<Tls>>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            h.rsplit_once(':').map_or(h, |(name, port)| {
                if port.bytes().all(|b| b.is_ascii_digit()) {
                    name
                } else {
                    h
                }
            })
        })
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b))
        })
        .map(String::from)
        .or_else(|| tls.domain.clone());
    let Some(host) = host else {
        return (StatusCode::BAD_REQUEST, "HTTPS only").into_response();
    };
    let port = if tls.port == 443 {
        String::new()
    } else {
        format!(":{}", tls.port)
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Redirect::permanent(&format!("https://{host}{port}{path}")).into_response()
}
