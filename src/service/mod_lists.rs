//! List blocks (`app.bsky.graph.listblock`): the lists each local user blocks, their members
//! read (from the store, or the creators' PDSes) into [`ListBlocks`] for hydration — at start,
//! every minute, and at once after the user's own listblock writes — and `getListBlocks`.

use super::lists::{list_members, views_of, ListsPage};
use super::remote::stored_or_fetched;
use super::{run, Result};
use crate::hydrate::list::{purpose, LIST};
use crate::hydrate::list_block::{Blocked, LIST_BLOCK};
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use std::sync::Arc;
use std::time::Duration;

/// How often every local user's blocked lists are read again.
const REFRESH: Duration = Duration::from_secs(60);
/// How often every local user's listblock records are looked at.
const LOOK: Duration = Duration::from_secs(3);
/// Listblock records read per user at most.
const MAX_BLOCKED_LISTS: usize = 100;

/// The list a listblock record blocks.
fn subject(value: &[u8]) -> Option<RecordId> {
    let v: serde_json::Value = serde_json::from_slice(value).ok()?;
    RecordId::parse_uri(v.get("subject")?.as_str()?).filter(|id| id.collection == LIST)
}

/// Whether a list record is a moderation list.
fn is_modlist(rec: &StoredRecord) -> bool {
    serde_json::from_slice::<serde_json::Value>(&rec.value)
        .is_ok_and(|v| purpose(&v) == Some("app.bsky.graph.defs#modlist"))
}

/// `viewer`'s listblock records (newest first) with the lists they block, one page.
async fn blocked_page(
    state: &Arc<AppState>,
    viewer: &str,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<(RecordId, RecordId)>, Option<String>)> {
    let v = viewer.to_string();
    run(state, move |s| {
        let page = s
            .store
            .records_in(&v, LIST_BLOCK, cursor.as_deref(), limit)?;
        let mut out = Vec::new();
        for id in &page.items {
            if let Some(rec) = s.store.record(id)? {
                out.extend(subject(&rec.value).map(|list| (id.clone(), list)));
            }
        }
        Ok((out, page.cursor.filter(|_| page.items.len() == limit)))
    })
    .await
}

/// Reads `viewer`'s blocked lists and their members again; unless `force`d, only when their
/// listblock records changed since the last read.
pub async fn refresh(state: &Arc<AppState>, viewer: &str, force: bool) -> Result<()> {
    let (blocks, _) = blocked_page(state, viewer, None, MAX_BLOCKED_LISTS).await?;
    if !force {
        let known: Vec<RecordId> = state
            .list_blocks
            .of(viewer)
            .map(|b| b.lists.iter().map(|(block, _)| block.clone()).collect())
            .unwrap_or_default();
        let now: Vec<RecordId> = blocks.iter().map(|(block, _)| block.clone()).collect();
        if known == now {
            return Ok(());
        }
    }
    let mut blocked = Blocked::default();
    for (block, list) in blocks {
        // As the reference: only a moderation list blocks its members.
        let Some(rec) = stored_or_fetched(state, &list)
            .await?
            .filter(|r| is_modlist(r))
        else {
            continue;
        };
        let index = blocked.lists.len();
        for (_, member) in list_members(state, &list).await? {
            if member != viewer {
                blocked.members.entry(member).or_insert(index);
            }
        }
        blocked.lists.push((block, rec));
    }
    state.list_blocks.set(viewer, blocked);
    Ok(())
}

/// Keeps every local user's blocked lists fresh, for as long as Aerie runs: a look at their
/// listblock records every few seconds, the members read again every minute.
pub async fn keep_fresh(state: Arc<AppState>) {
    let mut last_full = tokio::time::Instant::now();
    loop {
        let force = last_full.elapsed() >= REFRESH;
        for viewer in state.scope.local_users() {
            if let Err(e) = refresh(&state, &viewer, force).await {
                tracing::info!("blocked lists of {viewer}: {e}");
            }
        }
        if force {
            last_full = tokio::time::Instant::now();
        }
        tokio::time::sleep(LOOK).await;
    }
}

/// One page of the lists `viewer` blocks, newest block first, as list views.
pub async fn blocked_lists(
    state: &Arc<AppState>,
    viewer: String,
    cursor: Option<String>,
    limit: usize,
) -> Result<ListsPage> {
    let (blocks, next) = blocked_page(state, &viewer, cursor, limit).await?;
    let ids = blocks.into_iter().map(|(_, list)| list).collect();
    views_of(state, viewer, ids, next).await
}

/// Whether a write (the input of one of the record-writing methods) changes what its author
/// blocks by list.
pub fn touches(input: &serde_json::Value) -> bool {
    let is_block =
        |v: &serde_json::Value| v.get("collection").and_then(|c| c.as_str()) == Some(LIST_BLOCK);
    is_block(input)
        || input
            .get("writes")
            .and_then(|w| w.as_array())
            .is_some_and(|w| w.iter().any(is_block))
}
