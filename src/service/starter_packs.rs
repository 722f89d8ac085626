//! Starter packs (`app.bsky.graph.getStarterPack`, `getStarterPacks`,
//! `getActorStarterPacks`): the record, its list (with a sample of members) and its feeds —
//! from the store, or fetched from the creators' PDSes.

use super::remote::{list_records, stored_or_fetched};
use super::{feedgen, lists, run, Error, Result};
use crate::hydrate::starter_pack::{parts, STARTER_PACK};
use crate::hydrate::view::{ListItemView, StarterPackView};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use serde::Serialize;
use std::sync::Arc;

/// Members shown in a starter pack's sample at most (the lexicon's bound).
const SAMPLE: usize = 12;

/// A page of starter packs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StarterPackPage {
    /// The starter packs.
    pub starter_packs: Vec<StarterPackView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One starter pack, whole: its list with a sample of members, and its feeds.
pub async fn starter_pack(
    state: &Arc<AppState>,
    viewer: Option<String>,
    id: &RecordId,
) -> Result<StarterPackView> {
    let not_found = || Error::invalid("Starter pack not found");
    if id.collection != STARTER_PACK {
        return Err(not_found());
    }
    let rec = stored_or_fetched(state, id).await?.ok_or_else(not_found)?;
    let (list_id, feed_ids) = parts(&rec).ok_or_else(not_found)?;
    let list = stored_or_fetched(state, &list_id).await?;
    let members = match &list {
        Some(_) => lists::list_members(state, &list_id).await?,
        None => Vec::new(),
    };
    let feeds = feedgen::generators(state, viewer.clone(), &feed_ids).await?;
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let count = members.len() as u64;
        let mut view = views.starter_pack(&rec, None)?.ok_or_else(not_found)?;
        view.list = match &list {
            Some(l) => views.list(l, Some(count))?.map(Into::into),
            None => None,
        };
        let mut sample = Vec::new();
        for (item, member) in &members {
            if sample.len() == SAMPLE {
                break;
            }
            if views.active(member)? {
                sample.push(views.list_item(item, member)?);
            }
        }
        view.list_items_sample = Some(sample);
        view.feeds = Some(feeds);
        Ok(view)
    })
    .await
}

/// Basic views of the starter packs among `records` that can be shown, in order.
async fn basic(
    state: &Arc<AppState>,
    viewer: Option<String>,
    records: Vec<Arc<StoredRecord>>,
) -> Result<Vec<StarterPackView>> {
    let mut counted = Vec::new();
    for rec in records {
        let count = match parts(&rec) {
            Some((list, _)) => Some(lists::list_members(state, &list).await?.len() as u64),
            None => None,
        };
        counted.push((rec, count));
    }
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let mut out = Vec::new();
        for (rec, count) in &counted {
            out.extend(views.starter_pack(rec, *count)?);
        }
        Ok(out)
    })
    .await
}

/// Basic views of up to 25 starter packs, in the order asked (unknown ones left out).
pub async fn starter_packs(
    state: &Arc<AppState>,
    viewer: Option<String>,
    ids: &[RecordId],
) -> Result<Vec<StarterPackView>> {
    let mut records = Vec::new();
    for id in ids.iter().filter(|id| id.collection == STARTER_PACK) {
        records.extend(stored_or_fetched(state, id).await?);
    }
    basic(state, viewer, records).await
}

/// One page of an account's starter pack records, newest first: the store's when it keeps
/// the account, else its PDS's.
async fn records_page(
    state: &Arc<AppState>,
    did: &str,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<Arc<StoredRecord>>, Option<String>)> {
    if state.scope.keeps(did) {
        let did = did.to_string();
        return run(state, move |s| -> Result<_> {
            let page = s
                .store
                .records_in(&did, STARTER_PACK, cursor.as_deref(), limit)?;
            let mut records = Vec::new();
            for id in &page.items {
                records.extend(s.store.record(id)?.map(Arc::new));
            }
            Ok((records, page.cursor))
        })
        .await;
    }
    let (records, next) = list_records(state, did, STARTER_PACK, cursor.as_deref(), limit)
        .await
        .map_err(|e| {
            tracing::info!("starter packs of {did}: {e}");
            Error::invalid("Profile not found")
        })?;
    let full = records.len() == limit;
    let records = records.into_iter().map(Arc::new).collect();
    Ok((records, next.filter(|_| full)))
}

/// One page of an account's starter packs, newest first.
pub async fn actor_starter_packs(
    state: &Arc<AppState>,
    viewer: Option<String>,
    did: &str,
    cursor: Option<String>,
    limit: usize,
) -> Result<StarterPackPage> {
    let (records, next) = records_page(state, did, cursor, limit).await?;
    Ok(StarterPackPage {
        starter_packs: basic(state, viewer, records).await?,
        cursor: next,
    })
}

/// `getStarterPacksWithMembership`' output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipPage {
    /// The viewer's starter packs, each with the actor's listitem when they are in it.
    pub starter_packs_with_membership: Vec<WithMembership>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `#starterPackWithMembership`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WithMembership {
    /// The starter pack.
    pub starter_pack: StarterPackView,
    /// The actor's listitem in the pack's list, when they are in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_item: Option<ListItemView>,
}

/// One page of the viewer's own starter packs, newest first, each whole and with `actor`'s
/// listitem when they are in it (`getStarterPacksWithMembership`).
pub async fn with_membership(
    state: &Arc<AppState>,
    viewer: String,
    actor: String,
    cursor: Option<String>,
    limit: usize,
) -> Result<MembershipPage> {
    let (records, next) = records_page(state, &viewer, cursor, limit).await?;
    let mut out = Vec::new();
    for rec in records {
        let Ok(pack) = starter_pack(state, Some(viewer.clone()), &rec.id).await else {
            continue;
        };
        let item = match parts(&rec) {
            Some((list, _)) => lists::list_members(state, &list)
                .await?
                .into_iter()
                .find(|(_, member)| *member == actor),
            None => None,
        };
        let list_item = match item {
            Some((item, member)) => {
                let viewer = viewer.clone();
                let view = run(state, move |s| {
                    Views::for_viewer(s, Some(viewer)).list_item(&item, &member)
                });
                Some(view.await?)
            }
            None => None,
        };
        out.push(WithMembership {
            starter_pack: pack,
            list_item,
        });
    }
    Ok(MembershipPage {
        starter_packs_with_membership: out,
        cursor: next,
    })
}
