//! Logging in through Aerie and acting from it, against a real PDS and PLC (`@atproto/dev-env`):
//! an `AtpAgent` (`@atproto/api`, validating every response against the lexicons) whose service
//! is Aerie logs in with an app password, posts, replies, likes, reposts, follows, writes in a
//! batch, updates its profile, uploads a blob and deletes, reading everything back from Aerie at
//! once; the PDS holds the records; concurrent writes while the PDS token is refreshed all
//! succeed; the session survives a restart (no process left behind); logging out ends it; a
//! wrong password stores nothing.

mod common;

use common::pds::Network;
use common::Aerie;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Runs `tests/lexicon/agent.mjs` against Aerie; returns its JSON line.
fn agent(aerie: &Aerie, args: &[&str]) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lexicon");
    assert!(
        dir.join("node_modules/@atproto/api").exists(),
        "@atproto/api is not installed: run `npm ci --prefix tests/lexicon` (.ci/run does)"
    );
    let out = common::child::command("node")
        .arg("agent.mjs")
        .arg(aerie.base())
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "agent {args:?} failed: {}\n{}\naerie log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        aerie.log_text()
    );
    serde_json::from_slice(&out.stdout).expect("agent output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_pointed_at_aerie_logs_in_writes_and_reads_back() {
    let mut net = Network::start_with(&["--posts=1", "--no-follows"], &["alice.test", "bob.test"]);
    let (alice, bob) = (net.did("alice.test"), net.did("bob.test"));
    let app_password = net.app_password("alice.test");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // Every use of a PDS token refreshes it first: refreshes race with writes.
    let mut a = net.aerie(
        &data,
        &[("AERIE_AUTH__PDS_REFRESH_MARGIN_SECS", "100000000")],
    );

    // A wrong password: the PDS's 401, and nothing kept.
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/xrpc/com.atproto.server.createSession",
            a.base()
        ))
        .json(&json!({"identifier": "alice.test", "password": "wrong"}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "AuthenticationRequired", "{body}");
    let (_, ready) = a.get("/ready").await;
    assert_eq!(ready["backfill"]["local_users"], 0, "{ready}");
    let (status, missing) = a.get("/xrpc/com.atproto.server.getSession").await;
    assert_eq!(
        (status, missing["error"].as_str()),
        (401, Some("AuthMissing"))
    );

    // Log in with the app password; alice becomes a local user.
    let login = agent(&a, &["login", "alice.test", &app_password]);
    assert_eq!(login["session"]["did"], alice);
    let session_file = dir.path().join("session.json");
    std::fs::write(&session_file, login["session"].to_string()).expect("session file");
    let session = session_file.to_str().expect("path");
    a.wait_for(Duration::from_secs(30), |r| {
        r["backfill"]["local_users"] == 1
    })
    .await;

    let seen = agent(&a, &["scenario", session, &bob]);
    let held =
        net.cmd(json!({"cmd": "records", "as": "alice.test", "collection": "app.bsky.feed.post"}));
    let uris: Vec<&str> = held["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&seen["reply"].as_str().expect("reply")),
        "the PDS holds the reply"
    );
    assert!(
        !uris.contains(&seen["deleted"].as_str().expect("deleted")),
        "and not the deleted post"
    );
    let follows = net
        .cmd(json!({"cmd": "records", "as": "alice.test", "collection": "app.bsky.graph.follow"}));
    assert_eq!(follows["records"][0]["uri"], seen["follow"]);

    // Concurrent writes, each refreshing the PDS token first: all succeed.
    assert_eq!(agent(&a, &["concurrent", session, "6"])["created"], 6);
    // The events of those writes arrive over the firehose afterwards: nothing is counted twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, profile) = a
        .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={alice}"))
        .await;
    // One post from the start, a reply, two in the batch, six concurrent (the first is deleted).
    assert_eq!(profile["postsCount"], 1 + 1 + 2 + 6, "{profile}");

    // The session survives a restart (of the process: the old one is gone).
    let before = a.pid().expect("running");
    a.restart();
    assert!(!common::child::alive(before), "the old process still runs");
    assert_eq!(agent(&a, &["resume", session])["did"], alice);

    // Logging out ends it.
    let out = agent(&a, &["logout", session]);
    assert_eq!(out["refreshAfterLogout"], 401);

    // Nothing the test started outlives it.
    let pid = a.pid().expect("running");
    drop(a);
    assert!(!common::child::alive(pid), "aerie serve outlived the test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pds_proxies_its_users_timeline_to_aerie_with_service_auth() {
    let port = common::free_port();
    let aerie_url = format!("http://127.0.0.1:{port}");
    let aerie_did = format!("did:web:127.0.0.1%3A{port}");
    let appview = format!("--appview={aerie_url}");
    let appview_did = format!("--appview-did={aerie_did}");
    // alice follows bob (the network's default), each with three posts.
    let mut net = Network::start_with(
        &["--posts=3", appview.as_str(), appview_did.as_str()],
        &["alice.test", "bob.test"],
    );
    let (alice, bob) = (net.did("alice.test"), net.did("bob.test"));
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let env = net.firehose_env(&[
        ("AERIE_USERS", "[\"alice.test\"]"),
        ("AERIE_PUBLIC_URL", aerie_url.as_str()),
    ]);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = Aerie::start_at(port, &data, "ws://127.0.0.1:9/unused", &pairs);
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["done"] == 2 && r["backfill"]["pending"] == 0
    })
    .await;

    // Aerie's did:web document names it as the AppView.
    let (_, doc) = a.get("/.well-known/did.json").await;
    assert_eq!(doc["id"], aerie_did);
    assert_eq!(doc["service"][0]["serviceEndpoint"], aerie_url);

    // The PDS proxies alice's getTimeline and getProfile to Aerie.
    let timeline = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getTimeline", "params": {"limit": "10"}}));
    assert_eq!(timeline["status"], 200, "{timeline}");
    let texts: Vec<&str> = timeline["body"]["feed"]
        .as_array()
        .expect("feed")
        .iter()
        .filter_map(|i| i["post"]["record"]["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 6, "bob's posts and her own: {texts:?}");
    assert!(texts.contains(&"post 3 by bob.test") && texts.contains(&"post 1 by alice.test"));
    let profile = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile", "params": {"actor": bob}}));
    assert_eq!(profile["status"], 200, "{profile}");
    assert_eq!(profile["body"]["handle"], "bob.test");

    // Notifications: bob likes alice's post, follows her and replies; she reads them through
    // her PDS, marks them seen, and the count drops to zero.
    let posts =
        net.cmd(json!({"cmd": "records", "as": "alice.test", "collection": "app.bsky.feed.post"}));
    let target = posts["records"][0].clone();
    net.cmd(json!({"cmd": "like", "as": "bob.test", "uri": target["uri"], "cid": target["cid"]}));
    net.cmd(json!({"cmd": "follow", "as": "bob.test", "did": alice}));
    let mut unread = json!(null);
    for _ in 0..100 {
        unread = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.getUnreadCount"}));
        if unread["body"]["count"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(unread["body"]["count"], 2, "{unread}");
    let list = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.listNotifications"}));
    assert_eq!(list["status"], 200, "{list}");
    let reasons: Vec<&str> = list["body"]["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
    assert_eq!(reasons, ["follow", "like"], "{list}");
    assert_eq!(
        list["body"]["notifications"][1]["reasonSubject"],
        target["uri"]
    );
    // Preferences filter the list: likes not listed, then follows only from accounts she
    // follows (bob is one); a muted thread notifies nothing.
    let put = |pref: Value| json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.putPreferencesV2", "input": {"like": pref}});
    let reasons_now = |net: &mut Network| -> Vec<String> {
        let list = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.listNotifications"}));
        list["body"]["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .filter_map(|n| n["reason"].as_str().map(String::from))
            .collect()
    };
    net.cmd(put(json!({"include": "all", "list": false, "push": true})));
    assert_eq!(reasons_now(&mut net), ["follow"]);
    net.cmd(put(
        json!({"include": "follows", "list": true, "push": true}),
    ));
    assert_eq!(reasons_now(&mut net), ["follow", "like"]);
    let mute = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.graph.muteThread", "input": {"root": target["uri"]}}));
    assert_eq!(mute["status"], 200, "{mute}");
    assert_eq!(reasons_now(&mut net), ["follow"]);
    net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.graph.unmuteThread", "input": {"root": target["uri"]}}));
    assert_eq!(reasons_now(&mut net), ["follow", "like"]);
    // She subscribes to bob's posts: his next post notifies her, and his profile says so.
    let sub = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.putActivitySubscription",
        "input": {"subject": bob, "activitySubscription": {"post": true, "reply": false}}}));
    assert_eq!(sub["status"], 200, "{sub}");
    let subs = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.listActivitySubscriptions"}));
    assert_eq!(
        subs["body"]["subscriptions"][0]["viewer"]["activitySubscription"],
        json!({"post": true, "reply": false}),
        "{subs}"
    );
    net.cmd(json!({"cmd": "post", "as": "bob.test", "text": "news from bob"}));
    let mut got = Vec::new();
    for _ in 0..100 {
        got = reasons_now(&mut net);
        if got.first().map(String::as_str) == Some("subscribed-post") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(got, ["subscribed-post", "follow", "like"]);
    let seen = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.updateSeen",
        "input": {"seenAt": "2100-01-01T00:00:00.000Z"}}),
    );
    assert_eq!(seen["status"], 200, "{seen}");
    let unread = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.notification.getUnreadCount"}),
    );
    assert_eq!(unread["body"]["count"], 0, "{unread}");

    // Straight to Aerie: no token, and tokens that must be refused, by name.
    let call = |token: Option<String>| {
        let url = format!("{aerie_url}/xrpc/app.bsky.feed.getTimeline");
        async move {
            let mut req = reqwest::Client::new().get(url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("json");
            (
                status,
                body["error"].as_str().unwrap_or_default().to_string(),
            )
        }
    };
    assert_eq!(call(None).await, (401, "AuthMissing".into()));
    let mut token = |aud: &str, lxm: &str| {
        net.cmd(json!({"cmd": "serviceauth", "as": "alice.test", "aud": aud, "lxm": lxm}))["token"]
            .as_str()
            .expect("token")
            .to_string()
    };
    let good = token(&aerie_did, "app.bsky.feed.getTimeline");
    assert_eq!(call(Some(good.clone())).await.0, 200);
    let other_aud = token("did:web:elsewhere.test", "app.bsky.feed.getTimeline");
    assert_eq!(call(Some(other_aud)).await, (401, "BadJwtAudience".into()));
    let other_method = token(&aerie_did, "app.bsky.actor.getProfile");
    assert_eq!(
        call(Some(other_method)).await,
        (401, "BadJwtLexiconMethod".into())
    );
    // Claims changed after signing (bob pretending to be alice is the same failure).
    let parts: Vec<&str> = good.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value =
        serde_json::from_slice(&b64.decode(parts[1]).expect("b64")).expect("json");
    claims["iss"] = json!(bob);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(call(Some(forged)).await, (401, "BadJwtSignature".into()));
    claims["iss"] = json!(alice);
    claims["exp"] = json!(1_000_000_000);
    let expired = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(call(Some(expired)).await, (401, "JwtExpired".into()));
}
