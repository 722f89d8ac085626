//! A generated, realistic Jetstream v1 corpus: the network's mix of likes, posts (replies,
//! quotes, images, links, video), reposts, follows, blocks and profiles, with updates, deletes,
//! identity and account events, and a share of malformed events. Deterministic per seed.

use crate::ids::{cid, did, tid};
use crate::rng::Rng;
use serde_json::{json, Value};

/// One event of the corpus.
#[derive(Debug, Clone)]
pub struct GenEvent {
    /// Its `time_us` (strictly increasing through the corpus).
    pub time_us: i64,
    /// The DID it belongs to (for `wantedDids` filtering), if any.
    pub did: String,
    /// The commit's collection, for `wantedCollections` filtering.
    pub collection: Option<String>,
    /// The JSON frame.
    pub json: String,
    /// False for the malformed ones Aerie must skip.
    pub valid: bool,
}

/// Corpus shape.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    /// Events to generate.
    pub events: usize,
    /// Accounts taking part.
    pub accounts: usize,
    /// Share of malformed events.
    pub malformed: f64,
    /// First `time_us`.
    pub start_us: i64,
    /// Seed.
    pub seed: u64,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            events: 10_000,
            accounts: 500,
            malformed: 0.005,
            start_us: 1_780_000_000_000_000,
            seed: 7,
        }
    }
}

struct Account {
    did: String,
    live: Vec<(String, String)>, // (collection, rkey) of live records
}

/// Generates a corpus.
pub fn generate(spec: &CorpusSpec) -> Vec<GenEvent> {
    let mut rng = Rng::new(spec.seed);
    let mut accounts: Vec<Account> = (0..spec.accounts.max(2) as u64)
        .map(|n| Account {
            did: did(n),
            live: vec![],
        })
        .collect();
    let mut posts: Vec<String> = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(spec.events);
    let mut seq = 1000i64;
    for i in 0..spec.events {
        let time_us = spec.start_us + i as i64 * 1000 + rng.below(900) as i64;
        let a = rng.below(accounts.len() as u64) as usize;
        let author = accounts[a].did.clone();
        let rev = tid(time_us, a as u64);
        let created = created_at(&mut rng, time_us);
        let r = rng.below(1000);
        let mut ev = if r < 690 && !posts.is_empty() {
            let subject = posts[rng.below(posts.len() as u64) as usize].clone();
            let rec = json!({"$type": "app.bsky.feed.like", "createdAt": created, "subject": {"uri": subject, "cid": cid(1)}});
            create(&mut accounts[a], time_us, &rev, "app.bsky.feed.like", rec)
        } else if r < 800 || posts.is_empty() {
            let rec = post_record(&mut rng, &created, &posts, &roots);
            let e = create(
                &mut accounts[a],
                time_us,
                &rev,
                "app.bsky.feed.post",
                rec.clone(),
            );
            let uri = format!("at://{author}/app.bsky.feed.post/{}", rkey_of(&e));
            roots.push(
                rec.pointer("/reply/root/uri")
                    .and_then(Value::as_str)
                    .unwrap_or(&uri)
                    .to_string(),
            );
            posts.push(uri);
            e
        } else if r < 900 {
            let subject = posts[rng.below(posts.len() as u64) as usize].clone();
            let rec = json!({"$type": "app.bsky.feed.repost", "createdAt": created, "subject": {"uri": subject, "cid": cid(2)}});
            create(&mut accounts[a], time_us, &rev, "app.bsky.feed.repost", rec)
        } else if r < 940 || r < 950 {
            let coll = if r < 940 {
                "app.bsky.graph.follow"
            } else {
                "app.bsky.graph.block"
            };
            let subject = accounts[rng.below(accounts.len() as u64) as usize]
                .did
                .clone();
            create(
                &mut accounts[a],
                time_us,
                &rev,
                coll,
                json!({"$type": coll, "createdAt": created, "subject": subject}),
            )
        } else if r < 960 {
            let rec = json!({"$type": "app.bsky.actor.profile", "displayName": format!("User {a} <b>{}</b>", rng.below(100)),
                "description": "hello & welcome", "createdAt": created,
                "avatar": {"$type": "blob", "ref": {"$link": cid(rng.next_u64())}, "mimeType": "image/jpeg", "size": 1000}});
            let op = if accounts[a]
                .live
                .iter()
                .any(|(c, _)| c == "app.bsky.actor.profile")
            {
                "update"
            } else {
                "create"
            };
            commit(
                &mut accounts[a],
                time_us,
                &rev,
                op,
                "app.bsky.actor.profile",
                "self",
                Some(rec),
            )
        } else if r < 990 && !accounts[a].live.is_empty() {
            let k = rng.below(accounts[a].live.len() as u64) as usize;
            let (coll, rkey) = accounts[a].live[k].clone();
            let edit = r >= 985 && coll == "app.bsky.feed.post";
            let (op, rec) = if edit {
                (
                    "update",
                    Some(
                        json!({"$type": "app.bsky.feed.post", "text": "edited", "createdAt": created}),
                    ),
                )
            } else {
                ("delete", None)
            };
            commit(&mut accounts[a], time_us, &rev, op, &coll, &rkey, rec)
        } else if r < 995 {
            seq += 1;
            let handle = format!("user{a}-{}.test", rng.below(3));
            let j = json!({"did": author, "time_us": time_us, "kind": "identity",
                "identity": {"did": author, "handle": handle, "seq": seq, "time": created}});
            identity_or_account(time_us, &author, j)
        } else {
            seq += 1;
            let active = rng.chance(0.6);
            let status = if active {
                Value::Null
            } else if rng.chance(0.5) {
                json!("deactivated")
            } else {
                json!("takendown")
            };
            let mut acc = json!({"active": active, "did": author, "seq": seq, "time": created});
            if !status.is_null() {
                acc["status"] = status;
            }
            let j = json!({"did": author, "time_us": time_us, "kind": "account", "account": acc});
            identity_or_account(time_us, &author, j)
        };
        if rng.chance(spec.malformed) {
            ev = malform(&mut rng, ev);
        }
        out.push(ev);
    }
    out
}

