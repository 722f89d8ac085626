//! Drafts (`app.bsky.draft.*`): private, kept only in Aerie. A draft is what the app sends
//! (posts, languages, gates), kept as sent with its id (a TID) and times; listed newest first.

use super::{Error, Result};
use crate::gate::own::{self, kind};
use crate::AppState;
use aerie_storage::datetime;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Drafts a user may keep (the lexicon allows a limit).
const LIMIT: usize = 1000;
/// The largest draft kept, in bytes of JSON.
const MAX_BYTES: usize = 256 * 1024;

/// What is stored per draft.
#[derive(Serialize, Deserialize)]
struct Stored {
    draft: Value,
    created_us: i64,
    updated_us: i64,
}

/// `app.bsky.draft.defs#draftView`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    /// Its id (a TID).
    pub id: String,
    /// The draft as sent.
    pub draft: Value,
    /// When it was created.
    pub created_at: String,
    /// When it was last updated.
    pub updated_at: String,
}

/// A page of drafts.
#[derive(Debug, Serialize)]
pub struct DraftPage {
    /// The drafts, newest first.
    pub drafts: Vec<DraftView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The storage key of draft `id` (`None` when it is not a TID).
fn key_of(id: &str) -> Option<String> {
    aerie_storage::tid::parse(id).map(|t| format!("{:016x}", u64::MAX - t))
}

/// The draft id a storage key holds.
fn id_of(key: &str) -> Option<String> {
    let inverted = u64::from_str_radix(key, 16).ok()?;
    Some(aerie_storage::tid::format(u64::MAX - inverted))
}

/// The draft as the lexicon shapes it, as far as Aerie checks: an object with 1–100 posts,
/// each with a text, within the size limit.
fn checked(draft: Option<&Value>) -> Result<Value> {
    let draft = draft.ok_or_else(|| Error::invalid("Input must have the property \"draft\""))?;
    let posts = draft
        .get("posts")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid("Input/draft must have the property \"posts\""))?;
    if posts.is_empty() || posts.len() > 100 {
        return Err(Error::invalid("Input/draft/posts must have 1 to 100 posts"));
    }
    if posts
        .iter()
        .any(|p| !p.get("text").is_some_and(Value::is_string))
    {
        return Err(Error::invalid("Input/draft/posts must each have a text"));
    }
    if serde_json::to_vec(draft).map_or(usize::MAX, |b| b.len()) > MAX_BYTES {
        return Err(Error::invalid("Input/draft is too large"));
    }
    Ok(draft.clone())
}

fn save(state: &AppState, viewer: &str, key: String, stored: &Stored) -> Result<()> {
    let value = serde_json::to_vec(stored).map_err(|e| Error::invalid(e.to_string()))?;
    Ok(own::private(
        &*state.store,
        viewer,
        vec![(kind::DRAFTS, key, Some(value))],
    )?)
}

/// Keeps a new draft; its id.
pub fn create(state: &AppState, viewer: &str, draft: Option<&Value>) -> Result<String> {
    let draft = checked(draft)?;
    if state
        .store
        .privates(viewer, kind::DRAFTS, None, LIMIT)?
        .len()
        >= LIMIT
    {
        return Err(Error::refused(
            "DraftLimitReached",
            format!("At most {LIMIT} drafts are kept"),
        ));
    }
    let now = crate::util::now_us();
    let id =
        aerie_storage::tid::format(((now as u64) << 10) | u64::from(rand::random::<u16>() & 1023));
    let key = key_of(&id).ok_or_else(|| Error::invalid("a bad draft id"))?;
    let stored = Stored {
        draft,
        created_us: now,
        updated_us: now,
    };
    save(state, viewer, key, &stored)?;
    Ok(id)
}

/// Replaces draft `id` (one that does not exist is ignored, as the lexicon says).
pub fn update(state: &AppState, viewer: &str, id: &str, draft: Option<&Value>) -> Result<()> {
    let draft = checked(draft)?;
    let key = key_of(id).ok_or_else(|| Error::invalid("Input/draft/id must be a TID"))?;
    let Some(raw) = state.store.private(viewer, kind::DRAFTS, &key)? else {
        return Ok(());
    };
    let Ok(mut stored) = serde_json::from_slice::<Stored>(&raw) else {
        return Ok(());
    };
    stored.draft = draft;
    stored.updated_us = crate::util::now_us();
    save(state, viewer, key, &stored)
}

/// Removes draft `id`.
pub fn delete(state: &AppState, viewer: &str, id: &str) -> Result<()> {
    let key = key_of(id).ok_or_else(|| Error::invalid("Input/id must be a TID"))?;
    Ok(own::private(
        &*state.store,
        viewer,
        vec![(kind::DRAFTS, key, None)],
    )?)
}

/// One page of the viewer's drafts, newest first.
pub fn list(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<DraftPage> {
    let rows = state.store.privates(viewer, kind::DRAFTS, cursor, limit)?;
    let drafts = rows
        .iter()
        .filter_map(|(key, value)| {
            let stored: Stored = serde_json::from_slice(value).ok()?;
            Some(DraftView {
                id: id_of(key)?,
                draft: stored.draft,
                created_at: datetime::format_us(stored.created_us),
                updated_at: datetime::format_us(stored.updated_us),
            })
        })
        .collect();
    let cursor = (rows.len() == limit)
        .then(|| rows.last().map(|(k, _)| k.clone()))
        .flatten();
    Ok(DraftPage { drafts, cursor })
}
