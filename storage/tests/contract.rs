//! The storage contract: every backend must pass every test here. Written once against the
//! domain traits; `contract!` instantiates it per backend.

use aerie_storage::facts::nsid;
use aerie_storage::*;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[path = "support/certs.rs"]
mod certs;
#[path = "support/postgres.rs"]
mod pg;

struct Fixture {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Fixture {
    Fixture {
        store: open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("open"),
        _dir: None,
    }
}

fn fjall() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(Backend::Fjall, dir.path(), Durability::Buffer).expect("open");
    Fixture {
        store,
        _dir: Some(dir),
    }
}

fn postgres_options() -> kv::postgres::PostgresOptions {
    kv::postgres::PostgresOptions {
        connections: 2,
        ..pg::server().options(&pg::fresh_schema())
    }
}

fn postgres() -> Fixture {
    let store = open(
        Backend::Postgres(postgres_options()),
        "".as_ref(),
        Durability::Buffer,
    )
    .expect("open");
    Fixture { store, _dir: None }
}

const ALICE: &str = "did:plc:alice";
const BOB: &str = "did:plc:bob";
const CAROL: &str = "did:plc:carol";

fn rev(n: u64) -> u64 {
    (1 << 50) + n
}

fn t(sec: i64) -> i64 {
    1_700_000_000_000_000 + sec * 1_000_000
}

fn iso(sec: i64) -> String {
    datetime::format_us(t(sec))
}

fn put(did: &str, coll: &str, rkey: &str, r: u64, record: serde_json::Value, at: i64) -> Op {
    Op::Put {
        id: RecordId::new(did, coll, rkey),
        rev: rev(r),
        cid: vec![1, 0x71, 0x12, 0x20, r as u8],
        record: serde_json::to_vec(&record).expect("json"),
        time_us: t(at),
    }
}

fn del(did: &str, coll: &str, rkey: &str, r: u64) -> Op {
    Op::Delete {
        id: RecordId::new(did, coll, rkey),
        rev: rev(r),
    }
}

fn uri(did: &str, coll: &str, rkey: &str) -> String {
    format!("at://{did}/{coll}/{rkey}")
}

fn post(did: &str, rkey: &str, r: u64, at: i64, text: &str) -> Op {
    put(
        did,
        nsid::POST,
        rkey,
        r,
        json!({"$type": nsid::POST, "text": text, "createdAt": iso(at)}),
        at,
    )
}

fn reply(did: &str, rkey: &str, r: u64, at: i64, parent: &str, root: &str) -> Op {
    let rec = json!({"$type": nsid::POST, "text": "re", "createdAt": iso(at),
        "reply": {"parent": {"uri": parent, "cid": "x"}, "root": {"uri": root, "cid": "x"}}});
    put(did, nsid::POST, rkey, r, rec, at)
}

fn quote(did: &str, rkey: &str, r: u64, at: i64, subject: &str) -> Op {
    let rec = json!({"$type": nsid::POST, "text": "q", "createdAt": iso(at),
        "embed": {"$type": "app.bsky.embed.record", "record": {"uri": subject, "cid": "x"}}});
    put(did, nsid::POST, rkey, r, rec, at)
}

fn subject_rec(coll: &str, subject: &str, at: i64) -> serde_json::Value {
    json!({"$type": coll, "subject": {"uri": subject, "cid": "x"}, "createdAt": iso(at)})
}

/// A like or repost of `subject`.
fn strong(coll: &str, did: &str, rkey: &str, r: u64, at: i64, subject: &str) -> Op {
    put(did, coll, rkey, r, subject_rec(coll, subject, at), at)
}

fn like(did: &str, rkey: &str, r: u64, at: i64, subject: &str) -> Op {
    strong(nsid::LIKE, did, rkey, r, at, subject)
}

fn repost(did: &str, rkey: &str, r: u64, at: i64, subject: &str) -> Op {
    strong(nsid::REPOST, did, rkey, r, at, subject)
}

fn follow(did: &str, rkey: &str, r: u64, at: i64, subject: &str) -> Op {
    put(
        did,
        nsid::FOLLOW,
        rkey,
        r,
        json!({"$type": nsid::FOLLOW, "subject": subject, "createdAt": iso(at)}),
        at,
    )
}

fn cursor(p: i64) -> Cursor {
    Cursor {
        position: p,
        endpoint: "ws://test".into(),
    }
}

fn counts(s: &dyn Store, did: &str, rkey: &str) -> PostCounts {
    s.post_counts(&RecordId::new(did, nsid::POST, rkey))
        .expect("counts")
}

/// A stream with creates, updates, deletes and cross references, used by the replay tests.
fn stream() -> Vec<Op> {
    let p1 = uri(ALICE, nsid::POST, "p1");
    let p2 = uri(BOB, nsid::POST, "p2");
    vec![
        post(ALICE, "p1", 1, 1, "hello"),
        post(BOB, "p2", 2, 2, "world"),
        like(BOB, "l1", 3, 3, &p1),
        like(CAROL, "l2", 4, 4, &p1),
        repost(CAROL, "r1", 5, 5, &p1),
        reply(BOB, "p3", 6, 6, &p1, &p1),
        quote(CAROL, "p4", 7, 7, &p1),
        follow(BOB, "f1", 8, 8, ALICE),
        follow(CAROL, "f2", 9, 9, ALICE),
        follow(ALICE, "f3", 10, 10, BOB),
        del(CAROL, nsid::LIKE, "l2", 11),
        // Bob's like moves from p1 to p2 (an update).
        put(
            BOB,
            nsid::LIKE,
            "l1",
            12,
            subject_rec(nsid::LIKE, &p2, 3),
            12,
        ),
        del(CAROL, nsid::FOLLOW, "f2", 13),
        Op::Identity {
            did: ALICE.into(),
            handle: Some("alice.test".into()),
            seq: 1,
        },
        Op::Identity {
            did: ALICE.into(),
            handle: Some("Alice2.test".into()),
            seq: 2,
        },
        Op::Account {
            did: CAROL.into(),
            active: false,
            status: Some("deactivated".into()),
            seq: 3,
        },
    ]
}

/// Everything the readers can tell about the stream's accounts, as one comparable value.
fn snapshot(s: &dyn Store) -> String {
    let mut out = String::new();
    for did in [ALICE, BOB, CAROL] {
        let feed = s
            .author_feed(did, FeedFilter::WithReplies, None, 100)
            .expect("feed");
        out += &format!(
            "{did} actor={:?} counts={:?} feed={:?}\n",
            s.actor(did).ok(),
            s.actor_counts(did).ok(),
            feed
        );
        out += &format!(
            " follows={:?}\n followers={:?}\n",
            s.follows(did, None, 100).ok(),
            s.followers(did, None, 100).ok()
        );
        for e in feed.items {
            out += &format!(
                " {:?} {:?} {:?}\n",
                e.id,
                s.record(&e.id).ok(),
                s.post_counts(&e.id).ok()
            );
            out += &format!(
                "  likes={:?} reposts={:?} quotes={:?} replies={:?}\n",
                s.likes(&e.id, None, 100).ok(),
                s.reposts(&e.id, None, 100).ok(),
                s.quotes(&e.id, None, 100).ok(),
                s.replies(&e.id, 100).ok()
            );
        }
    }
    out
}

fn records_and_cursor_commit_together(s: &dyn Store) {
    assert_eq!(s.cursor().expect("cursor"), None);
    s.apply(&[post(ALICE, "p1", 1, 1, "hi")], Some(&cursor(42)))
        .expect("apply");
    assert_eq!(s.cursor().expect("cursor"), Some(cursor(42)));
    let r = s
        .record(&RecordId::new(ALICE, nsid::POST, "p1"))
        .expect("read")
        .expect("present");
    assert_eq!(r.rev, rev(1));
    assert_eq!(r.indexed_at_us, t(1));
    let v: serde_json::Value = serde_json::from_slice(&r.value).expect("json");
    assert_eq!(v["text"], "hi");
    s.apply(&[], Some(&cursor(43))).expect("cursor only");
    assert_eq!(s.cursor().expect("cursor").map(|c| c.position), Some(43));
}

