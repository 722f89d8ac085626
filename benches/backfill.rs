//! Backfill benchmark (prints figures; not a timed test):
//! 1. a 100k-record repository CAR (built and signed by `@atproto/repo`, tests/pds/make-repo.mjs,
//!    cached under target/bench-data): CAR parse + MST walk, then plan + apply through the scope
//!    into a fresh fjall store, in records per second;
//! 2. from a follow to the complete history of a 1,000-post account on a local PDS
//!    (`@atproto/dev-env`), through the release `aerie serve` following the PDS firehose.
//!
//! `cargo bench --bench backfill` (BENCH_RECORDS=n changes the repository size; part 2 needs
//! Node 20 and `npm ci --prefix tests/pds`; BENCH_NO_PDS=1 skips it).

#[path = "../tests/common/mod.rs"]
mod common;

use aerie::gate::change::Filter;
use aerie::gate::Scope;
use aerie::ingest::backfill::{apply_car, plan};
use aerie::ingest::car::read_repo;
use aerie_storage::{Backend, Durability};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    parse_and_apply(&repository(n));
    if std::env::var_os("BENCH_NO_PDS").is_none() {
        follow_to_history();
    }
}

/// The cached repository CAR with `n` records, made on first use.
fn repository(n: usize) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data");
    let path: PathBuf = dir.join(format!("repo-{n}.car"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("bench-data dir");
        let t = Instant::now();
        let ok = Command::new("node")
            .arg("make-repo.mjs")
            .arg(&path)
            .arg(n.to_string())
            .current_dir(root.join("tests/pds"))
            .status()
            .expect("node (run `npm ci --prefix tests/pds` first)")
            .success();
        assert!(ok, "make-repo.mjs failed");
        println!(
            "repository of {n} records built in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    std::fs::read(&path).expect("read the CAR")
}

fn parse_and_apply(car: &[u8]) {
    let t = Instant::now();
    let repo = read_repo(car).expect("a valid repository");
    let parse = t.elapsed();
    let n = repo.records.len();
    drop(repo);
    let filter = Filter::from_config(&aerie::config::JetstreamConfig::default());
    let rate = |d: Duration| n as f64 / d.as_secs_f64();

    // Serially: parse everything, then plan and apply (what the pipeline overlaps).
    let dir = tempfile::tempdir().expect("tempdir");
    let store = aerie_storage::open(Backend::Fjall, dir.path(), Durability::Buffer).expect("store");
    let scope = Scope::load(&*store, aerie::config::Scope::Follows).expect("scope");
    let repo = read_repo(car).expect("a valid repository");
    let t = Instant::now();
    let mut rest = plan(&repo, &[], &filter, aerie::util::now_us(), None).expect("plan");
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(2000));
        scope
            .apply_repo(&*store, std::mem::replace(&mut rest, tail))
            .expect("apply");
    }
    store.flush().expect("flush");
    let apply = t.elapsed();
    drop((store, dir));

    // As a fetch does it: index, then decoding on one thread while the other applies.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = aerie_storage::open(Backend::Fjall, dir.path(), Durability::Buffer).expect("store");
    let scope = Scope::load(&*store, aerie::config::Scope::Follows).expect("scope");
    let t = Instant::now();
    let report = apply_car(&*store, &scope, &filter, car).expect("apply");
    store.flush().expect("flush");
    let pipelined = t.elapsed();
    assert_eq!(report.records, n);
    println!(
        "backfill of a {n}-record repository ({:.1} MB CAR): parse + MST walk {:.2}s = {:.0} records/s; plan + apply {:.2}s = {:.0} records/s; as a fetch does it (decoding beside applying) {:.2}s = {:.0} records/s (target 100,000)",
        car.len() as f64 / 1e6,
        parse.as_secs_f64(),
        rate(parse),
        apply.as_secs_f64(),
        rate(apply),
        pipelined.as_secs_f64(),
        rate(pipelined),
    );
}

fn follow_to_history() {
    if !Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pds/node_modules/@atproto/dev-env")
        .exists()
    {
        println!("follow to history: skipped (npm ci --prefix tests/pds first)");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut net = common::pds::Network::start_with(
            &["--posts=1000", "--no-follows"],
            &["alice.test", "bob.test"],
        );
        let bob = net.did("bob.test");
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let env = net.firehose_env(&[
            ("AERIE_USERS", "[\"alice.test\"]"),
            ("AERIE_SCOPE", "follows"),
            ("RUST_LOG", "warn"),
        ]);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = common::Aerie::start(&data, "ws://127.0.0.1:9/unused", &pairs);
        a.wait_for(Duration::from_secs(60), |r| r["backfill"]["done"] == 1)
            .await;
        let t = Instant::now();
        net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
        loop {
            let (_, p) = a
                .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={bob}"))
                .await;
            if p["postsCount"] == 1000 {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(120), "stuck: {p}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!(
            "follow to complete history of a 1,000-post account (local PDS, firehose): {:.2}s (target 10s)",
            t.elapsed().as_secs_f64()
        );
    });
}
