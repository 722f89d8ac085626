//! The oracle: what Aerie must answer, computed straight from the corpus with a deliberately
//! simple model (last write by rev wins, deletes included; counts by scanning everything), and
//! the check of a running Aerie's API against it.

use super::{enc, Aerie};
use jetsim::corpus::GenEvent;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A record's final state.
#[derive(Debug, Clone)]
pub struct Rec {
    pub rev: String,
    pub value: Option<Value>,
    pub time_us: i64,
}

/// The expected state.
#[derive(Default)]
pub struct Oracle {
    pub records: BTreeMap<(String, String, String), Rec>,
    pub handles: HashMap<String, (i64, Option<String>)>,
    pub status: HashMap<String, (i64, bool, Option<String>)>,
    pub dids: Vec<String>,
    pub last_valid_time_us: i64,
}

fn parse_us(s: &str) -> Option<i64> {
    aerie_storage::datetime::parse_us(s)
}

impl Oracle {
    /// Builds the expected state from the valid events of a corpus.
    pub fn build(events: &[GenEvent]) -> Oracle {
        let mut o = Oracle::default();
        let mut dids = std::collections::BTreeSet::new();
        for e in events.iter().filter(|e| e.valid) {
            let v: Value = serde_json::from_str(&e.json).expect("valid json");
            let did = v["did"].as_str().expect("did").to_string();
            dids.insert(did.clone());
            o.last_valid_time_us = o.last_valid_time_us.max(e.time_us);
            match v["kind"].as_str() {
                Some("commit") => {
                    let c = &v["commit"];
                    let key = (
                        did,
                        c["collection"].as_str().unwrap_or("").to_string(),
                        c["rkey"].as_str().unwrap_or("").to_string(),
                    );
                    let rev = c["rev"].as_str().unwrap_or("").to_string();
                    let value = (c["operation"] != "delete").then(|| c["record"].clone());
                    let newer = o.records.get(&key).is_none_or(|r| r.rev < rev);
                    if newer {
                        o.records.insert(
                            key,
                            Rec {
                                rev,
                                value,
                                time_us: e.time_us,
                            },
                        );
                    }
                }
                Some("identity") => {
                    let seq = v["identity"]["seq"].as_i64().unwrap_or(0);
                    let h = v["identity"]["handle"]
                        .as_str()
                        .map(|s| s.to_ascii_lowercase());
                    if o.handles.get(&did).is_none_or(|(s, _)| *s < seq) {
                        o.handles.insert(did, (seq, h));
                    }
                }
                Some("account") => {
                    let a = &v["account"];
                    let seq = a["seq"].as_i64().unwrap_or(0);
                    if o.status.get(&did).is_none_or(|(s, _, _)| *s < seq) {
                        let active = a["active"].as_bool().unwrap_or(true);
                        o.status
                            .insert(did, (seq, active, a["status"].as_str().map(String::from)));
                    }
                }
                _ => {}
            }
        }
        o.dids = dids.into_iter().collect();
        o
    }

    /// Live records of a collection.
    pub fn live<'a>(
        &'a self,
        coll: &'a str,
    ) -> impl Iterator<Item = (&'a (String, String, String), &'a Rec, &'a Value)> + 'a {
        self.records
            .iter()
            .filter(move |(k, _)| k.1 == coll)
            .filter_map(|(k, r)| r.value.as_ref().map(|v| (k, r, v)))
    }

    pub fn active(&self, did: &str) -> bool {
        self.status.get(did).is_none_or(|(_, a, _)| *a)
    }

    pub fn handle(&self, did: &str) -> Option<String> {
        self.handles.get(did).and_then(|(_, h)| h.clone())
    }

    /// (followers, follows, posts).
    pub fn actor_counts(&self, did: &str) -> (u64, u64, u64) {
        let followers = self
            .live("app.bsky.graph.follow")
            .filter(|(_, _, v)| v["subject"] == did)
            .count() as u64;
        let follows = self
            .live("app.bsky.graph.follow")
            .filter(|(k, _, v)| k.0 == did && v["subject"].is_string())
            .count() as u64;
        let posts = self
            .live("app.bsky.feed.post")
            .filter(|(k, _, _)| k.0 == did)
            .count() as u64;
        (followers, follows, posts)
    }

    /// (likes, reposts, replies, quotes) of a post URI.
    pub fn post_counts(&self) -> HashMap<String, (u64, u64, u64, u64)> {
        let mut m: HashMap<String, (u64, u64, u64, u64)> = HashMap::new();
        for (_, _, v) in self.live("app.bsky.feed.like") {
            if let Some(u) = v.pointer("/subject/uri").and_then(Value::as_str) {
                m.entry(u.into()).or_default().0 += 1;
            }
        }
        for (_, _, v) in self.live("app.bsky.feed.repost") {
            if let Some(u) = v.pointer("/subject/uri").and_then(Value::as_str) {
                m.entry(u.into()).or_default().1 += 1;
            }
        }
        for (_, _, v) in self.live("app.bsky.feed.post") {
            if v.pointer("/reply/root/uri").is_some() {
                if let Some(u) = v.pointer("/reply/parent/uri").and_then(Value::as_str) {
                    m.entry(u.into()).or_default().2 += 1;
                }
            }
            let q = match v.pointer("/embed/$type").and_then(Value::as_str) {
                Some("app.bsky.embed.record") => v.pointer("/embed/record/uri"),
                Some("app.bsky.embed.recordWithMedia") => v.pointer("/embed/record/record/uri"),
                _ => None,
            };
            if let Some(u) = q.and_then(Value::as_str) {
                m.entry(u.into()).or_default().3 += 1;
            }
        }
        m
    }

    /// Live posts by active authors, as URIs.
    pub fn visible_posts(&self) -> Vec<String> {
        self.live("app.bsky.feed.post")
            .filter(|(k, _, _)| self.active(&k.0))
            .map(|(k, _, _)| format!("at://{}/{}/{}", k.0, k.1, k.2))
            .collect()
    }

    /// An author's feed (filter posts_with_replies) as (post uri, repost uri if a repost), newest first.
    pub fn author_feed(&self, did: &str) -> Vec<(String, Option<String>)> {
        // Ties at the same sort time: reposts before posts, then record keys descending.
        type Order = (i64, bool, String);
        let mut items: Vec<(Order, String, Option<String>)> = Vec::new();
        let sort_at = |r: &Rec, v: &Value| {
            v["createdAt"]
                .as_str()
                .and_then(parse_us)
                .map_or(r.time_us, |c| c.min(r.time_us))
        };
        for (k, r, v) in self
            .live("app.bsky.feed.post")
            .filter(|(k, _, _)| k.0 == did)
        {
            items.push((
                (sort_at(r, v), false, k.2.clone()),
                format!("at://{}/{}/{}", k.0, k.1, k.2),
                None,
            ));
        }
        for (k, r, v) in self
            .live("app.bsky.feed.repost")
            .filter(|(k, _, _)| k.0 == did)
        {
            let Some(subject) = v.pointer("/subject/uri").and_then(Value::as_str) else {
                continue;
            };
            let parts: Vec<&str> = subject.trim_start_matches("at://").split('/').collect();
            let key = (
                parts[0].to_string(),
                parts[1].to_string(),
                parts[2].to_string(),
            );
            let live = self.records.get(&key).is_some_and(|r| r.value.is_some());
            if live && self.active(&key.0) {
                items.push((
                    (sort_at(r, v), true, k.2.clone()),
                    subject.to_string(),
                    Some(format!("at://{}/{}/{}", k.0, k.1, k.2)),
                ));
            }
        }
        items.sort_by_key(|i| std::cmp::Reverse(i.0.clone()));
        items.into_iter().map(|(_, p, r)| (p, r)).collect()
    }
}

