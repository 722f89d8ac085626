//! Lists (`app.bsky.graph.getList`, `getLists`) and list mutes. A list and its members are
//! the creator's `app.bsky.graph.list` and `listitem` records: the store's when Aerie keeps the
//! creator's records, else their PDS's, fetched on demand (`listRecords`).

use super::remote::{list_records, stored_or_fetched};
use super::{run, Error, Result};
use crate::gate::own::{self, kind};
use crate::hydrate::list::{member_of, purpose, LIST, LIST_ITEM};
use crate::hydrate::view::{ListItemView, ListView};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Records read per page while looking for a list's members.
const PAGE: usize = 100;
/// Pages read at most for one answer (bounds the work on accounts with huge lists).
const MAX_PAGES: usize = 50;

/// `getList`'s output.
#[derive(Debug, Serialize)]
pub struct ListPage {
    /// The list.
    pub list: ListView,
    /// One page of its members.
    pub items: Vec<ListItemView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `getLists`' output.
#[derive(Debug, Serialize)]
pub struct ListsPage {
    /// The lists.
    pub lists: Vec<ListView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Where an account's records are read.
#[derive(Clone, Copy)]
pub(super) enum Source {
    Store,
    Pds,
}

/// Where `did`'s records are read: the store when it keeps them (the account is tracked, and
/// `record`, when given, is there), else the account's PDS.
async fn source(state: &Arc<AppState>, did: &str, record: Option<&RecordId>) -> Result<Source> {
    if !state.scope.keeps(did) {
        return Ok(Source::Pds);
    }
    let Some(id) = record.cloned() else {
        return Ok(Source::Store);
    };
    let stored = run(state, move |s| s.store.record(&id)).await?.is_some();
    Ok(if stored { Source::Store } else { Source::Pds })
}

/// One page of `did`'s records of `collection`, newest first, and the next page's cursor.
pub(super) async fn page(
    state: &Arc<AppState>,
    from: Source,
    did: &str,
    collection: &'static str,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<StoredRecord>, Option<String>)> {
    match from {
        Source::Store => {
            let did = did.to_string();
            run(state, move |s| {
                let page = s
                    .store
                    .records_in(&did, collection, cursor.as_deref(), limit)?;
                let mut records = Vec::new();
                for id in &page.items {
                    records.extend(s.store.record(id)?);
                }
                Ok((records, page.cursor))
            })
            .await
        }
        Source::Pds => list_records(state, did, collection, cursor.as_deref(), limit)
            .await
            .map_err(|e| {
                tracing::info!("records of {did}: {e}");
                Error::invalid("List not found")
            }),
    }
}

/// Every member of each of `did`'s lists (as far as the bound on the work allows), by list.
async fn members(
    state: &Arc<AppState>,
    from: Source,
    did: &str,
) -> Result<HashMap<String, Vec<(RecordId, String)>>> {
    let mut by_list: HashMap<String, Vec<(RecordId, String)>> = HashMap::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let (records, next) = page(state, from, did, LIST_ITEM, cursor, PAGE).await?;
        for rec in &records {
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&rec.value) else {
                continue;
            };
            let Some(list) = v.get("list").and_then(|l| l.as_str()) else {
                continue;
            };
            if let Some(member) = member_of(rec, list) {
                by_list
                    .entry(list.to_string())
                    .or_default()
                    .push((rec.id.clone(), member));
            }
        }
        match next.filter(|_| records.len() == PAGE) {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(by_list)
}

/// The members of the list `id` (newest first): each listitem record and the member's DID.
pub async fn list_members(state: &Arc<AppState>, id: &RecordId) -> Result<Vec<(RecordId, String)>> {
    let from = source(state, &id.did, Some(id)).await?;
    Ok(members(state, from, &id.did)
        .await?
        .remove(&id.uri())
        .unwrap_or_default())
}

/// A list and one page of its members (newest first); `cursor` is an offset into them.
pub async fn list(
    state: &Arc<AppState>,
    viewer: Option<String>,
    id: &RecordId,
    cursor: Option<&str>,
    limit: usize,
) -> Result<ListPage> {
    let not_found = || Error::invalid("List not found");
    if id.collection != LIST {
        return Err(not_found());
    }
    let rec = stored_or_fetched(state, id).await?.ok_or_else(not_found)?;
    let all = list_members(state, id).await?;
    let start: usize = match cursor {
        Some(c) => c.parse().map_err(|_| Error::invalid("invalid cursor"))?,
        None => 0,
    };
    let end = (start + limit).min(all.len());
    let shown = all.get(start..end).unwrap_or_default().to_vec();
    let count = all.len() as u64;
    let next = (end < all.len()).then(|| end.to_string());
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let list = views.list(&rec, Some(count))?.ok_or_else(not_found)?;
        let mut items = Vec::new();
        for (item, member) in &shown {
            if views.active(member)? {
                items.push(views.list_item(item, member)?);
            }
        }
        Ok(ListPage {
            list,
            items,
            cursor: next,
        })
    })
    .await
}

/// One page of an account's lists, newest first, of the `purposes` given (none: all).
pub async fn lists(
    state: &Arc<AppState>,
    viewer: Option<String>,
    did: &str,
    purposes: Vec<String>,
    cursor: Option<String>,
    limit: usize,
) -> Result<ListsPage> {
    let (found, cursor) = lists_of(state, viewer, did, purposes, None, cursor, limit).await?;
    Ok(ListsPage {
        lists: found.into_iter().map(|(list, _)| list).collect(),
        cursor,
    })
}

