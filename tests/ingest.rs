//! End-to-end: the real `aerie` binary follows the Jetstream simulator and its HTTP API must
//! answer exactly what the oracle computes from the corpus — through compression, duplicated
//! and reordered deliveries, socket drops, kill -9 at random points, and SIGTERM.

mod common;

use common::oracle::{assert_matches_oracle, Oracle};
use common::{enc, Aerie};
use jetsim::corpus::{generate, CorpusSpec, GenEvent};
use jetsim::{Sim, SimEvent, SimOptions};
use std::time::Duration;

fn sim_events(c: &[GenEvent]) -> Vec<SimEvent> {
    c.iter().map(SimEvent::from).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_chaotic_stream_with_drops_matches_oracle() {
    let corpus = generate(&CorpusSpec {
        events: 12_000,
        accounts: 300,
        seed: 11,
        ..Default::default()
    });
    let samples: Vec<String> = corpus.iter().take(2000).map(|e| e.json.clone()).collect();
    let dict = jetsim::train_dictionary(&samples, 16 * 1024).expect("dictionary");
    let dir = tempfile::tempdir().expect("tempdir");
    let dict_path = dir.path().join("zstd_dictionary");
    std::fs::write(&dict_path, &dict).expect("write dict");
    let sim = Sim::start(SimOptions {
        dictionary: Some(dict),
        drop_after: 3000,
        duplicate_every: 53,
        swap_every: 41,
        ..Default::default()
    })
    .await
    .expect("sim");
    sim.push(sim_events(&corpus));
    let oracle = Oracle::build(&corpus);
    let data = dir.path().join("data");
    let aerie = Aerie::start(
        &data,
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
            ("AERIE_JETSTREAM__REWIND_SECS", "1"),
            ("AERIE_JETSTREAM__COMPRESS", "true"),
            (
                "AERIE_JETSTREAM__ZSTD_DICTIONARY",
                dict_path.to_str().expect("path"),
            ),
        ],
    );
    aerie
        .wait_for_cursor(oracle.last_valid_time_us, Duration::from_secs(300))
        .await;
    let subs = sim.subscriptions();
    assert!(subs.len() >= 4, "drops forced reconnects: {subs:?}");
    assert!(subs.iter().all(|s| s.compress), "compression was asked for");
    assert!(
        subs[1..].iter().all(|s| s.cursor.is_some()),
        "reconnects resume from a cursor"
    );
    let (_, ready) = aerie.get("/ready").await;
    assert!(
        ready["skipped"].as_u64().unwrap_or(0) > 0,
        "malformed events were counted: {ready}"
    );
    assert_matches_oracle(&aerie, &oracle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_then_sigterm_converges_to_oracle() {
    let corpus = generate(&CorpusSpec {
        events: 30_000,
        accounts: 400,
        seed: 23,
        ..Default::default()
    });
    let oracle = Oracle::build(&corpus);
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(sim_events(&corpus));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[("AERIE_JETSTREAM__INITIAL_CURSOR", "0")],
    );
    let mut rng = jetsim::rng::Rng::new(5);
    let mut kills = 0;
    while aerie.cursor().await < oracle.last_valid_time_us && kills < 12 {
        tokio::time::sleep(Duration::from_millis(150 + rng.below(600))).await;
        aerie.kill9_and_restart();
        kills += 1;
    }
    assert!(kills > 0);
    // A clean stop commits and exits 0; a restart resumes from there.
    tokio::time::sleep(Duration::from_millis(rng.below(300))).await;
    assert!(
        aerie.terminate(),
        "SIGTERM exits cleanly; log:\n{}",
        aerie.log_text()
    );
    assert!(aerie
        .log_text()
        .contains("writer stopped; committed and flushed"));
    aerie.restart();
    aerie
        .wait_for_cursor(oracle.last_valid_time_us, Duration::from_secs(300))
        .await;
    assert_matches_oracle(&aerie, &oracle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_kill_9_then_restart_converges_to_oracle() {
    let corpus = generate(&CorpusSpec {
        events: 12_000,
        accounts: 250,
        seed: 31,
        ..Default::default()
    });
    let oracle = Oracle::build(&corpus);
    let sim = Sim::start(SimOptions {
        duplicate_every: 47,
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    sim.push(sim_events(&corpus));
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = common::pg::fresh_schema();
    let mut env = common::postgres_env(&schema);
    env.push(("AERIE_JETSTREAM__INITIAL_CURSOR", "0".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut aerie = Aerie::start(&dir.path().join("data"), &sim.url(), &env);
    let mut rng = jetsim::rng::Rng::new(8);
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(300 + rng.below(700))).await;
        let before = aerie.cursor().await;
        aerie.kill9_and_restart();
        if before >= oracle.last_valid_time_us {
            break;
        }
    }
    aerie
        .wait_for_cursor(oracle.last_valid_time_us, Duration::from_secs(300))
        .await;
    assert_matches_oracle(&aerie, &oracle).await;
    assert!(
        !dir.path().join("data/store").exists(),
        "nothing of the store on disk"
    );
    // The database ends every session of Aerie's (as a restart of the server would): reads
    // reconnect and answer as before.
    let ended = common::pg::server().end_sessions("aerie");
    assert!(ended >= 1, "{ended}");
    assert_matches_oracle(&aerie, &oracle).await;
    assert!(aerie.log_text().contains("postgres connection lost"));
    assert!(aerie.terminate(), "log:\n{}", aerie.log_text());
    let store = aerie_storage::open(
        aerie_storage::Backend::Postgres(common::pg::server().options(&schema)),
        "".as_ref(),
        aerie_storage::Durability::Buffer,
    )
    .expect("the schema holds the store");
    assert_eq!(
        store.cursor().expect("cursor").map(|c| c.position),
        Some(oracle.last_valid_time_us)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_store_records_its_start_before_the_first_event() {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    let old = generate(&CorpusSpec {
        events: 200,
        start_us: 1_600_000_000_000_000,
        seed: 3,
        ..Default::default()
    });
    sim.push(sim_events(&old));
    let dir = tempfile::tempdir().expect("tempdir");
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_micros() as i64;
    let mut aerie = Aerie::start(&dir.path().join("data"), &sim.url(), &[]);
    let start = aerie.cursor().await;
    assert!(
        start >= before,
        "the start ({start}) is recorded at once, before any event"
    );
    aerie.kill9();
    // Events that happen while Aerie is down, after its recorded start.
    let new = generate(&CorpusSpec {
        events: 300,
        accounts: 20,
        start_us: start + 1_000_000,
        seed: 4,
        malformed: 0.0,
    });
    sim.push(sim_events(&new));
    aerie.restart();
    let last = new.last().expect("events").time_us;
    aerie.wait_for_cursor(last, Duration::from_secs(60)).await;
    let subs = sim.subscriptions();
    let rewound = |c: Option<i64>| c.is_some_and(|c| c <= start && c >= start - 5_000_000);
    assert!(
        rewound(subs[0].cursor),
        "a fresh store starts live, from its recorded start: {subs:?}"
    );
    assert!(
        rewound(subs[1].cursor),
        "and resumes from there after a crash: {subs:?}"
    );
    assert_matches_oracle(&aerie, &Oracle::build(&new)).await;
    let (_, profile) = aerie
        .get(&format!(
            "/xrpc/app.bsky.actor.getProfile?actor={}",
            enc(&old[0].did)
        ))
        .await;
    assert_eq!(
        profile["error"], "InvalidRequest",
        "nothing from before the start was read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_socket_is_dropped_after_the_liveness_timeout() {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[("AERIE_JETSTREAM__LIVENESS_TIMEOUT_SECS", "1")],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sim.subscriptions().len() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        sim.subscriptions().len() >= 3,
        "reconnected after silences; log:\n{}",
        aerie.log_text()
    );
    assert!(
        aerie.log_text().contains("silent for"),
        "the reason is logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clamped_cursors_and_endpoint_changes_are_recorded_as_gaps() {
    let corpus = generate(&CorpusSpec {
        events: 3000,
        accounts: 50,
        seed: 41,
        malformed: 0.0,
        ..Default::default()
    });
    let start = corpus[0].time_us;
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(sim_events(&corpus));
    // The source keeps only the second half: a cursor from the start is silently clamped.
    let kept_from = corpus[1500].time_us;
    sim.set_retention_start(kept_from);
    let dir = tempfile::tempdir().expect("tempdir");
    let asked = (start + 1000).to_string();
    let mut aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", &asked),
            ("AERIE_JETSTREAM__GAP_THRESHOLD_SECS", "1"),
            ("AERIE_JETSTREAM__RETENTION_SECS", "4000000000"),
        ],
    );
    let last = corpus.last().expect("events").time_us;
    aerie.wait_for_cursor(last, Duration::from_secs(60)).await;
    assert!(
        aerie.log_text().contains("gap recorded"),
        "the gap is logged"
    );
    // With no tracked accounts there is nothing to fetch again: repair is immediate.
    aerie
        .wait_for(Duration::from_secs(20), |ready| ready["gaps"] == 0)
        .await;
    assert!(aerie.log_text().contains("gap repaired"), "and logged");
    // Another endpoint: its positions are not comparable, so that is a gap too.
    let other = Sim::start(SimOptions::default()).await.expect("sim");
    assert!(aerie.terminate());
    let mut moved = Aerie::start(
        &dir.path().join("data"),
        &other.url(),
        &[
            ("AERIE_JETSTREAM__GAP_THRESHOLD_SECS", "1"),
            ("AERIE_JETSTREAM__RETENTION_SECS", "4000000000"),
        ],
    );
    assert!(
        moved
            .log_text()
            .contains("the saved cursor belongs to another endpoint"),
        "{}",
        moved.log_text()
    );
    assert!(moved.terminate());
}
