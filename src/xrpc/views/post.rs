//! Post views and author-feed items (`#postView`, `#feedViewPost`, `#reasonRepost`, `#replyRef`).

use super::actor::ProfileKind;
use super::Views;
use aerie_storage::facts::nsid;
use aerie_storage::{datetime, FeedEntry, RecordId, Relation};
use serde_json::{json, Value};

impl Views<'_> {
    /// `#postView` of a live post by an active account.
    pub fn post(&self, id: &RecordId) -> aerie_storage::Result<Option<Value>> {
        if id.collection != nsid::POST {
            return Ok(None);
        }
        let Some((rec, value)) = self.live(id)? else {
            return Ok(None);
        };
        let counts = self.state.store.post_counts(id)?;
        let mut v = json!({
            "$type": "app.bsky.feed.defs#postView",
            "uri": id.uri(),
            "cid": crate::util::syntax::cid_string(&rec.cid),
            "author": self.profile(&id.did, ProfileKind::Basic)?,
            "record": value,
            "replyCount": counts.replies,
            "repostCount": counts.reposts,
            "likeCount": counts.likes,
            "quoteCount": counts.quotes,
            "indexedAt": datetime::format_us(rec.indexed_at_us),
            "labels": [],
        });
        if let Some(e) = value
            .get("embed")
            .map(|e| self.embed(&id.did, e, 0))
            .transpose()?
            .flatten()
        {
            v["embed"] = e;
        }
        if let Some(viewer) = &self.viewer {
            let store = &self.state.store;
            let uri = id.uri();
            let mut state = json!({});
            if let Some(l) = store.relation(Relation::Like, viewer, &uri)? {
                state["like"] = json!(l.uri());
            }
            if let Some(r) = store.relation(Relation::Repost, viewer, &uri)? {
                state["repost"] = json!(r.uri());
            }
            v["viewer"] = state;
        }
        Ok(Some(v))
    }

    /// A post view, or the lexicon's `#notFoundPost` for a missing or hidden one.
    fn post_or_not_found(&self, id: &RecordId) -> aerie_storage::Result<Value> {
        Ok(self.post(id)?.unwrap_or_else(|| not_found_post(id)))
    }

    /// `#feedViewPost` for an author-feed entry; `None` when the post (or reposted post) is gone.
    pub fn feed_item(&self, entry: &FeedEntry) -> aerie_storage::Result<Option<Value>> {
        if entry.id.collection == nsid::REPOST {
            let Some((rec, value)) = self.live(&entry.id)? else {
                return Ok(None);
            };
            let Some(subject) = value
                .pointer("/subject/uri")
                .and_then(Value::as_str)
                .and_then(crate::util::syntax::record_uri)
            else {
                return Ok(None);
            };
            let Some(post) = self.post(&subject)? else {
                return Ok(None);
            };
            let reason = json!({
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": self.profile(&entry.id.did, ProfileKind::Basic)?,
                "uri": entry.id.uri(),
                "cid": crate::util::syntax::cid_string(&rec.cid),
                "indexedAt": datetime::format_us(rec.indexed_at_us),
            });
            return Ok(Some(json!({"post": post, "reason": reason})));
        }
        let Some(post) = self.post(&entry.id)? else {
            return Ok(None);
        };
        let mut item = json!({ "post": post });
        if let Some(reply) = self.reply_ref(&entry.id.did, &item["post"]["record"])? {
            item["reply"] = reply;
        }
        Ok(Some(item))
    }

    /// `#replyRef` (root and parent) of a post record that is a reply.
    fn reply_ref(&self, author: &str, record: &Value) -> aerie_storage::Result<Option<Value>> {
        let uri_at = |p: &str| {
            record
                .pointer(p)
                .and_then(Value::as_str)
                .and_then(crate::util::syntax::record_uri)
        };
        let (Some(root), Some(parent)) = (uri_at("/reply/root/uri"), uri_at("/reply/parent/uri"))
        else {
            return Ok(None);
        };
        Ok(Some(json!({
            "root": self.related_post(author, &root)?,
            "parent": self.related_post(author, &parent)?,
        })))
    }

    /// A post shown next to one by `author`: `#blockedPost` when a block separates the two
    /// authors, `#notFoundPost` when it is gone or hidden, else its view.
    pub fn related_post(&self, author: &str, id: &RecordId) -> aerie_storage::Result<Value> {
        if self.blocked_between(author, &id.did)? {
            return Ok(blocked_post(id));
        }
        self.post_or_not_found(id)
    }
}

/// `app.bsky.feed.defs#notFoundPost`.
pub fn not_found_post(id: &RecordId) -> Value {
    json!({"$type": "app.bsky.feed.defs#notFoundPost", "uri": id.uri(), "notFound": true})
}

/// `app.bsky.feed.defs#blockedPost`.
pub fn blocked_post(id: &RecordId) -> Value {
    json!({"$type": "app.bsky.feed.defs#blockedPost", "uri": id.uri(), "blocked": true, "author": {"did": id.did}})
}
