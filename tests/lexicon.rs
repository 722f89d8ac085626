//! Every XRPC endpoint's answers, including hostile records and error cases, validated against
//! the official lexicons by `@atproto/api` (pinned in `tests/lexicon/package.json`; `.ci/run`
//! installs it with `npm ci`).

mod common;

use common::Aerie;
use jetsim::corpus::{generate, CorpusSpec};
use jetsim::ids::{cid, did};
use jetsim::{Sim, SimEvent, SimOptions};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const T0: i64 = 1_780_000_000_000_000;

fn commit(author: &str, n: i64, coll: &str, rkey: &str, record: Value) -> SimEvent {
    common::events::commit_at(
        T0 + 50_000_000 + n * 1000,
        n as u64,
        author,
        coll,
        rkey,
        record,
    )
}

/// Records built to break naive views: wrong types, bad blobs, bad URIs, odd embeds.
fn hostile(author: &str, victim_post: &str, like_uri: &str) -> Vec<SimEvent> {
    let post = |text: Value, extra: Value| {
        let mut r = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-07-04T14:38:08.999Z"});
        if let (Some(o), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        r
    };
    vec![
        commit(
            author,
            1,
            "app.bsky.actor.profile",
            "self",
            json!({"$type": "app.bsky.actor.profile", "displayName": 42,
            "description": ["not", "text"], "avatar": "notablob", "banner": {"ref": {"$link": "bafyNOPE"}}, "createdAt": "yesterday"}),
        ),
        commit(
            author,
            2,
            "app.bsky.feed.post",
            "h1",
            post(
                json!("<script>alert(1)</script>"),
                json!({"embed": {"$type": "app.bsky.embed.images",
            "images": [{"alt": 7, "image": "x"}, {"image": {"$type": "blob", "ref": {"$link": cid(9)}}, "aspectRatio": {"width": 0, "height": -1}}]}}),
            ),
        ),
        commit(
            author,
            3,
            "app.bsky.feed.post",
            "h2",
            post(
                json!(12),
                json!({"embed": {"$type": "app.bsky.embed.external",
            "external": {"uri": "not a uri", "title": 5}}}),
            ),
        ),
        commit(
            author,
            4,
            "app.bsky.feed.post",
            "h3",
            post(
                json!("quote of a like"),
                json!({"embed": {"$type": "app.bsky.embed.record",
            "record": {"uri": like_uri, "cid": cid(1)}}}),
            ),
        ),
        commit(
            author,
            5,
            "app.bsky.feed.post",
            "h4",
            post(
                json!("bad reply"),
                json!({"reply": {"parent": {"uri": "at://nope"}, "root": 5},
            "embed": {"$type": "com.example.weird", "x": 1}}),
            ),
        ),
        commit(
            author,
            6,
            "app.bsky.feed.post",
            "h5",
            post(
                json!("quote"),
                json!({"embed": {"$type": "app.bsky.embed.recordWithMedia",
            "record": {"record": {"uri": victim_post, "cid": cid(2)}}, "media": {"$type": "app.bsky.embed.video", "video": {"ref": {"$link": cid(3)}}, "alt": 3}}}),
            ),
        ),
        commit(
            author,
            7,
            "app.bsky.feed.post",
            "h6",
            post(
                json!("missing quote"),
                json!({"embed": {"$type": "app.bsky.embed.record",
            "record": {"uri": format!("at://{author}/app.bsky.feed.post/nothere")}}}),
            ),
        ),
        commit(
            author,
            8,
            "app.bsky.feed.post",
            "h7",
            post(
                json!("reply to a missing post"),
                json!({"reply": {
            "parent": {"uri": format!("at://{author}/app.bsky.feed.post/gone"), "cid": cid(4)},
            "root": {"uri": format!("at://{author}/app.bsky.feed.post/gone"), "cid": cid(4)}}}),
            ),
        ),
        commit(
            author,
            9,
            "app.bsky.feed.like",
            "hl",
            json!({"$type": "app.bsky.feed.like", "subject": {"uri": victim_post}, "createdAt": 17}),
        ),
        // A block between the hostile author and the victim: replies and quotes across it show
        // as blocked.
        commit(
            author,
            10,
            "app.bsky.graph.block",
            "hb",
            json!({"$type": "app.bsky.graph.block", "subject": victim_did(victim_post), "createdAt": "2026-07-04T14:38:08.999Z"}),
        ),
        commit(
            author,
            11,
            "app.bsky.feed.post",
            "h8",
            post(
                json!("reply across a block"),
                json!({"reply": {
            "parent": {"uri": victim_post, "cid": cid(4)}, "root": {"uri": victim_post, "cid": cid(4)}}}),
            ),
        ),
    ]
}

fn victim_did(uri: &str) -> String {
    uri.trim_start_matches("at://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn step(nsid: &str, params: Value) -> Value {
    json!({"nsid": nsid, "params": params, "expect": "ok"})
}

/// A step for a method only the newer client knows (`@atproto/api-next`).
fn next(mut step: Value) -> Value {
    step["next"] = json!(true);
    step
}

fn fails(nsid: &str, params: Value, status: u16, error: &str) -> Value {
    json!({"nsid": nsid, "params": params, "expect": {"status": status, "error": error}})
}

/// A step sent with `fetch` instead of the client (which would fix or refuse its parameters).
fn raw(mut step: Value) -> Value {
    step["raw"] = json!(true);
    step
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_is_valid_against_the_lexicons() {
    let lexdir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lexicon");
    assert!(
        lexdir.join("node_modules/@atproto/api").exists(),
        "@atproto/api is not installed: run `npm ci --prefix tests/lexicon` (.ci/run does)"
    );
    let corpus = generate(&CorpusSpec {
        events: 4000,
        accounts: 60,
        seed: 31,
        start_us: T0,
        ..Default::default()
    });
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(corpus.iter().map(SimEvent::from));
    let bad = did(999_999);
    let victim = corpus
        .iter()
        .find(|e| {
            e.valid && e.json.contains("\"app.bsky.feed.post\"") && e.json.contains("\"create\"")
        })
        .expect("a post");
    let v: Value = serde_json::from_str(&victim.json).expect("json");
    let victim_uri = format!(
        "at://{}/app.bsky.feed.post/{}",
        victim.did,
        v["commit"]["rkey"].as_str().expect("rkey")
    );
    let like = corpus
        .iter()
        .find(|e| e.valid && e.json.contains("\"app.bsky.feed.like\""))
        .expect("a like");
    let lv: Value = serde_json::from_str(&like.json).expect("json");
    let like_uri = format!(
        "at://{}/app.bsky.feed.like/{}",
        like.did,
        lv["commit"]["rkey"].as_str().expect("rkey")
    );
    let mut hostile = hostile(&bad, &victim_uri, &like_uri);
    // Text past the lexicon's view limits (64 graphemes of display name, 256 of description).
    let long = did(999_998);
    let many = format!("{}{}", "é".repeat(100), "👩‍👩‍👧‍👦".repeat(10));
    hostile.push(commit(
        &long,
        20,
        "app.bsky.actor.profile",
        "self",
        json!({"$type": "app.bsky.actor.profile",
        "displayName": many, "description": "x".repeat(300)}),
    ));
    hostile.push(commit(
        &long,
        21,
        "app.bsky.feed.post",
        "l1",
        json!({"$type": "app.bsky.feed.post", "text": "hi",
        "createdAt": "2026-07-04T14:38:08.999Z"}),
    ));
    let last = hostile.last().expect("events").time_us;
    sim.push(hostile);

    let dir = tempfile::tempdir().expect("tempdir");
    let aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[("AERIE_JETSTREAM__INITIAL_CURSOR", "0")],
    );
    aerie.wait_for_cursor(last, Duration::from_secs(120)).await;

    let mut plan = Vec::new();
    let mut dids = common::corpus_dids(&corpus);
    dids.insert(0, bad.clone());
    let mut active = Vec::new();
    for d in &dids {
        let (status, _) = aerie
            .get(&format!("/xrpc/app.bsky.actor.getProfile?actor={d}"))
            .await;
        if status == 200 {
            active.push(d.clone());
        }
    }
    assert!(active.len() > 20, "most accounts are active");
    for d in active.iter().take(25) {
        plan.push(step("app.bsky.actor.getProfile", json!({"actor": d})));
        for f in [
            "posts_with_replies",
            "posts_no_replies",
            "posts_with_media",
            "posts_and_author_threads",
            "posts_with_video",
        ] {
            plan.push(step(
                "app.bsky.feed.getAuthorFeed",
                json!({"actor": d, "filter": f, "limit": 100}),
            ));
        }
        plan.push(step("app.bsky.graph.getFollows", json!({"actor": d})));
        plan.push(step(
            "app.bsky.graph.getFollowers",
            json!({"actor": d, "limit": 3}),
        ));
    }
    plan.push(step(
        "app.bsky.actor.getProfiles",
        json!({"actors": active.iter().take(25).collect::<Vec<_>>()}),
    ));
    // Posts: every one the hostile author made, and a spread of the corpus.
    let mut posts: Vec<String> = (1..=8)
        .map(|n| format!("at://{bad}/app.bsky.feed.post/h{n}"))
        .collect();
    for e in corpus
        .iter()
        .filter(|e| e.valid && e.json.contains("\"app.bsky.feed.post\""))
        .step_by(15)
    {
        let v: Value = serde_json::from_str(&e.json).expect("json");
        posts.push(format!(
            "at://{}/app.bsky.feed.post/{}",
            e.did,
            v["commit"]["rkey"].as_str().unwrap_or("x")
        ));
    }
    for chunk in posts.chunks(25) {
        plan.push(step("app.bsky.feed.getPosts", json!({"uris": chunk})));
    }
    for uri in posts.iter().take(40) {
        let (status, body) = aerie
            .get(&format!("/xrpc/app.bsky.feed.getPostThread?uri={uri}"))
            .await;
        if status == 200 {
            plan.push(step("app.bsky.feed.getPostThread", json!({"uri": uri})));
            plan.push(step(
                "app.bsky.feed.getPostThread",
                json!({"uri": uri, "depth": 0, "parentHeight": 0}),
            ));
            plan.push(step(
                "app.bsky.unspecced.getPostThreadV2",
                json!({"anchor": uri}),
            ));
            plan.push(step(
                "app.bsky.unspecced.getPostThreadV2",
                json!({"anchor": uri, "above": false, "below": 2, "branchingFactor": 1, "sort": "top"}),
            ));
            plan.push(step(
                "app.bsky.unspecced.getPostThreadV2",
                json!({"anchor": uri, "below": 0, "sort": "newest"}),
            ));
            plan.push(step(
                "app.bsky.unspecced.getPostThreadOtherV2",
                json!({"anchor": uri}),
            ));
            plan.push(step("app.bsky.feed.getLikes", json!({"uri": uri})));
            plan.push(step("app.bsky.feed.getRepostedBy", json!({"uri": uri})));
            plan.push(step("app.bsky.feed.getQuotes", json!({"uri": uri})));
            let parts: Vec<&str> = uri.trim_start_matches("at://").split('/').collect();
            plan.push(step(
                "com.atproto.repo.getRecord",
                json!({"repo": parts[0], "collection": parts[1], "rkey": parts[2]}),
            ));
        } else {
            assert_eq!(body["error"], "NotFound", "{uri}: {body}");
        }
    }
    let (_, vp) = aerie
        .get(&format!(
            "/xrpc/app.bsky.actor.getProfile?actor={}",
            victim.did
        ))
        .await;
    if let Some(h) = vp["handle"].as_str().filter(|h| *h != "handle.invalid") {
        plan.push(step(
            "com.atproto.identity.resolveHandle",
            json!({"handle": h}),
        ));
        plan.push(step("app.bsky.actor.getProfile", json!({"actor": h})));
    }
    plan.push(step("app.bsky.feed.getAuthorFeed", json!({"actor": bad})));
    plan.push(step("app.bsky.actor.getProfile", json!({"actor": long})));
    plan.push(step("app.bsky.feed.getAuthorFeed", json!({"actor": long})));
    let (_, t) = aerie
        .get(&format!(
            "/xrpc/app.bsky.feed.getPostThread?uri=at://{bad}/app.bsky.feed.post/h8"
        ))
        .await;
    assert_eq!(
        t["thread"]["parent"]["$type"], "app.bsky.feed.defs#blockedPost",
        "{t}"
    );
    let (_, q) = aerie
        .get(&format!(
            "/xrpc/app.bsky.feed.getPosts?uris=at://{bad}/app.bsky.feed.post/h5"
        ))
        .await;
    assert_eq!(
        q["posts"][0]["embed"]["record"]["record"]["$type"], "app.bsky.embed.record#viewBlocked",
        "{q}"
    );
    let (_, v) = aerie
        .get(&format!(
            "/xrpc/app.bsky.feed.getPostThread?uri={victim_uri}"
        ))
        .await;
    let replies = v["thread"]["replies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        replies
            .iter()
            .all(|r| r["post"]["author"]["did"] != bad.as_str()),
        "replies across a block are left out"
    );
    // Search, once the index has taken in the last post.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, found) = aerie
            .get(&format!("/xrpc/app.bsky.feed.searchPosts?q=hi+from:{long}"))
            .await;
        if found["hitsTotal"] == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never indexed: {found}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let from_bad = format!("from:{bad}");
    plan.extend([
        step("app.bsky.feed.searchPosts", json!({"q": "hi"})),
        step(
            "app.bsky.feed.searchPosts",
            json!({"q": from_bad, "limit": 100}),
        ),
        step(
            "app.bsky.feed.searchPosts",
            json!({"q": from_bad, "sort": "top"}),
        ),
        next(step(
            "app.bsky.feed.searchPostsV2",
            json!({"query": "hi", "sort": "recent"}),
        )),
        next(step(
            "app.bsky.feed.searchPostsV2",
            json!({"query": from_bad, "allTime": true, "limit": 100}),
        )),
        next(step(
            "app.bsky.feed.searchPostsV2",
            json!({"query": "", "hasMedia": true, "allTime": true}),
        )),
        step(
            "app.bsky.actor.searchActors",
            json!({"q": "é", "limit": 100}),
        ),
        step("app.bsky.actor.searchActors", json!({"q": "a"})),
        step(
            "app.bsky.actor.searchActorsTypeahead",
            json!({"q": "a", "limit": 100}),
        ),
        step("app.bsky.actor.searchActorsTypeahead", json!({"q": "é"})),
        step("app.bsky.graph.searchStarterPacks", json!({"q": "a"})),
        next(step(
            "app.bsky.graph.searchStarterPacksV2",
            json!({"q": "a"}),
        )),
        step(
            "app.bsky.unspecced.getPopularFeedGenerators",
            json!({"query": "a"}),
        ),
        fails(
            "app.bsky.feed.searchPosts",
            json!({"q": "(".repeat(50)}),
            400,
            "BadQueryString",
        ),
        next(fails(
            "app.bsky.feed.searchPostsV2",
            json!({"query": "x ".repeat(600)}),
            400,
            "BadQueryString",
        )),
    ]);
    // Errors, each with the status and name the reference gives.
    let unknown_post = format!("at://{bad}/app.bsky.feed.post/nothere");
    plan.extend([
        fails("app.bsky.actor.getProfile", json!({"actor": "not a handle!"}), 400, "InvalidRequest"),
        fails("app.bsky.actor.getProfile", json!({"actor": "nobody.example"}), 400, "InvalidRequest"),
        fails("app.bsky.feed.getAuthorFeed", json!({"actor": bad, "limit": 0}), 400, "InvalidRequest"),
        fails("app.bsky.feed.getAuthorFeed", json!({"actor": bad, "limit": 101}), 400, "InvalidRequest"),
        fails("app.bsky.feed.getAuthorFeed", json!({"actor": bad, "filter": "everything"}), 400, "InvalidRequest"),
        fails("app.bsky.feed.getAuthorFeed", json!({"actor": bad, "cursor": "not-hex"}), 400, "InvalidRequest"),
        fails("app.bsky.feed.getPostThread", json!({"uri": unknown_post}), 400, "NotFound"),
        fails("app.bsky.feed.getPostThread", json!({"uri": "https://example.com"}), 400, "InvalidRequest"),
        step("app.bsky.unspecced.getPostThreadV2", json!({"anchor": unknown_post})),
        // The client turns any value of a boolean parameter into one: sent by hand.
        raw(fails("app.bsky.unspecced.getPostThreadV2", json!({"anchor": unknown_post, "above": "maybe"}), 400, "InvalidRequest")),
        raw(fails("app.bsky.contact.getMatches", json!({}), 400, "MethodNotImplemented")),
        step("app.bsky.unspecced.getConfig", json!({})),
        fails("app.bsky.ageassurance.getState", json!({"countryCode": "US"}), 401, "AuthMissing"),
        fails("app.bsky.unspecced.getPostThreadV2", json!({"anchor": unknown_post, "below": 21}), 400, "InvalidRequest"),
        step("app.bsky.unspecced.getPostThreadOtherV2", json!({"anchor": unknown_post})),
        fails("app.bsky.feed.getPosts", json!({"uris": vec![&victim_uri; 26]}), 400, "InvalidRequest"),
        fails("com.atproto.repo.getRecord", json!({"repo": bad, "collection": "app.bsky.feed.post", "rkey": "nothere"}), 400, "RecordNotFound"),
        fails("com.atproto.identity.resolveHandle", json!({"handle": "nobody.example"}), 400, "HandleNotFound"),
        fails("app.bsky.graph.getFollows", json!({}), 400, "InvalidRequest"),
        json!({"nsid": "com.example.nothing", "params": {}, "raw": true, "expect": {"status": 404, "error": "MethodNotImplemented"}}),
    ]);
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(&plan).expect("plan")).expect("write plan");
    let out = tokio::process::Command::from(common::child::command("node"))
        .arg(lexdir.join("validate.mjs"))
        .arg(aerie.base())
        .arg(&plan_path)
        .current_dir(&lexdir)
        .output()
        .await
        .expect("run node (Node 20 is needed for the lexicon tests)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "lexicon validation failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("{} of {} calls", plan.len(), plan.len())),
        "{stdout}"
    );
}
