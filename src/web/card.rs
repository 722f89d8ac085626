//! Page models: the XRPC views (`#postView`, `#feedViewPost`, profile views) turned into what
//! the templates show. Pages hydrate through the same code as the API, then read the result
//! here; every string the templates print is escaped by askama, and the few HTML fragments
//! (rich text, embeds) are built by escaping modules.

use super::embed;
use super::richtext;
use serde_json::Value;

/// An account as a post or list shows it.
#[derive(Debug, Clone, Default)]
pub struct Author {
    /// DID.
    pub did: String,
    /// Handle (`handle.invalid` when unknown).
    pub handle: String,
    /// Display name, or the handle.
    pub name: String,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Profile page path.
    pub url: String,
}

impl Author {
    /// From a profile view.
    pub fn from_view(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
        let handle = s("handle").to_string();
        let did = s("did").to_string();
        let name = match s("displayName").trim() {
            "" => handle.clone(),
            n => n.to_string(),
        };
        Author {
            url: profile_url(&did, &handle),
            avatar: v
                .get("avatar")
                .and_then(Value::as_str)
                .and_then(richtext::http_url),
            did,
            handle,
            name,
        }
    }

    /// The first character of the name, for a placeholder avatar.
    pub fn initial(&self) -> String {
        self.name
            .chars()
            .next()
            .map_or_else(|| "?".into(), |c| c.to_uppercase().collect())
    }
}

/// A profile page's path: by handle when it is known, else by DID.
pub fn profile_url(did: &str, handle: &str) -> String {
    if handle.is_empty() || handle == "handle.invalid" {
        format!("/profile/{did}")
    } else {
        format!("/profile/{handle}")
    }
}

/// A post as a list or thread shows it.
#[derive(Debug, Clone, Default)]
pub struct PostCard {
    /// at:// URI.
    pub uri: String,
    /// CID.
    pub cid: String,
    /// The post page's path.
    pub url: String,
    /// Author.
    pub author: Author,
    /// Text with facets, as HTML.
    pub text_html: String,
    /// `createdAt` (ISO).
    pub created: String,
    /// Relative time ("5m", "3h", "Mar 4").
    pub ago: String,
    /// Counts.
    pub replies: u64,
    /// Reposts.
    pub reposts: u64,
    /// Likes.
    pub likes: u64,
    /// Quotes.
    pub quotes: u64,
    /// The viewer's like record.
    pub like: Option<String>,
    /// The viewer's repost record.
    pub repost: Option<String>,
    /// Embed, as HTML.
    pub embed_html: String,
    /// Reposted by.
    pub reposted_by: Option<Author>,
    /// Replying to.
    pub reply_to: Option<Author>,
    /// The viewer wrote it.
    pub mine: bool,
    /// A label's warning: the content is behind a click.
    pub warning: Option<String>,
}

/// Self-labels and labels that hide a post outright, or put it behind a warning.
fn labels(post: &Value) -> (bool, Option<String>) {
    let mut vals: Vec<String> = Vec::new();
    let mut take = |arr: Option<&Vec<Value>>| {
        for l in arr.into_iter().flatten() {
            if let Some(v) = l.get("val").and_then(Value::as_str) {
                vals.push(v.to_string());
            }
        }
    };
    take(post.get("labels").and_then(Value::as_array));
    take(
        post.pointer("/record/labels/values")
            .and_then(Value::as_array),
    );
    let hide = vals.iter().any(|v| v == "!hide");
    let warn = vals
        .iter()
        .find(|v| {
            matches!(
                v.as_str(),
                "!warn" | "porn" | "sexual" | "nudity" | "graphic-media" | "gore"
            )
        })
        .map(|v| match v.as_str() {
            "porn" | "sexual" => "Adult content".to_string(),
            "nudity" => "Nudity".to_string(),
            "graphic-media" | "gore" => "Graphic media".to_string(),
            _ => "Content warning".to_string(),
        });
    (hide, warn)
}

impl PostCard {
    /// From a `#postView`; `None` for a post a label hides.
    pub fn from_view(post: &Value, viewer: Option<&str>, now_us: i64) -> Option<Self> {
        let (hide, warning) = labels(post);
        if hide {
            return None;
        }
        let s = |p: &str| post.pointer(p).and_then(Value::as_str).unwrap_or_default();
        let n = |k: &str| post.get(k).and_then(Value::as_u64).unwrap_or(0);
        let author = Author::from_view(&post["author"]);
        let uri = s("/uri").to_string();
        let rkey = uri.rsplit('/').next().unwrap_or_default();
        let created = s("/record/createdAt").to_string();
        Some(PostCard {
            url: format!("{}/post/{rkey}", author.url),
            cid: s("/cid").to_string(),
            text_html: richtext::render(s("/record/text"), post.pointer("/record/facets")),
            ago: ago(&created, now_us),
            created,
            replies: n("replyCount"),
            reposts: n("repostCount"),
            likes: n("likeCount"),
            quotes: n("quoteCount"),
            like: post
                .pointer("/viewer/like")
                .and_then(Value::as_str)
                .map(String::from),
            repost: post
                .pointer("/viewer/repost")
                .and_then(Value::as_str)
                .map(String::from),
            embed_html: post
                .get("embed")
                .map(|e| embed::render(e, now_us))
                .unwrap_or_default(),
            reposted_by: None,
            reply_to: None,
            mine: viewer.is_some_and(|v| v == author.did),
            warning,
            author,
            uri,
        })
    }

    /// From a `#feedViewPost` (repost reason and reply parent included).
    pub fn from_feed_item(item: &Value, viewer: Option<&str>, now_us: i64) -> Option<Self> {
        let mut card = Self::from_view(&item["post"], viewer, now_us)?;
        if item.pointer("/reason/$type").and_then(Value::as_str)
            == Some("app.bsky.feed.defs#reasonRepost")
        {
            card.reposted_by = Some(Author::from_view(&item["reason"]["by"]));
        }
        if let Some(parent) = item.pointer("/reply/parent/author") {
            card.reply_to = Some(Author::from_view(parent));
        }
        Some(card)
    }

    /// The record key (last URI segment).
    pub fn rkey(&self) -> &str {
        self.uri.rsplit('/').next().unwrap_or_default()
    }
}

/// The cards of a feed's items.
pub fn feed(items: &Value, viewer: Option<&str>, now_us: i64) -> Vec<PostCard> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| PostCard::from_feed_item(i, viewer, now_us))
        .collect()
}

/// A compact relative time: "now", "5m", "3h", "2d", else the date.
pub fn ago(iso: &str, now_us: i64) -> String {
    let Some(t) = aerie_storage::datetime::parse_us(iso) else {
        return String::new();
    };
    let secs = (now_us - t) / 1_000_000;
    match secs {
        s if s < 60 => "now".into(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 7 * 86_400 => format!("{}d", s / 86_400),
        _ => iso.get(..10).unwrap_or(iso).to_string(),
    }
}
