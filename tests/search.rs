//! Search end to end: the real `aerie` binary follows the Jetstream simulator, and
//! `searchPosts` / `searchPostsV2` answer every operator exactly over a known corpus (CJK and
//! Korean included); deletes and takedowns leave results within a second; after kill -9 in
//! the middle of indexing, the index catches up to exactly what the store holds.

mod common;

use common::events::{commit_at, identity_at};
use common::{enc, Aerie};
use jetsim::{Sim, SimEvent, SimOptions};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const T0: i64 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z
const POST: &str = "app.bsky.feed.post";

fn did(name: &str) -> String {
    format!("did:plc:{name}{}", "x".repeat(24 - name.len()))
}

fn iso(us: i64) -> String {
    let secs = us / 1_000_000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days from 2026-01-01 within January (the corpus stays in it).
    format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}.000Z",
        1 + (days - 20_454),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A post by `author` at `T0 + n` minutes: `text` plus `extra` fields.
fn post(n: i64, author: &str, text: &str, extra: Value) -> SimEvent {
    post_as(n, &did(author), text, extra)
}

/// The same by a DID.
fn post_as(n: i64, author: &str, text: &str, extra: Value) -> SimEvent {
    let t = T0 + n * 60_000_000;
    let mut record = json!({"$type": POST, "text": text, "createdAt": iso(t)});
    if let (Some(r), Some(e)) = (record.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    commit_at(t, n as u64, author, POST, &format!("p{n}"), record)
}

fn uri(author: &str, n: i64) -> String {
    format!("at://{}/{POST}/p{n}", did(author))
}

fn mention(bytes: (usize, usize), who: &str) -> Value {
    json!({"index": {"byteStart": bytes.0, "byteEnd": bytes.1},
           "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did(who)}]})
}

fn link(bytes: (usize, usize), url: &str) -> Value {
    json!({"index": {"byteStart": bytes.0, "byteEnd": bytes.1},
           "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]})
}

fn tag(bytes: (usize, usize), t: &str) -> Value {
    json!({"index": {"byteStart": bytes.0, "byteEnd": bytes.1},
           "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": t}]})
}

fn event(did: &str, t: i64, kind: &str, body: Value) -> SimEvent {
    let mut j = json!({"did": did, "time_us": t, "kind": kind});
    j[kind] = body;
    SimEvent {
        time_us: t,
        did: did.into(),
        collection: None,
        json: j.to_string(),
    }
}

fn delete(n: i64, author: &str, t: i64) -> SimEvent {
    let mut e = event(
        author,
        t,
        "commit",
        json!({"rev": jetsim::ids::tid(t, 2), "operation": "delete", "collection": POST, "rkey": format!("p{n}")}),
    );
    e.collection = Some(POST.into());
    e
}

/// The corpus: three accounts with handles, posts exercising every operator.
fn corpus() -> Vec<SimEvent> {
    let img = json!({"$type": "app.bsky.embed.images", "images": [{"alt": "a lighthouse at dusk", "image": {"$type": "blob", "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"}, "mimeType": "image/jpeg", "size": 1}}]});
    let video = json!({"$type": "app.bsky.embed.video", "video": {"$type": "blob", "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"}, "mimeType": "video/mp4", "size": 1}});
    let reply_to_1 = json!({"reply": {
        "root": {"uri": uri("alice", 1), "cid": jetsim::ids::cid(1)},
        "parent": {"uri": uri("alice", 1), "cid": jetsim::ids::cid(1)}}});
    let quote_1 = json!({"embed": {"$type": "app.bsky.embed.record", "record": {"uri": uri("alice", 1), "cid": jetsim::ids::cid(1)}}});
    vec![
        identity_at(T0 - 3, 1, &did("alice"), "alice.test"),
        identity_at(T0 - 2, 2, &did("bob"), "bob.test"),
        identity_at(T0 - 1, 3, &did("carol"), "carol.test"),
        post(
            1,
            "alice",
            "Rust makes systems programming pleasant",
            json!({"langs": ["en"]}),
        ),
        post(
            2,
            "bob",
            "I prefer Go for systems work",
            json!({"langs": ["en"]}),
        ),
        post(
            3,
            "carol",
            "Café crème and a croissant",
            json!({"langs": ["fr"]}),
        ),
        post(
            4,
            "bob",
            "hello @alice.test, nice post",
            json!({"facets": [mention((6, 17), "alice")]}),
        ),
        post(
            5,
            "alice",
            "Read this https://www.example.com/story",
            json!({"facets": [link((10, 38), "https://www.example.com/story?utm_source=x")]}),
        ),
        post(
            6,
            "carol",
            "Loving #RustLang today",
            json!({"facets": [tag((7, 16), "RustLang")]}),
        ),
        post(7, "bob", "Agreed, rust is great", reply_to_1),
        post(8, "carol", "Look at this", json!({"embed": img})),
        post(9, "alice", "My first clip", json!({"embed": video})),
        post(10, "bob", "Quoting the rust post", quote_1),
        post(11, "carol", "京都に行きました", json!({"langs": ["ja"]})),
        post(
            12,
            "carol",
            "東京都に住んでいます",
            json!({"langs": ["ja"]}),
        ),
        post(
            13,
            "carol",
            "ハリー・ポッターを読んだ",
            json!({"langs": ["ja"]}),
        ),
        post(14, "bob", "새 에어팟을 샀어요", json!({"langs": ["ko"]})),
        post(
            15,
            "alice",
            "我们去北京天安门广场",
            json!({"langs": ["zh"]}),
        ),
        post(16, "bob", "cats are better than dogs", json!({})),
        post(17, "carol", "dogs are loyal friends", json!({})),
        post(
            18,
            "alice",
            "a post with tags only",
            json!({"tags": ["Hidden"]}),
        ),
    ]
}

/// Texts a search answers, all pages, in order.
async fn texts(a: &Aerie, method: &str, params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    for _ in 0..50 {
        let (status, body) = a
            .get(&format!(
                "/xrpc/app.bsky.feed.{method}?{params}&limit=3{cursor}"
            ))
            .await;
        assert_eq!(status, 200, "{method}?{params}: {body}");
        let posts = body["posts"].as_array().expect("posts");
        out.extend(
            posts
                .iter()
                .filter_map(|p| p["record"]["text"].as_str().map(String::from)),
        );
        match body["cursor"].as_str() {
            Some(c) if !posts.is_empty() => cursor = format!("&cursor={}", enc(c)),
            _ => return out,
        }
    }
    panic!("{method}?{params} never ended");
}

/// The texts a search answers, as a set.
async fn found(a: &Aerie, method: &str, params: &str) -> BTreeSet<String> {
    set(texts(a, method, params).await)
}

fn set(v: Vec<String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

fn of(texts: &[&str]) -> BTreeSet<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

/// Waits until a search finds exactly `want` (the index commits within its interval).
async fn until_found(a: &Aerie, q: &str, want: BTreeSet<String>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got = set(texts(a, "searchPosts", &format!("q={}", enc(q))).await);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{q:?}: {got:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn start(sim: &Sim, data: &std::path::Path) -> Aerie {
    Aerie::start(
        data,
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
            ("AERIE_JETSTREAM__REWIND_SECS", "1"),
            ("AERIE_COUNTS__SOURCE", "off"),
            ("AERIE_SEARCH__PEOPLE_APPVIEW_URL", ""),
        ],
    )
}

/// The simulator with the corpus, and Aerie (data in a new directory) once it has it all.
async fn on_corpus() -> (Sim, tempfile::TempDir, Aerie, i64) {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    let events = corpus();
    let last = events.iter().map(|e| e.time_us).max().unwrap_or(0);
    sim.push(events);
    let dir = tempfile::tempdir().expect("tempdir");
    let a = start(&sim, &dir.path().join("data")).await;
    a.wait_for_cursor(last, Duration::from_secs(60)).await;
    (sim, dir, a, last)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operator_finds_exactly_its_posts() {
    let (_sim, _dir, a, _last) = on_corpus().await;
    until_found(
        &a,
        "rust",
        of(&[
            "Rust makes systems programming pleasant",
            "Agreed, rust is great",
            "Quoting the rust post",
        ]),
        Duration::from_secs(10),
    )
    .await;

    let q = |q: &str| format!("q={}", enc(q));
    let from_bob_did = format!("rust from:{}", did("bob"));
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "systems",
            vec![
                "Rust makes systems programming pleasant",
                "I prefer Go for systems work",
            ],
        ),
        (
            "\"systems programming\"",
            vec!["Rust makes systems programming pleasant"],
        ),
        ("“systems work”", vec!["I prefer Go for systems work"]),
        (
            "rust -great",
            vec![
                "Rust makes systems programming pleasant",
                "Quoting the rust post",
            ],
        ),
        (
            "cats OR loyal",
            vec!["cats are better than dogs", "dogs are loyal friends"],
        ),
        (
            "(cats OR loyal) dogs -friends",
            vec!["cats are better than dogs"],
        ),
        ("cafe creme", vec!["Café crème and a croissant"]),
        ("lighthouse", vec!["Look at this"]),
        (
            "rust from:alice.test",
            vec!["Rust makes systems programming pleasant"],
        ),
        (
            "from:@bob.test rust",
            vec!["Agreed, rust is great", "Quoting the rust post"],
        ),
        (
            &from_bob_did,
            vec!["Agreed, rust is great", "Quoting the rust post"],
        ),
        ("mentions:alice.test", vec!["hello @alice.test, nice post"]),
        ("@alice.test", vec!["hello @alice.test, nice post"]),
        (
            "to:alice.test",
            vec!["hello @alice.test, nice post", "Agreed, rust is great"],
        ),
        ("#rustlang", vec!["Loving #RustLang today"]),
        ("#hidden", vec!["a post with tags only"]),
        (
            "domain:example.com",
            vec!["Read this https://www.example.com/story"],
        ),
        (
            "https://example.com/story",
            vec!["Read this https://www.example.com/story"],
        ),
        ("lang:fr", vec!["Café crème and a croissant"]),
        ("is:reply", vec!["Agreed, rust is great"]),
        ("has:media", vec!["Look at this", "My first clip"]),
        ("has:video", vec!["My first clip"]),
        (
            "since:2026-01-01T00:16:00Z until:2026-01-01T00:18:00Z",
            vec!["cats are better than dogs", "dogs are loyal friends"],
        ),
        ("京都", vec!["京都に行きました"]),
        ("東京", vec!["東京都に住んでいます"]),
        ("ハリー", vec!["ハリー・ポッターを読んだ"]),
        ("에어팟", vec!["새 에어팟을 샀어요"]),
        ("天安门", vec!["我们去北京天安门广场"]),
        ("text:rust", vec![]),
    ];
    for (query, want) in cases {
        let got = set(texts(&a, "searchPosts", &q(query)).await);
        assert_eq!(got, of(&want), "searchPosts {query:?}");
    }

    // An unknown account answers nothing, never wider results.
    assert!(texts(&a, "searchPosts", &q("rust from:nobody.test"))
        .await
        .is_empty());

    // Latest is newest first; every page is consistent.
    let latest = texts(&a, "searchPosts", &q("rust")).await;
    assert_eq!(
        latest,
        [
            "Quoting the rust post",
            "Agreed, rust is great",
            "Rust makes systems programming pleasant"
        ]
    );

    // v1's parameters and V2's filters.
    assert_eq!(
        found(
            &a,
            "searchPosts",
            &format!("q=rust&author={}", did("alice"))
        )
        .await,
        of(&["Rust makes systems programming pleasant"])
    );
    assert_eq!(
        found(&a, "searchPosts", "q=*&tag=RustLang").await,
        of(&["Loving #RustLang today"])
    );
    assert_eq!(
        found(&a, "searchPosts", "q=loving&tag=RustLang").await,
        of(&["Loving #RustLang today"])
    );
    assert_eq!(
        found(&a, "searchPosts", "q=read&domain=example.com").await,
        of(&["Read this https://www.example.com/story"])
    );
    assert_eq!(
        found(&a, "searchPosts", "q=rust&since=2026-01-01T00:05:00Z").await,
        of(&["Agreed, rust is great", "Quoting the rust post"])
    );
    assert_eq!(
        found(
            &a,
            "searchPostsV2",
            "query=rust&sort=recent&excludeReplies=true"
        )
        .await,
        of(&[
            "Rust makes systems programming pleasant",
            "Quoting the rust post"
        ])
    );
    assert_eq!(
        found(
            &a,
            "searchPostsV2",
            "query=rust&sort=recent&repliesOnly=true"
        )
        .await,
        of(&["Agreed, rust is great"])
    );
    // Filters naming alice's first post: quotes of it, replies to it, its thread.
    let first = enc(&uri("alice", 1));
    let by_post: [(&str, &[&str]); 3] = [
        (
            "query=rust&sort=top&allTime=true&embeddedAtUris=",
            &["Quoting the rust post"],
        ),
        (
            "query=&sort=recent&replyParentUri=",
            &["Agreed, rust is great"],
        ),
        (
            "query=rust&sort=recent&threadRootUri=",
            &[
                "Rust makes systems programming pleasant",
                "Agreed, rust is great",
            ],
        ),
    ];
    for (params, want) in by_post {
        let got = found(&a, "searchPostsV2", &format!("{params}{first}")).await;
        assert_eq!(got, of(want), "{params}");
    }
    assert_eq!(
        found(
            &a,
            "searchPostsV2",
            "query=systems&sort=recent&authors=bob.test&authors=carol.test"
        )
        .await,
        of(&["I prefer Go for systems work"])
    );
    assert_eq!(
        found(
            &a,
            "searchPostsV2",
            "query=rust&sort=recent&excludeAuthors=bob.test"
        )
        .await,
        of(&["Rust makes systems programming pleasant"])
    );
    assert_eq!(
        found(&a, "searchPostsV2", "query=&sort=recent&hasVideo=true").await,
        of(&["My first clip"])
    );
    assert_eq!(
        found(&a, "searchPostsV2", "query=&sort=recent&languages=ja")
            .await
            .len(),
        3
    );
    let (_, body) = a
        .get("/xrpc/app.bsky.feed.searchPostsV2?query=%E4%BA%AC%E9%83%BD&allTime=true")
        .await;
    assert_eq!(body["detectedQueryLanguages"], json!(["zh"]), "{body}");
    assert_eq!(body["hitsTotal"], json!(1), "{body}");

    // Hostile queries: a clear 400, never a 5xx.
    for hostile in [
        "a ".repeat(600),
        "(".repeat(100),
        "since:whenever".to_string(),
    ] {
        let (status, body) = a
            .get(&format!(
                "/xrpc/app.bsky.feed.searchPosts?q={}",
                enc(&hostile)
            ))
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "BadQueryString", "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_and_takedowns_leave_results_within_a_second() {
    let (sim, _dir, a, last) = on_corpus().await;
    let dogs = of(&["cats are better than dogs", "dogs are loyal friends"]);
    until_found(&a, "dogs", dogs, Duration::from_secs(10)).await;

    sim.push([delete(16, &did("bob"), last + 1_000)]);
    until_found(
        &a,
        "dogs",
        of(&["dogs are loyal friends"]),
        Duration::from_secs(1),
    )
    .await;

    let takedown = event(
        &did("carol"),
        last + 2_000,
        "account",
        json!({"active": false, "did": did("carol"), "seq": 10, "status": "takendown", "time": "2026-01-02T00:00:00.000Z"}),
    );
    sim.push([takedown]);
    until_found(&a, "dogs", of(&[]), Duration::from_secs(1)).await;

    let back = event(
        &did("carol"),
        last + 3_000,
        "account",
        json!({"active": true, "did": did("carol"), "seq": 11, "time": "2026-01-02T00:00:01.000Z"}),
    );
    sim.push([back]);
    until_found(
        &a,
        "dogs",
        of(&["dogs are loyal friends"]),
        Duration::from_secs(1),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_mid_indexing_the_index_equals_the_store() {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    let n = 20_000;
    let words = ["alpha", "beta", "gamma", "delta"];
    let mut events: Vec<SimEvent> = (0..n)
        .map(|i| {
            post_as(
                100 + i,
                &jetsim::ids::did(i as u64 % 40),
                &format!("{} number {i}", words[i as usize % 4]),
                json!({}),
            )
        })
        .collect();
    // Some are deleted again.
    let t_end = T0 + (100 + n) * 60_000_000;
    events.extend(
        (0..n)
            .step_by(7)
            .map(|i| delete(100 + i, &jetsim::ids::did(i as u64 % 40), t_end + i)),
    );
    let last = events.iter().map(|e| e.time_us).max().unwrap_or(0);
    let live: u64 = (0..n).filter(|i| i % 7 != 0).count() as u64;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = start(&sim, &dir.path().join("data")).await;
    sim.push(events);
    // Kill while the stream is being written and indexed, twice.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        a.kill9_and_restart();
    }
    a.wait_for_cursor(last, Duration::from_secs(120)).await;
    // Each of the four words is in a quarter of the posts (counted exactly: under 5,000).
    let deadline = Instant::now() + Duration::from_secs(30);
    'words: loop {
        let mut all = 0;
        for (w, word) in words.iter().enumerate() {
            let (_, body) = a
                .get(&format!("/xrpc/app.bsky.feed.searchPosts?q={word}&limit=1"))
                .await;
            let want = (0..n)
                .filter(|i| i % 7 != 0 && *i as usize % 4 == w)
                .count();
            if body["hitsTotal"] != json!(want) {
                assert!(
                    Instant::now() < deadline,
                    "{word}: the index holds {}, the store {want}",
                    body["hitsTotal"]
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue 'words;
            }
            all += want;
        }
        assert_eq!(all as u64, live);
        break;
    }
    let log = a.log_text();
    assert!(
        log.contains("search index resumes"),
        "a restart resumed from the commit's position rather than rebuilding:\n{log}"
    );
}

fn profile(n: i64, who: &str, name: &str, description: &str) -> SimEvent {
    commit_at(
        T0 + n * 1_000,
        9_000 + n as u64,
        &did(who),
        "app.bsky.actor.profile",
        "self",
        json!({"$type": "app.bsky.actor.profile", "displayName": name, "description": description}),
    )
}

/// A stand-in for another AppView's people search: answers `searchActorsTypeahead` with one
/// account Aerie does not know, and counts the requests.
async fn people_appview() -> (String, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let app = axum::Router::new().route(
        "/xrpc/app.bsky.actor.searchActorsTypeahead",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                axum::Json(json!({"actors": [
                    {"did": did("stranger"), "handle": "stranger.example", "displayName": "A Stranger"},
                    {"did": did("alice"), "handle": "alice.test"}
                ]}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, asked)
}

/// The handles `searchActorsTypeahead` answers for `q`.
async fn typeahead(a: &Aerie, q: &str) -> Vec<String> {
    let path = format!("/xrpc/app.bsky.actor.searchActorsTypeahead?q={}", enc(q));
    handles(&a.get(&path).await.1)
}

fn handles(body: &Value) -> Vec<String> {
    body["actors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["handle"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_feeds_and_starter_packs_are_found() {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    let mut events = corpus();
    events.extend([
        identity_at(T0 + 10, 4, &did("jane"), "janedoe.test"),
        identity_at(T0 + 11, 5, &did("alicia"), "alicia.test"),
        profile(20, "alice", "Alice Wonder", "I write about rust and tea"),
        profile(21, "bob", "Bob Builder", "Builds things"),
        profile(22, "jane", "Jane", "Nothing much"),
        profile(23, "alicia", "Alicia Keys", "Music"),
        commit_at(T0 + 30_000, 9_100, &did("bob"), "app.bsky.feed.generator", "rustnews",
            json!({"$type": "app.bsky.feed.generator", "did": "did:web:feeds.example", "displayName": "Rust News", "description": "Everything about rust", "createdAt": iso(T0)})),
        commit_at(T0 + 31_000, 9_101, &did("bob"), "app.bsky.feed.generator", "cats",
            json!({"$type": "app.bsky.feed.generator", "did": "did:web:feeds.example", "displayName": "Cats", "description": "Only cats", "createdAt": iso(T0)})),
        commit_at(T0 + 32_000, 9_102, &did("carol"), "app.bsky.graph.list", "l1",
            json!({"$type": "app.bsky.graph.list", "purpose": "app.bsky.graph.defs#referencelist", "name": "Rustaceans list", "createdAt": iso(T0)})),
        commit_at(T0 + 33_000, 9_103, &did("carol"), "app.bsky.graph.starterpack", "sp1",
            json!({"$type": "app.bsky.graph.starterpack", "name": "Rustaceans", "description": "People who write rust", "list": format!("at://{}/app.bsky.graph.list/l1", did("carol")), "createdAt": iso(T0)})),
    ]);
    let last = events.iter().map(|e| e.time_us).max().unwrap_or(0);
    sim.push(events);
    let (people_url, asked) = people_appview().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
            ("AERIE_SEARCH__PEOPLE_APPVIEW_URL", &people_url),
            ("AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES", "true"),
        ],
    );
    a.wait_for_cursor(last, Duration::from_secs(60)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while typeahead(&a, "ali").await.len() < 2 {
        assert!(Instant::now() < deadline, "accounts never indexed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // In scope "network" the store is the network: nobody else is asked.
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    let ali = typeahead(&a, "ali").await;
    assert_eq!(ali.len(), 2, "{ali:?}");
    assert_eq!(
        typeahead(&a, "alicia.test").await[0],
        "alicia.test",
        "an exact handle first"
    );
    assert_eq!(typeahead(&a, "@alice.test").await[0], "alice.test");
    assert_eq!(
        typeahead(&a, "wond").await,
        ["alice.test"],
        "a display name's word"
    );
    assert_eq!(typeahead(&a, "bob builder").await, ["bob.test"]);
    assert_eq!(
        typeahead(&a, "bobbuild").await,
        ["bob.test"],
        "\"first last\" as one word"
    );
    assert_eq!(typeahead(&a, "janedoe").await, ["janedoe.test"]);
    assert_eq!(
        typeahead(&a, "doe").await,
        Vec::<String>::new(),
        "prefixes, not infixes"
    );

    let (status, full) = a.get("/xrpc/app.bsky.actor.searchActors?q=rust").await;
    assert_eq!(status, 200, "{full}");
    assert_eq!(handles(&full), ["alice.test"], "the description");
    let (_, full) = a.get("/xrpc/app.bsky.actor.searchActors?q=keys").await;
    assert_eq!(handles(&full), ["alicia.test"]);

    let (status, feeds) = a
        .get("/xrpc/app.bsky.unspecced.getPopularFeedGenerators?query=rust")
        .await;
    assert_eq!(status, 200, "{feeds}");
    let names: Vec<&str> = feeds["feeds"]
        .as_array()
        .expect("feeds")
        .iter()
        .filter_map(|f| f["displayName"].as_str())
        .collect();
    assert_eq!(names, ["Rust News"], "{feeds}");
    let (status, packs) = a
        .get("/xrpc/app.bsky.graph.searchStarterPacksV2?q=rustaceans")
        .await;
    assert_eq!(status, 200, "{packs}");
    assert_eq!(packs["hitsTotal"], 1, "{packs}");
    assert_eq!(
        packs["starterPacks"][0]["record"]["name"], "Rustaceans",
        "{packs}"
    );
    let (_, packs) = a
        .get("/xrpc/app.bsky.graph.searchStarterPacks?q=people")
        .await;
    assert_eq!(
        packs["starterPacks"].as_array().map(Vec::len),
        Some(1),
        "{packs}"
    );

    // A takedown hides the account from people search too.
    let takedown = event(
        &did("alicia"),
        last + 1_000,
        "account",
        json!({"active": false, "did": did("alicia"), "seq": 20, "status": "takendown", "time": "2026-01-02T00:00:00.000Z"}),
    );
    sim.push([takedown]);
    let deadline = Instant::now() + Duration::from_secs(1);
    while typeahead(&a, "ali").await != ["alice.test"] {
        assert!(
            Instant::now() < deadline,
            "the taken-down account is still found"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // In scope "follows", a thin answer is completed by the network's people search; what the
    // store already answered is not repeated.
    drop(a);
    let dir2 = tempfile::tempdir().expect("tempdir");
    let b = Aerie::start(
        &dir2.path().join("data"),
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
            ("AERIE_SCOPE", "follows"),
            ("AERIE_SEARCH__PEOPLE_APPVIEW_URL", &people_url),
            ("AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES", "true"),
        ],
    );
    b.wait_for_cursor(last, Duration::from_secs(60)).await;
    let (status, body) = b
        .get("/xrpc/app.bsky.actor.searchActorsTypeahead?q=stran")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(handles(&body), ["stranger.example", "alice.test"], "{body}");
    assert!(asked.load(Ordering::SeqCst) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_index_is_rebuilt_and_aerie_reindex_rebuilds_it() {
    let (_sim, dir, mut a, _last) = on_corpus().await;
    let data = dir.path().join("data");
    let dogs = of(&["cats are better than dogs", "dogs are loyal friends"]);
    until_found(&a, "dogs", dogs.clone(), Duration::from_secs(10)).await;
    assert!(a.terminate(), "aerie stops cleanly");

    // By hand, with a progress bar, while Aerie is stopped.
    let env = vec![("AERIE_DATA_DIR".to_string(), data.display().to_string())];
    let (ok, _, err) = common::pds::aerie(&["reindex"], &env, dir.path());
    assert!(ok, "aerie reindex: {err}");
    assert!(
        err.contains("records") && err.contains("search index rebuilt"),
        "{err}"
    );

    // A damaged index is set aside and rebuilt, not fatal.
    std::fs::write(data.join("search/meta.json"), b"{ not json").expect("damage");
    a.restart();
    until_found(&a, "dogs", dogs, Duration::from_secs(10)).await;
    let log = a.log_text();
    assert!(log.contains("set aside and rebuilt"), "{log}");
    assert!(
        std::fs::read_dir(&data).expect("dir").flatten().any(|e| e
            .file_name()
            .to_string_lossy()
            .starts_with("search.damaged-")),
        "the damaged index is kept aside"
    );
}