fn rev_gating_and_tombstones(s: &dyn Store) {
    let id = RecordId::new(ALICE, nsid::POST, "p1");
    s.apply(&[post(ALICE, "p1", 5, 1, "v5")], None)
        .expect("apply");
    s.apply(&[post(ALICE, "p1", 3, 1, "v3")], None)
        .expect("older");
    let text = |s: &dyn Store| {
        s.record(&id).expect("read").map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.value).expect("json")["text"].clone()
        })
    };
    assert_eq!(text(s), Some(json!("v5")), "an older rev never overwrites");
    let st = s
        .apply(&[post(ALICE, "p1", 5, 1, "v5")], None)
        .expect("replay");
    assert_eq!(
        st,
        ApplyStats {
            applied: 0,
            stale: 1
        }
    );
    assert_eq!(
        s.record_rev(&id).expect("rev"),
        Some(RecordRev {
            rev: rev(5),
            live: true
        })
    );
    s.apply(&[del(ALICE, nsid::POST, "p1", 7)], None)
        .expect("delete");
    assert_eq!(text(s), None);
    assert_eq!(
        s.record_rev(&id).expect("rev"),
        Some(RecordRev {
            rev: rev(7),
            live: false
        }),
        "the tombstone's rev"
    );
    assert_eq!(
        s.record_rev(&RecordId::new(CAROL, nsid::POST, "none"))
            .expect("rev"),
        None
    );
    s.apply(&[post(ALICE, "p1", 6, 1, "v6")], None)
        .expect("late create");
    assert_eq!(
        text(s),
        None,
        "a tombstone keeps an older create from resurrecting"
    );
    s.apply(&[post(ALICE, "p1", 8, 1, "v8")], None)
        .expect("newer create");
    assert_eq!(text(s), Some(json!("v8")));
    assert_eq!(s.actor_counts(ALICE).expect("counts").posts, 1);
    // A delete that arrives before its create.
    s.apply(
        &[del(BOB, nsid::POST, "x", 9), post(BOB, "x", 4, 1, "ghost")],
        None,
    )
    .expect("apply");
    assert_eq!(
        s.record(&RecordId::new(BOB, nsid::POST, "x"))
            .expect("read"),
        None
    );
    assert_eq!(s.actor_counts(BOB).expect("counts").posts, 0);
}

fn counts_are_exact(s: &dyn Store) {
    s.apply(&stream(), Some(&cursor(1))).expect("apply");
    assert_eq!(
        counts(s, ALICE, "p1"),
        PostCounts {
            likes: 0,
            reposts: 1,
            replies: 1,
            quotes: 1
        }
    );
    assert_eq!(
        counts(s, BOB, "p2"),
        PostCounts {
            likes: 1,
            reposts: 0,
            replies: 0,
            quotes: 0
        }
    );
    assert_eq!(
        s.actor_counts(ALICE).expect("c"),
        ActorCounts {
            followers: 1,
            follows: 1,
            posts: 1
        }
    );
    assert_eq!(
        s.actor_counts(BOB).expect("c"),
        ActorCounts {
            followers: 1,
            follows: 1,
            posts: 2
        }
    );
    assert_eq!(
        s.actor_counts(CAROL).expect("c"),
        ActorCounts {
            followers: 0,
            follows: 0,
            posts: 1
        }
    );
    let p1 = RecordId::new(ALICE, nsid::POST, "p1");
    assert_eq!(s.quotes(&p1, None, 10).expect("q").items[0].other, CAROL);
    assert_eq!(
        s.reposts(&p1, None, 10).expect("r").items[0].id,
        RecordId::new(CAROL, nsid::REPOST, "r1")
    );
    assert_eq!(
        s.replies(&p1, 10).expect("replies"),
        vec![RecordId::new(BOB, nsid::POST, "p3")]
    );
    assert_eq!(
        s.followers(ALICE, None, 10)
            .expect("f")
            .items
            .iter()
            .map(|e| e.other.as_str())
            .collect::<Vec<_>>(),
        vec![BOB]
    );
    assert_eq!(
        s.follows(ALICE, None, 10).expect("f").items[0].id,
        RecordId::new(ALICE, nsid::FOLLOW, "f3")
    );
}

fn replay_in_any_chunking_is_identical(s: &dyn Store) {
    let ops = stream();
    s.apply(&ops, None).expect("apply");
    let want = snapshot(s);
    for chunk in [1, 2, 3, 5, 16] {
        let other = memory();
        for prefix_end in [ops.len() / 2, ops.len()] {
            for c in ops[..prefix_end].chunks(chunk) {
                other.store.apply(c, None).expect("apply");
            }
        }
        for c in ops.chunks(chunk).rev() {
            other.store.apply(c, None).expect("replay backwards");
        }
        assert_eq!(snapshot(&*other.store), want, "chunk size {chunk}");
    }
    for c in ops.chunks(4) {
        s.apply(c, None).expect("replay on the same store");
    }
    assert_eq!(snapshot(s), want);
}

fn identity_and_account_events(s: &dyn Store) {
    s.apply(&stream(), None).expect("apply");
    assert_eq!(
        s.did_for_handle("alice2.test").expect("h"),
        Some(ALICE.into())
    );
    assert_eq!(
        s.did_for_handle("alice.test").expect("h"),
        None,
        "the old handle is released"
    );
    s.apply(
        &[Op::Identity {
            did: ALICE.into(),
            handle: Some("old.test".into()),
            seq: 1,
        }],
        None,
    )
    .expect("stale");
    assert_eq!(
        s.actor(ALICE).expect("a").and_then(|a| a.handle),
        Some("alice2.test".into())
    );
    let carol = s.actor(CAROL).expect("a").expect("known");
    assert!(!carol.active);
    assert_eq!(carol.status.as_deref(), Some("deactivated"));
    s.apply(
        &[Op::Account {
            did: CAROL.into(),
            active: true,
            status: None,
            seq: 4,
        }],
        None,
    )
    .expect("reactivate");
    assert!(s.actor(CAROL).expect("a").expect("known").active);
    assert_eq!(s.actor("did:plc:nobody").expect("a"), None);
}

fn author_feed_orders_filters_and_pages(s: &dyn Store) {
    let p1 = uri(ALICE, nsid::POST, "p1");
    let media = json!({"$type": nsid::POST, "text": "pic", "createdAt": iso(30),
        "embed": {"$type": "app.bsky.embed.images", "images": []}});
    let ops = vec![
        post(ALICE, "p1", 1, 10, "first"),
        reply(ALICE, "p2", 2, 20, &p1, &p1),
        reply(
            ALICE,
            "p3",
            3,
            25,
            &uri(BOB, nsid::POST, "b"),
            &uri(BOB, nsid::POST, "b"),
        ),
        put(ALICE, nsid::POST, "p4", 4, media, 30),
        repost(ALICE, "r1", 5, 40, &uri(BOB, nsid::POST, "b")),
        // Future-dated createdAt sorts at its indexing time; backdated sorts at its claim.
        put(
            ALICE,
            nsid::POST,
            "p5",
            6,
            json!({"$type": nsid::POST, "text": "future", "createdAt": iso(10_000)}),
            50,
        ),
        put(
            ALICE,
            nsid::POST,
            "p6",
            7,
            json!({"$type": nsid::POST, "text": "old", "createdAt": iso(5)}),
            60,
        ),
    ];
    s.apply(&ops, None).expect("apply");
    let rkeys = |f: FeedFilter| -> Vec<String> {
        s.author_feed(ALICE, f, None, 100)
            .expect("feed")
            .items
            .into_iter()
            .map(|e| e.id.rkey)
            .collect()
    };
    assert_eq!(
        rkeys(FeedFilter::WithReplies),
        ["p5", "r1", "p4", "p3", "p2", "p1", "p6"]
    );
    assert_eq!(rkeys(FeedFilter::NoReplies), ["p5", "r1", "p4", "p1", "p6"]);
    assert_eq!(rkeys(FeedFilter::WithMedia), ["p4"]);
    assert_eq!(
        rkeys(FeedFilter::AuthorThreads),
        ["p5", "r1", "p4", "p2", "p1", "p6"]
    );
    assert_eq!(rkeys(FeedFilter::WithVideo), Vec::<String>::new());
    let mut seen = Vec::new();
    let mut cur: Option<String> = None;
    loop {
        let page = s
            .author_feed(ALICE, FeedFilter::WithReplies, cur.as_deref(), 2)
            .expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|e| e.id.rkey));
        match page.cursor {
            Some(c) => cur = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, rkeys(FeedFilter::WithReplies));
    assert!(matches!(
        s.author_feed(ALICE, FeedFilter::WithReplies, Some("zz"), 2),
        Err(Error::BadCursor)
    ));
    assert!(s
        .author_feed("did:plc:nobody", FeedFilter::WithReplies, None, 5)
        .expect("empty")
        .items
        .is_empty());
}

