//! Search benchmark (prints figures; not a timed test), over a store of 5M posts
//! (BENCH_SEARCH_POSTS to change) whose words follow a Zipf law over a 50,000-word vocabulary
//! headed by English's 50 commonest words (5 to 30 words a post, hashtags, a few Japanese and
//! Korean posts), by 50,000 authors with
//! handles and profiles:
//! - the index built from the store (`aerie reindex`'s path): records/s;
//! - catch-up: 300,000 posts written to the store at once, then taken in from the change log
//!   (the live path): events/s end to end;
//! - searchPosts `latest` and `top` through the real HTTP stack, with `hitsTotal`, for words
//!   common, middling and rare, two words, a phrase, `from:`, `#tag`: p50 and p99;
//! - searchActorsTypeahead for 2 to 4 typed characters: p50 and p99;
//! - write → searchable while the store is written at full speed: p50, p99, max;
//! - index bytes per post, and the memory search adds to a running `aerie serve` (see
//!   `search/memory.rs`).
//!
//! `cargo bench --bench search`; `BENCH_SEARCH_STORE=<dir>` keeps the store and index there and
//! reuses them on the next run.

mod common;
#[path = "search/memory.rs"]
mod memory;

use aerie::config::Config;
use aerie_storage::{Durability, Op, RecordId, Store};
use common::{env_or, pct_ms, put, report};
use jetsim::ids::{did, tid};
use jetsim::rng::Rng;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Distinct words.
const VOCABULARY: usize = 50_000;
/// Authors.
const AUTHORS: u64 = 50_000;
const BASE_US: i64 = 1_760_000_000_000_000;
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ta", "ren", "so", "vi", "da", "mor", "el", "an", "tu", "pe", "qui", "zar",
    "no", "bri", "ga", "hul", "ex", "fo", "ry", "sen", "wa",
];
const NAMES: [&str; 16] = [
    "Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Goro", "Hana", "Ivan", "Jade", "Kofi",
    "Lena", "Mateo", "Nina", "Omar", "Priya",
];

/// English's commonest words, most common first: the head of the vocabulary, as in real text
/// (phrases of them are the costly kind).
const HEAD: [&str; 50] = [
    "the", "to", "and", "a", "i", "of", "is", "in", "it", "you", "that", "for", "on", "this", "my",
    "be", "with", "so", "but", "not", "are", "just", "have", "was", "me", "like", "at", "all",
    "we", "do", "what", "if", "they", "your", "one", "can", "about", "out", "up", "get", "no",
    "as", "or", "how", "there", "more", "from", "when", "now", "an",
];

/// The `i`th word of the vocabulary (rank `i`: lower is more frequent).
fn word(i: usize) -> String {
    if let Some(w) = HEAD.get(i) {
        return w.to_string();
    }
    let mut x = i + 1;
    let mut w = String::new();
    while x > 0 {
        w.push_str(SYLLABLES[x % SYLLABLES.len()]);
        x /= SYLLABLES.len();
    }
    w
}

/// Zipf (s = 1) ranks by inverse CDF.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize) -> Self {
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = (1..=n)
            .map(|r| {
                acc += 1.0 / r as f64;
                acc
            })
            .collect();
        let total = acc;
        cdf.iter_mut().for_each(|c| *c /= total);
        Zipf(cdf)
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.below(1 << 30) as f64 / (1u64 << 30) as f64;
        self.0.partition_point(|c| *c < u).min(self.0.len() - 1)
    }
}

fn handle(a: u64) -> String {
    format!(
        "{}{a}.bsky.social",
        NAMES[a as usize % NAMES.len()].to_lowercase()
    )
}

