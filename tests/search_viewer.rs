//! Search as a viewer sees it, on the real binary against a real PDS and PLC
//! (`@atproto/dev-env`), every call made by alice's app through her PDS (which proxies to
//! Aerie with service auth; `@atproto/api` validates the answers): `from:me` and
//! `filter:follows` read her graph; a stranger's post she looked at (fetched on demand) is
//! found within a second; accounts she mutes, mutes by a moderation list, or blocks leave her
//! results within a second.

mod common;

use common::pds::{AppView, Network};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The texts alice's search answers (one page of 100).
fn search(net: &mut Network, q: &str) -> BTreeSet<String> {
    let answer = net.cmd(json!({"cmd": "pds", "as": "alice.test",
        "nsid": "app.bsky.feed.searchPosts", "params": {"q": q, "limit": 100}}));
    assert_eq!(answer["status"], 200, "{q}: {answer}");
    answer["body"]["posts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["record"]["text"].as_str().map(String::from))
        .collect()
}

/// How many posts alice's search for `q` says match: accounts she does not see are left out
/// inside the query, so they are not counted either (a filter after the query would count
/// them, and come back with short pages).
fn hits_total(net: &mut Network, q: &str) -> u64 {
    let answer = net.cmd(json!({"cmd": "pds", "as": "alice.test",
        "nsid": "app.bsky.feed.searchPosts", "params": {"q": q, "limit": 1}}));
    answer["body"]["hitsTotal"].as_u64().unwrap_or(u64::MAX)
}

fn of(texts: &[&str]) -> BTreeSet<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

/// Waits up to `within` for alice's search for `q` to answer `want`.
fn until(net: &mut Network, q: &str, want: &[&str], within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got = search(net, q);
        if got == of(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{q:?}: {got:?}, expected {want:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn uri(v: &Value) -> String {
    v["uri"].as_str().expect("uri").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewers_graph_mutes_blocks_and_visits_shape_her_results() {
    let appview = AppView::new();
    let mut net = Network::proxying_to(
        &appview,
        &["--no-follows"],
        &["alice.test", "bob.test", "carol.test"],
    );
    let (bob, carol) = (net.did("bob.test"), net.did("carol.test"));
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
    net.cmd(json!({"cmd": "post", "as": "bob.test", "text": "tulips in spring"}));
    net.cmd(json!({"cmd": "post", "as": "bob.test", "text": "more tulips"}));
    let stranger =
        net.cmd(json!({"cmd": "post", "as": "carol.test", "text": "tulips from a stranger"}));
    let dir = tempfile::tempdir().expect("tempdir");
    let a = net.appview_aerie(
        &appview,
        &dir.path().join("data"),
        &[
            ("AERIE_USERS", "[\"alice.test\"]"),
            ("AERIE_SCOPE", "follows"),
            ("AERIE_SEARCH__PEOPLE_APPVIEW_URL", ""),
        ],
    );
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["done"] == 2 && r["backfill"]["pending"] == 0 && r["backfill"]["running"] == 0
    })
    .await;
    // carol is beyond the follows: her post is not kept.
    until(
        &mut net,
        "tulips",
        &["tulips in spring", "more tulips"],
        Duration::from_secs(10),
    );

    // Her own posts, and the accounts she follows.
    net.cmd(json!({"cmd": "post", "as": "alice.test", "text": "my tulips"}));
    until(
        &mut net,
        "tulips from:me",
        &["my tulips"],
        Duration::from_secs(5),
    );
    assert_eq!(
        search(&mut net, "tulips filter:follows"),
        of(&["tulips in spring", "more tulips"])
    );

    // A stranger's post she looked at is kept as visited content, and found.
    let seen = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getPosts",
        "params": {"uris": [uri(&stranger)]}}),
    );
    assert_eq!(
        seen["body"]["posts"][0]["author"]["did"],
        carol.as_str(),
        "{seen}"
    );
    until(
        &mut net,
        "stranger",
        &["tulips from a stranger"],
        Duration::from_secs(1),
    );

    // Muting carol takes her out of the results within a second.
    let muted = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.graph.muteActor",
        "input": {"actor": carol}}),
    );
    assert_eq!(muted["status"], 200, "{muted}");
    until(&mut net, "stranger", &[], Duration::from_secs(1));
    assert_eq!(hits_total(&mut net, "stranger"), 0);

    // Muting a moderation list bob is on takes him out too (and her profile view of him says
    // by which list); unmuting it brings him back.
    let list = net.cmd(json!({"cmd": "put", "as": "alice.test", "collection": "app.bsky.graph.list",
        "record": {"$type": "app.bsky.graph.list", "name": "quiet", "purpose": "app.bsky.graph.defs#modlist",
            "createdAt": "2026-01-01T00:00:00.000Z"}}));
    net.cmd(
        json!({"cmd": "put", "as": "alice.test", "collection": "app.bsky.graph.listitem",
        "record": {"$type": "app.bsky.graph.listitem", "subject": bob, "list": uri(&list),
            "createdAt": "2026-01-01T00:00:00.000Z"}}),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = net.cmd(
            json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.graph.getList",
            "params": {"list": uri(&list)}}),
        );
        if seen["body"]["items"]
            .as_array()
            .is_some_and(|i| i.len() == 1)
        {
            break;
        }
        assert!(Instant::now() < deadline, "the list reached Aerie: {seen}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mute_list = |net: &mut Network, nsid: &str| {
        let done = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": nsid,
            "input": {"list": uri(&list)}}));
        assert_eq!(done["status"], 200, "{done}");
    };
    mute_list(&mut net, "app.bsky.graph.muteActorList");
    until(&mut net, "tulips", &["my tulips"], Duration::from_secs(1));
    assert_eq!(hits_total(&mut net, "tulips"), 1);
    let profile = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile",
        "params": {"actor": bob}}),
    );
    assert_eq!(profile["body"]["viewer"]["muted"], true, "{profile}");
    assert_eq!(
        profile["body"]["viewer"]["mutedByList"]["uri"],
        uri(&list),
        "{profile}"
    );
    mute_list(&mut net, "app.bsky.graph.unmuteActorList");
    until(
        &mut net,
        "tulips",
        &["tulips in spring", "more tulips", "my tulips"],
        Duration::from_secs(1),
    );

    // Blocking bob (written at her PDS, arriving over the firehose) takes his posts out within
    // a second; a full page is still full of what remains.
    net.cmd(json!({"cmd": "put", "as": "alice.test", "collection": "app.bsky.graph.block",
        "record": {"$type": "app.bsky.graph.block", "subject": bob, "createdAt": "2026-01-01T00:00:00.000Z"}}));
    until(&mut net, "tulips", &["my tulips"], Duration::from_secs(1));
    assert_eq!(hits_total(&mut net, "tulips"), 1);
}