fn unknown_collections_and_odd_records_are_kept_plainly(s: &dyn Store) {
    let ops = vec![
        put(
            ALICE,
            "com.example.thing",
            "t1",
            1,
            json!({"$type": "com.example.thing", "n": 1}),
            1,
        ),
        put(
            ALICE,
            nsid::LIKE,
            "l1",
            2,
            json!({"$type": nsid::LIKE, "subject": "not a ref"}),
            2,
        ),
        put(
            ALICE,
            nsid::POST,
            "p1",
            3,
            json!({"$type": nsid::POST, "text": "no date"}),
            3,
        ),
    ];
    s.apply(&ops, None).expect("apply");
    assert!(s
        .record(&RecordId::new(ALICE, "com.example.thing", "t1"))
        .expect("r")
        .is_some());
    assert!(s
        .record(&RecordId::new(ALICE, nsid::LIKE, "l1"))
        .expect("r")
        .is_some());
    let p = s
        .record(&RecordId::new(ALICE, nsid::POST, "p1"))
        .expect("r")
        .expect("kept");
    assert_eq!(p.sort_at_us, t(3), "no createdAt sorts at indexing time");
    assert_eq!(s.stats().expect("stats").records, 3);
    s.apply(&[del(ALICE, "com.example.thing", "t1", 4)], None)
        .expect("delete");
    assert_eq!(s.stats().expect("stats").records, 2);
}

fn blocks_are_listed_and_checked_both_ways(s: &dyn Store) {
    let block = |did: &str, rkey: &str, r: u64, subject: &str| {
        put(
            did,
            nsid::BLOCK,
            rkey,
            r,
            json!({"$type": nsid::BLOCK, "subject": subject, "createdAt": iso(r as i64)}),
            r as i64,
        )
    };
    s.apply(
        &[block(ALICE, "b1", 1, BOB), block(ALICE, "b2", 2, CAROL)],
        None,
    )
    .expect("apply");
    assert!(s.blocking(ALICE, BOB).expect("check"));
    assert!(
        !s.blocking(BOB, ALICE).expect("check"),
        "a block has a direction"
    );
    assert!(!s.blocking(ALICE, "did:plc:nobody").expect("check"));
    let listed: Vec<String> = s
        .blocks(ALICE, None, 10)
        .expect("blocks")
        .items
        .into_iter()
        .map(|e| e.other)
        .collect();
    assert_eq!(listed, [CAROL, BOB]);
    s.apply(&[del(ALICE, nsid::BLOCK, "b1", 3)], None)
        .expect("unblock");
    assert!(!s.blocking(ALICE, BOB).expect("check"));
    assert_eq!(s.blocks(ALICE, None, 10).expect("blocks").items.len(), 1);
}

/// Real records (from the network capture) with their real CIDs: the store keeps most such
/// records in a compact form, and must give back exactly the record and CID it was given.
fn real_records_round_trip_exactly(s: &dyn Store) {
    let real = [
        (
            "did:plc:wq4aajammjtxdomz3e23667t",
            nsid::LIKE,
            "3mptbyplj5d2a",
            r#"{"$type":"app.bsky.feed.like","createdAt":"2026-07-04T14:38:08.999Z","subject":{"cid":"bafyreiftot7eltsc3f6g4qktykmbv6jcmdmhcx5osscan6jpdxkpqcmcza","uri":"at://did:plc:r2zybk6op3ymzpz6jhqpkoy5/app.bsky.feed.post/3mpsjbtci2c2o"}}"#,
            "bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i",
        ),
        (
            "did:plc:5er4dj3kkwyj4cy5gdnzn56w",
            nsid::REPOST,
            "3mptbypowzs2e",
            r#"{"$type":"app.bsky.feed.repost","createdAt":"2026-07-04T14:38:07.594Z","subject":{"cid":"bafyreig7t4btqz2izpbcxm6olbbzrvjqhmccx5xnn54avbv3y2kerbpyea","uri":"at://did:plc:lthsfxxeghkgg44eummxtvbe/app.bsky.feed.post/3mpt6c57uy22u"},"via":{"cid":"bafyreia2vne3hmtdczormlmj6aecizdwv32343z6opxovizuq4zervu46a","uri":"at://did:plc:mc4ihv54ep37qtc6xtq5ab2f/app.bsky.feed.repost/3mpta65gqot2j"}}"#,
            "bafyreiaqbcvimtcgaen4ntpmyxaqyliad7e4ins6jvv4jnrhqjwns4qneq",
        ),
        (
            "did:plc:f2furrjn2jdhjcn2td54ivxx",
            nsid::FOLLOW,
            "3mptbypmibb2v",
            r#"{"$type":"app.bsky.graph.follow","createdAt":"2026-07-04T14:38:07.396Z","subject":"did:plc:mlbpil2fwz43vfn6uuysxtqa"}"#,
            "bafyreigc2ugr6hueiqc6zbuofxlgvmmyu5ba43mxc7tygjd44uoga5fjky",
        ),
        (
            "did:plc:dclwtltrt2ggsryagfzk7dp4",
            nsid::POST,
            "3mptbyoeyc22k",
            r#"{"$type":"app.bsky.feed.post","createdAt":"2026-07-04T14:38:06.240Z","embed":{"$type":"app.bsky.embed.external","external":{"description":"YouTube video by Reuters","thumb":{"$type":"blob","ref":{"$link":"bafkreias7oxbr6swsuggccmtnqpoeami4jza5x4w3urltn6gzhqf4k6k2e"},"mimeType":"image/jpeg","size":119635},"title":"What does America's 250th anniversary mean to Native Americans?","uri":"https://www.youtube.com/watch?v=V5lDo-jw8mA"}},"facets":[{"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://www.youtube.com/watch?v=V5lDo-jw8mA"}],"index":{"byteEnd":31,"byteStart":0}}],"langs":["en"],"text":"www.youtube.com/watch?v=V5lD..."}"#,
            "bafyreiapzyf65cmq55jklpnrihiygze2jmmdqvvkwqeiomd72pbp2iazuu",
        ),
        (
            "did:plc:zrrwgoryvpxlntwduw247p2w",
            nsid::BLOCK,
            "3mptbypkpqx2g",
            r#"{"$type":"app.bsky.graph.block","createdAt":"2026-07-04T14:38:07.255Z","subject":"did:plc:wmv3rxaywejtjg4kmrq7bhsy"}"#,
            "bafyreifj3qijiqikdc22vyfgfsv6lhw3lghhzaz6yzuvemw5yztgj6ok6i",
        ),
    ];
    // A second like of the same subject with another subject CID (the post was edited).
    let other_cid = "bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i";
    let ops: Vec<Op> = real
        .iter()
        .enumerate()
        .map(|(i, (did, coll, rkey, json, cid))| Op::Put {
            id: RecordId::new(did, coll, rkey),
            rev: rev(i as u64 + 1),
            cid: cid::Cid::try_from(*cid).expect("cid").to_bytes(),
            record: json.as_bytes().to_vec(),
            time_us: 1_783_175_888_085_434 + i as i64,
        })
        .collect();
    s.apply(&ops, None).expect("apply");
    for (did, coll, rkey, json, cid) in real {
        let r = s
            .record(&RecordId::new(did, coll, rkey))
            .expect("read")
            .expect("present");
        let got: serde_json::Value = serde_json::from_slice(&r.value).expect("json");
        let want: serde_json::Value = serde_json::from_str(json).expect("json");
        assert_eq!(got, want, "{coll}");
        assert_eq!(
            cid::Cid::try_from(r.cid.as_slice())
                .expect("cid")
                .to_string(),
            cid,
            "{coll}"
        );
    }
    let subject = RecordId::new(
        "did:plc:r2zybk6op3ymzpz6jhqpkoy5",
        nsid::POST,
        "3mpsjbtci2c2o",
    );
    assert_eq!(s.post_counts(&subject).expect("counts").likes, 1);
    assert_eq!(
        s.actor_counts("did:plc:mlbpil2fwz43vfn6uuysxtqa")
            .expect("counts")
            .followers,
        1
    );
    assert!(s
        .blocking(
            "did:plc:zrrwgoryvpxlntwduw247p2w",
            "did:plc:wmv3rxaywejtjg4kmrq7bhsy"
        )
        .expect("block"));
    let edited = real[0].3.replace(
        "bafyreiftot7eltsc3f6g4qktykmbv6jcmdmhcx5osscan6jpdxkpqcmcza",
        other_cid,
    );
    let like2 = Op::Put {
        id: RecordId::new(CAROL, nsid::LIKE, "3mptbyplj5d2b"),
        rev: rev(10),
        cid: vec![1, 0x71, 0x12, 0x20, 1],
        record: edited.into_bytes(),
        time_us: 1_783_175_888_100_000,
    };
    s.apply(&[like2], None).expect("apply");
    assert_eq!(s.post_counts(&subject).expect("counts").likes, 2);
    s.apply(
        &[
            del(real[0].0, nsid::LIKE, real[0].2, 20),
            del(real[2].0, nsid::FOLLOW, real[2].2, 20),
        ],
        None,
    )
    .expect("deletes");
    assert_eq!(
        s.post_counts(&subject).expect("counts").likes,
        1,
        "deleting a compact like uncounts it"
    );
    assert_eq!(
        s.actor_counts("did:plc:mlbpil2fwz43vfn6uuysxtqa")
            .expect("counts")
            .followers,
        0
    );
    let likes = s.likes(&subject, None, 10).expect("likes");
    assert_eq!(
        likes
            .items
            .iter()
            .map(|e| e.other.as_str())
            .collect::<Vec<_>>(),
        [CAROL]
    );
}

