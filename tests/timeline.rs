//! Gap-free history against a real PDS and PLC (`@atproto/dev-env`): a configured user follows
//! accounts with hundreds of posts made before Aerie started; their whole history arrives by
//! backfill while they keep writing, through a SIGKILL mid-backfill, a PDS failing for a while,
//! and (over the Jetstream bridge) downtime longer than the source keeps events. `aerie audit`
//! is clean at the end of each.

mod common;

use common::pds::{aerie, Network};
use common::Aerie;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every post text in an author feed, newest first (all pages).
async fn feed_texts(a: &Aerie, did: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = a
            .get(&format!(
                "/xrpc/app.bsky.feed.getAuthorFeed?actor={did}&limit=100{cursor}"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        let items = page["feed"].as_array().expect("feed");
        out.extend(
            items
                .iter()
                .filter_map(|i| i["post"]["record"]["text"].as_str().map(String::from)),
        );
        match page["cursor"].as_str() {
            Some(c) if !items.is_empty() => cursor = format!("&cursor={c}"),
            _ => return out,
        }
    }
}

/// Waits until the backfill queue is empty, no gap is open and `done` accounts are fetched.
async fn settled(a: &Aerie, done: u64) {
    a.wait_for(Duration::from_secs(90), |r| {
        r["backfill"]["pending"] == 0
            && r["backfill"]["running"] == 0
            && r["gaps"] == 0
            && r["backfill"]["done"].as_u64() >= Some(done)
    })
    .await;
}

/// Runs `aerie audit` over the tracked accounts; returns (clean, stdout).
fn audit(env: &[(String, String)], cwd: &Path) -> (bool, String) {
    let (ok, out, err) = aerie(&["audit"], env, cwd);
    (ok, format!("{out}{err}"))
}

/// A data directory and Aerie's environment for this network: alice is the local user, the
/// scope is "follows", plus `extra`.
fn setup(
    net: &Network,
    extra: &[(&str, &str)],
) -> (tempfile::TempDir, PathBuf, Vec<(String, String)>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut env = net.identity_env();
    env.push(("AERIE_DATA_DIR".into(), data.display().to_string()));
    env.push(("AERIE_USERS".into(), "[\"alice.test\"]".into()));
    env.push(("AERIE_SCOPE".into(), "follows".into()));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    (dir, data, env)
}

fn owned(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firehose_follow_backfills_whole_history_through_kill_and_pds_failures() {
    follow_backfills_whole_history(Source::Firehose).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jetstream_follow_backfills_whole_history_through_kill_and_pds_failures() {
    follow_backfills_whole_history(Source::Jetstream).await
}

/// Which way live events reach Aerie.
#[derive(Clone, Copy)]
enum Source {
    /// The PDS's own `subscribeRepos`.
    Firehose,
    /// The Jetstream bridge re-serving it.
    Jetstream,
}

async fn follow_backfills_whole_history(source: Source) {
    let flags: &[&str] = match source {
        Source::Firehose => &["--posts=2", "--no-follows"],
        Source::Jetstream => &["--posts=2", "--no-follows", "--jetstream=600"],
    };
    let mut net = Network::start_with(
        flags,
        &["alice.test", "bob.test", "carol.test", "dave.test"],
    );
    let (alice, bob, carol) = (
        net.did("alice.test"),
        net.did("bob.test"),
        net.did("carol.test"),
    );
    net.cmd(json!({"cmd": "posts", "as": "bob.test", "count": 300, "text": "bob old"}));
    net.cmd(json!({"cmd": "posts", "as": "carol.test", "count": 250, "text": "carol old"}));

    let pds_ws = net.info["pds"].as_str().expect("pds").replace("http", "ws");
    let (source_env, jetstream) = match source {
        Source::Firehose => ("firehose", "ws://127.0.0.1:9/unused".to_string()),
        Source::Jetstream => (
            "jetstream",
            net.info["jetstream"].as_str().expect("bridge").to_string(),
        ),
    };
    let (dir, data, env) = setup(
        &net,
        &[
            ("AERIE_SOURCE", source_env),
            ("AERIE_FIREHOSE__URL", &pds_ws),
            ("AERIE_BACKFILL__MAX_BACKOFF_SECS", "1"),
            ("AERIE_BACKFILL__TIMEOUT_SECS", "2"),
        ],
    );
    let mut a = Aerie::start(&data, &jetstream, &owned(&env));
    settled(&a, 1).await;

    // The PDS fails getRepo while alice follows bob: the fetch is retried with backoff.
    net.cmd(json!({"cmd": "fault", "mode": "500"}));
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
    a.wait_for(Duration::from_secs(30), |r| {
        r["backfill"]["failed"].as_u64() >= Some(2)
    })
    .await;
    // Now it hangs (timeouts), and Aerie is killed with the fetch in flight.
    net.cmd(json!({"cmd": "fault", "mode": "hang"}));
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": carol}));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill9();
    // Writes while Aerie is down and while it backfills: new posts, a like, a delete.
    net.cmd(json!({"cmd": "fault", "mode": "off"}));
    net.cmd(json!({"cmd": "posts", "as": "bob.test", "count": 5, "text": "bob new"}));
    a.restart();
    let carol_posts =
        net.cmd(json!({"cmd": "records", "as": "carol.test", "collection": "app.bsky.feed.post"}));
    let records = carol_posts["records"].as_array().expect("records").clone();
    let (liked, deleted) = (&records[10], &records[20]);
    net.cmd(json!({"cmd": "like", "as": "bob.test", "uri": liked["uri"], "cid": liked["cid"]}));
    net.cmd(json!({"cmd": "delete", "as": "carol.test", "uri": deleted["uri"]}));
    net.cmd(json!({"cmd": "post", "as": "carol.test", "text": "carol during backfill"}));
    settled(&a, 3).await;
    // Events written after the last fetch arrive live; give the firehose a moment.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let bob_feed = feed_texts(&a, &bob).await;
    assert_eq!(bob_feed.len(), 2 + 300 + 5, "bob's whole history");
    assert_eq!(bob_feed[0], "bob new 5", "newest first");
    assert_eq!(
        bob_feed.last().map(String::as_str),
        Some("bob old 1"),
        "oldest by createdAt last"
    );
    let carol_feed = feed_texts(&a, &carol).await;
    assert_eq!(
        carol_feed.len(),
        2 + 250 - 1 + 1,
        "carol's history, one deleted, one new"
    );
    assert!(carol_feed.contains(&"carol during backfill".to_string()));
    let (_, liked_view) = a
        .get(&format!(
            "/xrpc/app.bsky.feed.getPosts?uris={}",
            liked["uri"].as_str().expect("uri")
        ))
        .await;
    assert_eq!(liked_view["posts"][0]["likeCount"], 1, "{liked_view}");
    let (_, ready) = a.get("/ready").await;
    assert_eq!(ready["backfill"]["local_users"], 1, "{ready}");
    assert_eq!(ready["backfill"]["tracked"], 3, "{ready}");
    assert!(
        a.log_text().contains("backfill failed"),
        "failures are logged"
    );

    // An account nobody here follows: its like of a followed post is kept (and counted), its
    // own posts are not.
    let own = net.cmd(json!({"cmd": "post", "as": "dave.test", "text": "not followed"}));
    let bob_posts =
        net.cmd(json!({"cmd": "records", "as": "bob.test", "collection": "app.bsky.feed.post"}));
    let target = bob_posts["records"][0].clone();
    net.cmd(json!({"cmd": "like", "as": "dave.test", "uri": target["uri"], "cid": target["cid"]}));
    let uri = target["uri"].as_str().expect("uri").to_string();
    let mut likes = Value::Null;
    for _ in 0..50 {
        likes = a
            .get(&format!("/xrpc/app.bsky.feed.getPosts?uris={uri}"))
            .await
            .1;
        if likes["posts"][0]["likeCount"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(likes["posts"][0]["likeCount"], 1, "{likes}");
    let (_, theirs) = a
        .get(&format!(
            "/xrpc/app.bsky.feed.getPosts?uris={}",
            own["uri"].as_str().expect("uri")
        ))
        .await;
    // Out of scope, it is not kept; asked for by URI, it is fetched from its PDS on demand.
    assert_eq!(
        theirs["posts"][0]["uri"], own["uri"],
        "fetched beyond the store: {theirs}"
    );

    assert!(a.terminate());
    let (clean, out) = audit(&env, dir.path());
    assert!(clean, "audit is clean: {out}");
    assert!(out.contains(&alice) && out.contains(&bob), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downtime_past_jetstream_retention_is_detected_and_repaired() {
    let mut net = Network::start_with(&["--posts=3", "--jetstream=4"], &["alice.test", "bob.test"]);
    let bob = net.did("bob.test");
    let jetstream = net.info["jetstream"].as_str().expect("bridge").to_string();
    let (dir, data, env) = setup(
        &net,
        &[
            ("AERIE_JETSTREAM__RETENTION_SECS", "4"),
            ("AERIE_JETSTREAM__GAP_THRESHOLD_SECS", "1"),
            ("AERIE_JETSTREAM__REWIND_SECS", "0"),
        ],
    );
    let mut a = Aerie::start(&data, &jetstream, &owned(&env));
    settled(&a, 2).await;
    net.cmd(json!({"cmd": "post", "as": "bob.test", "text": "bob live"}));
    a.wait_for(Duration::from_secs(20), |r| r["lag_seconds"].is_number())
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(feed_texts(&a, &bob).await.len(), 4, "the live post arrived");

    // Down for longer than the bridge keeps events, while bob keeps posting.
    assert!(a.terminate());
    net.cmd(json!({"cmd": "posts", "as": "bob.test", "count": 10, "text": "bob while down"}));
    tokio::time::sleep(Duration::from_secs(6)).await;
    a.restart();
    settled(&a, 2).await;
    let texts = feed_texts(&a, &bob).await;
    assert_eq!(
        texts.len(),
        14,
        "the gap was repaired by backfill: {texts:?}"
    );
    let log = a.log_text();
    assert!(log.contains("gap recorded"), "detected");
    assert!(log.contains("gap repaired"), "repaired");
    assert!(a.terminate());
    let (clean, out) = audit(&env, dir.path());
    assert!(clean, "audit is clean: {out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filtered_mode_subscribes_to_tracked_accounts_and_follows_changes_live() {
    let mut net = Network::start_with(
        &["--posts=3", "--jetstream=600", "--no-follows"],
        &["alice.test", "bob.test", "dave.test"],
    );
    let (bob, dave) = (net.did("bob.test"), net.did("dave.test"));
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
    let jetstream = net.info["jetstream"].as_str().expect("bridge").to_string();
    let (_dir, data, env) = setup(&net, &[("AERIE_JETSTREAM__MODE", "filtered")]);
    let a = Aerie::start(&data, &jetstream, &owned(&env));
    settled(&a, 2).await;
    assert_eq!(feed_texts(&a, &bob).await.len(), 3);
    // dave is not tracked: the store holds none of his posts (his profile counts none), and a
    // client asking for his posts gets them from his PDS.
    let (_, profile) = a
        .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={dave}"))
        .await;
    assert_eq!(profile["postsCount"], 0, "dave is not tracked: {profile}");
    assert_eq!(feed_texts(&a, &dave).await.len(), 3, "read from his PDS");

    // Live: bob posts (tracked, arrives); dave posts (untracked, filtered out at the source).
    net.cmd(json!({"cmd": "post", "as": "bob.test", "text": "bob live"}));
    net.cmd(json!({"cmd": "post", "as": "dave.test", "text": "dave before the follow"}));
    let before = net.cmd(json!({"cmd": "bridge"}))["optionsUpdates"].as_u64();
    // alice follows dave: the filter changes without reconnecting, dave's history is fetched.
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": dave}));
    a.wait_for(Duration::from_secs(30), |r| r["backfill"]["tracked"] == 3)
        .await;
    settled(&a, 3).await;
    net.cmd(json!({"cmd": "post", "as": "dave.test", "text": "dave after the follow"}));
    let mut dave_feed = Vec::new();
    for _ in 0..100 {
        dave_feed = feed_texts(&a, &dave).await;
        if dave_feed.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        dave_feed.len(),
        5,
        "history and the live post: {dave_feed:?}"
    );
    assert_eq!(dave_feed[0], "dave after the follow");
    assert!(feed_texts(&a, &bob).await.contains(&"bob live".to_string()));
    let after = net.cmd(json!({"cmd": "bridge"}))["optionsUpdates"].as_u64();
    assert!(
        after > before,
        "the filter was updated in place: {before:?} → {after:?}"
    );
    let (_, ready) = a.get("/ready").await;
    assert_eq!(ready["ingest"], "connected", "{ready}");
}
