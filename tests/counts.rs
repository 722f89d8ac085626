//! Counts from outside (`counts.source = "constellation"`): a post's and an account's counts
//! become the network's once the background fetcher has asked, and what Aerie sees afterwards
//! is added once, never counted twice. The service answering is a small one of the test's own
//! speaking Constellation's API (the real one cannot run here); `counts.source = "appview"` is
//! checked against the reference AppView in the client-surface tests.

use aerie::hydrate::Views;
use aerie::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::{Backend, Durability, Op, RecordId};
use axum::extract::Query;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const AUTHOR: &str = "did:plc:author";

fn put(did: &str, collection: &str, rkey: &str, record: serde_json::Value, t: i64) -> Op {
    Op::Put {
        id: RecordId::new(did, collection, rkey),
        rev: t as u64,
        cid: aerie_storage::cbor::record_cid(&record).unwrap_or_default(),
        record: record.to_string().into_bytes(),
        time_us: t,
    }
}

fn like(did: &str, subject: &RecordId, t: i64) -> Op {
    let rec = json!({"$type": nsid::LIKE, "createdAt": "2024-01-01T00:00:00.000Z",
        "subject": {"uri": subject.uri(), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}});
    put(did, nsid::LIKE, &format!("l{t}"), rec, t)
}

/// A Constellation of the test's own: fixed totals per link source; the queries it got.
async fn constellation() -> (String, Arc<Mutex<Vec<HashMap<String, String>>>>) {
    let seen: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
    let log = seen.clone();
    let counts = move |Query(q): Query<HashMap<String, String>>| {
        let log = log.clone();
        async move {
            let total = match q.get("source").or(q.get("collection")).map(String::as_str) {
                Some("app.bsky.feed.like:subject.uri") => 5,
                Some("app.bsky.feed.repost:subject.uri") => 1,
                Some("app.bsky.feed.post:reply.parent.uri") => 2,
                Some("app.bsky.feed.post:embed.record.uri") => 1,
                Some("app.bsky.feed.post:embed.record.record.uri") => 1,
                Some("app.bsky.graph.follow") => 7,
                _ => 0,
            };
            log.lock().expect("log").push(q);
            axum::Json(json!({ "total": total }))
        }
    };
    let app = axum::Router::new()
        .route(
            "/xrpc/blue.microcosm.links.getBacklinksCount",
            axum::routing::get(counts.clone()),
        )
        .route("/links/count/distinct-dids", axum::routing::get(counts));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_become_the_networks_and_nothing_is_counted_twice() {
    let (url, seen) = constellation().await;
    let mut cfg = aerie::config::Config::default();
    cfg.counts.source = aerie::config::CountSource::Constellation;
    cfg.counts.constellation_url = url;
    cfg.identity.allow_private_addresses = true;
    let store =
        aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
    let post = RecordId::new(AUTHOR, nsid::POST, "p1");
    let rec =
        json!({"$type": nsid::POST, "text": "hello", "createdAt": "2024-01-01T00:00:00.000Z"});
    let ops = [
        put(AUTHOR, nsid::POST, "p1", rec, 1),
        like("did:plc:b", &post, 2),
        like("did:plc:c", &post, 3),
    ];
    store.apply(&ops, None).expect("apply");
    let state = Arc::new(AppState::new(store.clone(), Arc::new(cfg)).expect("state"));
    tokio::spawn(aerie::service::outside_counts::run_fetcher(state.clone()));

    let shown = |state: &AppState| {
        let views = Views::for_viewer(state, None);
        let p = views.post(&post).expect("read").expect("post");
        let a = views.profile_detailed(AUTHOR).expect("profile");
        (
            [p.like_count, p.repost_count, p.reply_count, p.quote_count],
            a.followers_count,
        )
    };
    // First sight: Aerie's own counts, and the subjects asked for.
    assert_eq!(shown(&state), ([2, 0, 0, 0], 0));
    let mut now = shown(&state);
    for _ in 0..100 {
        now = shown(&state);
        if now.1 == 7 && now.0[0] == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        now,
        ([5, 1, 2, 2], 7),
        "the network's, quotes on both paths"
    );
    // A like Aerie sees after the answer is added once; an unlike taken off.
    store
        .apply(&[like("did:plc:d", &post, 4)], None)
        .expect("apply");
    assert_eq!(shown(&state).0[0], 6);
    let unlike = Op::Delete {
        id: RecordId::new("did:plc:b", nsid::LIKE, "l2"),
        rev: 5,
    };
    store.apply(&[unlike], None).expect("apply");
    assert_eq!(shown(&state).0[0], 5);
    // Each number asked once (within the TTL), as Constellation names its link sources.
    let seen = seen.lock().expect("log").clone();
    let sources: Vec<&str> = seen
        .iter()
        .filter_map(|q| q.get("source").map(String::as_str))
        .collect();
    assert_eq!(sources.len(), 5, "{seen:?}");
    let follows: Vec<_> = seen
        .iter()
        .filter(|q| q.get("collection").map(String::as_str) == Some("app.bsky.graph.follow"))
        .collect();
    assert_eq!(follows.len(), 1, "{seen:?}");
    assert_eq!(follows[0].get("target").map(String::as_str), Some(AUTHOR));
    assert_eq!(follows[0].get("path").map(String::as_str), Some(".subject"));
}
