//! Retention through the binary: with `retention.days` set, old content outside the protected
//! set (here everything: a network-scope store with no users) leaves feeds in background
//! passes while every count stays as it was.

mod common;

use common::Aerie;
use jetsim::corpus::{generate, CorpusSpec};
use jetsim::{Sim, SimEvent, SimOptions};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_unprotected_content_is_pruned_and_counts_stay() {
    // Events from 2020: far past any horizon.
    let corpus = generate(&CorpusSpec {
        events: 2000,
        accounts: 20,
        seed: 8,
        start_us: 1_580_000_000_000_000,
        ..Default::default()
    });
    let last = corpus.iter().map(|e| e.time_us).max().unwrap_or_default();
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(corpus.iter().map(SimEvent::from));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[("AERIE_JETSTREAM__INITIAL_CURSOR", "0")],
    );
    a.wait_for_cursor(last, Duration::from_secs(60)).await;
    let dids = common::corpus_dids(&corpus);
    let mut before = Vec::new();
    let mut posting = None;
    for d in &dids {
        let (_, p) = a
            .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={d}"))
            .await;
        let (_, feed) = a
            .get(&format!("/xrpc/app.bsky.feed.getAuthorFeed?actor={d}"))
            .await;
        if posting.is_none() && feed["feed"].as_array().is_some_and(|f| !f.is_empty()) {
            posting = Some(d.clone());
        }
        before.push((d.clone(), p));
    }
    let posting = posting.expect("an account with posts");

    assert!(a.terminate());
    let mut b = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[
            ("AERIE_INGEST__ENABLED", "false"),
            ("AERIE_RETENTION__DAYS", "30"),
            ("AERIE_RETENTION__INTERVAL_SECS", "1"),
            ("AERIE_RETENTION__BATCH", "500"),
        ],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (_, feed) = b
            .get(&format!(
                "/xrpc/app.bsky.feed.getAuthorFeed?actor={posting}"
            ))
            .await;
        if feed["feed"].as_array().is_some_and(|f| f.is_empty()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing was pruned:\n{}",
            b.log_text()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Counts (followers, follows, posts) are exactly what they were.
    for (d, p) in &before {
        let (_, now) = b
            .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={d}"))
            .await;
        for k in ["followersCount", "followsCount", "postsCount"] {
            assert_eq!(now[k], p[k], "{d} {k}");
        }
    }
    assert!(b.terminate());
}