fn gaps_are_recorded_once_and_listed_in_order(s: &dyn Store) {
    let gap = |from: i64, to: i64| Gap {
        from_us: from,
        to_us: to,
        endpoint: "ws://a".into(),
        reason: "clamped".into(),
        repairing: false,
    };
    assert!(s.gaps().expect("gaps").is_empty());
    s.apply(
        &[Op::Gap(gap(50, 90)), Op::Gap(gap(10, 20))],
        Some(&cursor(90)),
    )
    .expect("apply");
    s.apply(&[Op::Gap(gap(10, 20))], None).expect("again");
    assert_eq!(s.gaps().expect("gaps"), vec![gap(10, 20), gap(50, 90)]);
    s.apply(&[Op::Gap(gap(10, 30)), Op::Gap(gap(10, 15))], None)
        .expect("wider, then narrower");
    assert_eq!(
        s.gaps().expect("gaps"),
        vec![gap(10, 30), gap(50, 90)],
        "a gap from one start only widens"
    );
}

fn an_accounts_live_records_are_listed_and_paged(s: &dyn Store) {
    s.apply(&stream(), None).expect("apply");
    s.apply(
        &[put(
            BOB,
            "com.example.thing",
            "zz",
            40,
            json!({"$type": "com.example.thing"}),
            40,
        )],
        None,
    )
    .expect("apply");
    let all = s.records_of(BOB, None, 100).expect("list");
    let mut names: Vec<String> = all
        .iter()
        .map(|r| format!("{}/{}", r.collection, r.rkey))
        .collect();
    names.sort();
    let want = [
        "app.bsky.feed.like/l1",
        "app.bsky.feed.post/p2",
        "app.bsky.feed.post/p3",
        "app.bsky.graph.follow/f1",
        "com.example.thing/zz",
    ];
    assert_eq!(names, want);
    let first = s.records_of(BOB, None, 2).expect("page");
    let rest = s.records_of(BOB, first.last(), 100).expect("rest");
    assert_eq!([first, rest].concat(), all, "paging gives the same list");
    let mut carol: Vec<String> = s
        .records_of(CAROL, None, 100)
        .expect("list")
        .into_iter()
        .map(|r| r.rkey)
        .collect();
    carol.sort();
    assert_eq!(carol, ["p4", "r1"], "deleted records are not listed");
    assert!(s
        .records_of("did:plc:nobody", None, 10)
        .expect("none")
        .is_empty());
    // One collection, newest key first, paged.
    let posts =
        |cursor: Option<&str>, limit| s.records_in(BOB, nsid::POST, cursor, limit).expect("page");
    let first = posts(None, 1);
    assert_eq!(first.items.len(), 1);
    let rest = posts(first.cursor.as_deref(), 10);
    let keys: Vec<String> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|r| r.rkey.clone())
        .collect();
    assert_eq!(keys, ["p3", "p2"]);
    assert!(rest.cursor.is_none());
    let carol = s.records_in(CAROL, nsid::POST, None, 10).expect("carol");
    assert!(
        carol.items.iter().all(|r| r.rkey != "p5"),
        "deleted records are not listed"
    );
}

fn gaps_are_marked_repairing_then_removed(s: &dyn Store) {
    let g = Gap {
        from_us: 10,
        to_us: 20,
        endpoint: "ws://a".into(),
        reason: "clamped".into(),
        repairing: false,
    };
    s.apply(&[Op::Gap(g.clone())], None).expect("apply");
    let mark = Op::GapProgress {
        from_us: 10,
        repaired: false,
    };
    assert_eq!(
        s.apply(std::slice::from_ref(&mark), None)
            .expect("mark")
            .applied,
        1
    );
    assert_eq!(s.apply(&[mark], None).expect("again").applied, 0);
    assert!(s.gaps().expect("gaps")[0].repairing);
    s.apply(
        &[Op::Gap(Gap {
            to_us: 30,
            ..g.clone()
        })],
        None,
    )
    .expect("wider");
    assert!(
        !s.gaps().expect("gaps")[0].repairing,
        "a widened gap needs repairing again"
    );
    let done = Op::GapProgress {
        from_us: 10,
        repaired: true,
    };
    s.apply(&[done], None).expect("repaired");
    assert!(s.gaps().expect("gaps").is_empty());
}

fn request(did: &str, reason: &str, at: i64) -> Op {
    Op::Queue(QueueOp::Request {
        did: did.into(),
        reason: reason.into(),
        at_us: at,
    })
}

fn finish(did: &str, generation: u64, outcome: Outcome, at: i64) -> Op {
    Op::Queue(QueueOp::Finish {
        did: did.into(),
        generation,
        outcome,
        at_us: at,
    })
}

fn pending(s: &dyn Store) -> Vec<(String, i64)> {
    s.pending_repos(None, 100)
        .expect("pending")
        .into_iter()
        .map(|r| (r.did, r.not_before_us))
        .collect()
}

fn the_backfill_queue_is_durable_ordered_and_generation_gated(s: &dyn Store) {
    s.apply(
        &[
            request(BOB, "followed", 20),
            request(ALICE, "user added", 10),
        ],
        None,
    )
    .expect("requests");
    assert_eq!(pending(s), [(ALICE.to_string(), 10), (BOB.to_string(), 20)]);
    let after = s.pending_repos(Some((10, ALICE)), 10).expect("page");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].did, BOB);
    let stats = s.queue_stats().expect("stats");
    assert_eq!((stats.pending, stats.done, stats.unavailable), (2, 0, 0));

    // A failure backs off and keeps the account pending, later in the order.
    let gen = s
        .repo_state(ALICE)
        .expect("state")
        .expect("alice")
        .generation;
    let retry = Outcome::Retry {
        not_before_us: 50,
        error: "status 503".into(),
    };
    s.apply(&[finish(ALICE, gen, retry, 11)], None)
        .expect("retry");
    assert_eq!(pending(s), [(BOB.to_string(), 20), (ALICE.to_string(), 50)]);
    let a = s.repo_state(ALICE).expect("state").expect("alice");
    assert_eq!((a.attempts, a.error.as_deref()), (1, Some("status 503")));

    // A request while a fetch runs makes that fetch's result stale: it stays pending.
    s.apply(&[request(ALICE, "gap", 60)], None).expect("again");
    let done = |rev: &str| Outcome::Done {
        rev: rev.into(),
        records: 3,
    };
    let st = s
        .apply(&[finish(ALICE, gen, done("3kaaaaaaaaaaa"), 61)], None)
        .expect("stale finish");
    assert_eq!(st.applied, 0);
    let a = s.repo_state(ALICE).expect("state").expect("alice");
    assert_eq!(
        (a.status, a.not_before_us, a.reason.as_str()),
        (RepoStatus::Pending, 50, "gap")
    );
    s.apply(
        &[finish(ALICE, a.generation, done("3kaaaaaaaaaab"), 62)],
        None,
    )
    .expect("finish");
    let a = s.repo_state(ALICE).expect("state").expect("alice");
    assert_eq!(
        (a.status, a.rev.as_deref(), a.done_us, a.attempts),
        (RepoStatus::Done, Some("3kaaaaaaaaaab"), Some(62), 0)
    );
    assert_eq!(pending(s), [(BOB.to_string(), 20)]);

    // Unavailable repos leave the queue until requested again; forgotten ones vanish.
    let b = s.repo_state(BOB).expect("state").expect("bob").generation;
    let gone = Outcome::Unavailable {
        error: "RepoTakendown".into(),
    };
    s.apply(&[finish(BOB, b, gone, 70)], None)
        .expect("unavailable");
    assert!(pending(s).is_empty());
    let stats = s.queue_stats().expect("stats");
    assert_eq!((stats.pending, stats.done, stats.unavailable), (0, 1, 1));
    s.apply(&[request(BOB, "reactivated", 80)], None)
        .expect("request");
    assert_eq!(pending(s), [(BOB.to_string(), 80)]);
    s.apply(&[Op::Queue(QueueOp::Forget { did: BOB.into() })], None)
        .expect("forget");
    assert!(pending(s).is_empty());
    assert!(s.repo_state(BOB).expect("state").is_none());
    let stats = s.queue_stats().expect("stats");
    assert_eq!((stats.pending, stats.done, stats.unavailable), (0, 1, 0));
}

