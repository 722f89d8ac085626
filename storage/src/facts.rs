//! What the store derives from a record to index and count it. One function serves both the
//! insert and the removal of a record's index entries, so counts cannot drift.

use crate::model::RecordId;
use serde_json::Value;

/// Collections the store indexes; anything else is kept as a plain record.
pub mod nsid {
    /// Posts.
    pub const POST: &str = "app.bsky.feed.post";
    /// Likes.
    pub const LIKE: &str = "app.bsky.feed.like";
    /// Reposts.
    pub const REPOST: &str = "app.bsky.feed.repost";
    /// Follows.
    pub const FOLLOW: &str = "app.bsky.graph.follow";
    /// Blocks.
    pub const BLOCK: &str = "app.bsky.graph.block";
    /// Profiles.
    pub const PROFILE: &str = "app.bsky.actor.profile";
    /// Feed generators.
    pub const GENERATOR: &str = "app.bsky.feed.generator";
    /// Starter packs.
    pub const STARTER_PACK: &str = "app.bsky.graph.starterpack";
}

/// What a change to a record of `collection` means to a derived index (search): the record
/// itself (posts, feed generators, starter packs), its author (profiles), or nothing.
pub fn searchable(id: &RecordId) -> Option<crate::model::Change> {
    use crate::model::Change;
    match id.collection.as_str() {
        nsid::POST | nsid::GENERATOR | nsid::STARTER_PACK => Some(Change::Record(id.clone())),
        nsid::PROFILE if id.rkey == "self" => Some(Change::Actor(id.did.clone())),
        _ => None,
    }
}

/// A reply's references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRef {
    /// The post replied to.
    pub parent: RecordId,
    /// The thread's root post.
    pub root: RecordId,
}

/// Indexable facts of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    /// A post.
    Post {
        /// Reply references, when a reply.
        reply: Option<ReplyRef>,
        /// The quoted record (embed record or recordWithMedia).
        quote: Option<RecordId>,
        /// Carries images or video.
        media: bool,
        /// Carries video.
        video: bool,
    },
    /// A like of a subject.
    Like(RecordId),
    /// A repost of a subject.
    Repost(RecordId),
    /// A follow of a DID.
    Follow(String),
    /// A block of a DID.
    Block(String),
    /// Anything else (profiles, unknown collections, malformed references).
    Plain,
}

/// `createdAt` of a record in µs, when present and valid.
pub fn created_at_us(record: &Value) -> Option<i64> {
    record
        .get("createdAt")?
        .as_str()
        .and_then(crate::datetime::parse_us)
}

/// `min(createdAt, indexedAt)`: a future-dated record sorts when it was seen.
pub fn sort_at_us(record: &Value, indexed_at_us: i64) -> i64 {
    created_at_us(record).map_or(indexed_at_us, |c| c.min(indexed_at_us))
}

fn uri_at(v: &Value, path: &[&str]) -> Option<RecordId> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    RecordId::parse_uri(cur.as_str()?)
}

fn did_at(v: &Value, key: &str) -> Option<String> {
    let s = v.get(key)?.as_str()?;
    s.starts_with("did:").then(|| s.to_string())
}

fn embed_type(v: &Value) -> &str {
    v.get("$type").and_then(Value::as_str).unwrap_or("")
}

/// Derives the facts of a record in `collection`.
pub fn derive(collection: &str, record: &Value) -> Facts {
    match collection {
        nsid::POST => {
            let reply = match (
                uri_at(record, &["reply", "parent", "uri"]),
                uri_at(record, &["reply", "root", "uri"]),
            ) {
                (Some(parent), Some(root)) => Some(ReplyRef { parent, root }),
                _ => None,
            };
            let embed = record.get("embed");
            let (mut quote, mut media, mut video) = (None, false, false);
            if let Some(e) = embed {
                match embed_type(e) {
                    "app.bsky.embed.record" => quote = uri_at(e, &["record", "uri"]),
                    "app.bsky.embed.recordWithMedia" => {
                        quote = uri_at(e, &["record", "record", "uri"]);
                        let m = e.get("media").map(embed_type).unwrap_or("");
                        video = m == "app.bsky.embed.video";
                        media = video || m == "app.bsky.embed.images";
                    }
                    "app.bsky.embed.images" => media = true,
                    "app.bsky.embed.video" => {
                        media = true;
                        video = true;
                    }
                    _ => {}
                }
            }
            Facts::Post {
                reply,
                quote,
                media,
                video,
            }
        }
        nsid::LIKE => uri_at(record, &["subject", "uri"]).map_or(Facts::Plain, Facts::Like),
        nsid::REPOST => uri_at(record, &["subject", "uri"]).map_or(Facts::Plain, Facts::Repost),
        nsid::FOLLOW => did_at(record, "subject").map_or(Facts::Plain, Facts::Follow),
        nsid::BLOCK => did_at(record, "subject").map_or(Facts::Plain, Facts::Block),
        _ => Facts::Plain,
    }
}

