//! The pages end to end in Debian's headless Chromium (`tests/browser/e2e.mjs`, playwright-core
//! pinned in `tests/browser/package.json`) against Aerie and a real PDS (`@atproto/dev-env`):
//! log in, follow, read the timeline, like, repost, post, open a thread, reply, search (the
//! layout's box, filters, people, hashtag pages, @-mention suggestions), log out — then the PDS
//! must hold every record. Screenshots of each page at phone and desktop width go to
//! `target/test-output/web/`.

mod common;

use common::pds::Network;
use serde_json::{json, Value};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_logs_in_acts_and_logs_out() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/test does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is needed: apt-get install chromium (scripts/test does)"
    );
    let mut net = Network::start_with(&["--posts=3", "--no-follows"], &["alice.test", "bob.test"]);
    let bob = net.did("bob.test");
    let password = net.app_password("alice.test");
    let data = tempfile::tempdir().expect("tempdir");
    let a = net.aerie(&data.path().join("data"), &[]);
    let out_dir = root.join("target/test-output/web");

    let out = common::child::command("node")
        .arg("e2e.mjs")
        .args([&a.base(), "alice.test", &password, "bob.test"])
        .arg(&out_dir)
        .env("CHROMIUM", &chromium)
        .current_dir(&dir)
        .output()
        .expect("node");
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "browser run failed: {line}\n{}\naerie log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        a.log_text()
    );
    let result: Value = serde_json::from_str(line.trim()).expect("result line");
    assert_eq!(result["screenshots"].as_array().map(Vec::len), Some(25));

    // The PDS holds what the browser did.
    let mut records = |coll: &str| -> Vec<Value> {
        net.cmd(json!({"cmd": "records", "as": "alice.test", "collection": coll}))["records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let follows = records("app.bsky.graph.follow");
    assert_eq!(follows.len(), 1);
    assert_eq!(follows[0]["value"]["subject"], bob.as_str());
    let liked = result["liked"].as_str().expect("liked uri");
    assert!(records("app.bsky.feed.like")
        .iter()
        .any(|l| l["value"]["subject"]["uri"] == liked));
    assert!(records("app.bsky.feed.repost")
        .iter()
        .any(|l| l["value"]["subject"]["uri"] == liked));
    let posts = records("app.bsky.feed.post");
    let post = posts
        .iter()
        .find(|p| p["value"]["text"] == result["posted"])
        .expect("the post");
    assert_eq!(post["value"]["facets"][0]["features"][0]["tag"], "aerie");
    let reply = posts
        .iter()
        .find(|p| p["value"]["text"] == "Replying from Chromium")
        .expect("the reply");
    assert_eq!(reply["value"]["reply"]["parent"]["uri"], liked);
    for shot in result["screenshots"].as_array().into_iter().flatten() {
        let meta = std::fs::metadata(shot.as_str().unwrap_or_default()).expect("screenshot");
        assert!(meta.len() > 1000);
    }
}