fn local_users_and_the_identity_cache(s: &dyn Store) {
    let user = |did: &str| LocalUser {
        did: did.into(),
        origin: "config".into(),
        added_us: 5,
    };
    let add = |did: &str, add: bool| Op::LocalUser {
        user: user(did),
        add,
    };
    let st = s
        .apply(&[add(ALICE, true), add(BOB, true), add(ALICE, true)], None)
        .expect("add");
    assert_eq!(st.applied, 2);
    assert_eq!(s.local_users().expect("users"), [user(ALICE), user(BOB)]);
    s.apply(&[add(ALICE, false)], None).expect("remove");
    assert_eq!(s.local_users().expect("users"), [user(BOB)]);

    let entry = |v: Option<&str>| CachedIdentity {
        value: v.map(str::to_string),
        fetched_us: 9,
    };
    let doc = IdentityKey::Did(ALICE.into());
    let handle = IdentityKey::Handle("Alice.Test".into());
    let miss = IdentityKey::Handle("nobody.test".into());
    s.apply(
        &[
            Op::CacheIdentity {
                key: doc.clone(),
                entry: Some(entry(Some("{}"))),
            },
            Op::CacheIdentity {
                key: handle.clone(),
                entry: Some(entry(Some(ALICE))),
            },
            Op::CacheIdentity {
                key: miss.clone(),
                entry: Some(entry(None)),
            },
        ],
        None,
    )
    .expect("cache");
    assert_eq!(s.cached_identity(&doc).expect("c"), Some(entry(Some("{}"))));
    assert_eq!(
        s.cached_identity(&IdentityKey::Handle("alice.test".into()))
            .expect("c"),
        Some(entry(Some(ALICE))),
        "handles are case-insensitive"
    );
    assert_eq!(s.cached_identity(&miss).expect("c"), Some(entry(None)));
    // An identity event makes the DID's document and its handles stale.
    s.apply(
        &[Op::Identity {
            did: ALICE.into(),
            handle: Some("alice.test".into()),
            seq: 1,
        }],
        None,
    )
    .expect("identity");
    assert_eq!(s.cached_identity(&doc).expect("c"), None);
    assert_eq!(s.cached_identity(&handle).expect("c"), None);
    assert_eq!(s.cached_identity(&miss).expect("c"), Some(entry(None)));
}

fn timelines_merge_authors_in_order_and_page_without_gaps(s: &dyn Store) {
    let mut ops = Vec::new();
    let authors = [ALICE, BOB, CAROL];
    for i in 0..30u64 {
        let did = authors[(i % 3) as usize];
        // Few distinct times: many ties across authors.
        ops.push(post(did, &format!("p{i}"), i + 1, (i / 4) as i64, "x"));
    }
    ops.push(repost(ALICE, "r1", 40, 3, &uri(CAROL, nsid::POST, "p2")));
    s.apply(&ops, None).expect("apply");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s
            .timeline(&[ALICE.into(), BOB.into()], cursor.as_deref(), 4)
            .expect("page");
        seen.extend(page.items.iter().map(|e| (e.sort_at_us, e.id.uri())));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected = 20 + 1;
    assert_eq!(
        seen.len(),
        expected,
        "every post and repost of alice and bob: {seen:?}"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), expected, "no entry twice");
    assert!(
        seen.windows(2).all(|w| w[0].0 >= w[1].0),
        "newest first: {seen:?}"
    );
    assert!(seen
        .iter()
        .all(|(_, u)| !u.starts_with(&format!("at://{CAROL}"))));
    assert!(seen
        .iter()
        .any(|(_, u)| u.contains("app.bsky.feed.repost/r1")));
    // A new post moves to the top; a deleted one leaves.
    s.apply(
        &[
            post(BOB, "new", 50, 99, "x"),
            del(ALICE, nsid::POST, "p0", 60),
        ],
        None,
    )
    .expect("apply");
    let top = s
        .timeline(&[ALICE.into(), BOB.into()], None, 100)
        .expect("page");
    assert_eq!(top.items[0].id.rkey, "new");
    assert_eq!(top.items.len(), expected);
    assert!(top.items.iter().all(|e| e.id.rkey != "p0"));
    assert!(top.cursor.is_none());
    assert!(s.timeline(&[], None, 10).expect("empty").items.is_empty());
    // The home timeline of someone following alice and bob is the same merge plus their own.
    s.apply(
        &[
            follow(CAROL, "f1", 70, 70, ALICE),
            follow(CAROL, "f2", 71, 71, BOB),
        ],
        None,
    )
    .expect("follows");
    let home = s.home_timeline(CAROL, None, 100).expect("home");
    let mine = s
        .timeline(&[ALICE.into(), BOB.into(), CAROL.into()], None, 100)
        .expect("merge");
    assert_eq!(home, mine);
    assert!(home.items.iter().any(|e| e.id.did == CAROL));
}

fn local_users_are_notified_of_what_others_do(s: &dyn Store) {
    let user = LocalUser {
        did: ALICE.into(),
        origin: "login".into(),
        added_us: 1,
    };
    let p1 = uri(ALICE, nsid::POST, "p1");
    let mention = put(
        CAROL,
        nsid::POST,
        "m1",
        9,
        json!({"$type": nsid::POST, "text": "hi @alice", "createdAt": iso(9),
            "facets": [{"index": {"byteStart": 3, "byteEnd": 9},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ALICE}]}]}),
        9,
    );
    s.apply(
        &[
            Op::LocalUser { user, add: true },
            post(ALICE, "p1", 1, 1, "mine"),
            like(BOB, "l1", 2, 2, &p1),
            like(ALICE, "l2", 3, 3, &p1),
            repost(BOB, "r1", 4, 4, &p1),
            follow(BOB, "f1", 5, 5, ALICE),
            reply(CAROL, "c1", 6, 6, &p1, &p1),
            quote(BOB, "q1", 7, 7, &p1),
            like(ALICE, "l3", 8, 8, &uri(BOB, nsid::POST, "x")),
            mention,
        ],
        None,
    )
    .expect("apply");
    let reasons = |s: &dyn Store| -> Vec<(&'static str, String)> {
        s.notifications(ALICE, None, 100)
            .expect("list")
            .items
            .into_iter()
            .map(|n| (n.reason.as_str(), n.id.rkey))
            .collect()
    };
    assert_eq!(
        reasons(s),
        [
            ("mention", "m1".to_string()),
            ("quote", "q1".into()),
            ("reply", "c1".into()),
            ("follow", "f1".into()),
            ("repost", "r1".into()),
            ("like", "l1".into()),
        ],
        "newest first; nothing for alice's own like"
    );
    assert!(
        s.notifications(BOB, None, 10)
            .expect("bob")
            .items
            .is_empty(),
        "bob is not local"
    );
    let page = s.notifications(ALICE, None, 4).expect("page");
    let rest = s
        .notifications(ALICE, page.cursor.as_deref(), 4)
        .expect("rest");
    assert_eq!(page.items.len() + rest.items.len(), 6);
    assert_eq!(s.seen_at(ALICE).expect("seen"), None);
    assert_eq!(s.unread_count(ALICE, 0, 100).expect("unread"), 6);
    s.apply(
        &[Op::Seen {
            did: ALICE.into(),
            at_us: t(5),
        }],
        None,
    )
    .expect("seen");
    assert_eq!(s.seen_at(ALICE).expect("seen"), Some(t(5)));
    assert_eq!(s.unread_count(ALICE, t(5), 100).expect("unread"), 3);
    // An undone like takes its notification with it.
    s.apply(&[del(BOB, nsid::LIKE, "l1", 20)], None)
        .expect("unlike");
    assert!(!reasons(s).iter().any(|(r, _)| *r == "like"));
}

fn viewer_relations_are_kept_for_local_users(s: &dyn Store) {
    let local = |did: &str| Op::LocalUser {
        user: LocalUser {
            did: did.into(),
            origin: "config".into(),
            added_us: 1,
        },
        add: true,
    };
    let bob_post = uri(BOB, nsid::POST, "p1");
    s.apply(
        &[
            local(ALICE),
            post(BOB, "p1", 1, 1, "x"),
            like(ALICE, "l1", 2, 2, &bob_post),
            repost(ALICE, "r1", 3, 3, &bob_post),
            like(CAROL, "l2", 4, 4, &bob_post),
            follow(ALICE, "f1", 5, 5, BOB),
            follow(BOB, "f2", 6, 6, ALICE),
            follow(CAROL, "f3", 7, 7, BOB),
        ],
        None,
    )
    .expect("apply");
    let rel = |kind, actor: &str, subject: &str| {
        s.relation(kind, actor, subject)
            .expect("read")
            .map(|id| id.rkey)
    };
    assert_eq!(rel(Relation::Like, ALICE, &bob_post).as_deref(), Some("l1"));
    assert_eq!(
        rel(Relation::Repost, ALICE, &bob_post).as_deref(),
        Some("r1")
    );
    assert_eq!(rel(Relation::Follow, ALICE, BOB).as_deref(), Some("f1"));
    assert_eq!(
        rel(Relation::Follow, BOB, ALICE).as_deref(),
        Some("f2"),
        "followed by"
    );
    assert_eq!(
        rel(Relation::Like, CAROL, &bob_post),
        None,
        "carol is not local"
    );
    assert_eq!(rel(Relation::Follow, CAROL, BOB), None);
    // Becoming local fills in what is stored.
    s.apply(&[local(CAROL)], None).expect("local");
    assert_eq!(rel(Relation::Like, CAROL, &bob_post).as_deref(), Some("l2"));
    assert_eq!(rel(Relation::Follow, CAROL, BOB).as_deref(), Some("f3"));
    s.apply(&[del(ALICE, nsid::LIKE, "l1", 20)], None)
        .expect("unlike");
    assert_eq!(rel(Relation::Like, ALICE, &bob_post), None);
}