/// A post's record: Zipf words, sometimes a hashtag, some Japanese or Korean.
fn post_record(i: usize, rng: &mut Rng, zipf: &Zipf, time_us: i64) -> serde_json::Value {
    let n = 5 + rng.below(26) as usize;
    let mut words: Vec<String> = (0..n).map(|_| word(zipf.sample(rng))).collect();
    let mut langs = vec!["en"];
    if i.is_multiple_of(50) {
        words.push("東京都の天気は晴れです".into());
        langs = vec!["ja"];
    } else if i.is_multiple_of(77) {
        words.push("새 에어팟을 샀어요".into());
        langs = vec!["ko"];
    }
    let mut rec = json!({"$type": "app.bsky.feed.post",
        "createdAt": aerie_storage::datetime::format_us(time_us), "langs": langs});
    if i.is_multiple_of(10) {
        let tag = word(zipf.sample(rng) % 500);
        words.push(format!("#{tag}"));
        rec["tags"] = json!([tag]);
    }
    rec["text"] = json!(words.join(" "));
    rec
}

/// Posts `from..to` of the corpus as store operations.
fn posts(from: usize, to: usize, zipf: &Zipf) -> Vec<Op> {
    let mut rng = Rng::new(from as u64 * 31 + 7);
    (from..to)
        .map(|i| {
            let time_us = BASE_US + i as i64 * 1000;
            let author = did(rng.below(AUTHORS));
            let rkey = tid(time_us, 4);
            let rec = post_record(i, &mut rng, zipf, time_us);
            put(
                RecordId::new(&author, "app.bsky.feed.post", &rkey),
                &rkey,
                &rec,
                time_us,
            )
        })
        .collect()
}

