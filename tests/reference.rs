//! Aerie against the reference AppView on the same network (`@atproto/dev-env`'s TestNetwork
//! runs `@atproto/bsky` beside the real PDS and PLC): a stranger's like and follow from before
//! Aerie started, then replies and a repost after, and where the data decides the answer the
//! two answer alike — counts (Aerie's count source being that AppView: `counts.source =
//! "appview"`, with what Aerie sees afterwards added once, never twice), author feeds, the
//! timeline, V2 threads, and a threadgate's and a postgate's effects (replies left out,
//! `replyDisabled`, `embeddingDisabled`, detached quotes). Aerie is asked through alice's PDS,
//! the reference directly, both validated by @atproto/api.

mod common;

use common::pds::{AppView, Network};
use serde_json::{json, Value};
use std::time::Duration;

/// The fields of a post view the data decides.
fn post_counts(post: &Value) -> Value {
    json!([
        post["uri"],
        post["likeCount"],
        post["repostCount"],
        post["replyCount"],
        post["quoteCount"]
    ])
}

/// The fields of a profile the data decides.
fn profile_counts(p: &Value) -> Value {
    json!([
        p["did"],
        p["followersCount"],
        p["followsCount"],
        p["postsCount"]
    ])
}

fn uris(feed: &Value) -> Vec<String> {
    feed.as_array()
        .map(|f| {
            f.iter()
                .filter_map(|i| i["post"]["uri"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn thread(t: &Value) -> Vec<(String, i64)> {
    t["thread"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["uri"].as_str().unwrap_or_default().to_string(),
                        i["depth"].as_i64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asks Aerie (through alice's PDS) and the reference the same; returns both bodies.
fn both(net: &mut Network, nsid: &str, params: Value) -> (Value, Value) {
    let ours = net.cmd(json!({"cmd": "pds", "as": "alice.test", "nsid": nsid, "params": params}));
    let theirs =
        net.cmd(json!({"cmd": "reference", "as": "alice.test", "nsid": nsid, "params": params}));
    assert_eq!(ours["status"], 200, "{nsid} at Aerie: {ours}");
    assert_eq!(theirs["status"], 200, "{nsid} at the reference: {theirs}");
    (ours["body"].clone(), theirs["body"].clone())
}

/// Waits (the count source is asked in the background) until `f` of Aerie's answer equals
/// `f` of the reference's.
async fn alike(net: &mut Network, nsid: &str, params: Value, f: fn(&Value) -> Value) {
    let mut last = (json!(null), json!(null));
    for _ in 0..100 {
        let (ours, theirs) = both(net, nsid, params.clone());
        last = (f(&ours), f(&theirs));
        if last.0 == last.1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{nsid}: Aerie {} ≠ reference {}", last.0, last.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aerie_answers_as_the_reference_appview_does() {
    let appview = AppView::new();
    let mut net = Network::proxying_to(
        &appview,
        &["--reference", "--no-follows", "--posts=2"],
        &["alice.test", "bob.test", "carol.test"],
    );
    let bob = net.did("bob.test");
    let reference = net.info["appview"].as_str().expect("appview").to_string();
    let posts =
        net.cmd(json!({"cmd": "records", "as": "bob.test", "collection": "app.bsky.feed.post"}));
    let post = posts["records"][0].clone();
    let (uri, cid) = (
        post["uri"].as_str().expect("uri"),
        post["cid"].as_str().expect("cid"),
    );
    // Before Aerie starts: alice follows bob; carol, whom nobody here follows, follows bob and
    // likes his post.
    net.cmd(json!({"cmd": "follow", "as": "alice.test", "did": bob}));
    net.cmd(json!({"cmd": "follow", "as": "carol.test", "did": bob}));
    net.cmd(json!({"cmd": "like", "as": "carol.test", "uri": uri, "cid": cid}));

    let dir = tempfile::tempdir().expect("tempdir");
    let a = net.appview_aerie(
        &appview,
        &dir.path().join("data"),
        &[
            ("AERIE_USERS", "[\"alice.test\"]"),
            ("AERIE_SCOPE", "follows"),
            ("AERIE_COUNTS__SOURCE", "appview"),
            ("AERIE_COUNTS__APPVIEW_URL", reference.as_str()),
        ],
    );
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["pending"] == 0 && r["backfill"]["done"].as_u64() >= Some(2)
    })
    .await;

    // What Aerie never saw, it has from its count source.
    let posts_of = json!({"uris": [uri]});
    alike(&mut net, "app.bsky.feed.getPosts", posts_of.clone(), |b| {
        post_counts(&b["posts"][0])
    })
    .await;
    alike(
        &mut net,
        "app.bsky.actor.getProfile",
        json!({"actor": bob}),
        profile_counts,
    )
    .await;

    // After it started: replies by alice and by carol, carol's repost; seen live, added once to
    // the answers already fetched.
    let strong = json!({"uri": uri, "cid": cid});
    for who in ["alice.test", "carol.test"] {
        net.cmd(
            json!({"cmd": "put", "as": who, "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": format!("re from {who}"),
            "createdAt": "2026-06-01T00:00:00.000Z", "reply": {"root": strong, "parent": strong}}}),
        );
    }
    net.cmd(
        json!({"cmd": "put", "as": "carol.test", "collection": "app.bsky.feed.repost",
        "record": {"$type": "app.bsky.feed.repost", "subject": strong,
        "createdAt": "2026-06-01T00:00:01.000Z"}}),
    );
    alike(&mut net, "app.bsky.feed.getPosts", posts_of, |b| {
        post_counts(&b["posts"][0])
    })
    .await;
    alike(
        &mut net,
        "app.bsky.actor.getProfile",
        json!({"actor": bob}),
        profile_counts,
    )
    .await;

    // Lists the data decides: bob's posts, alice's timeline, the thread.
    alike(
        &mut net,
        "app.bsky.feed.getAuthorFeed",
        json!({"actor": bob}),
        |b| json!(uris(&b["feed"])),
    )
    .await;
    alike(
        &mut net,
        "app.bsky.feed.getTimeline",
        json!({"limit": 30}),
        |b| json!(uris(&b["feed"])),
    )
    .await;
    for sort in ["oldest", "newest"] {
        let params = json!({"anchor": uri, "sort": sort});
        alike(
            &mut net,
            "app.bsky.unspecced.getPostThreadV2",
            params,
            |b| json!(thread(b)),
        )
        .await;
    }

    // Gates. bob's new post lets only those he follows reply (alice), and nobody quote it:
    // carol's reply leaves the thread, later quotes show detached, and each viewer is told
    // whether they may reply.
    let alice = net.did("alice.test");
    net.cmd(json!({"cmd": "follow", "as": "bob.test", "did": alice}));
    let gated = net.cmd(
        json!({"cmd": "put", "as": "bob.test", "collection": "app.bsky.feed.post",
        "record": {"$type": "app.bsky.feed.post", "text": "gated",
        "createdAt": "2026-06-02T00:00:00.000Z"}}),
    );
    let gated_uri = gated["uri"].as_str().expect("uri").to_string();
    let rkey = gated_uri.rsplit('/').next().expect("rkey").to_string();
    net.cmd(
        json!({"cmd": "put", "as": "bob.test", "collection": "app.bsky.feed.threadgate",
        "rkey": rkey, "record": {"$type": "app.bsky.feed.threadgate", "post": gated_uri,
        "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
        "createdAt": "2026-06-02T00:00:01.000Z"}}),
    );
    net.cmd(
        json!({"cmd": "put", "as": "bob.test", "collection": "app.bsky.feed.postgate",
        "rkey": rkey, "record": {"$type": "app.bsky.feed.postgate", "post": gated_uri,
        "embeddingRules": [{"$type": "app.bsky.feed.postgate#disableRule"}],
        "createdAt": "2026-06-02T00:00:02.000Z"}}),
    );
    // The reference checks a reply against the gate when it indexes the reply: the gates are
    // indexed first.
    net.cmd(json!({"cmd": "sync"}));
    let strong = json!({"uri": gated_uri, "cid": gated["cid"]});
    let mut quotes = Vec::new();
    for who in ["alice.test", "carol.test"] {
        net.cmd(
            json!({"cmd": "put", "as": who, "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": format!("gated re from {who}"),
            "createdAt": "2026-06-02T00:00:03.000Z", "reply": {"root": strong, "parent": strong}}}),
        );
        let q = net.cmd(
            json!({"cmd": "put", "as": who, "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": format!("quoting, {who}"),
            "createdAt": "2026-06-02T00:00:04.000Z",
            "embed": {"$type": "app.bsky.embed.record", "record": strong}}}),
        );
        quotes.push(q["uri"].clone());
    }
    alike(
        &mut net,
        "app.bsky.unspecced.getPostThreadV2",
        json!({"anchor": gated_uri}),
        |b| {
            let anchor = &b["thread"][0]["value"]["post"];
            json!([
                thread(b),
                anchor["viewer"]["replyDisabled"],
                anchor["viewer"]["embeddingDisabled"]
            ])
        },
    )
    .await;
    alike(
        &mut net,
        "app.bsky.feed.getPosts",
        json!({"uris": quotes}),
        |b| {
            json!(b["posts"].as_array().map(|p| p
                .iter()
                .map(|p| p["embed"]["record"]["$type"].clone())
                .collect::<Vec<_>>()))
        },
    )
    .await;
}
