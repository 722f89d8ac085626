//! The oracle: what Aerie must answer, computed straight from the corpus with a deliberately
//! simple model (last write by rev wins, deletes included; counts by scanning everything).

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