/// Handles and profiles of every author.
fn authors(store: &dyn Store) {
    let mut batch = Vec::new();
    for a in 0..AUTHORS {
        let d = did(a);
        batch.push(Op::Identity {
            did: d.clone(),
            handle: Some(handle(a)),
            seq: 1,
        });
        let name = format!(
            "{} {}",
            NAMES[a as usize % NAMES.len()],
            word(a as usize % 5000)
        );
        let rec = json!({"$type": "app.bsky.actor.profile", "displayName": name,
            "description": format!("I post about {}", word(a as usize % 1000))});
        batch.push(put(
            RecordId::new(&d, "app.bsky.actor.profile", "self"),
            "2222222222222",
            &rec,
            BASE_US,
        ));
        if batch.len() >= 5000 {
            store.apply(&batch, None).expect("apply");
            batch.clear();
        }
    }
    store.apply(&batch, None).expect("apply");
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Makes one query of a kind.
type QueryMaker = Box<dyn Fn(&mut Rng) -> String>;

fn main() {
    // Aerie's warnings (a slow commit, ...) show beside the figures.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .init();
    let total = env_or("BENCH_SEARCH_POSTS", 5_000_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = std::env::var_os("BENCH_SEARCH_STORE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let zipf = Zipf::new(VOCABULARY);
    let store_dir = data.join("store");
    let reuse = store_dir.exists();
    let store = aerie_storage::open(
        aerie_storage::Backend::Fjall,
        &store_dir,
        Durability::Buffer,
    )
    .expect("store");
    // The catch-up's posts come after the corpus; a reused store may hold them already.
    let catch_up = 300_000;
    if !reuse {
        let t = Instant::now();
        authors(&*store);
        for from in (0..total).step_by(5000) {
            store
                .apply(&posts(from, (from + 5000).min(total), &zipf), None)
                .expect("apply");
        }
        store.flush().expect("flush");
        println!(
            "store: {total} posts built in {:.0} s",
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("store: reused ({})", store_dir.display());
    }

    let mut cfg = Config {
        data_dir: data.clone(),
        scope: aerie::config::Scope::Network,
        ..Config::default()
    };
    cfg.rate_limit.enabled = false;
    cfg.search.people_appview_url = String::new();
    let cfg = Arc::new(cfg);
    let services = aerie::serve::Services::open(&cfg, store.clone()).expect("services");
    let search = services.search.clone().expect("search");
    let mut indexer = search.indexer(store.clone(), &cfg.search).expect("indexer");
    let t = Instant::now();
    let mut last_shown = 0;
    let mut progress = |done: u64, all: u64| {
        if done >= last_shown + 500_000 {
            last_shown = done;
            eprintln!("  indexing: {done}/{all}");
        }
    };
    let stale = indexer.stale().expect("stale");
    indexer.start(&mut progress).expect("start");
    let records = store.stats().expect("stats").records;
    if stale.is_some() {
        let secs = t.elapsed().as_secs_f64();
        println!(
            "rebuild from the store: {records} records in {secs:.1} s, {:.0} records/s",
            records as f64 / secs
        );
    } else {
        println!("index: resumed from its commit");
    }

    // Catch-up: posts written at once, then taken in from the change log.
    // Keys of this run's own (a reused store keeps every earlier run's posts).
    let next = 10_000_000 + (now_us() / 1_000_000 % 50) as usize * 600_000;
    let t = Instant::now();
    for from in (next..next + catch_up).step_by(5000) {
        store
            .apply(&posts(from, from + 5000, &zipf), None)
            .expect("apply");
    }
    let written = t.elapsed().as_secs_f64();
    let t = Instant::now();
    indexer.catch_up().expect("catch up");
    let indexed = t.elapsed().as_secs_f64();
    println!(
        "catch-up: {catch_up} posts written in {written:.1} s ({:.0}/s), taken in from the change log in {indexed:.1} s: {:.0} posts/s, {:.0} events/s at the network's mix (one event in nine a post)",
        catch_up as f64 / written,
        catch_up as f64 / indexed,
        9.0 * catch_up as f64 / indexed
    );
    let index_bytes = dir_bytes(&data.join("search"));
    let posts_now = total + catch_up;
    println!(
        "index: {:.0} MB, {:.0} bytes a post",
        index_bytes as f64 / 1e6,
        index_bytes as f64 / posts_now as f64
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let secret = aerie::auth::secret::Secret::from_bytes(&common::SECRET).expect("secret");
    let state = Arc::new(services.state(cfg.clone(), secret));
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, aerie::app(state)).await });
        let client = reqwest::Client::new();
        let mut rng = Rng::new(5);
        let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        let queries: Vec<(&str, QueryMaker)> = vec![
            ("a common word (rank 1-10)", Box::new(|r: &mut Rng| word(r.below(10) as usize))),
            ("a middling word (rank 100-1000)", Box::new(|r: &mut Rng| word(100 + r.below(900) as usize))),
            ("a rare word (rank 10k-50k)", Box::new(|r: &mut Rng| word(10_000 + r.below(40_000) as usize))),
            ("two words", Box::new(|r: &mut Rng| format!("{} {}", word(r.below(50) as usize), word(50 + r.below(500) as usize)))),
            ("a phrase", Box::new(|r: &mut Rng| format!("\"{} {}\"", word(r.below(20) as usize), word(r.below(20) as usize)))),
            ("from: and a word", Box::new(|r: &mut Rng| format!("from:{} {}", handle(r.below(AUTHORS)), word(r.below(100) as usize)))),
            ("#tag", Box::new(|r: &mut Rng| format!("#{}", word(r.below(500) as usize)))),
            ("Japanese (東京)", Box::new(|_: &mut Rng| "東京".to_string())),
        ];
        for (name, make) in &queries {
            for sort in ["latest", "top"] {
                let urls: Vec<String> = (0..400)
                    .map(|_| {
                        format!(
                            "http://{addr}/xrpc/app.bsky.feed.searchPosts?q={}&sort={sort}&limit=25",
                            enc(&make(&mut rng))
                        )
                    })
                    .collect();
                let (_, sample) = (0, client.get(&urls[0]).send().await.expect("req").json::<serde_json::Value>().await.expect("json"));
                report(&format!("searchPosts {sort}, {name} (hitsTotal ~{})", sample["hitsTotal"]), &client, &urls).await;
            }
        }
        let typeahead: Vec<String> = (0..2000)
            .map(|_| {
                let a = rng.below(AUTHORS);
                let n = 2 + rng.below(3) as usize;
                let typed: String = if rng.chance(0.5) {
                    handle(a).chars().take(n).collect()
                } else {
                    word(a as usize % 5000).chars().take(n).collect()
                };
                format!("http://{addr}/xrpc/app.bsky.actor.searchActorsTypeahead?q={}&limit=8", enc(&typed))
            })
            .collect();
        report("searchActorsTypeahead (2-4 characters)", &client, &typeahead).await;
    });

    // Write → searchable while the store is written at full speed.
    let stop = Arc::new(AtomicBool::new(false));
    let runner = {
        let stop = stop.clone();
        std::thread::spawn(move || indexer.run(stop))
    };
    // The network's mix at full speed: about one event in nine is a post, the rest likes
    // (which search never sees).
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let store = store.clone();
        let writing = writing.clone();
        let zipf = Zipf::new(VOCABULARY);
        std::thread::spawn(move || {
            let mut from = 40_000_000 + (std::process::id() as usize % 1000) * 100_000;
            let (mut events, mut posts_written) = (0usize, 0usize);
            let mut rng = Rng::new(17);
            while writing.load(Ordering::Relaxed) {
                let mut ops = posts(from, from + 55, &zipf);
                for _ in 0..445 {
                    let liker = did(rng.below(AUTHORS));
                    let n = from + rng.below(55) as usize;
                    let t = BASE_US + n as i64 * 1000;
                    let rkey = tid(t + rng.below(1000) as i64, 6);
                    let subject = format!("at://{}/app.bsky.feed.post/{}", did(1), tid(t, 4));
                    let rec = json!({"$type": "app.bsky.feed.like", "subject": {"uri": subject,
                        "cid": jetsim::ids::cid(n as u64)}, "createdAt": aerie_storage::datetime::format_us(t)});
                    ops.push(put(
                        RecordId::new(&liker, "app.bsky.feed.like", &rkey),
                        &rkey,
                        &rec,
                        t,
                    ));
                }
                store.apply(&ops, None).expect("apply");
                from += 55;
                posts_written += 55;
                events += ops.len();
            }
            (events, posts_written)
        })
    };
    let mut lags = Vec::new();
    let f = *search.fields();
    let t_all = Instant::now();
    for probe in 0..200u64 {
        let marker = format!("probe{probe}x{}", std::process::id());
        let d = did(1);
        // A key of its own on every run (the store keeps the last run's probes).
        let rkey = tid(now_us() + probe as i64, 9);
        let rec = json!({"$type": "app.bsky.feed.post", "text": marker, "createdAt": aerie_storage::datetime::format_us(BASE_US)});
        store
            .apply(
                &[put(
                    RecordId::new(&d, "app.bsky.feed.post", &rkey),
                    &rkey,
                    &rec,
                    BASE_US,
                )],
                None,
            )
            .expect("apply");
        let t = Instant::now();
        let term = tantivy::Term::from_field_text(f.text, &marker);
        let q = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        loop {
            if search
                .searcher()
                .search(&q, &tantivy::collector::Count)
                .unwrap_or(0)
                > 0
            {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "never searchable");
            std::thread::sleep(Duration::from_millis(2));
        }
        lags.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    writing.store(false, Ordering::Relaxed);
    let (events, posts_written) = writer.join().expect("writer");
    stop.store(true, Ordering::Relaxed);
    let _ = runner.join();
    lags.sort();
    let secs = t_all.elapsed().as_secs_f64();
    println!(
        "write -> searchable while writing {:.0} events/s ({:.0} posts/s): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        events as f64 / secs,
        posts_written as f64 / secs,
        pct_ms(&lags, 0.5),
        pct_ms(&lags, 0.99),
        pct_ms(&lags, 1.0)
    );
    // Everything holding the store lets go of it before the served Aerie opens it.
    drop(rt);
    drop(services);
    drop(search);
    drop(store);
    std::thread::sleep(Duration::from_secs(2));
    let authors: Vec<String> = (0..4000).map(did).collect();
    let queries: Vec<String> = (0..40)
        .map(|i| word(i % 12 + (i / 12) * 30))
        .chain(["\"of the\"", "the tulip", "#mila", "東京"].map(String::from))
        .map(|q| url::form_urlencoded::byte_serialize(q.as_bytes()).collect())
        .collect();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(memory::report(&data, &authors, &queries));
}
