//! Custom feeds against a real PDS and PLC (`@atproto/dev-env`) and a feed generator of the
//! test's own (tests/pds/feedgen.mjs, a did:web service): alice's PDS proxies her app.bsky
//! calls to Aerie with service auth, her AtpAgent validating every answer against the
//! lexicons. A stranger's generator record (carol is followed by nobody) is fetched from
//! carol's PDS — for getFeedGenerator(s), and for the PDS's own getRecord before it proxies
//! getFeed; the skeleton's posts beyond the store too. The generator receives the token
//! alice's PDS minted for it; its feedContext and reqId come back; its failures are told as
//! XRPC errors.

mod common;

use common::pds::{AppView, Network};
use serde_json::{json, Value};
use std::time::Duration;

/// The `{uri, ...}` of an account's newest record of `collection`.
fn newest(net: &mut Network, handle: &str, collection: &str) -> Value {
    net.cmd(json!({"cmd": "records", "as": handle, "collection": collection}))["records"][0].clone()
}

/// The claims of a JWT.
fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let part = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&b64.decode(part).expect("base64")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_feeds_through_the_users_pds() {
    let appview = AppView::new();
    let aerie_url = appview.url.clone();
    let mut net = Network::proxying_to(
        &appview,
        &["--posts=2", "--no-follows"],
        &["alice.test", "bob.test", "carol.test"],
    );
    let (alice, bob, carol) = (
        net.did("alice.test"),
        net.did("bob.test"),
        net.did("carol.test"),
    );
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
    net.cmd(json!({"cmd": "follow", "as": "bob.test", "did": carol}));
    let dir = tempfile::tempdir().expect("tempdir");
    // Aerie keeps what alice follows (bob); carol stays beyond the follows.
    let mut a = net.appview_aerie(
        &appview,
        &dir.path().join("data"),
        &[
            ("AERIE_USERS", "[\"alice.test\"]"),
            ("AERIE_SCOPE", "follows"),
        ],
    );
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["done"] == 2 && r["backfill"]["pending"] == 0
    })
    .await;

    // carol (whom nobody follows) and alice each declare a feed served by the test generator.
    let picks = net.cmd(
        json!({"cmd": "feedgen", "as": "carol.test", "rkey": "picks", "name": "Carol's picks"}),
    );
    let mine = net
        .cmd(json!({"cmd": "feedgen", "as": "alice.test", "rkey": "mine", "name": "Alice's feed"}));
    let (picks_uri, mine_uri) = (
        picks["uri"].as_str().expect("uri").to_string(),
        mine["uri"].as_str().expect("uri").to_string(),
    );
    let fg_did = picks["did"].as_str().expect("did").to_string();
    // alice's own record arrives over the firehose.
    let actor_feeds = format!("/xrpc/app.bsky.feed.getActorFeeds?actor={alice}");
    let mut listed = json!(null);
    for _ in 0..100 {
        listed = a.get(&actor_feeds).await.1;
        if listed["feeds"].as_array().is_some_and(|f| !f.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed["feeds"][0]["uri"], mine_uri.as_str(), "{listed}");
    assert_eq!(listed["feeds"][0]["displayName"], "Alice's feed");

    // Profiles say what an account has made (the app shows its Feeds tab by it); a stranger's
    // is looked up beyond the store, the handle verified.
    let me = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile",
        "params": {"actor": alice}}),
    );
    assert_eq!(me["body"]["associated"]["feedgens"], 1, "{me}");
    let stranger = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile",
        "params": {"actor": "carol.test"}}),
    );
    assert_eq!(stranger["status"], 200, "{stranger}");
    assert_eq!(
        (
            stranger["body"]["did"].as_str(),
            stranger["body"]["handle"].as_str()
        ),
        (Some(carol.as_str()), Some("carol.test"))
    );

    // A stranger's posts and handle, read from her PDS.
    let theirs = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getAuthorFeed",
        "params": {"actor": "carol.test", "limit": 1}}),
    );
    assert_eq!(theirs["status"], 200, "{theirs}");
    assert_eq!(
        theirs["body"]["feed"][0]["post"]["record"]["text"], "post 2 by carol.test",
        "{theirs}"
    );
    assert_eq!(
        theirs["body"]["feed"][0]["post"]["author"]["handle"],
        "carol.test"
    );
    let more = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getAuthorFeed",
        "params": {"actor": carol, "cursor": theirs["body"]["cursor"]}}),
    );
    assert_eq!(
        more["body"]["feed"][0]["post"]["record"]["text"], "post 1 by carol.test",
        "{more}"
    );
    let resolved = a
        .get("/xrpc/com.atproto.identity.resolveHandle?handle=carol.test")
        .await;
    assert_eq!(resolved.1["did"], carol.as_str(), "{resolved:?}");

    // The app's Home tab bar: both views, in the order asked, the unknown one left out.
    let gone = format!("at://{carol}/app.bsky.feed.generator/nothere");
    let gens = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getFeedGenerators",
        "params": {"feeds": [picks_uri, gone, mine_uri]}}),
    );
    assert_eq!(gens["status"], 200, "{gens}");
    let feeds = gens["body"]["feeds"].as_array().expect("feeds");
    let names: Vec<&str> = feeds
        .iter()
        .filter_map(|f| f["displayName"].as_str())
        .collect();
    assert_eq!(names, ["Carol's picks", "Alice's feed"], "{gens}");
    assert_eq!(feeds[0]["creator"]["did"], carol.as_str());
    assert_eq!(feeds[0]["did"], fg_did.as_str());
    let one = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getFeedGenerator",
        "params": {"feed": picks_uri}}),
    );
    assert_eq!(one["status"], 200, "{one}");
    assert_eq!(
        (&one["body"]["isOnline"], &one["body"]["isValid"]),
        (&json!(true), &json!(true))
    );
    // The record itself, as the PDS asks for it before proxying getFeed.
    let (status, rec) = a
        .get(&format!("/xrpc/com.atproto.repo.getRecord?repo={carol}&collection=app.bsky.feed.generator&rkey=picks"))
        .await;
    assert_eq!(status, 200, "{rec}");
    assert_eq!(rec["cid"], picks["cid"]);

    // carol runs a labeler: its service record, fetched from her PDS, as the app's moderation
    // settings ask for it at every start (a definition without the lexicon's shape left out).
    let labeler = json!({"$type": "app.bsky.labeler.service", "createdAt": "2026-01-01T00:00:00.000Z",
        "policies": {"labelValues": ["spoiler", "rude"], "labelValueDefinitions": [
            {"identifier": "spoiler", "severity": "inform", "blurs": "content",
             "locales": [{"lang": "en", "name": "Spoiler", "description": "Plot details"}]},
            {"identifier": "Not Valid!", "severity": "alert", "blurs": "none", "locales": []},
        ]},
        "subjectTypes": ["account", "record"]});
    net.cmd(
        json!({"cmd": "put", "as": "carol.test", "collection": "app.bsky.labeler.service",
        "rkey": "self", "record": labeler}),
    );
    for detailed in [true, false] {
        let got = net.cmd(
            json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.labeler.getServices",
            "params": {"dids": [carol, bob], "detailed": detailed}}),
        );
        assert_eq!(got["status"], 200, "{got}");
        let views = got["body"]["views"].as_array().expect("views");
        assert_eq!(views.len(), 1, "bob runs no labeler: {got}");
        assert_eq!(views[0]["creator"]["did"], carol.as_str());
        let defs = &views[0]["policies"]["labelValueDefinitions"];
        match detailed {
            true => assert_eq!(defs.as_array().map(Vec::len), Some(1), "{got}"),
            false => assert!(defs.is_null(), "{got}"),
        }
    }

    // Lists: carol's (a stranger's, read from her PDS) and alice's own (stored).
    let now = "2026-01-01T00:00:00.000Z";
    let put = |net: &mut Network, who: &str, collection: &str, record: Value| {
        net.cmd(json!({"cmd": "put", "as": who, "collection": collection, "record": record}))
    };
    let carols = put(
        &mut net,
        "carol.test",
        "app.bsky.graph.list",
        json!({"$type": "app.bsky.graph.list",
        "purpose": "app.bsky.graph.defs#curatelist", "name": "Carol's friends", "createdAt": now}),
    );
    let carols_uri = carols["uri"].as_str().expect("uri").to_string();
    for member in [&bob, &alice] {
        put(
            &mut net,
            "carol.test",
            "app.bsky.graph.listitem",
            json!({"$type": "app.bsky.graph.listitem",
            "subject": member, "list": carols_uri, "createdAt": now}),
        );
    }
    let alices = put(
        &mut net,
        "alice.test",
        "app.bsky.graph.list",
        json!({"$type": "app.bsky.graph.list",
        "purpose": "app.bsky.graph.defs#modlist", "name": "Muted folks", "createdAt": now}),
    );
    put(
        &mut net,
        "alice.test",
        "app.bsky.graph.listitem",
        json!({"$type": "app.bsky.graph.listitem",
        "subject": carol, "list": alices["uri"], "createdAt": now}),
    );
    let pds = |net: &mut Network, nsid: &str, params: Value| {
        net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": nsid, "params": params}))
    };
    let got = pds(
        &mut net,
        "app.bsky.graph.getList",
        json!({"list": carols_uri, "limit": 1}),
    );
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["body"]["list"]["name"], "Carol's friends");
    assert_eq!(got["body"]["list"]["listItemCount"], 2);
    assert_eq!(got["body"]["items"].as_array().map(Vec::len), Some(1));
    let rest = pds(
        &mut net,
        "app.bsky.graph.getList",
        json!({"list": carols_uri, "cursor": got["body"]["cursor"]}),
    );
    let members: Vec<String> = [&got, &rest]
        .iter()
        .flat_map(|p| p["body"]["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["subject"]["did"].as_str().map(String::from))
        .collect();
    assert_eq!(members.len(), 2, "{rest}");
    assert!(
        members.contains(&bob) && members.contains(&alice),
        "{members:?}"
    );
    let theirs = pds(&mut net, "app.bsky.graph.getLists", json!({"actor": carol}));
    assert_eq!(
        theirs["body"]["lists"][0]["uri"],
        carols_uri.as_str(),
        "{theirs}"
    );
    let mut mine = json!(null);
    for _ in 0..100 {
        mine = pds(
            &mut net,
            "app.bsky.graph.getLists",
            json!({"actor": alice, "purposes": ["modlist"]}),
        );
        // The list and its item arrive over the firehose, one after the other.
        if mine["body"]["lists"][0]["listItemCount"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mine["body"]["lists"][0]["name"], "Muted folks", "{mine}");
    assert_eq!(mine["body"]["lists"][0]["listItemCount"], 1, "{mine}");
    let curated = pds(
        &mut net,
        "app.bsky.graph.getLists",
        json!({"actor": alice, "purposes": ["curatelist"]}),
    );
    assert_eq!(
        curated["body"]["lists"].as_array().map(Vec::len),
        Some(0),
        "{curated}"
    );
    // A list pinned as a Home tab: its members' posts (bob's and alice's are stored).
    let listfeed = pds(
        &mut net,
        "app.bsky.feed.getListFeed",
        json!({"list": carols_uri, "limit": 10}),
    );
    assert_eq!(listfeed["status"], 200, "{listfeed}");
    let authors: std::collections::BTreeSet<&str> = listfeed["body"]["feed"]
        .as_array()
        .expect("feed")
        .iter()
        .filter_map(|i| i["post"]["author"]["did"].as_str())
        .collect();
    assert_eq!(
        authors,
        [alice.as_str(), bob.as_str()].into_iter().collect(),
        "{listfeed}"
    );
    // carol's starter pack: her list and her feed, all fetched from her PDS.
    let pack = put(
        &mut net,
        "carol.test",
        "app.bsky.graph.starterpack",
        json!({"$type": "app.bsky.graph.starterpack", "name": "Start here", "list": carols_uri,
            "feeds": [{"uri": picks_uri}], "createdAt": now}),
    );
    let pack_uri = pack["uri"].as_str().expect("uri").to_string();
    let one = pds(
        &mut net,
        "app.bsky.graph.getStarterPack",
        json!({"starterPack": pack_uri}),
    );
    assert_eq!(one["status"], 200, "{one}");
    let sp = &one["body"]["starterPack"];
    assert_eq!(sp["list"]["uri"], carols_uri.as_str(), "{one}");
    assert_eq!(sp["list"]["listItemCount"], 2);
    assert_eq!(sp["listItemsSample"].as_array().map(Vec::len), Some(2));
    assert_eq!(sp["feeds"][0]["uri"], picks_uri.as_str());
    let many = pds(
        &mut net,
        "app.bsky.graph.getStarterPacks",
        json!({"uris": [pack_uri]}),
    );
    assert_eq!(
        many["body"]["starterPacks"][0]["listItemCount"], 2,
        "{many}"
    );
    let theirs = pds(
        &mut net,
        "app.bsky.graph.getActorStarterPacks",
        json!({"actor": carol}),
    );
    assert_eq!(
        theirs["body"]["starterPacks"][0]["uri"],
        pack_uri.as_str(),
        "{theirs}"
    );
    // Suggestions from alice's own graph: carol (whom bob follows); the feed and the starter
    // pack bob made.
    let bobs =
        net.cmd(json!({"cmd": "feedgen", "as": "bob.test", "rkey": "bobs", "name": "Bob's best"}));
    put(
        &mut net,
        "bob.test",
        "app.bsky.graph.starterpack",
        json!({"$type": "app.bsky.graph.starterpack", "name": "Bob's pack", "list": carols_uri, "createdAt": now}),
    );
    let mut feeds = json!(null);
    for _ in 0..100 {
        feeds = pds(&mut net, "app.bsky.unspecced.getSuggestedFeeds", json!({}));
        if feeds["body"]["feeds"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(feeds["body"]["feeds"][0]["uri"], bobs["uri"], "{feeds}");
    // Feeds are found by search, once the index has taken the record in.
    let mut found = json!(null);
    for _ in 0..50 {
        found = pds(
            &mut net,
            "app.bsky.unspecced.getPopularFeedGenerators",
            json!({"query": "BEST"}),
        );
        if found["body"]["feeds"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        found["body"]["feeds"].as_array().map(Vec::len),
        Some(1),
        "{found}"
    );
    let none = pds(
        &mut net,
        "app.bsky.unspecced.getPopularFeedGenerators",
        json!({"query": "nothing like it"}),
    );
    assert_eq!(
        none["body"]["feeds"].as_array().map(Vec::len),
        Some(0),
        "{none}"
    );
    let users = pds(
        &mut net,
        "app.bsky.unspecced.getSuggestedUsersForExplore",
        json!({}),
    );
    assert_eq!(users["body"]["actors"][0]["did"], carol.as_str(), "{users}");
    let paged = pds(
        &mut net,
        "app.bsky.actor.getSuggestions",
        json!({"limit": 1}),
    );
    assert_eq!(paged["body"]["actors"][0]["did"], carol.as_str(), "{paged}");
    let mut packs = json!(null);
    for _ in 0..100 {
        packs = pds(
            &mut net,
            "app.bsky.unspecced.getSuggestedStarterPacks",
            json!({}),
        );
        if packs["body"]["starterPacks"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        packs["body"]["starterPacks"][0]["record"]["name"], "Bob's pack",
        "{packs}"
    );

    // A list mute is private, and shown on the list.
    let muted = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.graph.muteActorList", "input": {"list": carols_uri}}));
    assert_eq!(muted["status"], 200, "{muted}");
    let again = pds(
        &mut net,
        "app.bsky.graph.getList",
        json!({"list": carols_uri}),
    );
    assert_eq!(again["body"]["list"]["viewer"]["muted"], true, "{again}");
    let mutes = pds(&mut net, "app.bsky.graph.getListMutes", json!({}));
    assert_eq!(
        mutes["body"]["lists"][0]["uri"],
        carols_uri.as_str(),
        "{mutes}"
    );
    assert_eq!(
        mutes["body"]["lists"][0]["viewer"]["muted"], true,
        "{mutes}"
    );

    // The feed: bob's post (stored), carol's (fetched from her PDS), one that does not exist.
    let bob_post = newest(&mut net, "bob.test", "app.bsky.feed.post");
    let carol_post = newest(&mut net, "carol.test", "app.bsky.feed.post");
    net.cmd(json!({"cmd": "feedgenserve", "items": [
        {"post": bob_post["uri"], "feedContext": "ctx-1"},
        {"post": carol_post["uri"], "feedContext": "ctx-2"},
        {"post": format!("at://{carol}/app.bsky.feed.post/nothere")},
    ]}));
    let page = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.feed.getFeed",
        "params": {"feed": picks_uri, "limit": 10}}),
    );
    assert_eq!(page["status"], 200, "{page}");
    let items = page["body"]["feed"].as_array().expect("feed");
    let shown: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["post"]["record"]["text"].as_str().unwrap_or_default(),
                i["feedContext"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("post 2 by bob.test", "ctx-1"),
            ("post 2 by carol.test", "ctx-2")
        ],
        "{page}"
    );
    assert!(items.iter().all(|i| i["reqId"] == "req-1"), "{page}");
    assert_eq!(
        items[1]["post"]["author"]["handle"], "carol.test",
        "a stranger's handle, verified: {page}"
    );
    assert_eq!(page["body"]["cursor"], "next-page");
    // The generator got the token alice's PDS minted for it, and the parameters.
    let seen = net.cmd(json!({"cmd": "feedgenseen"}));
    let last = seen["seen"]
        .as_array()
        .and_then(|s| s.last())
        .expect("a request")
        .clone();
    assert_eq!(last["params"]["feed"], picks_uri.as_str());
    assert_eq!(last["params"]["limit"], "10");
    let token = last["authorization"]
        .as_str()
        .and_then(|h| h.strip_prefix("Bearer "))
        .expect("a bearer token");
    let c = claims(token);
    assert_eq!(
        (c["iss"].as_str(), c["aud"].as_str()),
        (Some(alice.as_str()), Some(fg_did.as_str())),
        "{c}"
    );

    // Straight to Aerie with such a token: a broken generator is a clear error, never a hang.
    let minted = net.cmd(
        json!({"cmd": "serviceauth", "as": "alice.test", "aud": fg_did,
        "lxm": "app.bsky.feed.getFeedSkeleton"}),
    )["token"]
        .as_str()
        .expect("token")
        .to_string();
    let get_feed = |token: String| {
        let url = format!("{aerie_url}/xrpc/app.bsky.feed.getFeed?feed={picks_uri}");
        async move {
            let resp = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("json");
            (
                status,
                body["error"].as_str().unwrap_or_default().to_string(),
            )
        }
    };
    assert_eq!(get_feed(minted.clone()).await, (200, String::new()));
    net.cmd(json!({"cmd": "feedgenserve", "mode": "500"}));
    assert_eq!(get_feed(minted.clone()).await, (500, "FeedBroke".into()));
    net.cmd(json!({"cmd": "feedgenserve", "mode": "garbage"}));
    assert_eq!(
        get_feed(minted.clone()).await,
        (502, "InvalidFeedResponse".into())
    );
    let (status, body) = a
        .get(&format!(
            "/xrpc/app.bsky.feed.getFeed?feed=at://{carol}/app.bsky.feed.generator/nothere"
        ))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("UnknownFeed")),
        "{body}"
    );

    // A stranger's post by its URI, and the thread above a followee's reply to it: fetched
    // from her PDS.
    let first = pds(
        &mut net,
        "app.bsky.feed.getPosts",
        json!({"uris": [carol_post["uri"]]}),
    );
    assert_eq!(
        first["body"]["posts"][0]["record"]["text"], "post 2 by carol.test",
        "{first}"
    );
    assert_eq!(first["body"]["posts"][0]["author"]["handle"], "carol.test");
    let strong = json!({"uri": carol_post["uri"], "cid": carol_post["cid"]});
    let answer = put(
        &mut net,
        "bob.test",
        "app.bsky.feed.post",
        json!({"$type": "app.bsky.feed.post", "text": "hi carol", "createdAt": now,
        "reply": {"root": strong, "parent": strong}}),
    );
    let mut thread = json!(null);
    for _ in 0..100 {
        thread = net.call(json!({"cmd": "pds", "as": "alice.test",
            "nsid": "app.bsky.unspecced.getPostThreadV2", "params": {"anchor": answer["uri"]}}));
        if thread["status"] == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let items = thread["body"]["thread"].as_array().expect("thread");
    assert_eq!(items.len(), 2, "{thread}");
    assert_eq!(items[0]["depth"], -1, "{thread}");
    assert_eq!(
        items[0]["value"]["post"]["record"]["text"], "post 2 by carol.test",
        "{thread}"
    );
    assert_eq!(items[1]["value"]["post"]["record"]["text"], "hi carol");

    // What was fetched is kept as visited content: after a restart, with carol's PDS refusing
    // getRecord, her post still shows.
    net.cmd(json!({"cmd": "fault", "mode": "500", "nsid": "com.atproto.repo.getRecord"}));
    a.restart();
    let kept = pds(
        &mut net,
        "app.bsky.feed.getPosts",
        json!({"uris": [carol_post["uri"]]}),
    );
    assert_eq!(
        kept["body"]["posts"][0]["record"]["text"], "post 2 by carol.test",
        "{kept}"
    );
    net.cmd(json!({"cmd": "fault", "mode": "off"}));

    // Trends: the hashtags the accounts alice follows used today.
    let today = aerie_storage::datetime::format_us(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_micros() as i64,
    );
    for text in ["I like #Rust", "more #rust"] {
        let start = text.find('#').expect("a tag");
        put(
            &mut net,
            "bob.test",
            "app.bsky.feed.post",
            json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": today,
            "facets": [{"index": {"byteStart": start, "byteEnd": text.len()},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": &text[start + 1..]}]}]}),
        );
    }
    let mut trends = json!(null);
    for _ in 0..100 {
        trends = pds(&mut net, "app.bsky.unspecced.getTrends", json!({}));
        if trends["body"]["trends"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let top = &trends["body"]["trends"][0];
    assert_eq!(
        (
            top["topic"].as_str(),
            top["displayName"].as_str(),
            top["postCount"].as_u64()
        ),
        (Some("rust"), Some("#Rust"), Some(2)),
        "{trends}"
    );
    assert_eq!(top["link"], "/hashtag/rust");
    assert_eq!(top["actors"][0]["did"], bob.as_str(), "{trends}");

    // The "add to lists" and "add to starter pack" dialogs: alice's own lists and packs, each
    // saying whether carol is in it.
    let with = pds(
        &mut net,
        "app.bsky.graph.getListsWithMembership",
        json!({"actor": "carol.test"}),
    );
    let lists = with["body"]["listsWithMembership"]
        .as_array()
        .expect("lists");
    assert_eq!(lists.len(), 1, "{with}");
    assert_eq!(lists[0]["list"]["uri"], alices["uri"], "{with}");
    assert_eq!(
        lists[0]["listItem"]["subject"]["did"],
        carol.as_str(),
        "{with}"
    );
    let none = pds(
        &mut net,
        "app.bsky.graph.getListsWithMembership",
        json!({"actor": bob, "purposes": ["curatelist"]}),
    );
    assert_eq!(none["body"]["listsWithMembership"], json!([]), "{none}");
    let pack = put(
        &mut net,
        "alice.test",
        "app.bsky.graph.starterpack",
        json!({"$type": "app.bsky.graph.starterpack", "name": "Alice's pack",
        "list": alices["uri"], "createdAt": now}),
    );
    let mut packs = json!(null);
    for _ in 0..100 {
        packs = pds(
            &mut net,
            "app.bsky.graph.getStarterPacksWithMembership",
            json!({"actor": carol}),
        );
        if packs["body"]["starterPacksWithMembership"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = &packs["body"]["starterPacksWithMembership"][0];
    assert_eq!(first["starterPack"]["uri"], pack["uri"], "{packs}");
    assert_eq!(
        first["listItem"]["subject"]["did"],
        carol.as_str(),
        "{packs}"
    );

    // alice blocks her moderation list: carol, on it, is blocked as by a block record.
    let block = put(
        &mut net,
        "alice.test",
        "app.bsky.graph.listblock",
        json!({"$type": "app.bsky.graph.listblock", "subject": alices["uri"], "createdAt": now}),
    );
    let mut profile = json!(null);
    for _ in 0..100 {
        profile = pds(
            &mut net,
            "app.bsky.actor.getProfile",
            json!({"actor": carol}),
        );
        if profile["body"]["viewer"]["blockingByList"].is_object() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let viewer = &profile["body"]["viewer"];
    assert_eq!(viewer["blockingByList"]["uri"], alices["uri"], "{profile}");
    assert_eq!(viewer["blocking"], alices["uri"], "{profile}");
    let blocks = pds(&mut net, "app.bsky.graph.getListBlocks", json!({}));
    assert_eq!(blocks["body"]["lists"][0]["uri"], alices["uri"], "{blocks}");
    assert_eq!(
        blocks["body"]["lists"][0]["viewer"]["blocked"], block["uri"],
        "{blocks}"
    );
    let feed = net.call(json!({"cmd": "pds", "as": "alice.test",
        "nsid": "app.bsky.feed.getAuthorFeed", "params": {"actor": carol}}));
    assert_eq!(
        (feed["status"].as_u64(), feed["error"].as_str()),
        (Some(400), Some("BlockedActor")),
        "{feed}"
    );
}
