//! `aerie backfill <handle>` against a real PDS: the account's whole repository arrives in the
//! store and the API serves it; a second run changes nothing.

mod common;

use common::pds::{aerie, Network};
use common::Aerie;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repo_from_a_real_pds_is_served_after_backfill() {
    let net = Network::start(&["alice.test", "bob.test"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut env = net.identity_env();
    env.push(("AERIE_DATA_DIR".into(), data.display().to_string()));

    let (ok, out, err) = aerie(&["backfill", "alice.test"], &env, dir.path());
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("report");
    assert_eq!(report["did"], net.did("alice.test"));
    assert_eq!(report["records"], 4, "three posts and a follow: {report}");
    assert!(err.contains("records"), "progress is shown: {err}");
    let (ok, out, _) = aerie(&["backfill", "alice.test"], &env, dir.path());
    assert!(ok);
    let again: serde_json::Value = serde_json::from_str(&out).expect("report");
    assert_eq!(again["applied"], 0, "a second run changes nothing");

    let extra: Vec<(&str, &str)> = vec![("AERIE_INGEST__ENABLED", "false")];
    let server = Aerie::start(&data, "ws://127.0.0.1:9/subscribe", &extra);
    let alice = net.did("alice.test");
    let (status, feed) = server
        .get(&format!("/xrpc/app.bsky.feed.getAuthorFeed?actor={alice}"))
        .await;
    assert_eq!(status, 200, "{feed}");
    let texts: Vec<&str> = feed["feed"]
        .as_array()
        .expect("feed")
        .iter()
        .filter_map(|i| i["post"]["record"]["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "post 3 by alice.test",
            "post 2 by alice.test",
            "post 1 by alice.test"
        ]
    );
    let (_, follows) = server
        .get(&format!("/xrpc/app.bsky.graph.getFollows?actor={alice}"))
        .await;
    assert_eq!(
        follows["follows"][0]["did"],
        net.did("bob.test"),
        "{follows}"
    );
}
