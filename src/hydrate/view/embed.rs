//! Embed views (`app.bsky.embed.*#view`): images, external links, video, quoted records and
//! record-with-media.

use super::{lex_type, Label, ProfileViewBasic, RawRecord};
use crate::hydrate::content::PostContent;
use serde::Serialize;
use std::sync::Arc;

lex_type!(
    /// `$type` of an images view.
    ImagesType = "app.bsky.embed.images#view"
);
lex_type!(
    /// `$type` of an external link view.
    ExternalType = "app.bsky.embed.external#view"
);
lex_type!(
    /// `$type` of a video view.
    VideoType = "app.bsky.embed.video#view"
);
lex_type!(
    /// `$type` of a quoted record view.
    RecordType = "app.bsky.embed.record#view"
);
lex_type!(
    /// `$type` of a record-with-media view.
    RecordWithMediaType = "app.bsky.embed.recordWithMedia#view"
);
lex_type!(
    /// `$type` of a quoted post.
    ViewRecordType = "app.bsky.embed.record#viewRecord"
);
lex_type!(
    /// `$type` of a missing quoted record.
    ViewNotFoundType = "app.bsky.embed.record#viewNotFound"
);
lex_type!(
    /// `$type` of a quoted record behind a block.
    ViewBlockedType = "app.bsky.embed.record#viewBlocked"
);

/// `{width, height}`, both positive.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct AspectRatio {
    /// Width.
    pub width: u64,
    /// Height.
    pub height: u64,
}

/// `app.bsky.embed.images#viewImage`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageView {
    /// Thumbnail URL.
    pub thumb: String,
    /// Full-size URL.
    pub fullsize: String,
    /// Alt text.
    pub alt: String,
    /// Aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.external#viewExternal`.
#[derive(Clone, Debug, Serialize)]
pub struct ExternalView {
    /// The link.
    pub uri: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Thumbnail URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb: Option<String>,
}

/// `app.bsky.embed.video#view`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoView {
    #[serde(rename = "$type")]
    pub(crate) ty: VideoType,
    /// The video blob's CID.
    pub cid: String,
    /// HLS playlist URL.
    pub playlist: String,
    /// Thumbnail URL.
    pub thumbnail: String,
    /// Alt text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// Aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// Media embeds (standalone, or beside a quoted record).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum MediaView {
    /// `app.bsky.embed.images#view`.
    Images {
        /// `$type`.
        #[serde(rename = "$type")]
        ty: ImagesType,
        /// Up to four images.
        images: Vec<ImageView>,
    },
    /// `app.bsky.embed.external#view`.
    External {
        /// `$type`.
        #[serde(rename = "$type")]
        ty: ExternalType,
        /// The link card.
        external: ExternalView,
    },
    /// `app.bsky.embed.video#view`.
    Video(VideoView),
}

/// `app.bsky.embed.record#viewRecord`: a quoted post.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewRecord {
    #[serde(rename = "$type")]
    pub(crate) ty: ViewRecordType,
    /// at:// URI.
    pub uri: String,
    /// CID.
    pub cid: String,
    /// Author.
    pub author: ProfileViewBasic,
    /// The record as stored.
    pub value: RawRecord,
    /// Labels.
    pub labels: Vec<Label>,
    /// Replies.
    pub reply_count: u64,
    /// Reposts.
    pub repost_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Quotes.
    pub quote_count: u64,
    /// When indexed.
    pub indexed_at: String,
    /// The quoted post's own embed (one level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embeds: Option<Vec<EmbedView>>,
    /// What the pages show of the record.
    #[serde(skip)]
    pub content: Arc<PostContent>,
}

lex_type!(
    /// `$type` of a detached quote.
    ViewDetachedType = "app.bsky.embed.record#viewDetached"
);

/// `app.bsky.embed.record#viewDetached`: the quoted post's author detached the quote.
#[derive(Clone, Debug, Serialize)]
pub struct ViewDetached {
    #[serde(rename = "$type")]
    ty: ViewDetachedType,
    /// URI.
    pub uri: String,
    /// Always true.
    pub detached: bool,
}

impl ViewDetached {
    /// A detached quote of `uri`.
    pub fn new(uri: String) -> Self {
        ViewDetached {
            ty: ViewDetachedType,
            uri,
            detached: true,
        }
    }
}

/// `app.bsky.embed.record#viewNotFound`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewNotFound {
    #[serde(rename = "$type")]
    ty: ViewNotFoundType,
    /// URI.
    pub uri: String,
    /// Always true.
    pub not_found: bool,
}

impl ViewNotFound {
    /// A quoted record that is missing or hidden.
    pub fn new(uri: String) -> Self {
        ViewNotFound {
            ty: ViewNotFoundType,
            uri,
            not_found: true,
        }
    }
}

/// `app.bsky.feed.defs#blockedAuthor` inside a quote.
#[derive(Clone, Debug, Serialize)]
pub struct BlockedAuthor {
    /// DID.
    pub did: String,
}

/// `app.bsky.embed.record#viewBlocked`.
#[derive(Clone, Debug, Serialize)]
pub struct ViewBlocked {
    #[serde(rename = "$type")]
    ty: ViewBlockedType,
    /// URI.
    pub uri: String,
    /// Always true.
    pub blocked: bool,
    /// Its author.
    pub author: BlockedAuthor,
}

impl ViewBlocked {
    /// A quoted record behind a block.
    pub fn new(uri: String, did: String) -> Self {
        ViewBlocked {
            ty: ViewBlockedType,
            uri,
            blocked: true,
            author: BlockedAuthor { did },
        }
    }
}

/// What a quote shows (the union of `app.bsky.embed.record#view.record`).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum EmbedRecord {
    /// The quoted post.
    Record(Box<ViewRecord>),
    /// Missing or hidden.
    NotFound(ViewNotFound),
    /// Behind a block.
    Blocked(ViewBlocked),
    /// Detached by the quoted post's author.
    Detached(ViewDetached),
}

/// `app.bsky.embed.record#view`.
#[derive(Clone, Debug, Serialize)]
pub struct RecordView {
    #[serde(rename = "$type")]
    ty: RecordType,
    /// The quoted record.
    pub record: EmbedRecord,
}

impl RecordView {
    /// A quote's view.
    pub fn new(record: EmbedRecord) -> Self {
        RecordView {
            ty: RecordType,
            record,
        }
    }
}

/// An embed's view (the union of `#postView.embed`).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum EmbedView {
    /// Images, a link card or a video.
    Media(MediaView),
    /// A quoted record.
    Record(RecordView),
    /// `app.bsky.embed.recordWithMedia#view`.
    RecordWithMedia {
        /// `$type`.
        #[serde(rename = "$type")]
        ty: RecordWithMediaType,
        /// The quote.
        record: RecordView,
        /// The media.
        media: MediaView,
    },
}

impl EmbedView {
    /// A record-with-media view.
    pub fn record_with_media(record: RecordView, media: MediaView) -> Self {
        EmbedView::RecordWithMedia {
            ty: RecordWithMediaType,
            record,
            media,
        }
    }
}

impl MediaView {
    /// An images view.
    pub fn images(images: Vec<ImageView>) -> Self {
        MediaView::Images {
            ty: ImagesType,
            images,
        }
    }

    /// A link card view.
    pub fn external(external: ExternalView) -> Self {
        MediaView::External {
            ty: ExternalType,
            external,
        }
    }
}
