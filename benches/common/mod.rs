//! What the read benchmarks share: the bench store (BENCH_POSTS posts, 5M by default, by
//! authors posting in one stream, 30% of posts replies clustered on recent ones so threads grow
//! deep and wide; a viewer following 1,000 authors, with an Aerie session), built once or
//! reused (`BENCH_STORE=<dir>` keeps it; `BENCH_POSTGRES_URL=<url>` builds it in PostgreSQL,
//! schema `BENCH_POSTGRES_SCHEMA`, default `bench`, reused when it exists); and percentiles.

#![allow(dead_code)]

use aerie_storage::kv::postgres::{PostgresEngine, PostgresOptions};
use aerie_storage::{Backend, Durability, Op, RecordId, Store, StoredSession};
use jetsim::ids::{cid, did, tid};
use jetsim::rng::Rng;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server secret of the Aerie the benchmarks run (it signs the viewer's session tokens).
pub const SECRET: [u8; 32] = [7u8; 32];
/// The service DID of that Aerie (the audience of the viewer's tokens).
pub const SERVICE_DID: &str = "did:web:aerie.bench";

/// The built (or reused) store and what the benchmarks ask it about.
pub struct BenchStore {
    pub store: Arc<dyn Store>,
    /// Where a fjall store lives (a temporary directory unless BENCH_STORE).
    pub path: PathBuf,
    /// The PostgreSQL server and schema, when the store is there.
    pub postgres: Option<PostgresOptions>,
    pub posts: usize,
    /// Authors are `did(0..authors)`.
    pub authors: u64,
    /// Every post, in the order written.
    pub uris: Vec<RecordId>,
    /// The viewer's DID.
    pub viewer: String,
    /// The viewer's Aerie access token (`Authorization: Bearer`).
    pub access: String,
    /// The viewer's Aerie refresh token (what the pages' session cookie seals).
    pub refresh: String,
    /// Holds a temporary store directory.
    _dir: tempfile::TempDir,
}

impl BenchStore {
    /// "fjall" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self.postgres {
            Some(_) => "postgres",
            None => "fjall",
        }
    }
}

/// A number from the environment, or `default`.
pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Opens the bench store, building what it lacks.
pub fn build() -> BenchStore {
    let posts = env_or("BENCH_POSTS", 5_000_000);
    let authors = (posts / 100).max(10) as u64;
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = std::env::var_os("BENCH_STORE").map(PathBuf::from);
    let path = kept.clone().unwrap_or_else(|| dir.path().join("store"));
    let postgres = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .map(|url| PostgresOptions {
            url,
            schema: std::env::var("BENCH_POSTGRES_SCHEMA").unwrap_or_else(|_| "bench".into()),
            ..Default::default()
        });
    let (backend, reuse) = match &postgres {
        Some(opts) => (
            Backend::Postgres(opts.clone()),
            PostgresEngine::schema_exists(opts).expect("ask"),
        ),
        None => (Backend::Fjall, kept.is_some() && path.exists()),
    };
    let store = aerie_storage::open(backend, &path, Durability::Buffer).expect("store");
    let t = Instant::now();
    let uris = write_posts(&*store, posts, authors, reuse);
    let viewer = did(authors + 1);
    let (access, refresh) = write_viewer(&*store, &viewer, authors);
    store.flush().expect("flush");
    println!(
        "store: {posts} posts by {authors} authors {} in {:.0}s",
        if reuse { "reused" } else { "built" },
        t.elapsed().as_secs_f64()
    );
    BenchStore {
        store,
        path,
        postgres,
        posts,
        authors,
        uris,
        viewer,
        access,
        refresh,
        _dir: dir,
    }
}

/// The posts (written unless `reuse`: then only their ids are made again, from the same seed).
fn write_posts(store: &dyn Store, posts: usize, authors: u64, reuse: bool) -> Vec<RecordId> {
    let mut rng = Rng::new(9);
    let base = 1_700_000_000_000_000i64;
    let mut uris: Vec<RecordId> = Vec::with_capacity(posts);
    let mut batch = Vec::with_capacity(5000);
    for i in 0..posts {
        let time_us = base + i as i64 * 1000;
        let author = did(rng.below(authors));
        let rkey = tid(time_us, 3);
        let mut rec = json!({"$type": "app.bsky.feed.post", "text": format!("post number {i} with some words in it"),
            "createdAt": aerie_storage::datetime::format_us(time_us), "langs": ["en"]});
        if !uris.is_empty() && rng.chance(0.3) {
            // Replies cluster on recent posts, so threads grow deep and wide.
            let back = (rng.below(1000) as usize).min(uris.len() - 1);
            let parent = &uris[uris.len() - 1 - back];
            rec["reply"] = json!({"root": {"uri": parent.uri(), "cid": cid(1)}, "parent": {"uri": parent.uri(), "cid": cid(1)}});
        }
        let id = RecordId::new(&author, "app.bsky.feed.post", &rkey);
        if !reuse {
            batch.push(put(id.clone(), &rkey, &rec, time_us));
            if batch.len() == 5000 {
                store.apply(&batch, None).expect("apply");
                batch.clear();
            }
        }
        uris.push(id);
    }
    store.apply(&batch, None).expect("apply");
    uris
}

