//! Bookmarks (`app.bsky.bookmark.*`): private, kept only in Aerie like mutes. Each is two
//! entries written in one batch — in `bookmarks`, keyed by inverted creation time and URI (the
//! list, newest first, paged by key), and in `bookmark`, keyed by URI (the viewer state on
//! posts, and how a deletion finds the list entry).

use super::{Error, Result};
use crate::gate::own::{self, kind};
use crate::hydrate::view::ReplyItem;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use serde::{Deserialize, Serialize};

/// What a list entry holds.
#[derive(Serialize, Deserialize)]
struct Entry {
    uri: String,
    cid: String,
    created_us: i64,
}

/// `app.bsky.bookmark.defs#bookmarkView`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarkView {
    /// The bookmarked post (`com.atproto.repo.strongRef`).
    pub subject: serde_json::Value,
    /// When it was bookmarked.
    pub created_at: String,
    /// The post, or why it is not shown.
    pub item: ReplyItem,
}

/// A page of bookmarks, newest first.
#[derive(Debug, Serialize)]
pub struct BookmarkPage {
    /// The bookmarks.
    pub bookmarks: Vec<BookmarkView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Bookmarks `id` (a post; `cid` as the client gives it). Bookmarking again changes nothing.
pub fn create(state: &AppState, viewer: &str, id: &RecordId, cid: &str) -> Result<()> {
    if id.collection != nsid::POST {
        return Err(Error::refused(
            "UnsupportedCollection",
            "Only posts can be bookmarked",
        ));
    }
    let uri = id.uri();
    if state.store.private(viewer, kind::BOOKMARK, &uri)?.is_some() {
        return Ok(());
    }
    let created_us = crate::util::now_us();
    let key = format!("{:016x}{uri}", i64::MAX - created_us);
    let entry = Entry {
        uri: uri.clone(),
        cid: cid.to_string(),
        created_us,
    };
    let value = serde_json::to_vec(&entry).map_err(|e| Error::invalid(e.to_string()))?;
    let writes = vec![
        (kind::BOOKMARKS, key.clone(), Some(value)),
        (kind::BOOKMARK, uri, Some(key.into_bytes())),
    ];
    Ok(own::private(&*state.store, viewer, writes)?)
}

/// Removes the bookmark of `uri` (none: nothing changes).
pub fn delete(state: &AppState, viewer: &str, uri: &str) -> Result<()> {
    let Some(key) = state.store.private(viewer, kind::BOOKMARK, uri)? else {
        return Ok(());
    };
    let key = String::from_utf8(key).map_err(|_| Error::invalid("a damaged bookmark"))?;
    let writes = vec![
        (kind::BOOKMARKS, key, None),
        (kind::BOOKMARK, uri.to_string(), None),
    ];
    Ok(own::private(&*state.store, viewer, writes)?)
}

/// One page of the viewer's bookmarks, newest first.
pub fn list(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<BookmarkPage> {
    let rows = state
        .store
        .privates(viewer, kind::BOOKMARKS, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let mut bookmarks = Vec::new();
    for (_, value) in &rows {
        let Ok(e) = serde_json::from_slice::<Entry>(value) else {
            continue;
        };
        let Some(id) = RecordId::parse_uri(&e.uri) else {
            continue;
        };
        bookmarks.push(BookmarkView {
            subject: serde_json::json!({"uri": e.uri, "cid": e.cid}),
            created_at: aerie_storage::datetime::format_us(e.created_us),
            item: views.related_post(viewer, &id)?,
        });
    }
    let cursor = (rows.len() == limit)
        .then(|| rows.last().map(|(k, _)| k.clone()))
        .flatten();
    Ok(BookmarkPage { bookmarks, cursor })
}