fn identity_or_account(time_us: i64, did: &str, j: Value) -> GenEvent {
    GenEvent {
        time_us,
        did: did.to_string(),
        collection: None,
        json: j.to_string(),
        valid: true,
    }
}

fn rkey_of(e: &GenEvent) -> String {
    serde_json::from_str::<Value>(&e.json)
        .ok()
        .and_then(|v| {
            v.pointer("/commit/rkey")
                .and_then(Value::as_str)
                .map(String::from)
        })
        .unwrap_or_default()
}

fn created_at(rng: &mut Rng, time_us: i64) -> String {
    let shift = match rng.below(100) {
        0 | 1 => 3_600_000_000,   // future-dated by an hour
        2 | 3 => -86_400_000_000, // backdated by a day
        _ => -(rng.below(2_000_000) as i64),
    };
    aerie_storage::datetime::format_us(time_us + shift)
}

fn post_record(rng: &mut Rng, created: &str, posts: &[String], roots: &[String]) -> Value {
    let mut rec = json!({"$type": "app.bsky.feed.post", "text": format!("post <script>alert({})</script> & more", rng.below(1000)),
        "createdAt": created, "langs": ["en"]});
    if !posts.is_empty() && rng.chance(0.25) {
        let k = rng.below(posts.len() as u64) as usize;
        rec["reply"] = json!({"root": {"uri": roots[k], "cid": cid(3)}, "parent": {"uri": posts[k], "cid": cid(4)}});
    }
    let img = |rng: &mut Rng| json!({"alt": "a picture", "image": {"$type": "blob", "ref": {"$link": cid(rng.next_u64())}, "mimeType": "image/jpeg", "size": 100}, "aspectRatio": {"width": 4, "height": 3}});
    let r = rng.below(100);
    if r < 10 && !posts.is_empty() {
        let q = &posts[rng.below(posts.len() as u64) as usize];
        rec["embed"] =
            json!({"$type": "app.bsky.embed.record", "record": {"uri": q, "cid": cid(5)}});
    } else if r < 20 {
        rec["embed"] = json!({"$type": "app.bsky.embed.images", "images": [img(rng)]});
    } else if r < 25 {
        rec["embed"] = json!({"$type": "app.bsky.embed.external", "external": {"uri": "https://example.com/a?b=<c>", "title": "Example", "description": "d"}});
    } else if r < 28 && !posts.is_empty() {
        let q = &posts[rng.below(posts.len() as u64) as usize];
        rec["embed"] = json!({"$type": "app.bsky.embed.recordWithMedia", "record": {"$type": "app.bsky.embed.record", "record": {"uri": q, "cid": cid(6)}},
            "media": {"$type": "app.bsky.embed.images", "images": [img(rng)]}});
    } else if r < 30 {
        rec["embed"] = json!({"$type": "app.bsky.embed.video", "video": {"$type": "blob", "ref": {"$link": cid(rng.next_u64())}, "mimeType": "video/mp4", "size": 1000}, "alt": "clip"});
    }
    rec
}

