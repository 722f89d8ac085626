//! Embeds as the pages show them: images (with alt text, CDN thumbnails linking to the full
//! size), external link cards, quoted posts (or why they cannot be shown), record-with-media,
//! and video (its thumbnail). Built from the typed embed views; every URL is checked to be
//! http(s) and the templates (`parts/embed.html`, `parts/media.html`) escape every value.

use super::card::{ago, post_url, Author};
use super::richtext;
use crate::hydrate::view::{EmbedRecord, EmbedView, ExternalView, MediaView, VideoView};
use crate::util::http_url;

/// Longest alt text carried into a page (characters).
const MAX_ALT: usize = 2000;

/// An image.
#[derive(Debug, Clone)]
pub struct ImageCard {
    /// Full-size URL.
    pub full: String,
    /// Thumbnail URL.
    pub thumb: String,
    /// Alt text.
    pub alt: String,
    /// Width and height (avoids layout shift).
    pub dims: Option<(u64, u64)>,
}

/// A link card.
#[derive(Debug, Clone)]
pub struct LinkCard {
    /// The link.
    pub href: String,
    /// Its host.
    pub host: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Thumbnail URL.
    pub thumb: Option<String>,
}

/// A video's poster.
#[derive(Debug, Clone)]
pub struct VideoCard {
    /// Thumbnail URL.
    pub thumb: Option<String>,
    /// Alt text.
    pub alt: String,
    /// Width and height.
    pub dims: Option<(u64, u64)>,
}

/// Media: images, a link card or a video.
#[derive(Debug, Clone)]
pub enum MediaCard {
    /// Up to four images.
    Images(Vec<ImageCard>),
    /// A link card.
    Link(LinkCard),
    /// A video.
    Video(VideoCard),
}

/// A quoted post with its own media (one level).
#[derive(Debug, Clone)]
pub struct QuotedPost {
    /// Its author.
    pub author: Author,
    /// Its page.
    pub url: String,
    /// `createdAt`.
    pub created: String,
    /// Relative time.
    pub ago: String,
    /// Text with facets, as HTML.
    pub text_html: String,
    /// Its media.
    pub media: Vec<MediaCard>,
}

/// A quoted post, or why it cannot be shown.
#[derive(Debug, Clone)]
pub enum QuoteCard {
    /// The quoted post.
    Post(Box<QuotedPost>),
    /// "Deleted post", "Blocked post", ...
    Gone(&'static str),
}

/// A post's embed.
#[derive(Debug, Clone)]
pub enum EmbedCard {
    /// Media alone.
    Media(MediaCard),
    /// A quote, with media beside it or not.
    Quote(Option<MediaCard>, QuoteCard),
}

impl EmbedCard {
    /// From an embed view; `None` when nothing of it can be shown.
    pub fn new(e: &EmbedView, now_us: i64) -> Option<Self> {
        Some(match e {
            EmbedView::Media(m) => EmbedCard::Media(MediaCard::new(m)?),
            EmbedView::Record(r) => EmbedCard::Quote(None, QuoteCard::new(&r.record, now_us)),
            EmbedView::RecordWithMedia { record, media, .. } => EmbedCard::Quote(
                MediaCard::new(media),
                QuoteCard::new(&record.record, now_us),
            ),
        })
    }
}

fn dims(a: Option<&crate::hydrate::view::AspectRatio>) -> Option<(u64, u64)> {
    a.map(|a| (a.width, a.height))
}

fn alt(s: &str) -> String {
    s.chars().take(MAX_ALT).collect()
}

impl MediaCard {
    /// From a media view; `None` for a link that is not http(s).
    pub fn new(m: &MediaView) -> Option<Self> {
        match m {
            MediaView::Images { images, .. } => Some(MediaCard::Images(
                images
                    .iter()
                    .take(4)
                    .filter_map(|i| {
                        Some(ImageCard {
                            full: http_url(&i.fullsize)?,
                            thumb: http_url(&i.thumb)?,
                            alt: alt(&i.alt),
                            dims: dims(i.aspect_ratio.as_ref()),
                        })
                    })
                    .collect(),
            )),
            MediaView::External { external, .. } => MediaCard::link(external),
            MediaView::Video(v) => Some(MediaCard::video(v)),
        }
    }

    fn link(e: &ExternalView) -> Option<Self> {
        let href = http_url(&e.uri)?;
        Some(MediaCard::Link(LinkCard {
            host: url::Url::parse(&href)
                .ok()
                .and_then(|u| u.host_str().map(String::from))
                .unwrap_or_default(),
            href,
            title: e.title.clone(),
            description: e.description.clone(),
            thumb: e.thumb.as_deref().and_then(http_url),
        }))
    }

    fn video(v: &VideoView) -> Self {
        MediaCard::Video(VideoCard {
            thumb: http_url(&v.thumbnail),
            alt: alt(v.alt.as_deref().unwrap_or_default()),
            dims: dims(v.aspect_ratio.as_ref()),
        })
    }

    /// How many images (the grid's class).
    pub fn count(&self) -> usize {
        match self {
            MediaCard::Images(i) => i.len().min(4),
            _ => 0,
        }
    }
}

impl QuoteCard {
    /// From a quote's record view.
    pub fn new(r: &EmbedRecord, now_us: i64) -> Self {
        match r {
            EmbedRecord::Record(rec) => {
                let author = Author::from_view(&rec.author);
                let created = rec.content.created_at.clone().unwrap_or_default();
                QuoteCard::Post(Box::new(QuotedPost {
                    url: post_url(&author, &rec.uri),
                    ago: ago(&created, now_us),
                    created,
                    text_html: richtext::render(&rec.content.text, &rec.content.facets),
                    media: rec
                        .embeds
                        .iter()
                        .flatten()
                        .filter_map(|e| match e {
                            EmbedView::Media(m) => MediaCard::new(m),
                            _ => None,
                        })
                        .collect(),
                    author,
                }))
            }
            EmbedRecord::NotFound(_) => QuoteCard::Gone("Deleted post"),
            EmbedRecord::Blocked(_) => QuoteCard::Gone("Blocked post"),
            EmbedRecord::Detached(_) => QuoteCard::Gone("Removed by its author"),
        }
    }
}