/// `getListsWithMembership`' output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipPage {
    /// The viewer's lists, each with the actor's listitem when they are on it.
    pub lists_with_membership: Vec<WithMembership>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `#listWithMembership`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithMembership {
    /// The list.
    pub list: ListView,
    /// The actor's listitem, when they are on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_item: Option<ListItemView>,
}

/// One page of the viewer's own curation and moderation lists (of the `purposes` given), each
/// with `actor`'s listitem when they are on it (`getListsWithMembership`).
pub async fn lists_with_membership(
    state: &Arc<AppState>,
    viewer: String,
    actor: String,
    mut purposes: Vec<String>,
    cursor: Option<String>,
    limit: usize,
) -> Result<MembershipPage> {
    // As the reference: reference lists (starter packs') are never offered.
    purposes.retain(|p| !p.ends_with("referencelist"));
    if purposes.is_empty() {
        purposes = vec!["modlist".into(), "curatelist".into()];
    }
    let did = viewer.clone();
    let (found, cursor) = lists_of(
        state,
        Some(viewer),
        &did,
        purposes,
        Some(actor),
        cursor,
        limit,
    )
    .await?;
    Ok(MembershipPage {
        lists_with_membership: found
            .into_iter()
            .map(|(list, list_item)| WithMembership { list, list_item })
            .collect(),
        cursor,
    })
}

/// One page of `did`'s lists of the `purposes` given (none: all), newest first, each with
/// `member`'s listitem when given and on it.
async fn lists_of(
    state: &Arc<AppState>,
    viewer: Option<String>,
    did: &str,
    purposes: Vec<String>,
    member: Option<String>,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<(ListView, Option<ListItemView>)>, Option<String>)> {
    let from = source(state, did, None).await?;
    let (records, next) = page(state, from, did, LIST, cursor, limit).await?;
    let members = members(state, from, did).await?;
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let mut found = Vec::new();
        for rec in &records {
            let value: serde_json::Value = serde_json::from_slice(&rec.value).unwrap_or_default();
            let wanted = purposes.is_empty()
                || purpose(&value).is_some_and(|p| {
                    purposes
                        .iter()
                        .any(|w| p.ends_with(&format!("#{w}")) || p == w)
                });
            if !wanted {
                continue;
            }
            let on_list = members.get(&rec.id.uri());
            let count = on_list.map_or(0, |m| m.len() as u64);
            let Some(list) = views.list(rec, Some(count))? else {
                continue;
            };
            let item = on_list
                .and_then(|m| m.iter().find(|(_, d)| Some(d) == member.as_ref()))
                .map(|(item, d)| views.list_item(item, d))
                .transpose()?;
            found.push((list, item));
        }
        Ok((found, next.filter(|_| records.len() == limit)))
    })
    .await
}

/// One page of a list's feed (`getListFeed`): its members' posts and reposts, newest first.
pub async fn list_feed(
    state: &Arc<AppState>,
    viewer: Option<String>,
    id: &RecordId,
    cursor: Option<String>,
    limit: usize,
) -> Result<super::feed::FeedPage> {
    let not_found = || Error::refused("UnknownList", "List not found");
    if id.collection != LIST || stored_or_fetched(state, id).await?.is_none() {
        return Err(not_found());
    }
    let mut authors: Vec<String> = list_members(state, id)
        .await?
        .into_iter()
        .map(|(_, member)| member)
        .collect();
    authors.sort();
    authors.dedup();
    run(state, move |s| {
        super::feed::authors_feed(s, viewer, &authors, cursor.as_deref(), limit)
    })
    .await
}

/// One page of the lists `viewer` muted (in URI order), as list views.
pub async fn muted_lists(
    state: &Arc<AppState>,
    viewer: String,
    cursor: Option<String>,
    limit: usize,
) -> Result<ListsPage> {
    let v = viewer.clone();
    let rows = run(state, move |s| {
        s.store
            .privates(&v, kind::LIST_MUTE, cursor.as_deref(), limit)
    })
    .await?;
    let ids = rows
        .iter()
        .filter_map(|(uri, _)| RecordId::parse_uri(uri))
        .collect();
    let next = (rows.len() == limit)
        .then(|| rows.last().map(|(k, _)| k.clone()))
        .flatten();
    views_of(state, viewer, ids, next).await
}

/// The views of the lists `ids` (stored or fetched; those that cannot be shown left out), as a
/// page with the cursor `next`.
pub async fn views_of(
    state: &Arc<AppState>,
    viewer: String,
    ids: Vec<RecordId>,
    next: Option<String>,
) -> Result<ListsPage> {
    let mut records = Vec::new();
    for id in &ids {
        records.extend(stored_or_fetched(state, id).await?);
    }
    run(state, move |s| {
        let views = Views::for_viewer(s, Some(viewer));
        let mut lists = Vec::new();
        for rec in &records {
            lists.extend(views.list(rec, None)?);
        }
        Ok(ListsPage {
            lists,
            cursor: next,
        })
    })
    .await
}

/// Mutes (or unmutes) a list for `viewer`: private, kept only in Aerie.
pub fn mute(state: &AppState, viewer: &str, list: &RecordId, muted: bool) -> Result<()> {
    if list.collection != LIST {
        return Err(Error::invalid("Not a list"));
    }
    Ok(own::flag(
        &*state.store,
        viewer,
        kind::LIST_MUTE,
        list.uri(),
        muted,
    )?)
}
