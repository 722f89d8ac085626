//! Who interacted with a post: its likes (with when), reposts and quotes, newest first.

use super::actors::profiles_of;
use super::Result;
use crate::hydrate::view::{PostView, ProfileView};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::{datetime, RecordId};
use serde::Serialize;

/// `app.bsky.feed.getLikes#like`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Like {
    /// When the like was indexed.
    pub indexed_at: String,
    /// The like's own `createdAt` (when it sorted, if that is not a valid datetime).
    pub created_at: String,
    /// Who liked.
    pub actor: ProfileView,
}

/// A page of something and where the next one starts.
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// The next page's cursor.
    pub cursor: Option<String>,
}

/// Who liked `id` (a post, or any record), newest first; `None` for an unknown record.
pub fn likes(
    state: &AppState,
    viewer: Option<String>,
    id: Option<&RecordId>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Paged<Like>> {
    let Some(id) = id else {
        return Ok(Paged::empty());
    };
    let views = Views::for_viewer(state, viewer);
    let page = state.store.likes(id, cursor, limit)?;
    let likes = views.each(&page.items, |e| {
        if !views.active(&e.other)? {
            return Ok(None);
        }
        let like = state.store.record(&e.id)?;
        let indexed_at = like.as_ref().map_or(e.sort_at_us, |r| r.indexed_at_us);
        let created_at = like
            .as_ref()
            .and_then(|r| created_at(&r.value))
            .unwrap_or(e.sort_at_us);
        Ok(Some(Like {
            indexed_at: datetime::format_us(indexed_at),
            created_at: datetime::format_us(created_at),
            actor: views.profile(&e.other)?,
        }))
    })?;
    Ok(Paged {
        items: likes.into_iter().flatten().collect(),
        cursor: page.cursor,
    })
}

/// Who reposted `id`, newest first.
pub fn reposted_by(
    state: &AppState,
    viewer: Option<String>,
    id: Option<&RecordId>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Paged<ProfileView>> {
    let Some(id) = id else {
        return Ok(Paged::empty());
    };
    let page = state.store.reposts(id, cursor, limit)?;
    Ok(Paged {
        items: profiles_of(&Views::for_viewer(state, viewer), &page.items)?,
        cursor: page.cursor,
    })
}

/// Posts quoting `id`, newest first.
pub fn quotes(
    state: &AppState,
    viewer: Option<String>,
    id: Option<&RecordId>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Paged<PostView>> {
    let Some(id) = id else {
        return Ok(Paged::empty());
    };
    let page = state.store.quotes(id, cursor, limit)?;
    let views = Views::for_viewer(state, viewer);
    let posts = views.each(&page.items, |e| views.post(&e.id))?;
    Ok(Paged {
        items: posts.into_iter().flatten().collect(),
        cursor: page.cursor,
    })
}

impl<T> Paged<T> {
    /// No items, no next page.
    pub fn empty() -> Self {
        Paged {
            items: Vec::new(),
            cursor: None,
        }
    }
}

/// A record's `createdAt`, when it is a valid datetime.
fn created_at(record: &[u8]) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Created {
        #[serde(rename = "createdAt")]
        created_at: String,
    }
    let c: Created = serde_json::from_slice(record).ok()?;
    datetime::parse_us(&c.created_at)
}