fn sessions_are_stored_and_ended(s: &dyn Store) {
    let session = StoredSession {
        id: "abc".into(),
        did: ALICE.into(),
        handle: "alice.test".into(),
        pds: "https://pds.test".into(),
        access_hash: "00".into(),
        refresh_hash: "11".into(),
        access_expires_us: 5,
        refresh_expires_us: 6,
        pds_tokens: "sealed".into(),
        created_us: 1,
    };
    let put = |v: Option<StoredSession>| Op::Session {
        id: "abc".into(),
        session: v,
    };
    s.apply(&[put(Some(session.clone()))], None).expect("store");
    assert_eq!(s.session("abc").expect("read"), Some(session));
    assert_eq!(s.session("other").expect("read"), None);
    s.apply(&[put(None)], None).expect("end");
    assert_eq!(s.session("abc").expect("read"), None);
}

fn connection_cursors_are_kept_per_endpoint(s: &dyn Store) {
    let at = |p: i64, e: &str| Cursor {
        position: p,
        endpoint: e.into(),
    };
    s.apply(
        &[
            Op::ConnectionCursor(at(5, "ws://j#1of2")),
            Op::ConnectionCursor(at(3, "ws://j#0of2")),
        ],
        Some(&at(3, "ws://j")),
    )
    .expect("apply");
    s.apply(&[Op::ConnectionCursor(at(9, "ws://j#1of2"))], None)
        .expect("later");
    assert_eq!(
        s.connection_cursors().expect("cursors"),
        [at(3, "ws://j#0of2"), at(9, "ws://j#1of2")]
    );
    assert_eq!(
        s.cursor().expect("main"),
        Some(at(3, "ws://j")),
        "apart from the main one"
    );
}

fn exports_import_into_an_empty_store_of_either_backend(s: &dyn Store) {
    s.apply(&stream(), Some(&cursor(9))).expect("apply");
    let want = snapshot(s);
    let mut bytes = Vec::new();
    let out = s.export_to(&mut bytes).expect("export");
    assert!(out.entries > 20 && !bytes.is_empty());
    for target in [memory(), fjall(), postgres()] {
        let got = target
            .store
            .import_from(&mut bytes.as_slice())
            .expect("import");
        assert_eq!(got, out);
        assert_eq!(snapshot(&*target.store), want);
        assert_eq!(target.store.cursor().expect("cursor"), Some(cursor(9)));
        // Not twice: the store is no longer empty.
        assert!(target.store.import_from(&mut bytes.as_slice()).is_err());
    }
    // Damage is refused, not half-applied.
    let cut = &bytes[..bytes.len() / 2];
    let empty = memory();
    assert!(empty.store.import_from(&mut &cut[..]).is_err());
    assert!(empty.store.import_from(&mut &b"not an export"[..]).is_err());
}

fn prune(did: &str, coll: &str, rkey: &str) -> Op {
    Op::Prune {
        id: RecordId::new(did, coll, rkey),
    }
}

fn pruning_hides_records_and_keeps_counts_exact(s: &dyn Store) {
    s.apply(&stream(), None).expect("apply");
    let p1 = RecordId::new(ALICE, nsid::POST, "p1");
    let p2 = RecordId::new(BOB, nsid::POST, "p2");
    let p3 = RecordId::new(BOB, nsid::POST, "p3");
    let (p1_counts, p2_counts) = (
        s.post_counts(&p1).expect("c"),
        s.post_counts(&p2).expect("c"),
    );
    let (alice, bob) = (
        s.actor_counts(ALICE).expect("c"),
        s.actor_counts(BOB).expect("c"),
    );
    let pruned = [
        prune(BOB, nsid::POST, "p3"),
        prune(BOB, nsid::LIKE, "l1"),
        prune(BOB, nsid::FOLLOW, "f1"),
        prune(CAROL, nsid::POST, "p4"),
        prune(CAROL, nsid::REPOST, "r1"),
    ];
    s.apply(&pruned, None).expect("prune");
    // Gone from every read and index...
    assert_eq!(s.record(&p3).expect("r"), None);
    assert!(s.replies(&p1, 100).expect("r").is_empty());
    assert!(s.likes(&p2, None, 100).expect("l").items.is_empty());
    assert!(!s
        .followers(ALICE, None, 100)
        .expect("f")
        .items
        .iter()
        .any(|e| e.other == BOB));
    assert!(!s
        .author_feed(BOB, FeedFilter::WithReplies, None, 100)
        .expect("f")
        .items
        .iter()
        .any(|e| e.id == p3));
    assert!(!s.records_of(BOB, None, 100).expect("r").contains(&p3));
    // ...while every count stays.
    assert_eq!(s.post_counts(&p1).expect("c"), p1_counts);
    assert_eq!(s.post_counts(&p2).expect("c"), p2_counts);
    assert_eq!(s.actor_counts(ALICE).expect("c"), alice);
    assert_eq!(s.actor_counts(BOB).expect("c"), bob);
    // Pruning again changes nothing; the rev still gates older writes.
    let after = snapshot(s);
    s.apply(&pruned, None).expect("prune again");
    s.apply(&[del(BOB, nsid::POST, "p3", 1)], None)
        .expect("older delete");
    assert_eq!(snapshot(s), after);
    assert!(s.record_rev(&p3).expect("rev").is_some_and(|r| r.live));
    // The same version written again (a backfill once its author is followed) restores the
    // record whole, counts unchanged.
    s.apply(&stream(), None).expect("replay");
    let never_pruned = memory();
    never_pruned.store.apply(&stream(), None).expect("apply");
    assert_eq!(snapshot(s), snapshot(&*never_pruned.store));
    assert!(s.record(&p3).expect("r").is_some());
    s.apply(&pruned, None).expect("prune once more");
    assert_eq!(snapshot(s), after);
    // Later deletes subtract exactly once, and a newer version comes back whole: the same
    // state as a store that never pruned.
    let later = vec![
        del(BOB, nsid::LIKE, "l1", 20),
        del(BOB, nsid::FOLLOW, "f1", 21),
        del(CAROL, nsid::POST, "p4", 22),
        del(CAROL, nsid::REPOST, "r1", 23),
        reply(
            BOB,
            "p3",
            24,
            6,
            &uri(ALICE, nsid::POST, "p1"),
            &uri(ALICE, nsid::POST, "p1"),
        ),
    ];
    s.apply(&later, None).expect("later");
    let reference = memory();
    reference.store.apply(&stream(), None).expect("apply");
    reference.store.apply(&later, None).expect("later");
    assert_eq!(snapshot(s), snapshot(&*reference.store));
    assert_eq!(
        s.post_counts(&p1).expect("c"),
        reference.store.post_counts(&p1).expect("c")
    );
    assert_eq!(s.record(&p3).expect("r").map(|r| r.rev), Some(rev(24)));
}

