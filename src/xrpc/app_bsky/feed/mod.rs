//! `app.bsky.feed.*`.

pub mod get_actor_feeds;
pub mod get_actor_likes;
pub mod get_author_feed;
pub mod get_feed;
pub mod get_feed_generator;
pub mod get_feed_generators;
pub mod get_likes;
pub mod get_list_feed;
pub mod get_post_thread;
pub mod get_posts;
pub mod get_quotes;
pub mod get_reposted_by;
pub mod get_timeline;
pub mod search_posts;

use crate::xrpc::prelude::*;

/// The parameters of a method about one record (`getLikes`, `getRepostedBy`, `getQuotes`).
struct Subject {
    /// `uri` as given (echoed back).
    uri: String,
    /// `cid`, echoed back when given.
    cid: Option<String>,
    /// The record, its authority resolved; `None` when unknown.
    id: Option<RecordId>,
    /// `limit`.
    limit: usize,
}

impl Subject {
    fn from_params(s: &AppState, p: &Params) -> Result<Self, XrpcError> {
        let limit = p.limit(50, 100)?;
        let raw = p.uri("uri")?;
        Ok(Subject {
            uri: raw.uri(),
            cid: p.get("cid").map(String::from),
            id: resolve_uri(s, raw)?,
            limit,
        })
    }
}
