//! Load benchmark (prints figures; not a timed test): the release `aerie serve` over the bench
//! store (benches/common: 5M posts; `BENCH_POSTS`, `BENCH_STORE`, `BENCH_POSTGRES_URL` as for
//! the reads bench) while the Jetstream simulator feeds it live events in real time (about
//! 1,000 a second, the network's mix), and `BENCH_CONNS` connections (200) kept alive make
//! mixed reads for `BENCH_SECS` seconds (60, after `BENCH_WARMUP` seconds, 5, not counted):
//! getTimeline (the viewer following 1,000 accounts, logged in), getAuthorFeed, getPostThread,
//! getProfile, and the pages (home timeline logged in, profile, post). Prints, per route,
//! requests, errors, p50 and p99; the Aerie process's peak RSS (VmHWM); and ingest lag during
//! the run, sampled from `/ready` every second. `cargo bench --bench load`. Ingest writes into
//! the store: a kept store grows by the events fed.

mod common;
#[path = "../tests/common/mod.rs"]
mod harness;

use common::{env_or, pct_ms};
use jetsim::corpus::{generate, CorpusSpec};
use jetsim::ids::did;
use jetsim::rng::Rng;
use jetsim::{Sim, SimEvent, SimOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a connection asks for, and how often (weights out of 100).
#[derive(Clone, Copy)]
enum Route {
    Timeline,
    AuthorFeed,
    Thread,
    Profile,
    HomePage,
    ProfilePage,
    PostPage,
}

const ROUTES: [(Route, u64, &str); 7] = [
    (Route::Timeline, 20, "getTimeline (limit 50, logged in)"),
    (Route::AuthorFeed, 20, "getAuthorFeed (limit 50)"),
    (Route::Thread, 20, "getPostThread"),
    (Route::Profile, 15, "getProfile"),
    (Route::HomePage, 10, "page / (timeline, logged in)"),
    (Route::ProfilePage, 8, "page /profile/{did}"),
    (Route::PostPage, 7, "page /profile/{did}/post/{rkey}"),
];

/// What the connections share.
struct Ctx {
    base: String,
    /// Authors asked about are `did(first_author..authors)`: the accounts the live feed
    /// touches (it may deactivate or delete them) are left out, so every read can succeed.
    first_author: u64,
    authors: u64,
    uris: Vec<aerie_storage::RecordId>,
    bearer: String,
    cookie: String,
}

impl Ctx {
    /// A request of `route`: its URL and the credential header it carries.
    fn request(&self, route: Route, rng: &mut Rng) -> (String, Option<(&'static str, &str)>) {
        let base = &self.base;
        let span = self.authors - self.first_author;
        let mut author = || did(self.first_author + rng.below(span));
        match route {
            Route::Timeline => (
                format!("{base}/xrpc/app.bsky.feed.getTimeline?limit=50"),
                Some(("authorization", &self.bearer)),
            ),
            Route::AuthorFeed => (
                format!(
                    "{base}/xrpc/app.bsky.feed.getAuthorFeed?actor={}&limit=50",
                    author()
                ),
                None,
            ),
            Route::Thread => {
                let id = &self.uris[rng.below(self.uris.len() as u64) as usize];
                (
                    format!("{base}/xrpc/app.bsky.feed.getPostThread?uri={}", id.uri()),
                    None,
                )
            }
            Route::Profile => (
                format!("{base}/xrpc/app.bsky.actor.getProfile?actor={}", author()),
                None,
            ),
            Route::HomePage => (format!("{base}/"), Some(("cookie", &self.cookie))),
            Route::ProfilePage => (format!("{base}/profile/{}", author()), None),
            Route::PostPage => {
                let id = &self.uris[rng.below(self.uris.len() as u64) as usize];
                (format!("{base}/profile/{}/post/{}", id.did, id.rkey), None)
            }
        }
    }
}

/// Latencies and errors of one route.
#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

fn main() {
    let secs = env_or("BENCH_SECS", 60) as u64;
    let warmup = env_or("BENCH_WARMUP", 5) as u64;
    let conns = env_or("BENCH_CONNS", 200);
    let bench = common::build();
    let backend = bench.backend();
    println!("backend: {backend}; {conns} connections, {warmup} s warm-up, {secs} s measured");
    // Another process opens the store next.
    drop(bench.store);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let secret = common::SECRET;
    let secret_b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret);
    let mut env: Vec<(&str, String)> = vec![
        ("AERIE_JETSTREAM__INITIAL_CURSOR", "0".into()),
        ("AERIE_AUTH__SECRET_KEY", secret_b64),
        ("AERIE_SERVICE_DID", common::SERVICE_DID.into()),
        // The production batch bounds (the test harness uses small ones).
        ("AERIE_INGEST__BATCH_SIZE", "2000".into()),
        ("AERIE_INGEST__BATCH_MS", "200".into()),
        ("RUST_LOG", "warn".into()),
    ];
    match &bench.postgres {
        Some(pg) => env.extend([
            ("AERIE_STORAGE__BACKEND", "postgres".into()),
            ("AERIE_STORAGE__POSTGRES_URL", pg.url.clone()),
            ("AERIE_STORAGE__POSTGRES_SCHEMA", pg.schema.clone()),
        ]),
        None => {
            let store = std::fs::canonicalize(&bench.path).expect("store path");
            std::os::unix::fs::symlink(store, data.join("store")).expect("link the store");
        }
    }
    let cookie = format!(
        "{}={}",
        aerie::web::visitor::SESSION_COOKIE,
        seal_session(&secret, &bench.refresh)
    );

    let (authors, uris, access) = (bench.authors, bench.uris, bench.access);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let sim = Arc::new(Sim::start(SimOptions::default()).await.expect("sim"));
        // Events stamped from now on, pushed as their time comes.
        let start_us = now_us() + 1_000_000;
        let total = (warmup + secs + 30) as usize * 1000;
        let accounts = (total / 20).max(100);
        let corpus = generate(&CorpusSpec {
            events: total,
            accounts,
            malformed: 0.001,
            start_us,
            seed: 5,
        });
        let touched: std::collections::HashSet<String> =
            corpus.iter().map(|e| e.did.clone()).collect();
        let uris: Vec<_> = uris.into_iter().filter(|u| !touched.contains(&u.did)).collect();
        let first_author = accounts as u64;
        let feeder = tokio::spawn(feed(sim.clone(), corpus));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let aerie = harness::Aerie::start(&data, &sim.url(), &env);
        let pid = aerie.pid().expect("aerie runs");
        let ctx = Arc::new(Ctx {
            base: aerie.base(),
            first_author,
            authors,
            uris,
            bearer: format!("Bearer {access}"),
            cookie,
        });
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(conns)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let t0 = Instant::now();
        let measure_from = t0 + Duration::from_secs(warmup);
        let end = measure_from + Duration::from_secs(secs);
        let lag = tokio::spawn(sample_lag(aerie.base(), measure_from, end));
        let workers: Vec<_> = (0..conns)
            .map(|i| {
                let (client, ctx) = (client.clone(), ctx.clone());
                tokio::spawn(connection(client, ctx, i as u64, measure_from, end))
            })
            .collect();
        let mut tallies: Vec<Tally> = ROUTES.iter().map(|_| Tally::default()).collect();
        for w in workers {
            let mine = w.await.expect("connection task");
            for (all, t) in tallies.iter_mut().zip(mine) {
                all.times.extend(t.times);
                all.errors += t.errors;
                if all.first_error.is_none() {
                    all.first_error = t.first_error;
                }
            }
        }
        let lags = lag.await.expect("lag sampler");
        let peak_kb = common::vm_hwm_kb(pid);
        report(&mut tallies, secs);
        println!(
            "rss: {:.1} MB peak (VmHWM of the aerie process, start-up included)",
            peak_kb as f64 / 1024.0
        );
        let mut lags = lags;
        lags.sort_by(f64::total_cmp);
        match lags.last() {
            None => println!("ingest lag: no samples"),
            Some(max) => println!(
                "ingest lag during the run (/ready every second, {} samples; fed ~1,000 events/s in real time): p50 {:.2} s, max {max:.2} s",
                lags.len(),
                lags[lags.len() / 2],
            ),
        }
        // How long the writer takes to catch up once the reads stop.
        let fed = now_us();
        let t = Instant::now();
        let caught_up = loop {
            if aerie.cursor().await >= fed - 1_000_000 {
                break Some(t.elapsed());
            }
            if t.elapsed() > Duration::from_secs(60) {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        match caught_up {
            Some(d) => println!(
                "ingest after the run: within 1 s of the feed {:.1} s after the reads stopped",
                d.as_secs_f64()
            ),
            None => println!("ingest after the run: still more than 1 s behind after 60 s"),
        }
        feeder.abort();
        let errors: u64 = tallies.iter().map(|t| t.errors).sum();
        drop(aerie);
        assert_eq!(errors, 0, "every request must succeed");
    });
}

/// The session cookie's sealed value, as Aerie with `secret` makes it at login.
fn seal_session(secret: &[u8; 32], refresh: &str) -> String {
    let mut cfg = aerie::config::Config::default();
    cfg.rate_limit.enabled = false;
    let cfg = Arc::new(cfg);
    let store = aerie_storage::open(
        aerie_storage::Backend::Memory,
        "".as_ref(),
        aerie_storage::Durability::Buffer,
    )
    .expect("memory store");
    let secret = aerie::auth::secret::Secret::from_bytes(secret).expect("secret");
    let services = aerie::serve::Services::open(&cfg, store).expect("services");
    let state = services.state(cfg, secret);
    aerie::web::visitor::seal_session(&state, refresh)
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Pushes each event into the simulator once its time has come.
async fn feed(sim: Arc<Sim>, corpus: Vec<jetsim::corpus::GenEvent>) {
    let mut next = 0;
    while next < corpus.len() {
        let now = now_us();
        let due = corpus[next..].partition_point(|e| e.time_us <= now);
        sim.push(corpus[next..next + due].iter().map(SimEvent::from));
        next += due;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One connection's requests until `end`; those from `measure_from` on are counted.
async fn connection(
    client: reqwest::Client,
    ctx: Arc<Ctx>,
    seed: u64,
    measure_from: Instant,
    end: Instant,
) -> Vec<Tally> {
    let mut rng = Rng::new(1000 + seed);
    let mut tallies: Vec<Tally> = ROUTES.iter().map(|_| Tally::default()).collect();
    let total: u64 = ROUTES.iter().map(|r| r.1).sum();
    while Instant::now() < end {
        let mut pick = rng.below(total);
        let slot = ROUTES
            .iter()
            .position(|r| match pick < r.1 {
                true => true,
                false => {
                    pick -= r.1;
                    false
                }
            })
            .unwrap_or(0);
        let (url, header) = ctx.request(ROUTES[slot].0, &mut rng);
        let mut req = client.get(&url);
        if let Some((k, v)) = header {
            req = req.header(k, v);
        }
        let t = Instant::now();
        let outcome = match req.send().await {
            Ok(r) if r.status().is_success() => {
                r.bytes().await.map(|_| ()).map_err(|e| e.to_string())
            }
            Ok(r) => Err(format!("{url}: {}", r.status())),
            Err(e) => Err(format!("{url}: {e}")),
        };
        if t < measure_from {
            continue;
        }
        let tally = &mut tallies[slot];
        match outcome {
            Ok(()) => tally.times.push(t.elapsed()),
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
            }
        }
    }
    tallies
}

/// Ingest lag from `/ready`, once a second from `from` until `end` (its own connection).
async fn sample_lag(base: String, from: Instant, end: Instant) -> Vec<f64> {
    let client = reqwest::Client::new();
    tokio::time::sleep_until(from.into()).await;
    let mut lags = Vec::new();
    while Instant::now() < end {
        let ready = client.get(format!("{base}/ready")).send().await;
        if let Ok(r) = ready {
            if let Ok(v) = r.json::<serde_json::Value>().await {
                lags.extend(v["lag_seconds"].as_f64());
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    lags
}

fn report(tallies: &mut [Tally], secs: u64) {
    let mut requests = 0;
    for ((_, _, name), t) in ROUTES.iter().zip(tallies.iter_mut()) {
        t.times.sort();
        requests += t.times.len() as u64 + t.errors;
        println!(
            "{name}: {} requests, {} errors, p50 {:.1} ms, p99 {:.1} ms",
            t.times.len() as u64 + t.errors,
            t.errors,
            pct_ms(&t.times, 0.5),
            pct_ms(&t.times, 0.99)
        );
        if let Some(e) = &t.first_error {
            println!("  first error: {e}");
        }
    }
    println!(
        "all routes: {requests} requests, {:.0} requests/s",
        requests as f64 / secs as f64
    );
}
