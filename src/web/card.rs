//! Page models: the typed views hydration builds (`PostView`, `FeedViewPost`, profile views)
//! turned into what the templates show — names with fallbacks, page paths, relative times,
//! rich text, embeds and label warnings. Every string the templates print is escaped by
//! askama; the one HTML fragment built in Rust is the rich-text renderer's.

use super::embed::EmbedCard;
use super::richtext;
use crate::hydrate::view::{FeedViewPost, PostView, ProfileViewBasic, Reason, ReplyItem};
use std::sync::Arc;

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
    pub fn from_view(v: &ProfileViewBasic) -> Self {
        let name = match v.display_name.as_deref().map(str::trim) {
            None | Some("") => v.handle.clone(),
            Some(n) => n.to_string(),
        };
        Author {
            url: profile_url(&v.did, &v.handle),
            avatar: v.avatar.as_deref().and_then(crate::util::http_url),
            did: v.did.clone(),
            handle: v.handle.clone(),
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

/// A post's page path under its author's.
pub fn post_url(author: &Author, uri: &str) -> String {
    format!(
        "{}/post/{}",
        author.url,
        uri.rsplit('/').next().unwrap_or_default()
    )
}

/// A post as a list or thread shows it.
#[derive(Debug, Clone)]
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
    /// The record's content (its text for titles and summaries).
    pub content: Arc<crate::hydrate::content::PostContent>,
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
    /// Embed.
    pub embed: Option<EmbedCard>,
    /// Reposted by.
    pub reposted_by: Option<Author>,
    /// Replying to.
    pub reply_to: Option<Author>,
    /// The viewer wrote it.
    pub mine: bool,
    /// A label's warning: the content is behind a click.
    pub warning: Option<String>,
}

/// What labels do to a post: hide it outright, or put it behind a warning.
fn labels<'a>(vals: impl Iterator<Item = &'a str>) -> (bool, Option<String>) {
    let vals: Vec<&str> = vals.collect();
    let hide = vals.contains(&"!hide");
    let warn = vals
        .iter()
        .find(|v| {
            matches!(
                **v,
                "!warn" | "porn" | "sexual" | "nudity" | "graphic-media" | "gore"
            )
        })
        .map(|v| match *v {
            "porn" | "sexual" => "Adult content".to_string(),
            "nudity" => "Nudity".to_string(),
            "graphic-media" | "gore" => "Graphic media".to_string(),
            _ => "Content warning".to_string(),
        });
    (hide, warn)
}

impl PostCard {
    /// From a `#postView`; `None` for a post a label hides.
    pub fn from_view(post: &PostView, viewer: Option<&str>, now_us: i64) -> Option<Self> {
        let c = &post.content;
        let (hide, warning) = labels(
            post.labels
                .iter()
                .map(|l| l.val.as_str())
                .chain(c.self_labels.iter().map(String::as_str)),
        );
        if hide {
            return None;
        }
        let author = Author::from_view(&post.author);
        let created = c.created_at.clone().unwrap_or_default();
        let viewer_state = post.viewer.as_ref();
        Some(PostCard {
            url: post_url(&author, &post.uri),
            uri: post.uri.clone(),
            cid: post.cid.clone(),
            text_html: richtext::render(&c.text, &c.facets),
            content: c.clone(),
            ago: ago(&created, now_us),
            created,
            replies: post.reply_count,
            reposts: post.repost_count,
            likes: post.like_count,
            quotes: post.quote_count,
            like: viewer_state.and_then(|v| v.like.clone()),
            repost: viewer_state.and_then(|v| v.repost.clone()),
            embed: post.embed.as_ref().and_then(|e| EmbedCard::new(e, now_us)),
            reposted_by: None,
            reply_to: None,
            mine: viewer.is_some_and(|v| v == author.did),
            warning,
            author,
        })
    }

    /// From a `#feedViewPost` (repost reason and reply parent included).
    pub fn from_feed_item(item: &FeedViewPost, viewer: Option<&str>, now_us: i64) -> Option<Self> {
        let mut card = Self::from_view(&item.post, viewer, now_us)?;
        if let Some(Reason::Repost(r)) = &item.reason {
            card.reposted_by = Some(Author::from_view(&r.by));
        }
        if let Some(ReplyItem::Post(parent)) = item.reply.as_ref().map(|r| &r.parent) {
            card.reply_to = Some(Author::from_view(&parent.author));
        }
        Some(card)
    }

    /// The record key (last URI segment).
    pub fn rkey(&self) -> &str {
        self.uri.rsplit('/').next().unwrap_or_default()
    }
}

/// The cards of a feed's items.
pub fn feed(items: &[FeedViewPost], viewer: Option<&str>, now_us: i64) -> Vec<PostCard> {
    items
        .iter()
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
