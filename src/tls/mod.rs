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
    /// Where plain HTTP is sent, by host (lower case): the public URL's origin and
    /// `https://<domain>[:port]` for each of `tls.domains`; the first is the primary.
    origins: Vec<(String, String)>,
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
            origins: origins(cfg),
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

/// The HTTPS origins plain HTTP may be redirected to, by host: the public URL first (when set),
/// then each of `tls.domains` on the HTTPS port.
fn origins(cfg: &Config) -> Vec<(String, String)> {
    let port = match cfg.tls.listen.port() {
        443 => String::new(),
        p => format!(":{p}"),
    };
    let public = cfg.public_url.as_deref().and_then(|u| {
        let u = url::Url::parse(u).ok().filter(|u| u.scheme() == "https")?;
        let origin = u.origin().ascii_serialization();
        Some((u.host_str()?.to_ascii_lowercase(), origin))
    });
    let domains = cfg.tls.domains.iter().map(|d| {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        let origin = format!("https://{d}{port}");
        (d, origin)
    });
    public.into_iter().chain(domains).collect()
}

/// Where a plain request for `host` (its `Host` header) goes: the configured origin for that
/// host, else the primary one — never a host the client made up (an open redirect). `None`
/// when no domain is configured.
fn redirect_origin<'a>(origins: &'a [(String, String)], host: Option<&str>) -> Option<&'a str> {
    let name = host.map(|h| {
        let name = match h.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => h,
        };
        name.trim_end_matches('.').to_ascii_lowercase()
    });
    let known = origins.iter().find(|(h, _)| Some(h) == name.as_ref());
    known.or(origins.first()).map(|(_, o)| o.as_str())
}

/// Plain HTTP: a permanent redirect to the same path on a configured HTTPS origin; 400 when
/// none is configured (`tls.mode = "files"` with neither `tls.domains` nor `public_url`).
async fn redirect(State(tls): State<Arc<Tls>>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let Some(origin) = redirect_origin(&tls.origins, host) else {
        return (StatusCode::BAD_REQUEST, "HTTPS only").into_response();
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Redirect::permanent(&format!("{origin}{path}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::{origins, redirect_origin};
    use crate::config::{Config, TlsMode};

    #[test]
    fn plain_http_goes_to_a_configured_host_only() {
        let mut cfg = Config::default();
        cfg.tls.mode = TlsMode::Acme;
        cfg.tls.listen = ([0, 0, 0, 0], 8443).into();
        cfg.tls.domains = vec!["aerie.test".into(), "WWW.aerie.test".into()];
        let o = origins(&cfg);
        let to = |host| redirect_origin(&o, host);
        assert_eq!(to(Some("aerie.test:80")), Some("https://aerie.test:8443"));
        assert_eq!(
            to(Some("www.Aerie.test.")),
            Some("https://www.aerie.test:8443")
        );
        for stranger in [
            Some("evil.test"),
            Some("evil.test:80"),
            Some("aerie.test@evil"),
            None,
        ] {
            assert_eq!(
                to(stranger),
                Some("https://aerie.test:8443"),
                "{stranger:?}"
            );
        }
        // The public URL (as the world reaches Aerie, here behind a port forward) comes first.
        cfg.public_url = Some("https://Aerie.test/".into());
        let o = origins(&cfg);
        assert_eq!(
            redirect_origin(&o, Some("evil.test")),
            Some("https://aerie.test")
        );
        assert_eq!(
            redirect_origin(&o, Some("www.aerie.test")),
            Some("https://www.aerie.test:8443")
        );
        // Nothing configured: nowhere to send anyone.
        let mut files = Config::default();
        files.tls.mode = TlsMode::Files;
        assert_eq!(redirect_origin(&origins(&files), Some("aerie.test")), None);
    }
}
