//! Feeds of posts: the viewer's home timeline, an account's feed (with its filters), the posts
//! an account liked, and posts by URI.

use super::{run, Error, Result};
use crate::hydrate::view::{FeedViewPost, PostView};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::{FeedFilter, RecordId};
use serde::Serialize;
use std::sync::Arc;

/// A page of feed items and where the next one starts.
#[derive(Debug, Serialize)]
pub struct FeedPage {
    /// The items.
    pub feed: Vec<FeedViewPost>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of the viewer's timeline: the posts and reposts of the accounts they follow and
/// their own, newest first, leaving out accounts they block, are blocked by or muted.
pub fn timeline(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<FeedPage> {
    let page = state.store.home_timeline(viewer, cursor, limit)?;
    merged(state, Some(viewer.to_string()), page)
}

/// One page of the posts and reposts of `authors` (a list's members) merged, newest first,
/// leaving out accounts the viewer blocks, is blocked by or muted.
pub fn authors_feed(
    state: &AppState,
    viewer: Option<String>,
    authors: &[String],
    cursor: Option<&str>,
    limit: usize,
) -> Result<FeedPage> {
    let page = state.store.timeline(authors, cursor, limit)?;
    merged(state, viewer, page)
}

/// A merged page of feed entries hydrated for `viewer`.
fn merged(
    state: &AppState,
    viewer: Option<String>,
    page: aerie_storage::Page<aerie_storage::FeedEntry>,
) -> Result<FeedPage> {
    let views = Views::for_viewer(state, viewer);
    let items = views.each(&page.items, |entry| {
        if views.hidden_from_viewer(&entry.id.did)? {
            return Ok(None);
        }
        views.feed_item(entry)
    })?;
    Ok(FeedPage {
        feed: items.into_iter().flatten().collect(),
        cursor: page.cursor,
    })
}

/// Refuses a feed of `did`'s posts with `BlockedActor` / `BlockedByActor` when the viewer and
/// the account block each other (directly, or by a blocked list).
pub fn refuse_blocked(views: &Views<'_>, did: &str) -> Result<()> {
    let Some(r) = views.relationship(did)? else {
        return Ok(());
    };
    if r.blocking.is_some() || r.blocking_by_list.is_some() {
        return Err(Error::refused(
            "BlockedActor",
            "Requester has blocked actor",
        ));
    }
    if r.blocked_by {
        return Err(Error::refused(
            "BlockedByActor",
            "Requester is blocked by actor",
        ));
    }
    Ok(())
}

/// One page of an account's posts and reposts, newest first; refused with `BlockedActor` /
/// `BlockedByActor` when the viewer and the account block each other.
pub fn author_feed(
    state: &AppState,
    viewer: Option<String>,
    did: &str,
    filter: FeedFilter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<FeedPage> {
    let views = Views::for_viewer(state, viewer);
    refuse_blocked(&views, did)?;
    if !views.active(did)? {
        return Err(Error::invalid("Profile not found"));
    }
    let page = state.store.author_feed(did, filter, cursor, limit)?;
    let items = views.each(&page.items, |entry| views.feed_item(entry))?;
    Ok(FeedPage {
        feed: items.into_iter().flatten().collect(),
        cursor: page.cursor,
    })
}

/// One page of the posts `viewer` liked, newest like first (likes are shown to their author
/// alone).
pub fn actor_likes(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<FeedPage> {
    let page = state.store.records_in(viewer, nsid::LIKE, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let items = views.each(&page.items, |like| {
        let Some(rec) = state.store.record(like)? else {
            return Ok(None);
        };
        let Some(subject) = crate::hydrate::post::subject_of(&rec.value) else {
            return Ok(None);
        };
        Ok(views.post(&subject)?.map(|post| FeedViewPost {
            post,
            reply: None,
            reason: None,
            feed_context: None,
            req_id: None,
        }))
    })?;
    Ok(FeedPage {
        feed: items.into_iter().flatten().collect(),
        cursor: page.cursor,
    })
}

/// Views of posts, in the order asked, those beyond the store fetched first; missing or
/// hidden ones are left out.
pub async fn posts(
    state: &Arc<AppState>,
    viewer: Option<String>,
    ids: Vec<RecordId>,
) -> Result<Vec<PostView>> {
    let fetched = super::beyond::records(state, ids.clone()).await;
    run(state, move |s| hydrated_posts(s, viewer, &ids, fetched)).await
}

/// Views of posts, in the order asked, from the store and what was fetched `beyond` it;
/// missing or hidden ones are left out.
pub fn hydrated_posts(
    state: &AppState,
    viewer: Option<String>,
    ids: &[RecordId],
    beyond: super::beyond::Beyond,
) -> Result<Vec<PostView>> {
    let views = beyond.show(Views::for_viewer(state, viewer));
    let posts = views.each(ids, |id| views.post(id))?;
    Ok(posts.into_iter().flatten().collect())
}
