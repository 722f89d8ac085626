//! The outbound HTTP client: every fetch of a URL other people control (DID documents, handles,
//! repositories, the users' PDSes) goes through it, guarded against SSRF: every name is resolved
//! by the client's own resolver, which refuses private, loopback, link-local, metadata and other
//! special addresses unless `identity.allow_private_addresses` (the address checked is the one
//! connected to), literal addresses are checked the same way, redirects are not followed, plain
//! http only when private addresses are allowed, and every response is bounded in time and size.

use crate::config::IdentityConfig;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not acceptable.
    #[error("refused URL {0}: {1}")]
    Refused(String, &'static str),
    /// The host resolves to an address the guard refuses.
    #[error("refused {0}: it resolves to a private or special address ({1})")]
    Private(String, IpAddr),
    /// Network failure or timeout.
    #[error("fetching {0}: {1}")]
    Http(String, String),
    /// A non-success status, with what the server said about it.
    #[error("fetching {url}: status {status}{}", error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default())]
    Status {
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The XRPC error name from the body, if any (`RepoTakendown`, `RateLimitExceeded`).
        error: Option<String>,
        /// How long the server asks to wait (`Retry-After`, or `RateLimit-Reset`).
        retry_after: Option<Duration>,
    },
    /// The body is larger than allowed.
    #[error("{0}: response larger than {1} bytes")]
    TooLarge(String, usize),
    /// The body is not what was expected.
    #[error("{0}: {1}")]
    Body(String, String),
}

/// A guarded HTTP client: one connection pool, every name resolved through `GuardedDns`.
pub struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
    max_bytes: usize,
}

/// Resolves names and refuses special addresses (unless allowed), so the address checked is the
/// address connected to: no window for DNS rebinding.
struct GuardedDns {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private {
                if let Some(bad) = addrs.iter().map(SocketAddr::ip).find(|ip| is_special(*ip)) {
                    return Err(Box::new(FetchError::Private(host, bad))
                        as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether an address is one the public internet should never make us call.
pub fn is_special(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_special(IpAddr::V4(v4)))
        }
    }
}

impl Fetcher {
    /// A fetcher with the configured limits.
    pub fn new(cfg: &IdentityConfig) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(GuardedDns {
                allow_private: cfg.allow_private_addresses,
            }))
            .user_agent(concat!("aerie/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Http("client".into(), e.to_string()))?;
        Ok(Fetcher {
            client,
            allow_private: cfg.allow_private_addresses,
            max_bytes: cfg.max_response_bytes,
        })
    }

    /// GET a URL and parse JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<T, FetchError> {
        let body = self.get(url, self.max_bytes).await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::Body(url.into(), e.to_string()))
    }

    /// GET a URL as text.
    pub async fn get_text(&self, url: &str) -> Result<String, FetchError> {
        let body = self.get(url, self.max_bytes).await?;
        String::from_utf8(body).map_err(|_| FetchError::Body(url.into(), "not UTF-8".into()))
    }

    /// GET a URL's bytes, at most `max_bytes` of them, within the configured time.
    pub async fn get(&self, raw: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
        self.get_within(raw, max_bytes, None).await
    }

    /// GET a URL's bytes, at most `max_bytes` of them, within `timeout` when given (large
    /// downloads such as repositories), else the configured time.
    pub async fn get_within(
        &self,
        raw: &str,
        max_bytes: usize,
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, FetchError> {
        let resp = self
            .send(Outbound {
                timeout,
                ..Outbound::get(raw, max_bytes)
            })
            .await?;
        resp.success(raw)
    }

    /// Sends a request through the guard; any status comes back (the caller decides).
    pub async fn send(&self, out: Outbound<'_>) -> Result<Inbound, FetchError> {
        let raw = out.url;
        let url = url::Url::parse(raw).map_err(|_| FetchError::Refused(raw.into(), "not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            _ => return Err(FetchError::Refused(raw.into(), "only https")),
        }
        // Literal addresses are not looked up, so the resolver cannot check them.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(FetchError::Refused(raw.into(), "no host")),
        };
        if let Some(ip) = literal.filter(|ip| is_special(*ip) && !self.allow_private) {
            return Err(FetchError::Private(raw.into(), ip));
        }
        let mut req = self.client.request(out.method, url);
        for (k, v) in out.headers {
            req = req.header(k, v);
        }
        if let Some((content_type, body)) = out.body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body);
        }
        if let Some(t) = out.timeout {
            req = req.timeout(t);
        }
        let mut resp = req.send().await.map_err(|e| refused_or_http(raw, &e))?;
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| FetchError::Http(raw.into(), e.to_string()))?
        {
            if body.len() + chunk.len() > out.max_bytes {
                return Err(FetchError::TooLarge(raw.into(), out.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Inbound {
            status,
            content_type,
            body,
            retry_after,
        })
    }
}

/// An outbound request.
pub struct Outbound<'a> {
    /// Method.
    pub method: reqwest::Method,
    /// URL.
    pub url: &'a str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Content type and body.
    pub body: Option<(String, Vec<u8>)>,
    /// Largest response accepted, in bytes.
    pub max_bytes: usize,
    /// Time limit (else the configured one).
    pub timeout: Option<Duration>,
}

impl<'a> Outbound<'a> {
    /// A GET.
    pub fn get(url: &'a str, max_bytes: usize) -> Self {
        Outbound {
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            body: None,
            max_bytes,
            timeout: None,
        }
    }
}

/// A response.
#[derive(Debug)]
pub struct Inbound {
    /// HTTP status.
    pub status: u16,
    /// Its content type.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// How long the server asks to wait, if it did.
    pub retry_after: Option<Duration>,
}

impl Inbound {
    /// The XRPC error name in the body, if any.
    pub fn error_name(&self) -> Option<String> {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| Some(v.get("error")?.as_str()?.chars().take(100).collect()))
    }

    /// The body of a success, else the status as an error.
    pub fn success(self, url: &str) -> Result<Vec<u8>, FetchError> {
        if (200..300).contains(&self.status) {
            return Ok(self.body);
        }
        Err(FetchError::Status {
            url: url.into(),
            status: self.status,
            error: self.error_name(),
            retry_after: self.retry_after,
        })
    }
}

/// The wait a response asks for: `Retry-After` in seconds (or an HTTP date), else the
/// `RateLimit-Reset` epoch second atproto servers send with 429s.
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| h.get(name)?.to_str().ok().map(str::trim);
    if let Some(v) = text("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = httpdate::parse_http_date(v) {
            return Some(
                at.duration_since(std::time::SystemTime::now())
                    .unwrap_or_default(),
            );
        }
    }
    let reset: u64 = text("ratelimit-reset")?.parse().ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

/// The guard's refusal when that is what stopped the request, else the transport error.
fn refused_or_http(raw: &str, e: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(FetchError::Private(_, ip)) = err.downcast_ref::<FetchError>() {
            return FetchError::Private(raw.into(), *ip);
        }
        source = err.source();
    }
    FetchError::Http(raw.into(), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::is_special;

    #[test]
    fn special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_special(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["1.1.1.1", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_special(ip.parse().expect("ip")), "{ip}");
        }
    }
}