fn private_data_is_kept_per_owner_and_kind(s: &dyn Store) {
    let op = |owner: &str, kind: &str, key: &str, value: Option<&str>| Op::Private {
        owner: owner.into(),
        kind: kind.into(),
        key: key.into(),
        value: value.map(|v| v.as_bytes().to_vec()),
    };
    let (a, b) = ("did:plc:alice", "did:plc:bob");
    let post = |n: u32| format!("at://did:plc:x/app.bsky.feed.post/{n}");
    s.apply(
        &[
            op(a, "bookmark", &post(2), Some("two")),
            op(a, "bookmark", &post(1), Some("one")),
            op(a, "bookmark", &post(3), Some("three")),
            op(a, "threadmute", &post(1), Some("")),
            op(b, "bookmark", &post(1), Some("bob's")),
            Op::Mute {
                viewer: a.into(),
                subject: b.into(),
                muted: true,
            },
        ],
        None,
    )
    .expect("apply");
    let got = |owner: &str, kind: &str, key: &str| {
        s.private(owner, kind, key)
            .expect("read")
            .map(|v| String::from_utf8(v).expect("utf-8"))
    };
    assert_eq!(got(a, "bookmark", &post(1)).as_deref(), Some("one"));
    assert_eq!(got(b, "bookmark", &post(1)).as_deref(), Some("bob's"));
    assert_eq!(got(a, "threadmute", &post(1)).as_deref(), Some(""));
    assert_eq!(got(a, "threadmute", &post(2)), None);
    // Listed in key order, paged, one owner and kind at a time (mutes apart).
    let keys = |after: Option<&str>, limit| -> Vec<String> {
        let rows = s.privates(a, "bookmark", after, limit).expect("list");
        rows.into_iter().map(|(k, _)| k).collect()
    };
    assert_eq!(keys(None, 10), [post(1), post(2), post(3)]);
    assert_eq!(keys(None, 2), [post(1), post(2)]);
    assert_eq!(keys(Some(&post(2)), 10), [post(3)]);
    assert_eq!(s.mutes(a, None, 10).expect("mutes"), [b]);
    // Replaced, removed (twice: the second changes nothing).
    s.apply(&[op(a, "bookmark", &post(1), Some("uno"))], None)
        .expect("apply");
    assert_eq!(got(a, "bookmark", &post(1)).as_deref(), Some("uno"));
    let stats = s
        .apply(&[op(a, "bookmark", &post(2), None)], None)
        .expect("apply");
    let again = s
        .apply(&[op(a, "bookmark", &post(2), None)], None)
        .expect("apply");
    assert!(stats.applied > again.applied, "{stats:?} then {again:?}");
    assert_eq!(keys(None, 10), [post(1), post(3)]);
    // A kind may not contain the separator.
    assert!(s.apply(&[op(a, "a/b", "k", Some("v"))], None).is_err());
}

fn subscribers_are_notified_of_new_posts(s: &dyn Store) {
    let user = LocalUser {
        did: ALICE.into(),
        origin: "login".into(),
        added_us: 1,
    };
    let sub = |post, reply| Op::Subscribe {
        viewer: ALICE.into(),
        subject: BOB.into(),
        activity: ActivitySubscription { post, reply },
    };
    let p1 = uri(BOB, nsid::POST, "b1");
    s.apply(&[Op::LocalUser { user, add: true }, sub(true, false)], None)
        .expect("apply");
    assert_eq!(
        s.activity_subscription(ALICE, BOB).expect("read"),
        Some(ActivitySubscription {
            post: true,
            reply: false
        })
    );
    let reasons = |s: &dyn Store| -> Vec<(&'static str, String)> {
        s.notifications(ALICE, None, 100)
            .expect("list")
            .items
            .into_iter()
            .map(|n| (n.reason.as_str(), n.id.rkey))
            .collect()
    };
    // A post notifies her; a reply does not (she asked for posts only); a post by someone
    // else does not.
    s.apply(
        &[
            post(BOB, "b1", 2, 2, "hello"),
            reply(BOB, "b2", 3, 3, &p1, &p1),
            post(CAROL, "c1", 4, 4, "unrelated"),
        ],
        None,
    )
    .expect("apply");
    assert_eq!(reasons(s), [("subscribed-post", "b1".to_string())]);
    // Replies too, then nothing: unsubscribed.
    s.apply(&[sub(true, true), reply(BOB, "b3", 5, 5, &p1, &p1)], None)
        .expect("apply");
    assert_eq!(reasons(s).len(), 2, "{:?}", reasons(s));
    assert_eq!(
        s.activity_subscriptions(ALICE, None, 10).expect("list"),
        [(
            BOB.to_string(),
            ActivitySubscription {
                post: true,
                reply: true
            }
        )]
    );
    // Deleting a post removes its notification.
    s.apply(&[del(BOB, nsid::POST, "b1", 7)], None)
        .expect("apply");
    assert_eq!(reasons(s), [("subscribed-post", "b3".to_string())]);
    s.apply(&[sub(false, false), post(BOB, "b4", 8, 8, "later")], None)
        .expect("apply");
    assert_eq!(reasons(s).len(), 1);
    assert!(s
        .activity_subscriptions(ALICE, None, 10)
        .expect("list")
        .is_empty());
}

/// Every searchable change is logged once, in order, with the batch that made it; replays and
/// other collections log nothing; trimming drops what was taken in.
fn searchable_changes_are_logged_with_their_batch(s: &dyn Store) {
    let empty = s.change_log().expect("log");
    assert_eq!((empty.store_id, empty.first, empty.next), (0, 1, 1));
    let profile = put(
        ALICE,
        nsid::PROFILE,
        "self",
        1,
        json!({"$type": nsid::PROFILE, "displayName": "Alice"}),
        1,
    );
    let ops = vec![
        post(ALICE, "p1", 2, 2, "hello"),
        like(BOB, "l1", 3, 3, &uri(ALICE, nsid::POST, "p1")),
        profile.clone(),
        Op::Identity {
            did: BOB.into(),
            handle: Some("bob.test".into()),
            seq: 5,
        },
    ];
    s.apply(&ops, Some(&cursor(10))).expect("apply");
    let log = s.change_log().expect("log");
    let store_id = log.store_id;
    assert_ne!(store_id, 0);
    // Posts by time (what search rebuilds from): the post, not the like or the profile.
    let (by_time, next) = s.posts_by_time(None, 10).expect("by time");
    let ids: Vec<&RecordId> = by_time.iter().map(|(id, _)| id).collect();
    assert_eq!(ids, vec![&RecordId::new(ALICE, nsid::POST, "p1")]);
    assert!(next.is_none());
    let page = s
        .scan_records_where(None, 100, &|c| c == nsid::PROFILE)
        .expect("scan");
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].id.collection, nsid::PROFILE);
    assert_eq!((log.first, log.next), (1, 4));
    let changes: Vec<(u64, Change)> = s.changes(0, 10).expect("changes");
    assert_eq!(
        changes,
        vec![
            (1, Change::Created(RecordId::new(ALICE, nsid::POST, "p1"))),
            (2, Change::Actor(ALICE.into())),
            (3, Change::Actor(BOB.into())),
        ]
    );
    // A replay changes nothing and logs nothing; a delete and a prune are logged.
    s.apply(&ops, None).expect("replay");
    assert_eq!(s.change_log().expect("log").next, 4);
    s.apply(
        &[
            post(ALICE, "p2", 6, 6, "second"),
            prune(ALICE, nsid::POST, "p2"),
            del(ALICE, nsid::POST, "p1", 7),
            Op::Account {
                did: ALICE.into(),
                active: false,
                status: Some("takendown".into()),
                seq: 8,
            },
        ],
        None,
    )
    .expect("apply");
    let after: Vec<Change> = s
        .changes(3, 10)
        .expect("c")
        .into_iter()
        .map(|c| c.1)
        .collect();
    let p2 = RecordId::new(ALICE, nsid::POST, "p2");
    assert_eq!(
        after,
        vec![
            Change::Created(p2.clone()),
            Change::Record(p2),
            Change::Record(RecordId::new(ALICE, nsid::POST, "p1")),
            Change::Actor(ALICE.into()),
        ]
    );
    assert_eq!(
        s.changes(5, 1).expect("c")[0].1,
        Change::Record(RecordId::new(ALICE, nsid::POST, "p1"))
    );
    s.apply(&[Op::TrimChanges { upto: 5 }], None).expect("trim");
    let log = s.change_log().expect("log");
    assert_eq!((log.first, log.next), (6, 8));
    assert_eq!(s.changes(0, 10).expect("c").len(), 2);
    assert_eq!(log.store_id, store_id, "the store keeps its id");
    // Trimming again, or past the end, drops what is left and no more; the log's start then
    // is its end.
    s.apply(&[Op::TrimChanges { upto: 5 }], None).expect("trim");
    assert_eq!(s.change_log().expect("log").first, 6);
    s.apply(&[Op::TrimChanges { upto: 99 }], None)
        .expect("trim");
    let log = s.change_log().expect("log");
    assert_eq!((log.first, log.next), (8, 8));
    assert!(s.changes(0, 10).expect("c").is_empty());
    s.apply(&[post(ALICE, "p3", 9, 9, "again")], None)
        .expect("apply");
    assert_eq!(s.changes(0, 10).expect("c")[0].0, 8, "numbers go on");
}

