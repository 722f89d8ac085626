//! XRPC query strings (`xrpc::params`): any query through the extractor the handlers use,
//! then `limit`, integers, lists, cursors, AT-URIs and actors as handlers read them, each value
//! through the identifier checks (`util::syntax`), and the cursor through the store's pages of
//! a small in-memory store. Every accepted value is within its bounds, AT-URIs and CIDs
//! round-trip, and a page's own cursor is accepted back.
#![no_main]

use aerie::util::syntax;
use aerie::xrpc::params::{resolve_actor, resolve_uri, Params};
use aerie::AppState;
use aerie_storage::{FeedFilter, Op, RecordId, Store};
use axum::extract::FromRequestParts;
use futures_util::FutureExt;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::{Arc, OnceLock};

const ALICE: &str = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
const BOB: &str = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";

fn put(did: &str, collection: &str, n: u64, record: serde_json::Value) -> Op {
    let rkey = aerie_storage::tid::format(n << 10);
    Op::Put {
        id: RecordId::new(did, collection, &rkey),
        rev: n << 10,
        cid: aerie_storage::cbor::record_cid(&record).expect("a CID"),
        record: record.to_string().into_bytes(),
        time_us: n as i64,
    }
}

/// Two accounts with handles, posts, a follow each way and likes: enough for every page to
/// have a second page.
fn state() -> Arc<AppState> {
    let store = aerie_storage::open(
        aerie_storage::Backend::Memory,
        std::path::Path::new("."),
        Default::default(),
    )
    .expect("memory store");
    let base = 1_700_000_000_000_000u64;
    let mut ops = Vec::new();
    for (did, handle, other) in [(ALICE, "alice.test", BOB), (BOB, "bob.test", ALICE)] {
        let handle = Some(handle.to_string());
        ops.push(Op::Identity { did: did.into(), handle, seq: 1 });
        let at = aerie_storage::datetime::format_us(base as i64);
        let follow = json!({"$type": "app.bsky.graph.follow", "subject": other, "createdAt": at});
        ops.push(put(did, "app.bsky.graph.follow", base, follow));
        for i in 1..=12 {
            let at = aerie_storage::datetime::format_us((base + i) as i64);
            let post = json!({"$type": "app.bsky.feed.post", "text": "hi", "createdAt": at});
            ops.push(put(did, "app.bsky.feed.post", base + i, post));
            let subject = RecordId::new(other, "app.bsky.feed.post", &aerie_storage::tid::format((base + i) << 10));
            let cid = aerie_storage::cbor::cid_text(&aerie_storage::cbor::cid_of_bytes(b"x"));
            let like = json!({"$type": "app.bsky.feed.like", "createdAt": at,
                "subject": {"uri": subject.uri(), "cid": cid}});
            ops.push(put(did, "app.bsky.feed.like", base + 100 + i, like));
        }
    }
    store.apply(&ops, None).expect("applied");
    let cfg = Arc::new(aerie::config::Config::default());
    Arc::new(AppState::new(store, cfg).expect("state"))
}

static STATE: OnceLock<Arc<AppState>> = OnceLock::new();

/// A page's cursor, when there is one, is accepted back.
fn pages<T>(limit: usize, read: impl Fn(Option<&str>) -> aerie_storage::Result<aerie_storage::Page<T>>, cursor: Option<&str>) {
    if let Ok(page) = read(cursor) {
        assert!(page.items.len() <= limit);
        if let Some(next) = page.cursor {
            assert!(read(Some(&next)).is_ok(), "the store's own cursor {next}");
        }
    }
}

fn values(p: &Params, name: &str) -> Vec<String> {
    p.list(name, usize::MAX).map(|v| v.iter().map(|s| s.to_string()).collect()).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let state = STATE.get_or_init(state);
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let uri = format!("/xrpc/app.bsky.feed.getTimeline?{q}");
    let Ok(req) = axum::http::Request::builder().uri(uri).body(()) else {
        return; // not a request line axum would ever see
    };
    let (mut parts, ()) = req.into_parts();
    let p = match Params::from_request_parts(&mut parts, &()).now_or_never() {
        Some(Ok(p)) => p,
        _ => panic!("the extractor takes any query"),
    };
    let limit = match p.limit(50, 100) {
        Ok(n) => {
            assert!((1..=100).contains(&n) && (n == 50 || p.get("limit").is_some()));
            n
        }
        Err(_) => return assert!(p.get("limit").is_some()),
    };
    if let Ok(n) = p.int("depth", 6, 0, 1000) {
        assert!((0..=1000).contains(&n));
    }
    if let Ok(v) = p.list("uris", 25) {
        assert!((1..=25).contains(&v.len()));
    }
    let cursor = p.cursor();
    assert!(cursor.is_none_or(|c| !c.is_empty()));
    if let Ok(id) = p.uri("uri") {
        assert!(syntax::is_nsid(&id.collection) && syntax::is_rkey(&id.rkey), "{id:?}");
        assert!(id.did.starts_with("did:") || syntax::is_handle(&id.did), "{id:?}");
        if let Ok(Some(id)) = resolve_uri(state, id) {
            assert!(syntax::record_uri(&id.uri()).is_some(), "{id:?}");
        }
    }
    if let Ok(Some(did)) = p.actor(state, "actor") {
        assert!(syntax::is_did(&did), "{did}");
    }
    for v in values(&p, "actor").iter().chain(&values(&p, "uri")).chain(&values(&p, "cid")) {
        if let Ok(Some(did)) = resolve_actor(state, v) {
            assert!(syntax::is_did(&did), "{did}");
        }
        if syntax::is_did(v) {
            assert!(v.len() <= 2048 && v.starts_with("did:"));
        }
        if syntax::is_handle(v) {
            assert!(v.len() <= 253 && v.is_ascii());
        }
        if let Some(id) = syntax::record_uri(v) {
            assert_eq!(&id.uri(), v, "an AT-URI round-trips");
        }
        if let Some(b) = syntax::cid_bytes(v) {
            assert_eq!(syntax::cid_bytes(&syntax::cid_string(&b)), Some(b), "a CID round-trips");
        }
    }
    let store: &dyn Store = &*state.store;
    let post = RecordId::new(ALICE, "app.bsky.feed.post", &aerie_storage::tid::format(1_700_000_000_000_001 << 10));
    pages(limit, |c| store.follows(ALICE, c, limit), cursor);
    pages(limit, |c| store.likes(&post, c, limit), cursor);
    pages(limit, |c| store.author_feed(BOB, FeedFilter::default(), c, limit), cursor);
    pages(limit, |c| store.home_timeline(ALICE, c, limit), cursor);
    pages(limit, |c| store.timeline(&[ALICE.into(), BOB.into()], c, limit), cursor);
    pages(limit, |c| store.notifications(ALICE, c, limit), cursor);
});
