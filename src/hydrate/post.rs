//! Post views and feed items (`#postView`, `#feedViewPost`, `#reasonRepost`, `#replyRef`).

use super::view::post::PostViewParts;
use super::view::{
    BlockedPost, FeedViewPost, NotFoundPost, PostView, PostViewerState, Reason, ReasonRepost,
    ReplyItem, ReplyRef,
};
use super::Views;
use crate::gate::own::kind;
use crate::util::syntax::cid_string;
use aerie_storage::facts::nsid;
use aerie_storage::{datetime, FeedEntry, RecordId, Relation};

impl Views<'_> {
    /// `#postView` of a live post by an active account.
    pub fn post(&self, id: &RecordId) -> aerie_storage::Result<Option<PostView>> {
        if id.collection != nsid::POST {
            return Ok(None);
        }
        let Some(live) = self.live_post(id)? else {
            return Ok(None);
        };
        let labels = self.post_labels(id, &live)?;
        if self.taken_down(&labels) {
            return Ok(None);
        }
        let embed = match &live.content.embed {
            Some(e) => self.embed(id, e, 0)?,
            None => None,
        };
        let viewer = match &self.viewer {
            Some(viewer) => {
                let store = &self.state.store;
                let uri = id.uri();
                let root = match &live.content.reply {
                    Some(r) => r.root.uri(),
                    None => uri.clone(),
                };
                Some(PostViewerState {
                    like: store
                        .relation(Relation::Like, viewer, &uri)?
                        .map(|l| l.uri()),
                    repost: store
                        .relation(Relation::Repost, viewer, &uri)?
                        .map(|r| r.uri()),
                    bookmarked: self.viewer_has(kind::BOOKMARK, &uri)?,
                    thread_muted: self.viewer_has(kind::THREAD_MUTE, &root)?,
                    embedding_disabled: *viewer != id.did && self.postgate(id)?.embedding_disabled,
                    reply_disabled: self.reply_disabled(id, &live.content)?,
                })
            }
            None => None,
        };
        Ok(Some(
            PostViewParts {
                uri: id.uri(),
                cid: cid_string(&live.rec.cid),
                author: self.profile_basic(&id.did)?,
                record: live.raw,
                embed,
                counts: self.post_counts(id)?,
                indexed_at: datetime::format_us(live.rec.indexed_at_us),
                viewer,
                labels,
                content: live.content,
            }
            .into(),
        ))
    }

    /// The labels shown on a post: on its URI, and its self-labels.
    pub(super) fn post_labels(
        &self,
        id: &RecordId,
        live: &super::LivePost,
    ) -> aerie_storage::Result<Vec<super::view::Label>> {
        let uri = id.uri();
        let cid = cid_string(&live.rec.cid);
        let own = super::labels::SelfLabels {
            author: &id.did,
            uri: &uri,
            cid: Some(&cid),
            values: &live.content.self_labels,
            cts: live.content.created_at.as_deref(),
        };
        self.labels(&[&uri], Some(own))
    }

    /// `#feedViewPost` for a feed entry; `None` when the post (or reposted post) is gone.
    pub fn feed_item(&self, entry: &FeedEntry) -> aerie_storage::Result<Option<FeedViewPost>> {
        if entry.id.collection == nsid::REPOST {
            return self.repost_item(&entry.id);
        }
        let Some(post) = self.post(&entry.id)? else {
            return Ok(None);
        };
        let reply = self.reply_ref(&post)?;
        Ok(Some(FeedViewPost {
            post,
            reply,
            reason: None,
            feed_context: None,
            req_id: None,
        }))
    }

    /// An item a feed generator named: `post`, shown as reposted when `repost` is a repost of
    /// it (a repost that cannot be shown leaves the post alone).
    pub fn skeleton_item(
        &self,
        post: &RecordId,
        repost: Option<&RecordId>,
    ) -> aerie_storage::Result<Option<FeedViewPost>> {
        if let Some(r) = repost.filter(|r| r.collection == nsid::REPOST) {
            if let Some(item) = self.repost_item(r)?.filter(|i| i.post.uri == post.uri()) {
                return Ok(Some(item));
            }
        }
        let entry = FeedEntry {
            id: post.clone(),
            sort_at_us: 0,
            flags: Default::default(),
        };
        self.feed_item(&entry)
    }

    /// The item of a repost: the reposted post with the repost as its reason.
    fn repost_item(&self, id: &RecordId) -> aerie_storage::Result<Option<FeedViewPost>> {
        let Some(rec) = self.live_record(id)? else {
            return Ok(None);
        };
        let Some(subject) = subject_of(&rec.value) else {
            return Ok(None);
        };
        let Some(post) = self.post(&subject)? else {
            return Ok(None);
        };
        let reason = ReasonRepost::new(
            self.profile_basic(&id.did)?,
            id.uri(),
            cid_string(&rec.cid),
            datetime::format_us(rec.indexed_at_us),
        );
        Ok(Some(FeedViewPost {
            post,
            reply: None,
            reason: Some(Reason::Repost(reason)),
            feed_context: None,
            req_id: None,
        }))
    }

    /// `#replyRef` (root and parent) of a post that is a reply.
    fn reply_ref(&self, post: &PostView) -> aerie_storage::Result<Option<ReplyRef>> {
        let Some(r) = &post.content.reply else {
            return Ok(None);
        };
        let author = &post.author.did;
        Ok(Some(ReplyRef {
            root: self.related_post(author, &r.root)?,
            parent: self.related_post(author, &r.parent)?,
        }))
    }

    /// The root of the thread a notification is about: for a post (reply, mention, quote),
    /// its thread's root; for a like or repost, the root of the post it points at.
    pub fn thread_root_of(&self, id: &RecordId) -> aerie_storage::Result<Option<String>> {
        let post = match id.collection.as_str() {
            nsid::POST => id.clone(),
            nsid::LIKE | nsid::REPOST => match self.record(id)? {
                Some(rec) => match subject_of(&rec.value) {
                    Some(subject) => subject,
                    None => return Ok(None),
                },
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        Ok(self.live_post(&post)?.map(|p| match &p.content.reply {
            Some(r) => r.root.uri(),
            None => post.uri(),
        }))
    }

    /// A post shown next to one by `author`: `#blockedPost` when a block separates the two
    /// authors, `#notFoundPost` when it is gone or hidden, else its view.
    pub fn related_post(&self, author: &str, id: &RecordId) -> aerie_storage::Result<ReplyItem> {
        if self.blocked_between(author, &id.did)? {
            return Ok(ReplyItem::Blocked(blocked_post(id)));
        }
        Ok(match self.post(id)? {
            Some(p) => ReplyItem::Post(Box::new(p)),
            None => ReplyItem::NotFound(not_found_post(id)),
        })
    }
}

/// The record a like or repost points at (its `subject`).
pub(crate) fn subject_of(record: &[u8]) -> Option<RecordId> {
    #[derive(serde::Deserialize)]
    struct Subject<'a> {
        #[serde(borrow)]
        uri: std::borrow::Cow<'a, str>,
    }
    #[derive(serde::Deserialize)]
    struct Repost<'a> {
        #[serde(borrow)]
        subject: Subject<'a>,
    }
    let r: Repost = serde_json::from_slice(record).ok()?;
    crate::util::syntax::record_uri(&r.subject.uri)
}

/// `app.bsky.feed.defs#notFoundPost`.
pub fn not_found_post(id: &RecordId) -> NotFoundPost {
    NotFoundPost::new(id.uri())
}

/// `app.bsky.feed.defs#blockedPost`.
pub fn blocked_post(id: &RecordId) -> BlockedPost {
    BlockedPost::new(id.uri(), id.did.clone())
}