fn create(acc: &mut Account, time_us: i64, rev: &str, coll: &str, rec: Value) -> GenEvent {
    let rkey = tid(time_us, 7);
    commit(acc, time_us, rev, "create", coll, &rkey, Some(rec))
}

fn commit(
    acc: &mut Account,
    time_us: i64,
    rev: &str,
    op: &str,
    coll: &str,
    rkey: &str,
    rec: Option<Value>,
) -> GenEvent {
    let mut c = json!({"rev": rev, "operation": op, "collection": coll, "rkey": rkey});
    match &rec {
        Some(r) => {
            c["record"] = r.clone();
            // The record's real CID, as the network computes it.
            let real =
                aerie_storage::cbor::record_cid(r).and_then(|b| aerie_storage::cbor::cid_text(&b));
            c["cid"] = json!(real.unwrap_or_else(|| cid(time_us as u64)));
            if !acc.live.iter().any(|(lc, lr)| lc == coll && lr == rkey) {
                acc.live.push((coll.to_string(), rkey.to_string()));
            }
        }
        None => acc.live.retain(|(lc, lr)| !(lc == coll && lr == rkey)),
    }
    let j = json!({"did": acc.did, "time_us": time_us, "kind": "commit", "commit": c});
    GenEvent {
        time_us,
        did: acc.did.clone(),
        collection: Some(coll.to_string()),
        json: j.to_string(),
        valid: true,
    }
}

/// Breaks an event in one of the ways real input breaks. The account's bookkeeping may now
/// think a record exists that the store never saw; later deletes of it are harmless.
fn malform(rng: &mut Rng, mut ev: GenEvent) -> GenEvent {
    ev.valid = false;
    let structured = |f: &dyn Fn(&mut Value)| -> String {
        let mut v: Value = serde_json::from_str(&ev.json).unwrap_or(Value::Null);
        f(&mut v);
        v.to_string()
    };
    ev.json = match rng.below(7) {
        0 => ev.json[..ev.json.len() / 2].to_string(),
        1 => structured(&|v| v["did"] = json!(format!("did:plc:X{}", &ev.did[8..]))),
        2 => structured(&|v| {
            if v["kind"] == "commit" {
                v["commit"]["rev"] = json!("!notatid");
            } else {
                v["kind"] = json!("bogus");
            }
        }),
        3 => structured(&|v| v["time_us"] = json!(v["time_us"].to_string())),
        4 => json!({"did": ev.did, "time_us": ev.time_us, "kind": "commit", "commit": {"rev": tid(ev.time_us, 1), "operation": "create",
            "collection": "com.example.unknown", "rkey": "x", "record": {"a": 1}, "cid": cid(9)}}).to_string(),
        5 => json!({"did": ev.did, "time_us": ev.time_us, "kind": "commit", "commit": {"rev": tid(ev.time_us, 1), "operation": "create",
            "collection": "app.bsky.feed.post", "rkey": "big", "record": {"$type": "app.bsky.feed.post", "text": "x".repeat(70_000), "createdAt": "2026-01-01T00:00:00Z"}, "cid": cid(9)}}).to_string(),
        _ => json!({"did": ev.did, "time_us": ev.time_us, "kind": "commit", "commit": {"rev": tid(ev.time_us, 1), "operation": "create",
            "collection": "app.bsky.feed.like", "rkey": "c", "record": {"a": 1}, "cid": "bafyNOTACID"}}).to_string(),
    };
    ev.collection = None;
    ev
}
