//! Moderation lists each local user blocks (`app.bsky.graph.listblock`) or mutes
//! (`muteActorList`): their members read (from the store, or the creators' PDSes) into
//! [`ViewerLists`] for hydration and search — at start, every minute, and at once after the
//! user's own listblock writes and list mutes — and `getListBlocks`.

use super::lists::{list_members, page, views_of, ListsPage, Source};
use super::remote::stored_or_fetched;
use super::{run, Result};
use crate::gate::own::kind;
use crate::hydrate::list::{purpose, LIST};
use crate::hydrate::mod_lists::{OnLists, ViewerLists, LIST_BLOCK};
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use std::sync::Arc;
use std::time::Duration;

/// How often every local user's blocked lists are read again.
const REFRESH: Duration = Duration::from_secs(60);
/// How often every local user's listblock records and list mutes are looked at.
const LOOK: Duration = Duration::from_secs(3);
/// Blocked (and, apart, muted) lists read per user at most.
const MAX_LISTS: usize = 100;

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
    let (records, next) = page(state, Source::Store, viewer, LIST_BLOCK, cursor, limit).await?;
    let blocks = records
        .iter()
        .filter_map(|rec| subject(&rec.value).map(|list| (rec.id.clone(), list)))
        .collect();
    Ok((blocks, next.filter(|_| records.len() == limit)))
}

/// The lists `viewer` muted, each as its own entry.
async fn muted(state: &Arc<AppState>, viewer: &str) -> Result<Vec<(RecordId, RecordId)>> {
    let v = viewer.to_string();
    let rows = run(state, move |s| {
        s.store.privates(&v, kind::LIST_MUTE, None, MAX_LISTS)
    })
    .await?;
    Ok(rows
        .iter()
        .filter_map(|(uri, _)| RecordId::parse_uri(uri))
        .map(|list| (list.clone(), list))
        .collect())
}

/// Reads `viewer`'s blocked and muted lists and their members again; unless `force`d, only
/// those whose entries (listblock records, list mutes) changed since the last read.
pub async fn refresh(state: &Arc<AppState>, viewer: &str, force: bool) -> Result<()> {
    let (blocks, _) = blocked_page(state, viewer, None, MAX_LISTS).await?;
    read_lists(state, &state.list_blocks, viewer, blocks, force).await?;
    let mutes = muted(state, viewer).await?;
    read_lists(state, &state.list_mutes, viewer, mutes, force).await
}

/// Reads the lists of `entries` (what names each, and the list) and their members into
/// `into`, unless nothing changed and the read is not `force`d.
async fn read_lists(
    state: &Arc<AppState>,
    into: &ViewerLists,
    viewer: &str,
    entries: Vec<(RecordId, RecordId)>,
    force: bool,
) -> Result<()> {
    if !force {
        let known: Vec<RecordId> = into
            .of(viewer)
            .map(|b| b.lists.iter().map(|(entry, _)| entry.clone()).collect())
            .unwrap_or_default();
        let now: Vec<RecordId> = entries.iter().map(|(entry, _)| entry.clone()).collect();
        if known == now {
            return Ok(());
        }
    }
    let mut on = OnLists::default();
    for (entry, list) in entries {
        // As the reference: only a moderation list blocks or mutes its members.
        let Some(rec) = stored_or_fetched(state, &list)
            .await?
            .filter(|r| is_modlist(r))
        else {
            continue;
        };
        let index = on.lists.len();
        for (_, member) in list_members(state, &list).await? {
            if member != viewer {
                on.members.entry(member).or_insert(index);
            }
        }
        on.lists.push((entry, rec));
    }
    into.set(viewer, on);
    Ok(())
}

/// Keeps every local user's blocked and muted lists fresh, for as long as Aerie runs: a look
/// at their listblock records and list mutes every few seconds, the members read again every
/// minute.
pub async fn keep_fresh(state: Arc<AppState>) {
    let mut last_full = tokio::time::Instant::now();
    loop {
        let force = last_full.elapsed() >= REFRESH;
        for viewer in state.scope.local_users() {
            if let Err(e) = refresh(&state, &viewer, force).await {
                tracing::info!("blocked and muted lists of {viewer}: {e}");
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
