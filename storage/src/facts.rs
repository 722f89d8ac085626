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