/// A viewer following 1,000 of the authors, with a session Aerie would have made at login.
/// The viewer, their follows and their session; returns its access and refresh tokens.
fn write_viewer(store: &dyn Store, viewer: &str, authors: u64) -> (String, String) {
    let base = 1_700_000_000_000_000i64;
    let mut ops: Vec<Op> = (0..1000u64)
        .map(|i| {
            let subject = did(i * (authors / 1000).max(1) % authors);
            let rkey = tid(base + i as i64, 5);
            let rec = json!({"$type": "app.bsky.graph.follow", "subject": subject,
                "createdAt": aerie_storage::datetime::format_us(base)});
            put(
                RecordId::new(viewer, "app.bsky.graph.follow", &rkey),
                &rkey,
                &rec,
                base,
            )
        })
        .collect();
    // The viewer's session, with tokens as Aerie signs them at login (fixed claims, so a
    // reused store's session matches them).
    use aerie::auth::session_jwt::{sign, Claims, Kind};
    let secret = aerie::auth::secret::Secret::from_bytes(&SECRET).expect("secret");
    let token = |kind: Kind| {
        let mut claims = Claims::new(
            kind,
            viewer,
            SERVICE_DID,
            "bench",
            1_700_000_000,
            4_000_000_000,
        );
        claims.jti = "bench.0".into();
        sign(secret.jwt_key(), kind, &claims)
    };
    let (access, refresh) = (token(Kind::Access), token(Kind::Refresh));
    let hash = |t: &str| -> String {
        ring::digest::digest(&ring::digest::SHA256, t.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    ops.push(Op::Session {
        id: "bench".into(),
        session: Some(StoredSession {
            id: "bench".into(),
            did: viewer.into(),
            handle: "viewer.test".into(),
            pds: "https://pds.invalid".into(),
            access_hash: hash(&access),
            refresh_hash: hash(&refresh),
            access_expires_us: i64::MAX,
            refresh_expires_us: i64::MAX,
            pds_tokens: String::new(),
            created_us: base,
        }),
    });
    store.apply(&ops, None).expect("apply");
    (access, refresh)
}

pub fn put(id: RecordId, rkey: &str, rec: &serde_json::Value, time_us: i64) -> Op {
    Op::Put {
        id,
        rev: aerie_storage::tid::parse(rkey).unwrap_or(1),
        cid: aerie_storage::cbor::record_cid(rec).unwrap_or_default(),
        record: rec.to_string().into_bytes(),
        time_us,
    }
}

/// The `p` quantile (0..1) of sorted `times`, in milliseconds.
pub fn pct_ms(times: &[Duration], p: f64) -> f64 {
    match times.len() {
        0 => f64::NAN,
        n => times[((n as f64 * p) as usize).min(n - 1)].as_secs_f64() * 1000.0,
    }
}

/// Peak resident memory of a process (VmHWM), in kB.
pub fn vm_hwm_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Latency of GETs of `urls` (a warm-up of the first 100 first), p50 and p99.
pub async fn report(name: &str, client: &reqwest::Client, urls: &[String]) {
    report_with(name, client, urls, None).await
}

/// Latency of GETs of `urls`, each with `header` (authorization or cookie) when given.
pub async fn report_with(
    name: &str,
    client: &reqwest::Client,
    urls: &[String],
    header: Option<(&str, &str)>,
) {
    let get = |u: &str| {
        let req = client.get(u);
        match header {
            Some((k, v)) => req.header(k, v),
            None => req,
        }
    };
    for u in urls.iter().take(100) {
        let _ = get(u).send().await.expect("warm-up").bytes().await;
    }
    let mut times = Vec::with_capacity(urls.len());
    let mut bytes = 0usize;
    for u in urls {
        let t = Instant::now();
        let r = get(u).send().await.expect("request");
        assert!(r.status().is_success(), "{u}: {}", r.status());
        bytes += r.bytes().await.expect("body").len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name}: p50 {:.2} ms, p99 {:.2} ms, mean body {:.1} KB ({} requests)",
        pct_ms(&times, 0.5),
        pct_ms(&times, 0.99),
        bytes as f64 / urls.len() as f64 / 1024.0,
        urls.len()
    );
}
