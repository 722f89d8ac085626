//! Migrations from the previous schema: a store laid out as schema 1 wrote it (no `time_feed`
//! entries for its posts) is brought to the current schema when opened, and reads the same
//! as a store written by this build; an interrupted migration runs again; a newer store is
//! refused with what to do.

use aerie_storage::kv::{self, Engine, Ks};
use aerie_storage::*;
use serde_json::json;

fn post(did: &str, rkey: &str, rev: u64, t: i64) -> Op {
    let rec =
        json!({"$type": "app.bsky.feed.post", "text": "x", "createdAt": datetime::format_us(t)});
    Op::Put {
        id: RecordId::new(did, "app.bsky.feed.post", rkey),
        rev,
        cid: cbor::record_cid(&rec).unwrap_or_default(),
        record: rec.to_string().into_bytes(),
        time_us: t,
    }
}

fn all(engine: &dyn Engine, ks: Ks) -> Vec<(Vec<u8>, Vec<u8>)> {
    engine.scan_asc(ks, &[], None, usize::MAX).expect("scan")
}

/// Turns a store into what schema 1 left: no `time_feed`, version 1.
fn make_schema_1(path: &std::path::Path) {
    let engine = kv::fjall::FjallEngine::open(path, Default::default()).expect("engine");
    let mut writes: Vec<kv::KvWrite> = all(&engine, Ks::FeedByTime)
        .into_iter()
        .map(|(k, _)| (Ks::FeedByTime, k, None))
        .collect();
    writes.push((
        Ks::Meta,
        b"schema_version".to_vec(),
        Some(1u32.to_be_bytes().to_vec()),
    ));
    engine.commit(writes, Durability::Sync).expect("commit");
    assert!(all(&engine, Ks::FeedByTime).is_empty());
}

#[test]
fn a_schema_1_store_is_migrated_when_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let authors = ["did:plc:a", "did:plc:b", "did:plc:c"];
    let ops: Vec<Op> = (0..600u64)
        .map(|i| {
            post(
                authors[(i % 3) as usize],
                &format!("p{i}"),
                i + 1,
                1_700_000_000_000_000 + i as i64 * 1000,
            )
        })
        .collect();
    let follows: Vec<String> = authors.iter().map(|a| a.to_string()).collect();
    let want = {
        let s = open(Backend::Fjall, dir.path(), Durability::Sync).expect("open");
        s.apply(&ops, None).expect("apply");
        s.timeline(&follows, None, 100).expect("timeline").items
    };
    make_schema_1(dir.path());
    {
        let s = open(Backend::Fjall, dir.path(), Durability::Sync).expect("migrated");
        assert_eq!(s.schema_version().expect("v"), kv::SCHEMA_VERSION);
        assert_eq!(
            s.timeline(&follows, None, 100).expect("timeline").items,
            want
        );
    }
    let engine = kv::fjall::FjallEngine::open(dir.path(), Default::default()).expect("engine");
    assert_eq!(
        all(&engine, Ks::FeedByTime).len(),
        all(&engine, Ks::Feed).len()
    );
    assert_eq!(all(&engine, Ks::Feed).len(), 600);
    drop(engine);

    // Interrupted after some batches (the version still says 1): it simply runs again.
    make_schema_1(dir.path());
    {
        let engine = kv::fjall::FjallEngine::open(dir.path(), Default::default()).expect("engine");
        let partial: Vec<kv::KvWrite> = all(&engine, Ks::Feed)
            .into_iter()
            .take(100)
            .filter_map(|(k, v)| Some((Ks::FeedByTime, kv::feed_by_time(&k)?, Some(v))))
            .collect();
        engine.commit(partial, Durability::Sync).expect("commit");
    }
    let s = open(Backend::Fjall, dir.path(), Durability::Sync).expect("migrated again");
    assert_eq!(
        s.timeline(&follows, None, 100).expect("timeline").items,
        want
    );
}

#[test]
fn a_newer_store_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(Backend::Fjall, dir.path(), Durability::Sync).expect("open"));
    {
        let engine = kv::fjall::FjallEngine::open(dir.path(), Default::default()).expect("engine");
        let newer = (kv::SCHEMA_VERSION + 1).to_be_bytes().to_vec();
        engine
            .commit(
                vec![(Ks::Meta, b"schema_version".to_vec(), Some(newer))],
                Durability::Sync,
            )
            .expect("commit");
    }
    let err = open(Backend::Fjall, dir.path(), Durability::Sync)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("newer than this Aerie") && err.contains("aerie import"),
        "{err}"
    );
}
