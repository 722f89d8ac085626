//! Per-client rate limits: a token bucket per (client address, class of request), or, for a
//! request the front door verified as a local user's (`front::caller`), one bucket per user
//! with its own much larger rate — an app's calls never meet the anonymous limit. XRPC and
//! pages have their own rates and bursts; probes, metrics, assets and `/.well-known` are free.
//! Buckets that have refilled are forgotten when the table grows, so memory stays bounded.

use super::client_ip::Nets;
use crate::config::RateLimitConfig;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// What kind of request, for limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `/xrpc/...`.
    Xrpc,
    /// Pages and form posts.
    Pages,
    /// Never limited.
    Free,
}

impl Class {
    /// The class of a request path.
    pub fn of(path: &str) -> Class {
        if path.starts_with("/xrpc/") {
            Class::Xrpc
        } else if path.starts_with("/static/")
            || path.starts_with("/.well-known/")
            || matches!(path, "/health" | "/ready" | "/metrics")
        {
            Class::Free
        } else {
            Class::Pages
        }
    }
}

/// A rate: tokens per second and bucket size.
#[derive(Debug, Clone, Copy)]
struct Rule {
    per_sec: f64,
    capacity: f64,
}

impl Rule {
    fn new(per_minute: u32, burst: u32) -> Self {
        Rule {
            per_sec: f64::from(per_minute.max(1)) / 60.0,
            // One request at the rate plus the burst beyond it.
            capacity: f64::from(burst) + 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Allowed; what the client has left, and the limit.
    Allowed {
        /// Whole requests left in the bucket.
        remaining: u32,
        /// The bucket's size.
        limit: u32,
    },
    /// Refused; seconds until one more request is allowed, and the limit.
    Limited {
        /// Seconds to wait.
        retry_after: u64,
        /// The bucket's size.
        limit: u32,
    },
    /// Not limited.
    Free,
}

/// Buckets remembered before refilled ones are dropped.
const MAX_BUCKETS: usize = 100_000;

/// Whose bucket a request is taken from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// An anonymous client: its address, per class.
    Addr(Class, IpAddr),
    /// A local user (verified DID), XRPC and pages together.
    User(String),
}

/// The limiter.
pub struct Limiter {
    enabled: bool,
    xrpc: Rule,
    pages: Rule,
    user: Rule,
    exempt: Nets,
    buckets: Mutex<HashMap<Key, Bucket>>,
}

impl Limiter {
    /// From config.
    pub fn new(cfg: &RateLimitConfig) -> Self {
        Limiter {
            enabled: cfg.enabled,
            xrpc: Rule::new(cfg.xrpc_per_minute, cfg.xrpc_burst),
            pages: Rule::new(cfg.pages_per_minute, cfg.pages_burst),
            user: Rule::new(cfg.user_per_minute, cfg.user_burst),
            exempt: Nets::parse(&cfg.exempt, "rate_limit.exempt"),
            buckets: Mutex::default(),
        }
    }

    fn rule(&self, key: &Key) -> Rule {
        match key {
            Key::Addr(Class::Xrpc, _) => self.xrpc,
            Key::Addr(_, _) => self.pages,
            Key::User(_) => self.user,
        }
    }

    /// Takes one request of `class` at `now` from the bucket of `user` (a local user's DID the
    /// front door verified), else from `ip`'s.
    pub fn check(&self, class: Class, ip: IpAddr, user: Option<&str>, now: Instant) -> Verdict {
        if class == Class::Free || !self.enabled || self.exempt.contains(ip) {
            return Verdict::Free;
        }
        let key = match user {
            Some(did) => Key::User(did.to_string()),
            None => Key::Addr(class, ip),
        };
        let rule = self.rule(&key);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|k, b| {
                let r = self.rule(k);
                b.tokens + now.duration_since(b.at).as_secs_f64() * r.per_sec < r.capacity
            });
        }
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: rule.capacity,
            at: now,
        });
        let refilled = b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rule.per_sec;
        b.tokens = refilled.min(rule.capacity);
        b.at = now;
        let limit = rule.capacity as u32;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Verdict::Allowed {
                remaining: b.tokens as u32,
                limit,
            }
        } else {
            Verdict::Limited {
                retry_after: ((1.0 - b.tokens) / rule.per_sec).ceil() as u64,
                limit,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_then_the_rate() {
        let cfg = RateLimitConfig {
            xrpc_per_minute: 30,
            xrpc_burst: 20,
            exempt: vec!["10.0.0.0/8".into()],
            ..Default::default()
        };
        let l = Limiter::new(&cfg);
        let ip: IpAddr = "203.0.113.1".parse().expect("ip");
        let t0 = Instant::now();
        for _ in 0..21 {
            assert!(matches!(
                l.check(Class::Xrpc, ip, None, t0),
                Verdict::Allowed { .. }
            ));
        }
        assert_eq!(
            l.check(Class::Xrpc, ip, None, t0),
            Verdict::Limited {
                retry_after: 2,
                limit: 21
            }
        );
        // Another client, another class, an exempt address, a free path: unaffected.
        let other: IpAddr = "203.0.113.2".parse().expect("ip");
        assert!(matches!(
            l.check(Class::Xrpc, other, None, t0),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            l.check(Class::Pages, ip, None, t0),
            Verdict::Allowed { .. }
        ));
        assert_eq!(
            l.check(Class::Xrpc, "10.1.1.1".parse().expect("ip"), None, t0),
            Verdict::Free
        );
        assert_eq!(l.check(Class::of("/health"), ip, None, t0), Verdict::Free);
        // 30 a minute: one more every two seconds.
        assert!(matches!(
            l.check(Class::Xrpc, ip, None, t0 + Duration::from_secs(2)),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            l.check(Class::Xrpc, ip, None, t0 + Duration::from_secs(2)),
            Verdict::Limited { .. }
        ));
    }

    #[test]
    fn local_users_have_their_own_larger_budget() {
        let cfg = RateLimitConfig {
            xrpc_per_minute: 30,
            xrpc_burst: 20,
            user_per_minute: 600,
            user_burst: 300,
            ..Default::default()
        };
        let l = Limiter::new(&cfg);
        let ip: IpAddr = "203.0.113.1".parse().expect("ip");
        let t0 = Instant::now();
        let alice = Some("did:plc:alice");
        for i in 0..301 {
            assert!(
                matches!(l.check(Class::Xrpc, ip, alice, t0), Verdict::Allowed { .. }),
                "call {i}"
            );
        }
        assert_eq!(
            l.check(Class::Pages, ip, alice, t0),
            Verdict::Limited {
                retry_after: 1,
                limit: 301
            },
            "one budget for XRPC and pages"
        );
        // The address's anonymous budget is untouched, and another user has their own.
        assert!(matches!(
            l.check(Class::Xrpc, ip, None, t0),
            Verdict::Allowed { limit: 21, .. }
        ));
        assert!(matches!(
            l.check(Class::Xrpc, ip, Some("did:plc:bob"), t0),
            Verdict::Allowed { .. }
        ));
        // Ten a second.
        assert!(matches!(
            l.check(Class::Xrpc, ip, alice, t0 + Duration::from_millis(100)),
            Verdict::Allowed { .. }
        ));
    }
}
