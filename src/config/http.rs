//! Configuration of the front door (request limits, trusted proxies, per-IP rate limits) and
//! of retention.

use serde::{Deserialize, Serialize};

/// Request limits and the proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpConfig {
    /// Proxies (IPs or CIDRs) in front of Aerie: for requests from them the client address is
    /// taken from `X-Forwarded-For`; from anyone else the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Largest request body, in bytes (uploads excepted).
    pub max_body_bytes: usize,
    /// Largest upload (`uploadBlob`, images posted from the pages), in bytes.
    pub max_upload_bytes: usize,
    /// A request taking longer than this (seconds) is answered 408.
    pub request_timeout_secs: u64,
    /// A request head (line and headers) must arrive within this many seconds, or the
    /// connection is closed.
    pub header_timeout_secs: u64,
    /// Clients (IPs or CIDRs) allowed to read `/metrics`; others get 404.
    pub metrics_from: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            trusted_proxies: Vec::new(),
            max_body_bytes: 1 << 20,
            max_upload_bytes: 64 << 20,
            request_timeout_secs: 30,
            header_timeout_secs: 30,
            metrics_from: [
                "127.0.0.0/8",
                "::1/128",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "fc00::/7",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// Per-IP rate limits (a token bucket per client address and class of request).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitConfig {
    /// Whether requests are limited at all.
    pub enabled: bool,
    /// XRPC requests per minute per client.
    pub xrpc_per_minute: u32,
    /// XRPC requests a client may make at once beyond the rate.
    pub xrpc_burst: u32,
    /// Page requests (and form posts) per minute per client.
    pub pages_per_minute: u32,
    /// Page requests a client may make at once beyond the rate.
    pub pages_burst: u32,
    /// Requests per minute (XRPC and pages together) per logged-in local user: a valid Aerie
    /// access token, the pages' session cookie, or a verified service-auth token one of them
    /// issued. Counted per user instead of per address.
    pub user_per_minute: u32,
    /// Requests a local user may make at once beyond the rate.
    pub user_burst: u32,
    /// Clients (IPs or CIDRs) never limited, e.g. the PDS of your users, which proxies their
    /// app's calls.
    pub exempt: Vec<String>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            xrpc_per_minute: 30,
            xrpc_burst: 20,
            pages_per_minute: 120,
            pages_burst: 50,
            user_per_minute: 600,
            user_burst: 300,
            exempt: Vec::new(),
        }
    }
}

/// Retention: pruning old content outside the protected set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionConfig {
    /// Records older than this many days outside the protected set are pruned (0: keep all).
    pub days: u64,
    /// Records examined per pass.
    pub batch: usize,
    /// Seconds between passes.
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            days: 0,
            batch: 2000,
            interval_secs: 10,
        }
    }
}
