//! Read benchmark (prints figures; not a timed test): getAuthorFeed, getPostThread(V2),
//! getFeed (a generator on loopback) and getTimeline (a viewer following 1,000 accounts, logged in with an Aerie session) latency, p50
//! and p99, through the real HTTP stack over a store of 5M posts (BENCH_POSTS to change),
//! threads included. `cargo bench --bench reads`; `BENCH_STORE=<dir>` keeps the built store
//! there and reuses it on the next run. `BENCH_POSTGRES_URL=<url>` runs it on the PostgreSQL
//! backend instead (schema `BENCH_POSTGRES_SCHEMA`, default `bench`, reused when it exists).

mod common;

use aerie::config::Config;
use common::{report, report_with};
use jetsim::ids::did;
use jetsim::rng::Rng;
use std::sync::Arc;

fn main() {
    let bench = common::build();
    println!("backend: {}", bench.backend());
    let common::BenchStore {
        store,
        authors,
        uris,
        access: token,
        refresh,
        ..
    } = &bench;
    let (store, authors) = (store.clone(), *authors);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        // One client makes every request: no per-IP limit here.
        let mut cfg = Config::default();
        cfg.rate_limit.enabled = false;
        cfg.service_did = Some(common::SERVICE_DID.into());
        // The store holds every author's posts, as network scope keeps them (in follows scope
        // the authors no local user follows would be read from their PDSes).
        cfg.scope = aerie::config::Scope::Network;
        // The bench's feed generator listens on loopback.
        cfg.identity.allow_private_addresses = true;
        let cfg = Arc::new(cfg);
        let secret = aerie::auth::secret::Secret::from_bytes(&common::SECRET).expect("secret");
        let services = aerie::serve::Services::open(&cfg, store).expect("services");
        let state = Arc::new(services.state(cfg, secret));
        let page_state = state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, aerie::app(state)).await });
        let client = reqwest::Client::new();
        let mut rng = Rng::new(4);
        let feed: Vec<String> = (0..3000)
            .map(|_| {
                format!(
                    "http://{addr}/xrpc/app.bsky.feed.getAuthorFeed?actor={}&limit=50",
                    did(rng.below(authors))
                )
            })
            .collect();
        report("getAuthorFeed (limit 50)", &client, &feed).await;
        let thread: Vec<String> = (0..3000)
            .map(|_| {
                let id = &uris[rng.below(uris.len() as u64) as usize];
                format!(
                    "http://{addr}/xrpc/app.bsky.feed.getPostThread?uri={}",
                    id.uri()
                )
            })
            .collect();
        report("getPostThread (depth 6, parents 80)", &client, &thread).await;
        let thread_v2: Vec<String> = thread
            .iter()
            .map(|u| {
                u.replace("app.bsky.feed.getPostThread?uri=", "app.bsky.unspecced.getPostThreadV2?anchor=")
            })
            .collect();
        report("getPostThreadV2 (below 6, branching 10)", &client, &thread_v2).await;
        // A custom feed: a generator of the bench's own on loopback (its did:web document and
        // skeletons of 50 stored posts), so the figure is Aerie's work plus one local round trip.
        let generator = feed_generator(uris, &mut rng).await;
        let feed_uri = generator_record(&page_state, &generator);
        let custom: Vec<String> = (0..1000)
            .map(|_| format!("http://{addr}/xrpc/app.bsky.feed.getFeed?feed={feed_uri}&limit=50"))
            .collect();
        report("getFeed (limit 50, generator on loopback)", &client, &custom).await;
        // The first page, and pages further down (their cursors taken from earlier pages).
        let first = format!("http://{addr}/xrpc/app.bsky.feed.getTimeline?limit=50");
        let mut timeline = vec![first.clone(); 1000];
        let mut cursor: Option<String> = None;
        for _ in 0..200 {
            let url = match &cursor {
                Some(c) => format!("{first}&cursor={c}"),
                None => first.clone(),
            };
            let page: serde_json::Value = client
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("json");
            cursor = page["cursor"].as_str().map(String::from);
            timeline.push(url);
            if cursor.is_none() {
                break;
            }
        }
        let bearer = format!("Bearer {token}");
        report_with(
            "getTimeline (limit 50, 1,000 follows)",
            &client,
            &timeline,
            Some(("authorization", &bearer)),
        )
        .await;
        // The home page: the same timeline server-rendered for a logged-in browser (30 posts
        // a page, the same cursors), and what a first visit downloads.
        let cookie = format!(
            "{}={}",
            aerie::web::visitor::SESSION_COOKIE,
            aerie::web::visitor::seal_session(&page_state, refresh)
        );
        let pages: Vec<String> = timeline
            .iter()
            .map(|u| u.replace("/xrpc/app.bsky.feed.getTimeline?limit=50", "/?x=1"))
            .collect();
        report_with(
            "timeline page (/, 30 posts, 1,000 follows)",
            &client,
            &pages,
            Some(("cookie", &cookie)),
        )
        .await;
        let home = format!("http://{addr}/");
        let html = size(&client, &home, Some(&cookie), false).await;
        let (mut raw, mut gz) = (html, size(&client, &home, Some(&cookie), true).await);
        for asset in ["app.css", "app.js", "icon.svg", "icons.svg"] {
            let url = format!("http://{addr}{}", aerie::web::assets::url(asset));
            raw += size(&client, &url, None, false).await;
            gz += size(&client, &url, None, true).await;
        }
        println!(
            "page weight (home, 30 posts, without images): {:.1} KB, {:.1} KB gzip (HTML {:.1} KB + CSS, JS, icons)",
            raw as f64 / 1024.0,
            gz as f64 / 1024.0,
            html as f64 / 1024.0
        );
    });
}