/// A batch becomes visible whole: a reader of the change log reading while batches commit
/// never sees a later entry of a batch without the earlier ones (the search indexer follows
/// the log by its consecutive numbers, and any reader of a batch's keys relies on the same).
fn a_batch_becomes_visible_whole(s: &dyn Store) {
    const BATCHES: usize = 30;
    const PER: usize = 300;
    let written = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for b in 0..BATCHES {
                let ops: Vec<Op> = (0..PER)
                    .map(|i| {
                        let n = b * PER + i;
                        post(
                            ALICE,
                            &format!("b{b}i{i}"),
                            n as u64 + 1,
                            1_000 + n as i64,
                            "x",
                        )
                    })
                    .collect();
                s.apply(&ops, None).expect("apply");
            }
            written.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut seen = 0u64;
        loop {
            let last = written.load(std::sync::atomic::Ordering::SeqCst);
            let new = s.changes(seen, 1_000_000).expect("changes");
            assert_eq!(
                new.len() % PER,
                0,
                "part of a batch was visible: {} entries after {seen}",
                new.len()
            );
            for (seq, _) in &new {
                seen += 1;
                assert_eq!(*seq, seen, "consecutive");
            }
            if last {
                break;
            }
        }
        assert_eq!(seen, (BATCHES * PER) as u64);
    });
}

fn schema_version_is_reported(s: &dyn Store) {
    assert_eq!(s.schema_version().expect("v"), kv::SCHEMA_VERSION);
}

macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod memory_backend {
            $(#[test] fn $test() { let f = super::memory(); super::$test(&*f.store); })*
        }
        mod fjall_backend {
            $(#[test] fn $test() { let f = super::fjall(); super::$test(&*f.store); })*
        }
        mod postgres_backend {
            $(#[test] fn $test() { let f = super::postgres(); super::$test(&*f.store); })*
        }
    };
}

contract!(
    records_and_cursor_commit_together,
    rev_gating_and_tombstones,
    counts_are_exact,
    replay_in_any_chunking_is_identical,
    identity_and_account_events,
    author_feed_orders_filters_and_pages,
    unknown_collections_and_odd_records_are_kept_plainly,
    blocks_are_listed_and_checked_both_ways,
    real_records_round_trip_exactly,
    gaps_are_recorded_once_and_listed_in_order,
    an_accounts_live_records_are_listed_and_paged,
    gaps_are_marked_repairing_then_removed,
    the_backfill_queue_is_durable_ordered_and_generation_gated,
    local_users_and_the_identity_cache,
    connection_cursors_are_kept_per_endpoint,
    sessions_are_stored_and_ended,
    local_users_are_notified_of_what_others_do,
    viewer_relations_are_kept_for_local_users,
    timelines_merge_authors_in_order_and_page_without_gaps,
    schema_version_is_reported,
    private_data_is_kept_per_owner_and_kind,
    subscribers_are_notified_of_new_posts,
    exports_import_into_an_empty_store_of_either_backend,
    pruning_hides_records_and_keeps_counts_exact,
    searchable_changes_are_logged_with_their_batch,
    a_batch_becomes_visible_whole,
);

/// Reopening gives back what was written; a store stamped with a newer schema version (written
/// through `engine`) is refused.
fn persists_and_refuses_newer_schema_versions<E: kv::Engine>(
    open_store: impl Fn() -> Result<Arc<dyn Store>>,
    engine: impl FnOnce() -> E,
) {
    {
        let s = open_store().expect("open");
        s.apply(&stream(), Some(&cursor(7))).expect("apply");
        s.flush().expect("flush");
    }
    let want = {
        let s = open_store().expect("reopen");
        assert_eq!(s.cursor().expect("c"), Some(cursor(7)));
        snapshot(&*s)
    };
    let mem = memory();
    mem.store.apply(&stream(), None).expect("apply");
    assert_eq!(snapshot(&*mem.store), want, "backends agree");
    engine()
        .commit(
            vec![(
                kv::Ks::Meta,
                b"schema_version".to_vec(),
                Some(999u32.to_be_bytes().to_vec()),
            )],
            Durability::Sync,
        )
        .expect("write");
    let err = open_store().err().expect("refused");
    assert!(err.to_string().contains("schema version 999"), "{err}");
}

#[test]
fn fjall_persists_and_refuses_other_schema_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    persists_and_refuses_newer_schema_versions(
        || open(Backend::Fjall, dir.path(), Durability::Sync),
        || kv::fjall::FjallEngine::open(dir.path(), Default::default()).expect("engine"),
    );
}

#[test]
fn postgres_persists_locks_its_schema_and_refuses_other_schema_versions() {
    let opts = postgres_options();
    let open_store = || {
        open(
            Backend::Postgres(opts.clone()),
            "".as_ref(),
            Durability::Buffer,
        )
    };
    {
        let s = open_store().expect("open");
        let err = open_store()
            .err()
            .expect("a second Aerie on the schema is refused");
        assert!(err.to_string().contains("another Aerie"), "{err}");
        s.apply(&stream(), None).expect("apply");
        assert!(s.stats().expect("stats").disk_bytes > 0);
    }
    persists_and_refuses_newer_schema_versions(open_store, || {
        kv::postgres::PostgresEngine::open(&opts).expect("engine")
    });
}

#[test]
fn postgres_errors_name_what_failed() {
    let mut opts = postgres_options();
    opts.schema = "Robert'); DROP TABLE x;--".into();
    let err = open(Backend::Postgres(opts), "".as_ref(), Durability::Buffer)
        .err()
        .expect("bad schema refused");
    assert!(err.to_string().contains("schema"), "{err}");
    let unreachable = kv::postgres::PostgresOptions {
        url: "postgres://aerie:secret@127.0.0.1:9/none".into(),
        connections: 1,
        ..Default::default()
    };
    let err = open(
        Backend::Postgres(unreachable),
        "".as_ref(),
        Durability::Buffer,
    )
    .err()
    .expect("unreachable server");
    assert!(err.to_string().contains("postgres: connect"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn postgres_over_tls_verifies_the_server() {
    let mut opts = postgres_options();
    opts.url.push_str(" sslmode=require");
    let err = open(
        Backend::Postgres(opts.clone()),
        "".as_ref(),
        Durability::Buffer,
    )
    .err()
    .expect("a certificate from an unknown CA is refused");
    assert!(err.to_string().contains("postgres: connect"), "{err}");
    opts.ca_file = Some(pg::server().ca_file.clone());
    let s = open(Backend::Postgres(opts), "".as_ref(), Durability::Buffer).expect("open");
    s.apply(&stream(), Some(&cursor(3)))
        .expect("apply over TLS");
    assert_eq!(s.cursor().expect("cursor"), Some(cursor(3)));
}

#[test]
fn postgres_reads_and_writes_survive_lost_connections() {
    let mut opts = postgres_options();
    opts.url.push_str(" application_name=aerie_lost");
    opts.cache_bytes = 0;
    let s = open(Backend::Postgres(opts), "".as_ref(), Durability::Buffer).expect("open");
    let all = stream();
    let (first, rest) = all.split_at(6);
    s.apply(first, Some(&cursor(1))).expect("apply");
    let end_sessions = || pg::server().end_sessions("aerie_lost");
    let ended = end_sessions();
    assert!(ended >= 1, "sessions ended: {ended}");
    // Every connection is gone: the next read and the next batch run on new ones.
    assert_eq!(s.cursor().expect("read after the loss"), Some(cursor(1)));
    end_sessions();
    s.apply(rest, Some(&cursor(2)))
        .expect("a batch after the loss");
    let mem = memory();
    mem.store.apply(&stream(), Some(&cursor(2))).expect("apply");
    assert_eq!(snapshot(&*s), snapshot(&*mem.store));
    // The schema's lock went with its connection, and is taken again.
    wait_until(Duration::from_secs(20), || {
        pg::server().sql(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND a.application_name = 'aerie_lost'",
        ) == "1"
    });
}

/// Polls `done` every 100 ms until it holds; panics after `limit`.
fn wait_until(limit: Duration, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "gave up waiting");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn postgres_stops_writing_when_another_aerie_took_the_schema() {
    let mut a_opts = postgres_options();
    let b_opts = a_opts.clone();
    a_opts.url.push_str(" application_name=aerie_first");
    let a = open(Backend::Postgres(a_opts), "".as_ref(), Durability::Buffer).expect("open");
    a.apply(&stream(), Some(&cursor(1))).expect("apply");
    // Its sessions end, and a second Aerie takes the schema before the first can again.
    pg::server().end_sessions("aerie_first");
    let b = open(Backend::Postgres(b_opts), "".as_ref(), Durability::Buffer).expect("second");
    wait_until(Duration::from_secs(40), || {
        a.apply(&[], Some(&cursor(2)))
            .is_err_and(|e| e.to_string().contains("another Aerie"))
    });
    b.apply(&[], Some(&cursor(3))).expect("the holder writes");
    assert_eq!(b.cursor().expect("cursor"), Some(cursor(3)));
}
