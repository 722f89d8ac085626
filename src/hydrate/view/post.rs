//! `app.bsky.feed.defs` post views: `#postView`, feed items (`#feedViewPost` with its reply
//! context and repost reason) and thread nodes, with the unions' `#notFoundPost` and
//! `#blockedPost`.

use super::{lex_type, EmbedView, Label, ProfileViewBasic, RawRecord};
use crate::hydrate::content::PostContent;
use serde::Serialize;
use std::sync::Arc;

lex_type!(
    /// `$type` of a post view.
    PostViewType = "app.bsky.feed.defs#postView"
);
lex_type!(
    /// `$type` of a missing post.
    NotFoundType = "app.bsky.feed.defs#notFoundPost"
);
lex_type!(
    /// `$type` of a post behind a block.
    BlockedType = "app.bsky.feed.defs#blockedPost"
);
lex_type!(
    /// `$type` of a repost reason.
    ReasonRepostType = "app.bsky.feed.defs#reasonRepost"
);
lex_type!(
    /// `$type` of a thread node.
    ThreadViewPostType = "app.bsky.feed.defs#threadViewPost"
);

/// `#viewerState` of a post: the viewer's like and repost records.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostViewerState {
    /// The viewer's like.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
    /// The viewer's repost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repost: Option<String>,
    /// The viewer bookmarked it.
    pub bookmarked: bool,
    /// The viewer muted its thread.
    pub thread_muted: bool,
    /// Its author does not let the viewer quote it (its postgate).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub embedding_disabled: bool,
    /// The thread's gate keeps the viewer from replying (`None`: no gate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_disabled: Option<bool>,
}

/// `#postView`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    #[serde(rename = "$type")]
    ty: PostViewType,
    /// at:// URI.
    pub uri: String,
    /// CID.
    pub cid: String,
    /// Author.
    pub author: ProfileViewBasic,
    /// The record as stored.
    pub record: RawRecord,
    /// Its embed, hydrated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed: Option<EmbedView>,
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
    /// The viewer's like and repost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewer: Option<PostViewerState>,
    /// Labels.
    pub labels: Vec<Label>,
    /// What the pages show of the record, parsed once.
    #[serde(skip)]
    pub content: Arc<PostContent>,
}

/// The fields of a post view, without its `$type`.
pub struct PostViewParts {
    /// at:// URI.
    pub uri: String,
    /// CID.
    pub cid: String,
    /// Author.
    pub author: ProfileViewBasic,
    /// The record as stored.
    pub record: RawRecord,
    /// Its embed.
    pub embed: Option<EmbedView>,
    /// Counts: replies, reposts, likes, quotes.
    pub counts: aerie_storage::PostCounts,
    /// When indexed.
    pub indexed_at: String,
    /// Viewer state.
    pub viewer: Option<PostViewerState>,
    /// Labels shown on it.
    pub labels: Vec<super::Label>,
    /// Parsed content.
    pub content: Arc<PostContent>,
}

impl From<PostViewParts> for PostView {
    fn from(p: PostViewParts) -> Self {
        PostView {
            ty: PostViewType,
            uri: p.uri,
            cid: p.cid,
            author: p.author,
            record: p.record,
            embed: p.embed,
            reply_count: p.counts.replies,
            repost_count: p.counts.reposts,
            like_count: p.counts.likes,
            quote_count: p.counts.quotes,
            indexed_at: p.indexed_at,
            viewer: p.viewer,
            labels: p.labels,
            content: p.content,
        }
    }
}

/// `#notFoundPost`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotFoundPost {
    #[serde(rename = "$type")]
    ty: NotFoundType,
    /// The missing post's URI.
    pub uri: String,
    /// Always true.
    pub not_found: bool,
}

impl NotFoundPost {
    /// The view of a missing post.
    pub fn new(uri: String) -> Self {
        NotFoundPost {
            ty: NotFoundType,
            uri,
            not_found: true,
        }
    }
}

/// `app.bsky.feed.defs#blockedAuthor`.
#[derive(Clone, Debug, Serialize)]
pub struct BlockedAuthorRef {
    /// The author's DID.
    pub did: String,
}

/// `#blockedPost`.
#[derive(Clone, Debug, Serialize)]
pub struct BlockedPost {
    #[serde(rename = "$type")]
    ty: BlockedType,
    /// The post's URI.
    pub uri: String,
    /// Always true.
    pub blocked: bool,
    /// Its author.
    pub author: BlockedAuthorRef,
}

impl BlockedPost {
    /// The view of a post behind a block.
    pub fn new(uri: String, did: String) -> Self {
        BlockedPost {
            ty: BlockedType,
            uri,
            blocked: true,
            author: BlockedAuthorRef { did },
        }
    }
}

/// A post shown in context (a reply's root or parent): the post, or why it is not shown.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ReplyItem {
    /// The post.
    Post(Box<PostView>),
    /// Missing or hidden.
    NotFound(NotFoundPost),
    /// Behind a block.
    Blocked(BlockedPost),
}

/// `#replyRef`.
#[derive(Clone, Debug, Serialize)]
pub struct ReplyRef {
    /// The thread's root.
    pub root: ReplyItem,
    /// The post replied to.
    pub parent: ReplyItem,
}

/// `#reasonRepost`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonRepost {
    #[serde(rename = "$type")]
    ty: ReasonRepostType,
    /// Who reposted.
    pub by: ProfileViewBasic,
    /// The repost record.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// When it was indexed.
    pub indexed_at: String,
}

impl ReasonRepost {
    /// A repost reason.
    pub fn new(by: ProfileViewBasic, uri: String, cid: String, indexed_at: String) -> Self {
        ReasonRepost {
            ty: ReasonRepostType,
            by,
            uri,
            cid,
            indexed_at,
        }
    }
}

/// Why an item is in a feed (the union of `#feedViewPost.reason`).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Reason {
    /// Someone reposted it.
    Repost(ReasonRepost),
}

/// `#feedViewPost`.
#[derive(Clone, Debug, Serialize)]
pub struct FeedViewPost {
    /// The post.
    pub post: PostView,
    /// Its reply context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
    /// Why it is here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What the feed generator said about it (passed back to it with interactions).
    #[serde(rename = "feedContext", skip_serializing_if = "Option::is_none")]
    pub feed_context: Option<String>,
    /// The generator's request id for the page it is on.
    #[serde(rename = "reqId", skip_serializing_if = "Option::is_none")]
    pub req_id: Option<String>,
}

/// `#threadViewPost`: a post with its parent above and replies below.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadViewPost {
    #[serde(rename = "$type")]
    ty: ThreadViewPostType,
    /// The post.
    pub post: PostView,
    /// Its parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Box<ThreadNode>>,
    /// Its replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<ThreadNode>>,
}

impl ThreadViewPost {
    /// A node without parent or replies yet.
    pub fn new(post: PostView) -> Self {
        ThreadViewPost {
            ty: ThreadViewPostType,
            post,
            parent: None,
            replies: None,
        }
    }
}

/// A node of a thread: a post, or why it is not shown.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ThreadNode {
    /// The post.
    Post(Box<ThreadViewPost>),
    /// Missing or hidden.
    NotFound(NotFoundPost),
    /// Behind a block.
    Blocked(BlockedPost),
}
