//! The Bluesky app's cold start against a fresh Aerie: alice logs in at Aerie (direct mode);
//! within 10 s her Home has her follows' posts (their repositories fetched from the real PDS),
//! and the Home screen's calls, replayed in the app's order with the app's headers, are all
//! answered — straight, and through her PDS with every answer validated by @atproto/api. The
//! time the replay took is printed (a figure, not a limit: speed goals live in benchmarks).
//! Then the Python `atproto` SDK (tests/python, pinned) logs in at Aerie and parses the answer
//! of every read method the app calls into its strict models.

mod common;

use common::pds::{AppView, Network};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Bluesky's Discover feed, pinned for every new account (its generator is beyond this network).
const DISCOVER: &str = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.generator/whats-hot";
/// The app's moderation labeler.
const BSKY_MOD: &str = "did:plc:ar7c4by46qjdydhdevvrndac";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_home_screen_answers_from_a_fresh_store() {
    let appview = AppView::new();
    let base = appview.url.clone();
    // alice follows bob and carol, three posts each; bob made a feed.
    let mut net = Network::proxying_to(
        &appview,
        &["--posts=3"],
        &["alice.test", "bob.test", "carol.test"],
    );
    let alice = net.did("alice.test");
    let feed =
        net.cmd(json!({"cmd": "feedgen", "as": "bob.test", "rkey": "best", "name": "Bob's best"}));
    let feed_uri = feed["uri"].as_str().expect("uri").to_string();
    let password = net.app_password("alice.test");
    let dir = tempfile::tempdir().expect("tempdir");
    let _a = net.appview_aerie(&appview, &dir.path().join("data"), &[]);

    // Login at Aerie: she becomes a local user and her follows are fetched.
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/xrpc/com.atproto.server.createSession"))
        .json(&json!({"identifier": "alice.test", "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let logged_in = Instant::now();
    let token = login["accessJwt"].as_str().expect("accessJwt").to_string();
    let call = |path: String| {
        let req = client
            .get(format!("{base}/xrpc/{path}"))
            .bearer_auth(&token)
            .header("atproto-proxy", "did:web:api.bsky.app#bsky_appview")
            .header("atproto-accept-labelers", format!("{BSKY_MOD};redact"));
        async move {
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let mut home = json!(null);
    while logged_in.elapsed() < Duration::from_secs(10) {
        home = call("app.bsky.feed.getTimeline?limit=30".into()).await.1;
        if home["feed"].as_array().is_some_and(|f| f.len() == 9) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        home["feed"].as_array().map(Vec::len),
        Some(9),
        "her follows' posts and her own, within 10 s of login: {home}"
    );
    println!(
        "fresh store → Home with her follows' posts: {:?} after login",
        logged_in.elapsed()
    );

    // The Home screen's calls, in the app's order (client census: cold start).
    let calls = [
        "app.bsky.ageassurance.getState?countryCode=US&regionCode=CA".to_string(),
        format!("app.bsky.labeler.getServices?dids={BSKY_MOD}&detailed=true"),
        "app.bsky.unspecced.getConfig".into(),
        "app.bsky.notification.listNotifications?limit=40".into(),
        format!("app.bsky.actor.getProfile?actor={alice}"),
        format!("app.bsky.actor.getProfiles?actors={alice}"),
        "app.bsky.unspecced.getTrends".into(),
        format!("app.bsky.feed.getFeedGenerators?feeds={DISCOVER}&feeds={feed_uri}"),
        "app.bsky.feed.getTimeline?limit=30".into(),
        format!("app.bsky.feed.getFeed?feed={feed_uri}&limit=30"),
    ];
    let started = Instant::now();
    let mut each = Vec::new();
    for path in &calls {
        let t = Instant::now();
        let (status, body) = call(path.clone()).await;
        each.push((
            path.split('?').next().unwrap_or(path).to_string(),
            t.elapsed(),
        ));
        assert_eq!(status, 200, "{path}: {body}");
        if path.starts_with("app.bsky.feed.getFeedGenerators") {
            let feeds = body["feeds"].as_array().expect("feeds");
            assert_eq!(feeds.len(), 1, "the generator that exists: {body}");
            assert_eq!(feeds[0]["uri"], feed_uri.as_str());
        }
    }
    let total = started.elapsed();
    println!(
        "cold-start replay: {} calls answered in {:.1} ms",
        calls.len(),
        total.as_secs_f64() * 1e3
    );
    for (nsid, t) in &each {
        println!("  {nsid}: {:.2} ms", t.as_secs_f64() * 1e3);
    }

    // The same calls through her PDS (service auth), each answer validated by @atproto/api.
    for path in &calls {
        let (nsid, query) = path.split_once('?').unwrap_or((path, ""));
        let mut params = serde_json::Map::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let v = Value::String(v.into_owned());
            match params.get_mut(k.as_ref()) {
                Some(Value::Array(a)) => a.push(v),
                Some(one) => *one = json!([one.clone(), v]),
                None => {
                    let many = matches!(k.as_ref(), "feeds" | "dids" | "actors");
                    params.insert(k.into_owned(), if many { json!([v]) } else { v });
                }
            }
        }
        if let Some(Value::String(d)) = params.get("detailed") {
            let detailed = d == "true";
            params.insert("detailed".into(), json!(detailed));
        }
        for int in ["limit"] {
            if let Some(Value::String(n)) = params.get(int) {
                let n: u64 = n.parse().expect("a number");
                params.insert(int.into(), json!(n));
            }
        }
        let answer =
            net.call(json!({"cmd": "pds", "as": "alice.test", "nsid": nsid, "params": params}));
        assert_eq!(answer["status"], 200, "{nsid} through the PDS: {answer}");
    }

    // The Python SDK: its login, and its models over every read method the app calls.
    let bob = net.did("bob.test");
    let posts =
        net.cmd(json!({"cmd": "records", "as": "bob.test", "collection": "app.bsky.feed.post"}));
    let post = posts["records"][0]["uri"]
        .as_str()
        .expect("uri")
        .to_string();
    let plan = json!([
        ["app.bsky.ageassurance.getState", {"country_code": "US"}],
        ["app.bsky.labeler.getServices", {"dids": [BSKY_MOD], "detailed": true}],
        ["app.bsky.unspecced.getConfig", {}],
        ["app.bsky.notification.listNotifications", {"limit": 40}],
        ["app.bsky.notification.getUnreadCount", {}],
        ["app.bsky.notification.getPreferences", {}],
        ["app.bsky.notification.listActivitySubscriptions", {}],
        ["app.bsky.actor.getProfile", {"actor": alice}],
        ["app.bsky.actor.getProfiles", {"actors": [alice, bob]}],
        ["app.bsky.actor.getSuggestions", {}],
        ["app.bsky.unspecced.getTrends", {}],
        ["app.bsky.feed.getFeedGenerators", {"feeds": [DISCOVER, feed_uri]}],
        ["app.bsky.feed.getFeedGenerator", {"feed": feed_uri}],
        ["app.bsky.feed.getTimeline", {"limit": 30}],
        ["app.bsky.feed.getFeed", {"feed": feed_uri}],
        ["app.bsky.feed.getAuthorFeed", {"actor": bob}],
        ["app.bsky.feed.getActorFeeds", {"actor": bob}],
        ["app.bsky.feed.getActorLikes", {"actor": alice}],
        ["app.bsky.feed.getPosts", {"uris": [post]}],
        ["app.bsky.feed.getPostThread", {"uri": post}],
        ["app.bsky.unspecced.getPostThreadV2", {"anchor": post}],
        ["app.bsky.unspecced.getPostThreadOtherV2", {"anchor": post}],
        ["app.bsky.feed.getLikes", {"uri": post}],
        ["app.bsky.feed.getRepostedBy", {"uri": post}],
        ["app.bsky.feed.getQuotes", {"uri": post}],
        ["app.bsky.graph.getFollows", {"actor": alice}],
        ["app.bsky.graph.getFollowers", {"actor": bob}],
        ["app.bsky.graph.getKnownFollowers", {"actor": bob}],
        ["app.bsky.graph.getSuggestedFollowsByActor", {"actor": bob}],
        ["app.bsky.graph.getLists", {"actor": alice}],
        ["app.bsky.graph.getListMutes", {}],
        ["app.bsky.graph.getListBlocks", {}],
        ["app.bsky.graph.getListsWithMembership", {"actor": bob}],
        ["app.bsky.graph.getStarterPacksWithMembership", {"actor": bob}],
        ["app.bsky.graph.getActorStarterPacks", {"actor": bob}],
        ["app.bsky.graph.getBlocks", {}],
        ["app.bsky.graph.getMutes", {}],
        ["app.bsky.graph.getRelationships", {"actor": alice, "others": [bob]}],
        ["app.bsky.unspecced.getSuggestedUsersForExplore", {}],
        ["app.bsky.unspecced.getSuggestedUsersForDiscover", {}],
        ["app.bsky.unspecced.getSuggestedUsersForSeeMore", {}],
        ["app.bsky.unspecced.getSuggestedOnboardingUsers", {}],
        ["app.bsky.unspecced.getSuggestedFeeds", {}],
        ["app.bsky.unspecced.getSuggestedStarterPacks", {}],
        ["app.bsky.unspecced.getOnboardingSuggestedStarterPacks", {}],
        ["app.bsky.unspecced.getPopularFeedGenerators", {}],
        ["app.bsky.bookmark.getBookmarks", {}],
        ["app.bsky.draft.getDrafts", {}],
        ["com.atproto.identity.resolveHandle", {"handle": "bob.test"}],
    ]);
    let steps: Vec<Value> = plan
        .as_array()
        .expect("plan")
        .iter()
        .map(|s| json!({"nsid": s[0], "params": s[1]}))
        .collect();
    let plan_path = dir.path().join("sdk-plan.json");
    std::fs::write(&plan_path, Value::Array(steps).to_string()).expect("plan");
    let pydir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python");
    let python = pydir.join(".venv/bin/python");
    assert!(
        python.exists(),
        "the Python SDK is not installed: python3 -m venv tests/python/.venv && \
         tests/python/.venv/bin/pip install -r tests/python/requirements.txt (.ci/run does)"
    );
    let out = common::child::command(python.to_str().expect("path"))
        .arg(pydir.join("sdk_check.py"))
        .arg(&base)
        .arg("alice.test")
        .arg(&password)
        .arg(&plan_path)
        .output()
        .expect("python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python SDK refused answers:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed = text.lines().filter(|l| l.contains("\"ok\": true")).count();
    println!("Python atproto SDK: logged in, {parsed} methods parsed into its models");
}
