//! Writes seed inputs for every fuzz target under `corpus/<target>/` from the project's own
//! generators: the Jetstream simulator's corpus (frames, and its records as firehose commits
//! and DAG-CBOR blocks), a repository CAR made by `tests/pds/make-repo.mjs` when given, and
//! hand-written rich text and query strings. `cargo run --example seeds [-- repo.car]`, then
//! `cargo fuzz cmin` each target.

use aerie_fuzz::{block, car};
use ipld_core::ipld::Ipld;
use jetsim::corpus::{generate, CorpusSpec};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("corpus directory");
    std::fs::write(dir.join(name), bytes).expect("seed written");
}

/// A raw-mode input (first byte even) for the targets that also build structured inputs.
fn raw(bytes: &[u8]) -> Vec<u8> {
    [&[0u8][..], bytes].concat()
}

fn map(fields: Vec<(&str, Ipld)>) -> Ipld {
    Ipld::Map(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn text(s: &str) -> Ipld {
    Ipld::String(s.to_string())
}

/// A firehose frame: header `{op, t}` and body, DAG-CBOR.
fn frame(t: &str, op: i128, body: Ipld) -> Vec<u8> {
    let header = map(vec![("op", Ipld::Integer(op)), ("t", text(t))]);
    let mut out = serde_ipld_dagcbor::to_vec(&header).expect("header");
    out.extend(serde_ipld_dagcbor::to_vec(&body).expect("body"));
    out
}

/// The `#commit` frame a relay would send for a Jetstream commit event.
fn commit_frame(seq: i128, ev: &Value) -> Option<Vec<u8>> {
    let c = ev.get("commit")?;
    let path = format!("{}/{}", c["collection"].as_str()?, c["rkey"].as_str()?);
    let mut blocks = Vec::new();
    let mut op = vec![("action", text(c["operation"].as_str()?)), ("path", text(&path))];
    if let Some(record) = c.get("record") {
        let (cid, bytes) = block(&aerie_storage::cbor::to_ipld(record)?)?;
        op.push(("cid", Ipld::Link(cid)));
        blocks.push((cid, bytes));
    }
    let root = blocks.first().map(|b| b.0).unwrap_or_else(|| aerie_fuzz::cid_of(b"root"));
    let body = map(vec![
        ("seq", Ipld::Integer(seq)),
        ("repo", text(ev["did"].as_str()?)),
        ("rev", text(c["rev"].as_str()?)),
        ("time", text("2026-07-04T14:38:08.999Z")),
        ("tooBig", Ipld::Bool(false)),
        ("ops", Ipld::List(vec![map(op)])),
        ("blocks", Ipld::Bytes(car(vec![root], &blocks))),
    ]);
    Some(frame("#commit", 1, body))
}

fn main() {
    let spec = CorpusSpec {
        events: 400,
        accounts: 20,
        malformed: 0.05,
        ..CorpusSpec::default()
    };
    let events = generate(&spec);
    let mut texts = Vec::new();
    for (n, e) in events.iter().enumerate() {
        write("jetstream_frame", &format!("jetsim-{n:03}"), e.json.as_bytes());
        let Ok(v) = serde_json::from_str::<Value>(&e.json) else {
            continue;
        };
        if let Some(f) = commit_frame(n as i128 + 1, &v) {
            write("firehose_frame", &format!("commit-{n:03}"), &raw(&f));
        }
        if let Some(record) = v.pointer("/commit/record") {
            if let Some(bytes) = aerie_storage::cbor::encode(record) {
                write("dagcbor", &format!("record-{n:03}"), &bytes);
            }
            if let Some(t) = record.get("text").and_then(Value::as_str) {
                texts.push(t.to_string());
            }
        }
    }
    let did = || text("did:plc:wq4aajammjtxdomz3e23667t");
    let others = [
        ("identity", frame("#identity", 1, map(vec![("seq", Ipld::Integer(7)), ("did", did()), ("handle", text("alice.test")), ("time", text("2026-07-04T14:38:08.999Z"))]))),
        ("account", frame("#account", 1, map(vec![("seq", Ipld::Integer(8)), ("did", did()), ("active", Ipld::Bool(false)), ("status", text("deactivated"))]))),
        ("sync", frame("#sync", 1, map(vec![("seq", Ipld::Integer(9)), ("did", did()), ("blocks", Ipld::Bytes(vec![]))]))),
        ("info", frame("#info", 1, map(vec![("name", text("OutdatedCursor"))]))),
        ("error", frame("", -1, map(vec![("error", text("FutureCursor")), ("message", text("no"))]))),
        ("toobig", frame("#commit", 1, map(vec![("seq", Ipld::Integer(10)), ("repo", did()), ("rev", text("3mptbypluud2a")), ("tooBig", Ipld::Bool(true))]))),
    ];
    for (name, f) in others {
        write("firehose_frame", name, &raw(&f));
        write("dagcbor", &format!("frame-{name}"), &f);
    }
    for (n, seed) in [&b"structured"[..], &[0xff; 64], &[0x55; 256]].iter().enumerate() {
        write("firehose_frame", &format!("structured-{n}"), &[&[1u8][..], seed].concat());
        write("car_repo", &format!("structured-{n}"), &[&[1u8][..], seed].concat());
    }
    if let Some(path) = std::env::args().nth(1) {
        let bytes = std::fs::read(&path).expect("repository CAR");
        write("car_repo", "make-repo", &raw(&bytes));
        let repo = aerie::ingest::car::read_repo(&bytes).expect("the repository reads");
        println!("{path}: {} records of {}", repo.records.len(), repo.did);
        let blocks = aerie::ingest::car::Blocks::read(&bytes).expect("a CAR");
        for (n, data) in blocks.blocks.values().take(40).enumerate() {
            write("dagcbor", &format!("repo-block-{n:02}"), data);
        }
    }
    let empty: BTreeMap<String, Ipld> = BTreeMap::new();
    write("dagcbor", "empty-map", &serde_ipld_dagcbor::to_vec(&Ipld::Map(empty)).expect("map"));

    texts.extend(
        [
            "héllo @alice.test! (see https://x.test/a_(b)). #rust, #123 #ünïcode",
            "<script>alert(1)</script> click me https://x.test/?a=1&b=\"2\" ＃タグ",
            "@bob.test @nobody javascript:alert(1) ftp://x.test @ # # ##double",
        ]
        .map(String::from),
    );
    for (n, t) in texts.iter().take(60).enumerate() {
        let facets = aerie::web::facets::to_facets(&aerie::web::facets::detect(t), |_| {
            Some("did:plc:wq4aajammjtxdomz3e23667t".into())
        });
        let input = format!("{t}\0{}", Value::Array(facets));
        write("facets", &format!("text-{n:02}"), input.as_bytes());
    }
    let hostile = json!([
        {"index": {"byteStart": 0, "byteEnd": 3}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "\"><img src=x>"}]},
        {"index": {"byteStart": 26, "byteEnd": 34}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"}]},
        {"index": {"byteStart": 2, "byteEnd": 9999}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x\"y"}]},
    ]);
    let input = format!("<script>alert(1)</script> click me\0{hostile}");
    write("facets", "hostile", input.as_bytes());

    let queries = [
        "actor=alice.test&limit=30&cursor=00061b3b5f1c6a4000000000000000013",
        "actor=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa&filter=posts_no_replies&limit=1",
        "actor=%40bob.test&limit=100&cursor=",
        "uri=at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3mptbypluud2a&depth=6&parentHeight=80",
        "uri=at://alice.test/app.bsky.feed.post/3mptbypluud2a&limit=0",
        "uris=at://did:web:x.test/app.bsky.feed.post/a&uris=at://did:web:x.test/app.bsky.feed.post/b",
        "cid=bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i&limit=abc",
        "limit=-1&depth=1001&cursor=zz",
        "cursor=0006200a4b7dd800000000000000000200&limit=2",
        "actors=did:web:a.test&actors=b.test&actors=did:plc:short",
    ];
    for (n, q) in queries.iter().enumerate() {
        write("xrpc_params", &format!("query-{n:02}"), q.as_bytes());
    }
}
