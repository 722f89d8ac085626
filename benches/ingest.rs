//! Ingest benchmark (prints figures; not a timed test). On a realistic corpus (the network's mix:
//! ~69% likes, 11% posts, 10% reposts, ...):
//! 1. straight into the writer: parse rate, apply rate, bytes on disk per event after compaction;
//! 2. end to end: the release `aerie serve` binary following the Jetstream simulator through the
//!    socket, events per second and peak RSS of the Aerie process.
//!
//! `cargo bench --bench ingest` (BENCH_EVENTS=n to change the corpus size, default 1M;
//! BENCH_BATCH=n the writer batch, default 2000 as in the config). Part 2 runs on PostgreSQL
//! with AERIE_STORAGE__BACKEND=postgres and AERIE_STORAGE__POSTGRES_URL (a new schema each run:
//! AERIE_STORAGE__POSTGRES_SCHEMA).

mod common;

use aerie::gate::change::Filter;
use aerie::ingest::event::parse;
use aerie_storage::kv::fjall::{FjallEngine, FjallOptions};
use aerie_storage::kv::KvStore;
use aerie_storage::{Cursor, Durability, Writer};
use common::vm_hwm_kb;
use jetsim::corpus::{generate, CorpusSpec};
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let start_us = 1_780_000_000_000_000;
    let corpus = generate(&CorpusSpec {
        events: n,
        accounts: (n / 20).max(100),
        malformed: 0.001,
        start_us,
        seed: 1,
    });
    let json_bytes: usize = corpus.iter().map(|e| e.json.len()).sum();
    println!(
        "corpus: {n} events, {:.0} B mean JSON, generated in {:.1}s",
        json_bytes as f64 / n as f64,
        t.elapsed().as_secs_f64()
    );

    // 1. Straight into the writer.
    let filter = Filter::from_config(&aerie::config::JetstreamConfig::default());
    let t = Instant::now();
    let events: Vec<_> = corpus
        .iter()
        .filter_map(|e| parse(e.json.as_bytes(), &filter).ok())
        .collect();
    let parse_s = t.elapsed().as_secs_f64();
    let dir = tempfile::tempdir().expect("tempdir");
    let engine =
        FjallEngine::open(&dir.path().join("store"), FjallOptions::default()).expect("fjall");
    let store = KvStore::new(engine, Durability::Buffer).expect("store");
    let t = Instant::now();
    let batch: usize = std::env::var("BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    for chunk in events.chunks(batch) {
        let ops: Vec<_> = chunk.iter().filter_map(|e| e.op.clone()).collect();
        let cursor = Cursor {
            position: chunk.last().map_or(0, |e| e.time_us),
            endpoint: "bench".into(),
        };
        store.apply(&ops, Some(&cursor)).expect("apply");
    }
    store.flush().expect("flush");
    let apply_s = t.elapsed().as_secs_f64();
    println!("parse:  {:>9.0} events/s", events.len() as f64 / parse_s);
    println!(
        "apply:  {:>9.0} events/s (writer, batches of {batch}, cursor in each batch)",
        events.len() as f64 / apply_s
    );
    println!(
        "writer: {:>9.0} events/s (parse + apply)",
        events.len() as f64 / (parse_s + apply_s)
    );
    store.engine().major_compact().expect("compact");
    let sizes = store.engine().keyspace_sizes();
    let tables: u64 = sizes.iter().map(|(_, b)| b).sum();
    println!("disk:   {:>9.1} B/event after compaction ({:.1} MB of tables; full records kept; journal not counted)",
        tables as f64 / n as f64, tables as f64 / 1e6);
    for (name, bytes) in sizes.iter().filter(|(_, b)| *b > 0) {
        println!(
            "          {name:<22} {:>7.1} B/event",
            *bytes as f64 / n as f64
        );
    }
    drop(store);
    drop(events);

    // 2. End to end through the socket.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(end_to_end(&corpus));
}

async fn end_to_end(corpus: &[jetsim::corpus::GenEvent]) {
    let sim = jetsim::Sim::start(jetsim::SimOptions::default())
        .await
        .expect("sim");
    sim.push(corpus.iter().map(jetsim::SimEvent::from));
    let last = corpus
        .iter()
        .filter(|e| e.valid)
        .map(|e| e.time_us)
        .max()
        .unwrap_or(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let t = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aerie"))
        .arg("serve")
        .current_dir(dir.path())
        .env("AERIE_DATA_DIR", dir.path().join("data"))
        .env("AERIE_LISTEN", format!("127.0.0.1:{port}"))
        .env("AERIE_JETSTREAM__URL", sim.url())
        .env("AERIE_JETSTREAM__INITIAL_CURSOR", "0")
        .env("AERIE_SCOPE", "network")
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("spawn aerie");
    let client = reqwest::Client::new();
    let mut peak_kb = 0u64;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak_kb = peak_kb.max(vm_hwm_kb(child.id()));
        let cursor = match client
            .get(format!("http://127.0.0.1:{port}/ready"))
            .send()
            .await
        {
            Ok(r) => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v["cursor"].as_i64())
                .unwrap_or(0),
            Err(_) => 0,
        };
        if cursor >= last {
            break;
        }
        if t.elapsed() > Duration::from_secs(1800) {
            println!("end-to-end: gave up after 30 min at cursor {cursor}");
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    peak_kb = peak_kb.max(vm_hwm_kb(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let backend = std::env::var("AERIE_STORAGE__BACKEND").unwrap_or_else(|_| "fjall".into());
    println!("socket: {:>9.0} events/s end to end (simulator → socket → reader → channel → writer → {backend}; {:.1}s incl. start-up)",
        corpus.len() as f64 / secs, secs);
    println!(
        "rss:    {:>9.1} MB peak (VmHWM of the aerie process)",
        peak_kb as f64 / 1024.0
    );
}
