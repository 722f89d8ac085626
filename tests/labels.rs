//! Labels from a real labeler (tests/pds/labeler.mjs: an account on the test PDS whose DID
//! document names its own subscribeLabels server and label key): Aerie subscribes, checks each
//! label's signature, keeps the labels with the stream's cursor, and shows them on posts and
//! profiles as `atproto-accept-labelers` asks — through alice's PDS (every answer validated by
//! @atproto/api) and straight. Negations remove, a takedown from a redacting labeler hides the
//! post, a forged label is refused, and after a restart the stream resumes where it stopped.

mod common;

use common::pds::{AppView, Network};
use common::Aerie;
use serde_json::{json, Value};
use std::time::Duration;

async fn get_with(a: &Aerie, path: &str, accept: Option<&str>) -> (Value, Option<String>) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", a.base()));
    if let Some(h) = accept {
        req = req.header("atproto-accept-labelers", h);
    }
    let resp = req.send().await.expect("request");
    let content = resp
        .headers()
        .get("atproto-content-labelers")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    (resp.json().await.expect("json"), content)
}

fn vals(labels: &Value) -> Vec<String> {
    let mut v: Vec<String> = labels
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|l| l["val"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_from_a_labeler_are_kept_and_shown() {
    let appview = AppView::new();
    let mut net = Network::proxying_to(
        &appview,
        &["--posts=3"],
        &["alice.test", "bob.test", "mod.test"],
    );
    let bob = net.did("bob.test");
    let labeler = net.cmd(json!({"cmd": "labeler", "as": "mod.test"}));
    let mod_did = labeler["did"].as_str().expect("did").to_string();
    let posts =
        net.cmd(json!({"cmd": "records", "as": "bob.test", "collection": "app.bsky.feed.post"}));
    let post = |i: usize| {
        posts["records"][i]["uri"]
            .as_str()
            .expect("uri")
            .to_string()
    };
    let (labelled, hidden, forged) = (post(0), post(1), post(2));

    let dir = tempfile::tempdir().expect("tempdir");
    let labelers = format!("[\"{mod_did}\"]");
    let mut a = net.appview_aerie(
        &appview,
        &dir.path().join("data"),
        &[
            ("AERIE_USERS", "[\"alice.test\"]"),
            ("AERIE_LABELS__LABELERS", labelers.as_str()),
        ],
    );
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["pending"] == 0 && r["backfill"]["done"].as_u64() >= Some(3)
    })
    .await;

    for label in [
        json!({"uri": labelled, "val": "spam"}),
        json!({"uri": bob, "val": "rude"}),
        json!({"uri": hidden, "val": "!takedown"}),
        json!({"uri": forged, "val": "porn", "badSig": true}),
    ] {
        net.cmd(json!({"cmd": "label", "label": label}));
    }
    let posts_path =
        format!("/xrpc/app.bsky.feed.getPosts?uris={labelled}&uris={hidden}&uris={forged}");
    let mut shown = json!(null);
    for _ in 0..100 {
        shown = get_with(&a, &posts_path, None).await.0;
        if shown["posts"][0]["labels"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The labelled post carries the label; the taken-down one is gone; the forged label was
    // refused.
    let got = shown["posts"].as_array().expect("posts");
    assert_eq!(got.len(), 2, "{shown}");
    assert_eq!(got[0]["uri"], labelled.as_str());
    assert_eq!(vals(&got[0]["labels"]), ["spam"], "{shown}");
    assert_eq!(got[0]["labels"][0]["src"], mod_did.as_str());
    assert!(got[0]["labels"][0].get("sig").is_none());
    assert_eq!(got[1]["uri"], forged.as_str());
    assert_eq!(vals(&got[1]["labels"]), Vec::<String>::new(), "{shown}");
    // A request that accepts no labelers sees none (and the taken-down post).
    let (none, content) = get_with(&a, &posts_path, Some("")).await;
    assert_eq!(none["posts"].as_array().map(Vec::len), Some(3), "{none}");
    assert!(none["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .all(|p| vals(&p["labels"]).is_empty()));
    assert_eq!(content.as_deref(), Some(""));
    let (_, content) = get_with(&a, &posts_path, Some(&format!("{mod_did};redact"))).await;
    assert_eq!(content, Some(format!("{mod_did};redact")));

    // Through alice's PDS, validated against the lexicons: the account label on bob's profile.
    let profile = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile",
        "params": {"actor": bob}, "headers": {"atproto-accept-labelers": mod_did}}),
    );
    assert_eq!(vals(&profile["body"]["labels"]), ["rude"], "{profile}");
    // The app's default (Bluesky's moderation labeler only) shows none of them.
    let default = net.cmd(
        json!({"cmd": "pds", "as": "alice.test", "nsid": "app.bsky.actor.getProfile",
        "params": {"actor": bob}}),
    );
    assert_eq!(
        vals(&default["body"]["labels"]),
        Vec::<String>::new(),
        "{default}"
    );

    // A negation removes the label.
    net.cmd(json!({"cmd": "label", "label": {"uri": bob, "val": "rude", "neg": true}}));
    let profile_path = format!("/xrpc/app.bsky.actor.getProfile?actor={bob}");
    let mut p = json!(null);
    for _ in 0..100 {
        p = get_with(&a, &profile_path, None).await.0;
        if vals(&p["labels"]).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(vals(&p["labels"]), Vec::<String>::new(), "{p}");

    // Stopped, the labeler labels on; restarted, Aerie resumes from its stored cursor.
    assert!(a.terminate(), "a clean stop");
    net.cmd(json!({"cmd": "label", "label": {"uri": bob, "val": "spam"}}));
    a.restart();
    for _ in 0..100 {
        p = get_with(&a, &profile_path, None).await.0;
        if !vals(&p["labels"]).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(vals(&p["labels"]), ["spam"], "{p}");

    // An account a redacting labeler takes down disappears with its posts, for requests that
    // accept that labeler as redacting.
    let theirs =
        net.cmd(json!({"cmd": "records", "as": "mod.test", "collection": "app.bsky.feed.post"}));
    let their_post = theirs["records"][0]["uri"]
        .as_str()
        .expect("uri")
        .to_string();
    net.cmd(json!({"cmd": "label", "label": {"uri": mod_did, "val": "!takedown"}}));
    let path = format!("/xrpc/app.bsky.feed.getPosts?uris={their_post}");
    let mut gone = json!(null);
    for _ in 0..100 {
        gone = get_with(&a, &path, None).await.0;
        if gone["posts"] == json!([]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(gone["posts"], json!([]), "{gone}");
    let shown = get_with(&a, &path, Some(&mod_did)).await.0;
    assert_eq!(
        shown["posts"].as_array().map(Vec::len),
        Some(1),
        "not redacting: {shown}"
    );
    let asked = net.cmd(json!({"cmd": "labelersubs"}));
    let cursors: Vec<Value> = asked["subscriptions"]
        .as_array()
        .expect("subscriptions")
        .iter()
        .map(|s| s["cursor"].clone())
        .collect();
    assert_eq!(cursors.first(), Some(&json!(0)), "{asked}");
    assert_eq!(
        cursors.last(),
        Some(&json!(5)),
        "resumed after the last label stored: {asked}"
    );
}