/// A feed generator on loopback answering every skeleton with 50 random stored posts; its
/// `did:web`.
async fn feed_generator(uris: &[aerie_storage::RecordId], rng: &mut Rng) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let did = format!("did:web:127.0.0.1%3A{port}");
    let skeletons: Arc<Vec<serde_json::Value>> = Arc::new(
        (0..64)
            .map(|_| {
                let feed: Vec<serde_json::Value> = (0..50)
                    .map(|_| {
                        let id = &uris[rng.below(uris.len() as u64) as usize];
                        serde_json::json!({ "post": id.uri() })
                    })
                    .collect();
                serde_json::json!({ "feed": feed })
            })
            .collect(),
    );
    let doc = serde_json::json!({
        "id": did,
        "service": [{"id": "#bsky_fg", "type": "BskyFeedGenerator",
            "serviceEndpoint": format!("http://127.0.0.1:{port}")}],
    });
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new()
        .route(
            "/.well-known/did.json",
            axum::routing::get(move || async move { axum::Json(doc) }),
        )
        .route(
            "/xrpc/app.bsky.feed.getFeedSkeleton",
            axum::routing::get(move || async move {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                axum::Json(skeletons[i % skeletons.len()].clone())
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    did
}

/// A generator record naming `generator`, written to the store; its URI.
fn generator_record(state: &aerie::AppState, generator: &str) -> String {
    let record = serde_json::json!({"$type": "app.bsky.feed.generator", "did": generator,
        "displayName": "Bench", "createdAt": "2024-01-01T00:00:00.000Z"});
    let id = aerie_storage::RecordId::new(&did(0), "app.bsky.feed.generator", "bench");
    let op = aerie_storage::Op::Put {
        id: id.clone(),
        // Newer than any earlier run's (a kept BENCH_STORE names another port there).
        rev: u64::MAX / 2
            + std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_micros() as u64,
        cid: aerie_storage::cbor::record_cid(&record).expect("cid"),
        record: record.to_string().into_bytes(),
        time_us: 1,
    };
    state.store.apply(&[op], None).expect("generator record");
    id.uri()
}

/// Bytes a GET of `url` transfers (gzip-compressed when `gzip`).
async fn size(client: &reqwest::Client, url: &str, cookie: Option<&str>, gzip: bool) -> usize {
    let mut req = client.get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if gzip {
        req = req.header("accept-encoding", "gzip");
    }
    let body = req
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("body");
    body.len()
}
