//! The front door of the real binary: per-IP rate limits (XRPC and pages apart, 429 with
//! `RateLimitExceeded`, `Retry-After` and `RateLimit-*`), `X-Forwarded-For` believed only from a
//! trusted proxy, probes never limited, body limits, security headers (a strict CSP on pages,
//! HSTS under https), and `/metrics`.

mod common;

use common::Aerie;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_headers_and_metrics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Aerie::start(
        &dir.path().join("data"),
        "ws://127.0.0.1:9/unused",
        &[
            ("AERIE_RATE_LIMIT__ENABLED", "true"),
            ("AERIE_RATE_LIMIT__XRPC_BURST", "2"),
            ("AERIE_RATE_LIMIT__PAGES_BURST", "3"),
            ("AERIE_HTTP__TRUSTED_PROXIES", r#"["127.0.0.1"]"#),
            ("AERIE_HTTP__MAX_BODY_BYTES", "1000"),
            ("AERIE_PUBLIC_URL", "https://aerie.test"),
            ("AERIE_INGEST__ENABLED", "false"),
            ("AERIE_HTTP__HEADER_TIMEOUT_SECS", "1"),
        ],
    );
    let c = reqwest::Client::new();
    let base = a.base();
    let xrpc = format!("{base}/xrpc/com.atproto.identity.resolveHandle?handle=nobody.test");
    let get = |url: String, from: Option<&'static str>| {
        let req = c.get(url);
        let req = match from {
            Some(ip) => req.header("x-forwarded-for", ip),
            None => req,
        };
        async move { req.send().await.expect("request") }
    };

    // XRPC: the burst plus one, then 429 with the reference's error and headers.
    for _ in 0..3 {
        let r = get(xrpc.clone(), Some("198.51.100.1")).await;
        assert_ne!(r.status(), 429);
        assert!(r.headers().contains_key("ratelimit-remaining"));
    }
    let limited = get(xrpc.clone(), Some("198.51.100.1")).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "2");
    assert_eq!(limited.headers()["ratelimit-remaining"], "0");
    let body: serde_json::Value = limited.json().await.expect("json");
    assert_eq!(body["error"], "RateLimitExceeded");
    // Another client behind the trusted proxy has its own bucket; a forged address to the
    // left of it changes nothing.
    assert_ne!(get(xrpc.clone(), Some("198.51.100.2")).await.status(), 429);
    assert_eq!(
        get(xrpc.clone(), Some("6.6.6.6, 198.51.100.1"))
            .await
            .status(),
        429
    );
    // Pages have their own limit; probes and assets have none.
    for _ in 0..4 {
        assert_eq!(
            get(format!("{base}/login"), Some("198.51.100.1"))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        get(format!("{base}/login"), Some("198.51.100.1"))
            .await
            .status(),
        429
    );
    for _ in 0..30 {
        assert_eq!(
            get(format!("{base}/health"), Some("198.51.100.1"))
                .await
                .status(),
            200
        );
    }

    // Security headers: everywhere, a CSP on pages, HSTS (public_url is https), Secure cookies.
    let page = get(format!("{base}/login"), Some("198.51.100.3")).await;
    let h = page.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .contains("script-src 'self'"));
    common::assert_https_only(h);
    let json = get(format!("{base}/health"), None).await;
    assert_eq!(json.headers()["x-content-type-options"], "nosniff");
    assert!(!json.headers().contains_key("content-security-policy"));

    // Body limits: a declared length over the limit, and a body that runs past it.
    let big = c
        .post(format!("{base}/xrpc/com.atproto.server.createSession"))
        .header("x-forwarded-for", "198.51.100.4")
        .header("content-type", "application/json")
        .body(vec![b' '; 5000])
        .send()
        .await
        .expect("request");
    assert_eq!(big.status(), 413);

    // A client that never finishes its request head is cut off; an oversized head is refused.
    {
        use std::io::{Read, Write};
        let addr = base.trim_start_matches("http://").to_string();
        let mut slow = std::net::TcpStream::connect(&addr).expect("connect");
        slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            .expect("write");
        slow.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let started = std::time::Instant::now();
        let mut buf = Vec::new();
        let _ = slow.read_to_end(&mut buf);
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the slow connection was left open"
        );
        let mut big = std::net::TcpStream::connect(&addr).expect("connect");
        let head = format!(
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "a".repeat(100_000)
        );
        let _ = big.write_all(head.as_bytes());
        big.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut answer = Vec::new();
        let _ = big.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
            "{answer}"
        );
    }

    // Metrics: only for loopback and private networks (by default).
    let public = get(format!("{base}/metrics"), Some("203.0.113.50")).await;
    assert_eq!(public.status(), 404);
    // Ingest, backfill, store, and latency by route.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let m = get(format!("{base}/metrics"), None)
        .await
        .text()
        .await
        .expect("metrics");
    for name in [
        "aerie_ingest_lag_seconds",
        "aerie_ingest_events_skipped_total 0",
        "aerie_backfill_pending 0",
        "aerie_store_disk_bytes",
        "aerie_http_request_duration_seconds_bucket{route=\"/health\",method=\"GET\",le=\"+Inf\"} 31",
        "aerie_http_responses_total{route=\"/login\",status=\"4xx\"} 1",
    ] {
        assert!(m.contains(name), "{name} missing from:\n{m}");
    }
}