/// The least of a record from which `derive` gives the same facts (and `sort_at_us` the same
/// time): what a pruned record keeps so that its later deletion still subtracts exactly what
/// it added.
pub fn skeleton(collection: &str, record: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["$type", "createdAt", "subject"] {
        if let Some(v) = record.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if collection == nsid::POST {
        let uri = |path: &[&str]| {
            let mut cur = record;
            for p in path {
                cur = cur.get(*p)?;
            }
            cur.as_str().map(|s| Value::String(s.into()))
        };
        if let (Some(parent), Some(root)) = (
            uri(&["reply", "parent", "uri"]),
            uri(&["reply", "root", "uri"]),
        ) {
            out.insert(
                "reply".into(),
                serde_json::json!({"parent": {"uri": parent}, "root": {"uri": root}}),
            );
        }
        if let Some(e) = record.get("embed") {
            let mut embed = serde_json::json!({"$type": embed_type(e)});
            if let Some(u) = uri(&["embed", "record", "uri"]) {
                embed["record"] = serde_json::json!({"uri": u});
            }
            if let Some(u) = uri(&["embed", "record", "record", "uri"]) {
                embed["record"] = serde_json::json!({"record": {"uri": u}});
            }
            if let Some(m) = e.get("media") {
                embed["media"] = serde_json::json!({"$type": embed_type(m)});
            }
            out.insert("embed".into(), embed);
        }
    }
    Value::Object(out)
}

/// DIDs a post mentions through its facets (`app.bsky.richtext.facet#mention`).
pub fn mentions(record: &Value) -> Vec<String> {
    let Some(facets) = record.get("facets").and_then(Value::as_array) else {
        return Vec::new();
    };
    facets
        .iter()
        .filter_map(|f| f.get("features")?.as_array())
        .flatten()
        .filter(|f| embed_type(f) == "app.bsky.richtext.facet#mention")
        .filter_map(|f| did_at(f, "did"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_skeleton_has_the_same_facts() {
        let root = "at://did:plc:r/app.bsky.feed.post/1";
        let q = "at://did:plc:q/app.bsky.feed.post/2";
        let records = [
            (
                nsid::POST,
                json!({"$type": nsid::POST, "text": "long text", "createdAt": "2026-01-01T00:00:00.000Z",
                "reply": {"parent": {"uri": root, "cid": "x"}, "root": {"uri": root, "cid": "x"}},
                "embed": {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": q, "cid": "y"}},
                    "media": {"$type": "app.bsky.embed.video", "video": {}}}}),
            ),
            (
                nsid::POST,
                json!({"$type": nsid::POST, "text": "q", "embed": {"$type": "app.bsky.embed.record", "record": {"uri": q}}}),
            ),
            (
                nsid::POST,
                json!({"$type": nsid::POST, "text": "i", "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "a"}]}}),
            ),
            (
                nsid::POST,
                json!({"$type": nsid::POST, "text": "bad", "reply": {"parent": {"uri": 5}}}),
            ),
            (
                nsid::LIKE,
                json!({"$type": nsid::LIKE, "subject": {"uri": q, "cid": "y"}, "createdAt": "2026-01-01T00:00:00.000Z"}),
            ),
            (
                nsid::FOLLOW,
                json!({"$type": nsid::FOLLOW, "subject": "did:plc:f"}),
            ),
            ("com.example.thing", json!({"x": 1})),
        ];
        for (coll, r) in records {
            let s = skeleton(coll, &r);
            assert_eq!(derive(coll, &s), derive(coll, &r), "{r}");
            assert_eq!(sort_at_us(&s, 99), sort_at_us(&r, 99));
            assert!(s.get("text").is_none());
        }
    }
}
