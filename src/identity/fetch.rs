//! Outbound fetches of URLs other people control, guarded against SSRF: the host is resolved
//! here and every address checked (private, loopback, link-local, metadata and other special
//! ranges are refused unless `identity.allow_private_addresses`), the request is pinned to the
//! checked address (no DNS rebinding), plain http only when private addresses are allowed, and
//! every response is bounded in time and size.

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
    /// Network failure, timeout or a non-success status.
    #[error("fetching {0}: {1}")]
    Http(String, String),
    /// The body is larger than allowed.
    #[error("{0}: response larger than {1} bytes")]
    TooLarge(String, usize),
    /// The body is not what was expected.
    #[error("{0}: {1}")]
    Body(String, String),
}

/// A guarded HTTP client.
pub struct Fetcher {
    allow_private: bool,
    timeout: Duration,
    max_bytes: usize,
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
        Ok(Fetcher {
            allow_private: cfg.allow_private_addresses,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
            max_bytes: cfg.max_response_bytes,
        })
    }

    /// GET a URL and parse JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<T, FetchError> {
        let body = self.get(url).await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::Body(url.into(), e.to_string()))
    }

    /// GET a URL as text.
    pub async fn get_text(&self, url: &str) -> Result<String, FetchError> {
        let body = self.get(url).await?;
        String::from_utf8(body).map_err(|_| FetchError::Body(url.into(), "not UTF-8".into()))
    }

    async fn get(&self, raw: &str) -> Result<Vec<u8>, FetchError> {
        let url = url::Url::parse(raw).map_err(|_| FetchError::Refused(raw.into(), "not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            _ => return Err(FetchError::Refused(raw.into(), "only https")),
        }
        let host = url
            .host_str()
            .ok_or(FetchError::Refused(raw.into(), "no host"))?
            .to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let lookup =
            tokio::time::timeout(self.timeout, tokio::net::lookup_host((host.as_str(), port)))
                .await
                .map_err(|_| FetchError::Http(raw.into(), "DNS timeout".into()))?
                .map_err(|e| FetchError::Http(raw.into(), e.to_string()))?;
        let addrs: Vec<SocketAddr> = lookup.collect();
        let addr = *addrs
            .first()
            .ok_or_else(|| FetchError::Http(raw.into(), "no address".into()))?;
        if let Some(bad) = addrs.iter().map(SocketAddr::ip).find(|ip| is_special(*ip)) {
            if !self.allow_private {
                return Err(FetchError::Private(raw.into(), bad));
            }
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, addr)
            .user_agent(concat!("aerie/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Http(raw.into(), e.to_string()))?;
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| FetchError::Http(raw.into(), e.to_string()))?;
        if !resp.status().is_success() {
            return Err(FetchError::Http(
                raw.into(),
                format!("status {}", resp.status()),
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| FetchError::Http(raw.into(), e.to_string()))?
        {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge(raw.into(), self.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
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
