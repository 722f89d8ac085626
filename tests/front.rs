//! The front door of the real binary: per-IP rate limits (XRPC and pages apart, 429 with
//! `RateLimitExceeded`, `Retry-After` and `RateLimit-*`), `X-Forwarded-For` believed only from a
//! trusted proxy, probes never limited, body limits, security headers (a strict CSP on pages,
//! HSTS under https), `/metrics`; and every error under `/xrpc/` — from handlers, the
//! framework, the limits, the timeout or the connection itself — an XRPC error object, for a
//! sweep of hostile requests.

mod common;

use common::Aerie;
use std::io::{Read, Write};
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

/// Sends `request` on a new connection; returns the answer's status, lower-case head and body.
fn raw(addr: &str, request: &[u8]) -> (u16, String, Vec<u8>) {
    let mut tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let _ = tcp.write_all(request);
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head: {:?}", String::from_utf8_lossy(&answer)));
    let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {head}"));
    (status, head, answer[end + 4..].to_vec())
}

/// A response's headers as `name: value` lines.
fn head_of(resp: &reqwest::Response) -> String {
    resp.headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}\n", v.to_str().unwrap_or_default()))
        .collect()
}

/// Whether `body` is `{"error": string, "message": string}`.
fn xrpc_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["message"].as_str()?;
    v["error"].as_str().map(String::from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_xrpc_error_is_an_xrpc_error_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Aerie::start(
        &dir.path().join("data"),
        "ws://127.0.0.1:9/unused",
        &[
            ("AERIE_INGEST__ENABLED", "false"),
            ("AERIE_HTTP__MAX_BODY_BYTES", "1000"),
            ("AERIE_HTTP__REQUEST_TIMEOUT_SECS", "1"),
            // Nothing leaves the machine: identities resolve against a closed port.
            ("AERIE_IDENTITY__PLC_URL", "http://127.0.0.1:9"),
            ("AERIE_IDENTITY__HANDLE_RESOLVER", "http://127.0.0.1:9"),
        ],
    );
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let base = a.base();
    let methods = [
        "app.bsky.actor.getProfile",
        "app.bsky.feed.getTimeline",
        "app.bsky.feed.getPosts",
        "app.bsky.feed.getPostThread",
        "com.atproto.identity.resolveHandle",
        "com.atproto.server.createSession",
        "com.atproto.repo.createRecord",
        "com.atproto.repo.uploadBlob",
        "app.bsky.graph.muteActor",
        "com.example.nothing",
    ];
    let queries = [
        "",
        "?actor=",
        "?actor=%ff%fe",
        "?actor=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa&actor=did:plc:b",
        "?limit=abc",
        "?limit=-1&cursor=%00",
        "?uris=x&uris=at://did:plc:a/app.bsky.feed.post/b",
        "?uri=at://",
        "?%zz=%zz",
        "?handle=a..b",
    ];
    let bodies: [(&str, Vec<u8>); 9] = [
        ("", Vec::new()),
        ("application/json", b"{".to_vec()),
        ("application/json", b"null".to_vec()),
        (
            "application/json",
            br#"{"identifier": 1, "repo": []}"#.to_vec(),
        ),
        ("application/json", vec![b' '; 5000]),
        ("text/plain", b"hello".to_vec()),
        ("application/x-www-form-urlencoded", b"a=%zz&&=".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\ngarbage".to_vec(),
        ),
        (
            "application/json; charset=utf-16",
            vec![0xff, 0xfe, b'{', 0],
        ),
    ];
    let verbs = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
    let (mut sent, mut errors) = (0, 0);
    let mut check = |what: String, status: u16, head: &str, body: &[u8]| {
        sent += 1;
        if status >= 400 {
            errors += 1;
            assert!(
                head.contains("content-type: application/json"),
                "{what}: {status} without JSON:\n{head}"
            );
            assert!(
                xrpc_error(body).is_some(),
                "{what}: {status} {:?}",
                String::from_utf8_lossy(body)
            );
        }
    };
    for m in methods {
        for verb in verbs {
            for q in queries {
                for (ctype, body) in &bodies {
                    // The queries with every method; the bodies with the first query only.
                    if !q.is_empty() && !body.is_empty() {
                        continue;
                    }
                    let url = format!("{base}/xrpc/{m}{q}");
                    let mut req = c.request(verb.parse().expect("method"), &url);
                    if !ctype.is_empty() {
                        req = req.header("content-type", *ctype);
                    }
                    let resp = req.body(body.clone()).send().await.expect("request");
                    let (status, head) = (resp.status().as_u16(), head_of(&resp));
                    let bytes = resp.bytes().await.expect("body");
                    check(format!("{verb} {url} [{ctype}]"), status, &head, &bytes);
                }
            }
        }
    }
    // Paths the router has no method for.
    for path in [
        "/xrpc/",
        "/xrpc/..%2f..%2fetc",
        "/xrpc/a.b.c/extra",
        "/xrpc/%00",
    ] {
        let resp = c
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        let (status, head) = (resp.status().as_u16(), head_of(&resp));
        let bytes = resp.bytes().await.expect("body");
        check(path.to_string(), status, &head, &bytes);
    }

    // What hyper itself refuses, and a body that never arrives (the request timeout).
    let addr = base.trim_start_matches("http://").to_string();
    let big_head = format!(
        "GET /xrpc/app.bsky.feed.getTimeline HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(70_000)
    );
    let raw_cases: [(&str, Vec<u8>, u16); 5] = [
        ("oversized head", big_head.into_bytes(), 431),
        (
            "control byte in the query",
            b"GET /xrpc/app.bsky.actor.getProfile?actor=\x01 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "malformed header",
            b"GET /xrpc/app.bsky.feed.getTimeline HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n".to_vec(),
            400,
        ),
        (
            "bad version",
            b"GET /xrpc/app.bsky.feed.getTimeline HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "a body that never comes",
            b"POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"
                .to_vec(),
            408,
        ),
    ];
    for (what, request, expected) in raw_cases {
        let addr = addr.clone();
        let (status, head, body) = tokio::task::spawn_blocking(move || raw(&addr, &request))
            .await
            .expect("raw");
        assert_eq!(status, expected, "{what}: {head}");
        check(what.to_string(), status, &head, &body);
    }
    // A healthy share of the sweep were errors, all checked above.
    println!("{errors} errors among {sent} hostile requests, every one an XRPC error object");
    assert!(errors > sent / 2, "{errors} of {sent}");
}