/// Compares everything the API says with the oracle.
pub async fn assert_matches_oracle(aerie: &Aerie, o: &Oracle) {
    // Profiles: counts, handles, hidden accounts.
    for did in &o.dids {
        let (status, body) = aerie
            .get(&format!(
                "/xrpc/app.bsky.actor.getProfile?actor={}",
                enc(did)
            ))
            .await;
        if !o.active(did) {
            assert_eq!(status, 400, "{did} is inactive: {body}");
            let e = body["error"].as_str().unwrap_or("");
            assert!(
                e == "AccountDeactivated" || e == "AccountTakedown",
                "{body}"
            );
            continue;
        }
        assert_eq!(status, 200, "{did}: {body}");
        let (followers, follows, posts) = o.actor_counts(did);
        assert_eq!(
            (
                body["followersCount"].as_u64(),
                body["followsCount"].as_u64(),
                body["postsCount"].as_u64()
            ),
            (Some(followers), Some(follows), Some(posts)),
            "counts of {did}"
        );
        let handle = o.handle(did).unwrap_or_else(|| "handle.invalid".into());
        assert_eq!(body["handle"], handle.as_str(), "handle of {did}");
        if handle != "handle.invalid" {
            let (_, r) = aerie
                .get(&format!(
                    "/xrpc/com.atproto.identity.resolveHandle?handle={handle}"
                ))
                .await;
            assert_eq!(r["did"], did.as_str());
        }
    }
    // Posts: presence and the four counts.
    let counts = o.post_counts();
    let visible = o.visible_posts();
    for chunk in visible.chunks(25) {
        let q: Vec<String> = chunk.iter().map(|u| format!("uris={}", enc(u))).collect();
        let (status, body) = aerie
            .get(&format!("/xrpc/app.bsky.feed.getPosts?{}", q.join("&")))
            .await;
        assert_eq!(status, 200, "{body}");
        let posts = body["posts"].as_array().expect("posts");
        assert_eq!(posts.len(), chunk.len(), "every visible post is served");
        for p in posts {
            let uri = p["uri"].as_str().expect("uri");
            let (l, r, re, q) = counts.get(uri).copied().unwrap_or_default();
            let got = (
                p["likeCount"].as_u64(),
                p["repostCount"].as_u64(),
                p["replyCount"].as_u64(),
                p["quoteCount"].as_u64(),
            );
            assert_eq!(
                got,
                (Some(l), Some(r), Some(re), Some(q)),
                "counts of {uri}"
            );
        }
    }
    // Author feeds, paged all the way.
    for did in o.dids.iter().filter(|d| o.active(d)).take(40) {
        let mut got: Vec<(String, Option<String>)> = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, body) = aerie
                .get(&format!(
                    "/xrpc/app.bsky.feed.getAuthorFeed?actor={}&limit=37{cursor}",
                    enc(did)
                ))
                .await;
            assert_eq!(status, 200, "{body}");
            for item in body["feed"].as_array().expect("feed") {
                let reason = item
                    .pointer("/reason/uri")
                    .and_then(Value::as_str)
                    .map(String::from);
                got.push((
                    item["post"]["uri"].as_str().expect("uri").to_string(),
                    reason,
                ));
            }
            match body["cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(got, o.author_feed(did), "author feed of {did}");
    }
}
