//! Thread V2 views (`app.bsky.unspecced.getPostThreadV2#threadItem` and the item kinds of
//! `app.bsky.unspecced.defs`): a thread as a flat list, each item with its depth.

use super::post::BlockedAuthorRef;
use super::{lex_type, PostView};
use serde::Serialize;

lex_type!(
    /// `$type` of a post in a V2 thread.
    ItemPostType = "app.bsky.unspecced.defs#threadItemPost"
);
lex_type!(
    /// `$type` of a missing post in a V2 thread.
    ItemNotFoundType = "app.bsky.unspecced.defs#threadItemNotFound"
);
lex_type!(
    /// `$type` of a post behind a block in a V2 thread.
    ItemBlockedType = "app.bsky.unspecced.defs#threadItemBlocked"
);

/// One item of the flat thread.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadItem {
    /// The post's URI.
    pub uri: String,
    /// 0 for the anchor, negative above it, positive below.
    pub depth: i64,
    /// What is shown there.
    pub value: ThreadItemValue,
}

/// What an item shows.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ThreadItemValue {
    /// The post.
    Post(Box<ThreadItemPost>),
    /// Missing or deleted.
    NotFound {
        /// Its `$type`.
        #[serde(rename = "$type")]
        ty: ItemNotFoundType,
    },
    /// Behind a block.
    Blocked {
        /// Its `$type`.
        #[serde(rename = "$type")]
        ty: ItemBlockedType,
        /// Its author.
        author: BlockedAuthorRef,
    },
}

/// `#threadItemPost`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadItemPost {
    #[serde(rename = "$type")]
    ty: ItemPostType,
    /// The post.
    pub post: PostView,
    /// It has parents the response leaves out.
    pub more_parents: bool,
    /// How many of its replies the response leaves out (best effort).
    pub more_replies: u64,
    /// It and all its ancestors are by the thread's author.
    pub op_thread: bool,
    /// The root's threadgate hides it.
    pub hidden_by_threadgate: bool,
    /// By an account the viewer muted.
    pub muted_by_viewer: bool,
}

impl ThreadItem {
    /// A post item with nothing left out and no flags set.
    pub fn post(depth: i64, post: PostView) -> Self {
        ThreadItem {
            uri: post.uri.clone(),
            depth,
            value: ThreadItemValue::Post(Box::new(ThreadItemPost {
                ty: ItemPostType,
                post,
                more_parents: false,
                more_replies: 0,
                op_thread: false,
                hidden_by_threadgate: false,
                muted_by_viewer: false,
            })),
        }
    }

    /// A missing post.
    pub fn not_found(uri: String, depth: i64) -> Self {
        let value = ThreadItemValue::NotFound {
            ty: ItemNotFoundType,
        };
        ThreadItem { uri, depth, value }
    }

    /// A post behind a block.
    pub fn blocked(uri: String, depth: i64, author: String) -> Self {
        let value = ThreadItemValue::Blocked {
            ty: ItemBlockedType,
            author: BlockedAuthorRef { did: author },
        };
        ThreadItem { uri, depth, value }
    }

    /// The post of a post item.
    pub fn as_post_mut(&mut self) -> Option<&mut ThreadItemPost> {
        match &mut self.value {
            ThreadItemValue::Post(p) => Some(p),
            _ => None,
        }
    }
}

/// `app.bsky.feed.defs#threadgateView`: the thread's gate record.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadgateView {
    /// The gate record's URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The record as stored.
    pub record: super::RawRecord,
    /// Lists its rules name (not expanded here).
    pub lists: Vec<serde_json::Value>,
}
