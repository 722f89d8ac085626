//! What a view needs beyond the store, gathered before hydration: posts the store lacks (a
//! custom feed's, `getPosts`' uris, a thread's anchor and parents), the posts they quote, the
//! root's threadgate, and their authors' profiles — fetched from their owners' PDSes through
//! [`super::remote`] within its deadline. What is late is left out of this answer (the fetch
//! goes on, and the next answer has it).

use super::remote::{stored_or_fetched, DEADLINE};
use super::run;
use crate::hydrate::gate::THREADGATE;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::facts::{self, nsid, Facts};
use aerie_storage::{RecordId, StoredRecord};
use futures_util::StreamExt;
use std::sync::Arc;

/// What a view needs beyond the store: records, and the verified handles of their authors.
#[derive(Default)]
pub struct Beyond {
    /// Records the store lacks, as fetched.
    pub records: Vec<Arc<StoredRecord>>,
    /// Handles of their authors the store does not know, resolved both ways.
    pub handles: Vec<(String, String)>,
}

impl Beyond {
    /// `views`, also showing what was fetched.
    pub fn show<'a>(self, mut views: Views<'a>) -> Views<'a> {
        for (did, handle) in self.handles {
            views = views.with_handle(&did, handle);
        }
        views.with_fetched(self.records)
    }
}

/// Records fetched beyond the store at once.
const FETCHES: usize = 8;
/// Parents a thread beyond the store is followed up at most.
const MAX_PARENTS: usize = 30;

/// Which of `ids` the store does not hold (each once).
async fn missing(state: &Arc<AppState>, mut ids: Vec<RecordId>) -> Vec<RecordId> {
    ids.sort();
    ids.dedup();
    run(state, move |s| {
        ids.into_iter()
            .filter(|id| matches!(s.store.record(id), Ok(None)))
            .collect()
    })
    .await
}

/// The records `ids` from their PDSes (those that cannot be fetched in time left out).
async fn fetch_all(state: &Arc<AppState>, ids: Vec<RecordId>) -> Vec<Arc<StoredRecord>> {
    futures_util::stream::iter(ids)
        .map(|id| async move {
            match state.remote.record(state, &id).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::info!("fetching {}: {e}", id.uri());
                    None
                }
            }
        })
        .buffer_unordered(FETCHES)
        .filter_map(|r| async move { r })
        .collect()
        .await
}

/// The records among `ids` (posts, reposts) the store lacks, the posts those quote, and the
/// profiles of everyone fetched.
pub async fn records(state: &Arc<AppState>, ids: Vec<RecordId>) -> Beyond {
    let absent = missing(state, ids).await;
    let mut fetched = fetch_all(state, absent).await;
    let quoted: Vec<RecordId> = fetched.iter().filter_map(|r| quoted(r)).collect();
    let absent = missing(state, quoted).await;
    fetched.extend(fetch_all(state, absent).await);
    with_profiles(state, fetched).await
}

/// The thread around `anchor` as far as the store lacks it: the anchor and its parents up to
/// the root (each parent the store holds is read from it, each it lacks fetched), the root's
/// threadgate, the posts they quote, and the profiles of everyone fetched.
pub async fn thread(state: &Arc<AppState>, anchor: &RecordId) -> Beyond {
    let mut fetched = Vec::new();
    let mut next = Some(anchor.clone());
    let mut root = None;
    let mut steps = 0;
    while let Some(id) = next.take() {
        // Up through what the store holds, in one piece of store work (a thread the store has
        // whole costs nothing more); then the first post it lacks, fetched.
        let from = id.clone();
        let (missing_id, top) = run(state, move |s| walk_stored(&*s.store, from)).await;
        steps += 1;
        root = top.or(root);
        let Some(id) = missing_id else {
            break;
        };
        if steps > MAX_PARENTS {
            break;
        }
        let Ok(Some(rec)) = stored_or_fetched(state, &id).await else {
            break;
        };
        fetched.push(rec.clone());
        match parent_and_root(&rec) {
            Some((parent, r)) => {
                root = Some(r);
                next = Some(parent);
            }
            None => root = Some(id),
        }
    }
    if fetched.is_empty() {
        return Beyond::default();
    }
    let mut more: Vec<RecordId> = fetched.iter().filter_map(|r| quoted(r)).collect();
    if let Some(root) = root {
        more.push(RecordId::new(&root.did, THREADGATE, &root.rkey));
    }
    let absent = missing(state, more).await;
    fetched.extend(fetch_all(state, absent).await);
    with_profiles(state, fetched).await
}

/// Whether the store holds the thread from `id` up to its root (nothing to fetch first).
pub fn holds_thread(store: &dyn aerie_storage::Store, id: &RecordId) -> bool {
    walk_stored(store, id.clone()).0.is_none()
}

/// From `id` up through the posts the store holds (at most [`MAX_PARENTS`]): the first the
/// store lacks (`None` when it holds them all, up to the root), and the thread's root as far as
/// known.
fn walk_stored(
    store: &dyn aerie_storage::Store,
    mut id: RecordId,
) -> (Option<RecordId>, Option<RecordId>) {
    let mut root = None;
    for _ in 0..=MAX_PARENTS {
        if id.collection != nsid::POST {
            return (None, root);
        }
        let rec = match store.record(&id) {
            Ok(Some(r)) => r,
            Ok(None) => return (Some(id), root),
            Err(_) => return (None, root),
        };
        match parent_and_root(&rec) {
            Some((parent, r)) => {
                root = Some(r);
                id = parent;
            }
            None => return (None, Some(id)),
        }
    }
    (None, root)
}

/// A reply's parent and root.
fn parent_and_root(rec: &StoredRecord) -> Option<(RecordId, RecordId)> {
    let value = serde_json::from_slice(&rec.value).ok()?;
    match facts::derive(nsid::POST, &value) {
        Facts::Post { reply: Some(r), .. } => Some((r.parent, r.root)),
        _ => None,
    }
}

/// The post a post record quotes.
fn quoted(rec: &StoredRecord) -> Option<RecordId> {
    if rec.id.collection != nsid::POST {
        return None;
    }
    let value = serde_json::from_slice(&rec.value).ok()?;
    match facts::derive(nsid::POST, &value) {
        Facts::Post { quote, .. } => quote,
        _ => None,
    }
}

/// `fetched`, the profiles of their authors the store lacks, and the handles of the authors
/// the store does not know.
async fn with_profiles(state: &Arc<AppState>, mut fetched: Vec<Arc<StoredRecord>>) -> Beyond {
    let mut authors: Vec<String> = fetched.iter().map(|r| r.id.did.clone()).collect();
    authors.sort();
    authors.dedup();
    let profiles: Vec<RecordId> = authors
        .iter()
        .map(|did| RecordId::new(did, nsid::PROFILE, "self"))
        .collect();
    let absent = missing(state, profiles).await;
    fetched.extend(fetch_all(state, absent).await);
    let unknown: Vec<String> = run(state, move |s| {
        authors
            .into_iter()
            .filter(|did| !matches!(s.store.actor(did), Ok(Some(a)) if a.handle.is_some()))
            .collect()
    })
    .await;
    let handles = futures_util::stream::iter(unknown)
        .map(|did| async move {
            let lookup = state.resolver().resolve(&did);
            match tokio::time::timeout(DEADLINE, lookup).await {
                Ok(Ok(identity)) => identity.handle.map(|h| (did, h)),
                _ => None,
            }
        })
        .buffer_unordered(FETCHES)
        .filter_map(|h| async move { h })
        .collect()
        .await;
    Beyond {
        records: fetched,
        handles,
    }
}
