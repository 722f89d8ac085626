//! The simulator itself behaves like Jetstream v1 where the tests rely on it.

use futures_util::{SinkExt, StreamExt};
use jetsim::{Sim, SimEvent, SimOptions};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn ev(time_us: i64, did: &str, coll: Option<&str>) -> SimEvent {
    SimEvent {
        time_us,
        did: did.into(),
        collection: coll.map(String::from),
        json: format!("{{\"time_us\":{time_us}}}"),
    }
}

async fn read(url: &str, hello: Option<&str>, n: usize, dict: Option<&[u8]>) -> Vec<i64> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    if let Some(h) = hello {
        ws.send(Message::Text(h.into())).await.expect("send");
    }
    let mut out = Vec::new();
    while out.len() < n {
        let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(500), ws.next()).await
        else {
            break;
        };
        let text = match m {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => {
                let mut d =
                    zstd::bulk::Decompressor::with_dictionary(dict.expect("dict")).expect("dec");
                String::from_utf8(d.decompress(&b, 1 << 20).expect("zstd")).expect("utf8")
            }
            _ => continue,
        };
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        out.push(v["time_us"].as_i64().expect("time"));
    }
    out
}

#[tokio::test]
async fn replays_clamps_filters_and_compresses() {
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push((1..=10).map(|i| {
        ev(
            i * 100,
            if i % 2 == 0 {
                "did:plc:even"
            } else {
                "did:plc:odd"
            },
            Some(if i <= 5 { "a.b.c" } else { "x.y.z" }),
        )
    }));
    assert_eq!(
        read(&format!("{}?cursor=700", sim.url()), None, 10, None).await,
        vec![700, 800, 900, 1000]
    );
    sim.set_retention_start(500);
    assert_eq!(
        read(&format!("{}?cursor=1", sim.url()), None, 10, None).await,
        vec![500, 600, 700, 800, 900, 1000],
        "silently clamped"
    );
    assert_eq!(
        read(
            &format!("{}?cursor=1&wantedCollections=x.y.*", sim.url()),
            None,
            10,
            None
        )
        .await,
        vec![600, 700, 800, 900, 1000]
    );
    assert_eq!(
        read(
            &format!("{}?cursor=1&wantedDids=did:plc:even", sim.url()),
            None,
            10,
            None
        )
        .await,
        vec![600, 800, 1000]
    );
    let hello = r#"{"type":"options_update","payload":{"wantedDids":["did:plc:odd"]}}"#;
    assert_eq!(
        read(
            &format!("{}?cursor=1&requireHello=true", sim.url()),
            Some(hello),
            10,
            None
        )
        .await,
        vec![500, 700, 900]
    );
    assert!(
        read(
            &format!("{}?cursor=1&requireHello=true", sim.url()),
            Some("nonsense"),
            10,
            None
        )
        .await
        .is_empty(),
        "an invalid hello disconnects"
    );
    assert!(
        read(&sim.url(), None, 1, None).await.is_empty(),
        "no cursor = live tail"
    );

    let samples: Vec<String> = (0..200)
        .map(|i| format!("{{\"time_us\":{i},\"did\":\"did:plc:{i}\",\"kind\":\"commit\"}}"))
        .collect();
    let dict = jetsim::train_dictionary(&samples, 4096).expect("dict");
    let zsim = Sim::start(SimOptions {
        dictionary: Some(dict.clone()),
        ..Default::default()
    })
    .await
    .expect("sim");
    zsim.push((1..=3).map(|i| ev(i, "did:plc:a", None)));
    assert_eq!(
        read(
            &format!("{}?cursor=1&compress=true", zsim.url()),
            None,
            3,
            Some(&dict)
        )
        .await,
        vec![1, 2, 3]
    );
}

#[tokio::test]
async fn drops_and_duplicates() {
    let sim = Sim::start(SimOptions {
        drop_after: 3,
        duplicate_every: 2,
        ..Default::default()
    })
    .await
    .expect("sim");
    sim.push((1..=10).map(|i| ev(i, "did:plc:a", None)));
    let got = read(&format!("{}?cursor=1", sim.url()), None, 100, None).await;
    assert_eq!(
        got,
        vec![1, 1, 2, 3, 3],
        "three events, every second one twice, then an abrupt drop"
    );
}
