//! The front door every request passes: the client's address (trusted proxies), who is
//! calling (a local user, verified once), rate limits per address or per local user, body
//! size limits, security headers, XRPC error bodies on every error under
//! `/xrpc/`, and the HTTP figures for `/metrics`. What nginx did in the seed deployment,
//! inside the binary.

pub mod caller;
pub mod client_ip;
pub mod conn;
pub mod metrics;
pub mod parse_errors;
pub mod rate_limit;

use crate::config::{Config, TlsMode};
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use client_ip::Nets;
use rate_limit::{Class, Limiter, Verdict};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

/// The front door's state.
pub struct Front {
    /// Whether pages reach browsers over HTTPS (HSTS, Secure cookies): Aerie terminates TLS
    /// itself (then the app is served over TLS only), or the public URL is https (a proxy
    /// terminates it).
    pub https: bool,
    trusted: Nets,
    /// Who may read `/metrics`.
    pub metrics_from: Nets,
    limiter: Limiter,
    max_body: usize,
    max_upload: usize,
    /// HTTP figures.
    pub metrics: metrics::HttpMetrics,
}

/// The Content-Security-Policy of pages: only Aerie's own scripts, styles and forms; images
/// from anywhere over https (the CDN, link-card thumbnails); never framed.
const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Paths that take uploads (the larger body limit).
const UPLOAD_PATHS: [&str; 2] = ["/xrpc/com.atproto.repo.uploadBlob", "/compose"];

impl Front {
    /// From config.
    pub fn new(cfg: &Config) -> Self {
        Front {
            trusted: Nets::parse(&cfg.http.trusted_proxies, "http.trusted_proxies"),
            metrics_from: Nets::parse(&cfg.http.metrics_from, "http.metrics_from"),
            limiter: Limiter::new(&cfg.rate_limit),
            https: cfg.tls.mode != TlsMode::Off || cfg.public_url().starts_with("https://"),
            max_body: cfg.http.max_body_bytes,
            max_upload: cfg.http.max_upload_bytes,
            metrics: metrics::HttpMetrics::default(),
        }
    }
}

fn too_many(class: Class, retry_after: u64, limit: u32) -> Response {
    let body = match class {
        Class::Xrpc => axum::Json(serde_json::json!({
            "error": "RateLimitExceeded",
            "message": "Rate Limit Exceeded",
        }))
        .into_response(),
        _ => "Too many requests; please slow down.".into_response(),
    };
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    let h = resp.headers_mut();
    let reset = crate::util::now_us() / 1_000_000 + retry_after as i64;
    for (k, v) in [
        ("retry-after", retry_after.to_string()),
        ("ratelimit-limit", limit.to_string()),
        ("ratelimit-remaining", "0".to_string()),
        ("ratelimit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    resp
}

/// The middleware: address, limits, headers, figures.
pub async fn middleware(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let front = &state.front;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    let ip = client_ip::client_ip(peer, req.headers(), &front.trusted);
    let path = req.uri().path().to_string();
    let class = Class::of(&path);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let (mut parts, body) = req.into_parts();
    let caller = caller::identify(&state, &parts, class).await;
    let user = caller.as_ref().map(|c| c.did.as_str());
    let verdict = front.limiter.check(class, ip, user, Instant::now());
    if let Some(c) = caller {
        parts.extensions.insert(c);
    }
    let req = Request::from_parts(parts, body);
    let mut resp = match verdict {
        Verdict::Limited { retry_after, limit } => {
            tracing::debug!(%ip, %path, "rate limited");
            too_many(class, retry_after, limit)
        }
        verdict => {
            let limit = if UPLOAD_PATHS.contains(&path.as_str()) {
                front.max_upload
            } else {
                front.max_body
            };
            let declared = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
            let mut resp = if declared.is_some_and(|n| n > limit) {
                (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large").into_response()
            } else {
                let (parts, body) = req.into_parts();
                let body = Body::new(http_body_util::Limited::new(body, limit));
                let mut req = Request::from_parts(parts, body);
                req.extensions_mut().insert(ClientIp(ip));
                next.run(req).await
            };
            if let Verdict::Allowed { remaining, limit } = verdict {
                let h = resp.headers_mut();
                h.insert("ratelimit-limit", HeaderValue::from(limit));
                h.insert("ratelimit-remaining", HeaderValue::from(remaining));
            }
            resp
        }
    };
    if path.starts_with("/xrpc/") {
        resp = crate::xrpc::error::ensure_json(resp, &method).await;
    }
    security_headers(&mut resp, front.https);
    front.metrics.record(
        &route,
        method.as_str(),
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}

/// The client address the front door decided on, for handlers that want it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

fn security_headers(resp: &mut Response, hsts: bool) {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::Front;
    use crate::config::{Config, TlsMode};

    #[test]
    fn https_whenever_served_over_tls_or_behind_an_https_url() {
        let mut cfg = Config::default();
        assert!(!Front::new(&cfg).https);
        cfg.tls.mode = TlsMode::Files;
        assert!(Front::new(&cfg).https, "files, no public_url, no domains");
        cfg.public_url = Some("http://aerie.test".into());
        assert!(
            Front::new(&cfg).https,
            "served over TLS whatever the URL says"
        );
        cfg.tls.mode = TlsMode::Off;
        cfg.public_url = Some("https://aerie.test".into());
        assert!(Front::new(&cfg).https, "a proxy terminates TLS");
    }
}
