//! A burst of slow requests does not hold up the Jetstream reader. Store work runs on tokio's
//! blocking pool, so the async workers that also read the socket stay free: the simulator
//! pings the reader throughout ten seconds of heavy thread requests on a two-worker runtime,
//! and every pong comes back promptly (with the store work inline, pongs waited behind the
//! requests for seconds; with only a deep thread's serialization left on the async workers,
//! 0.6–1.1 s; with it on the blocking pool too, 11–22 ms).

mod common;

use common::events::commit_at;
use common::Aerie;
use jetsim::{Sim, SimOptions};
use serde_json::json;
use std::time::{Duration, Instant};

/// Replies under the one root, as a tree three wide: a thread request hydrates most of them.
const REPLIES: u64 = 1500;
/// Requests in flight at once during the burst.
const CONCURRENT: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_do_not_delay_the_socket_reader() {
    let sim = Sim::start(SimOptions {
        ping_every_ms: 100,
        ..Default::default()
    })
    .await
    .expect("sim");
    let base = 1_700_000_000_000_000i64;
    let root_author = jetsim::ids::did(1000);
    let root_rkey = jetsim::ids::tid(base, 1);
    let root = format!("at://{root_author}/app.bsky.feed.post/{root_rkey}");
    let mut events = vec![commit_at(
        base,
        0,
        &root_author,
        "app.bsky.feed.post",
        &root_rkey,
        json!({"$type": "app.bsky.feed.post", "text": "root", "createdAt": "2023-11-14T22:13:20Z"}),
    )];
    let mut uris = vec![root.clone()];
    for i in 1..=REPLIES {
        let author = jetsim::ids::did(i % 60);
        let rkey = jetsim::ids::tid(base + i as i64, 2);
        let r = json!({"uri": root, "cid": jetsim::ids::cid(0)});
        let parent = json!({"uri": uris[(i as usize - 1) / 3], "cid": jetsim::ids::cid(0)});
        events.push(commit_at(
            base + i as i64,
            i,
            &author,
            "app.bsky.feed.post",
            &rkey,
            json!({"$type": "app.bsky.feed.post", "text": format!("reply {i}"),
                "createdAt": "2023-11-14T22:13:21Z", "reply": {"root": r, "parent": parent}}),
        ));
        uris.push(format!("at://{author}/app.bsky.feed.post/{rkey}"));
    }
    let last = base + REPLIES as i64;
    sim.push(events);
    let dir = tempfile::tempdir().expect("tempdir");
    let aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[
            ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
            ("TOKIO_WORKER_THREADS", "2"),
        ],
    );
    aerie.wait_for_cursor(last, Duration::from_secs(120)).await;
    let thread = format!(
        "{}/xrpc/app.bsky.feed.getPostThread?uri={}&depth=1",
        aerie.base(),
        common::enc(&root)
    );
    let client = reqwest::Client::new();
    let (status, body) = {
        let r = client.get(&thread).send().await.expect("thread");
        (
            r.status(),
            r.json::<serde_json::Value>().await.expect("json"),
        )
    };
    assert_eq!(status, 200, "{body}");
    let replies = body["thread"]["replies"].as_array().map_or(0, Vec::len);
    assert_eq!(replies, 3, "the thread is a tree three wide: {body}");

    // Ten seconds of requests that each do a lot of store work, several at a time.
    sim.reset_pong_stats();
    let started = Instant::now();
    let burst = Duration::from_secs(10);
    let mut workers = Vec::new();
    for _ in 0..CONCURRENT {
        let (client, url) = (client.clone(), thread.replace("depth=1", "depth=10"));
        workers.push(tokio::spawn(async move {
            let mut done = 0u32;
            while started.elapsed() < burst {
                let r = client.get(&url).send().await.expect("request");
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await;
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.expect("worker");
    }
    let pongs = sim.pong_stats();
    eprintln!(
        "burst: {total} thread requests in {:?}; {} pongs, slowest {} ms",
        started.elapsed(),
        pongs.pongs,
        pongs.max_us / 1000
    );
    assert!(total >= CONCURRENT as u32, "the burst ran");
    assert!(
        pongs.pongs >= 50,
        "the reader answered pings throughout the burst: {pongs:?}"
    );
    assert!(
        pongs.max_us < 250_000,
        "a ping waited {} ms for the reader during the burst",
        pongs.max_us / 1000
    );
}
