//! Suggestions from Aerie's own graph: accounts followed by the accounts someone follows
//! (friends of friends, ranked by how many of them follow each), then their followers they do
//! not follow back; feeds and starter packs made by the accounts they follow. Never empty for
//! someone who follows anyone with follows, and never a suggestion the viewer blocks, is
//! blocked by, muted or already follows. Someone who follows nobody yet (onboarding) gets what
//! the other users of this Aerie follow.

use super::{feedgen, starter_packs, Result};
use crate::hydrate::feedgen::GENERATOR;
use crate::hydrate::starter_pack::STARTER_PACK;
use crate::hydrate::view::{GeneratorView, ProfileView, StarterPackView};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::RecordId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Follows read per account at most (bounds the work on accounts following thousands).
const FANOUT: usize = 200;
/// Records of one kind read per followed account at most.
const PER_ACCOUNT: usize = 10;

/// Accounts suggested to follow, relative to `did`, for `viewer` (`did` itself when they ask
/// for themselves).
pub fn accounts(
    state: &AppState,
    viewer: Option<String>,
    did: &str,
    limit: usize,
) -> Result<Vec<ProfileView>> {
    let store = &state.store;
    let follows: Vec<String> = store
        .follows(did, None, FANOUT)?
        .items
        .into_iter()
        .map(|e| e.other)
        .collect();
    let mut skip: HashSet<String> = follows.iter().cloned().collect();
    skip.insert(did.to_string());
    if let Some(v) = &viewer {
        skip.insert(v.clone());
        if v != did {
            let theirs = store.follows(v, None, FANOUT)?.items;
            skip.extend(theirs.into_iter().map(|e| e.other));
        }
    }
    // Someone who follows nobody yet (onboarding) gets what this Aerie's other users follow.
    let seeds: Vec<String> = match follows.is_empty() {
        true => state
            .scope
            .local_users()
            .into_iter()
            .filter(|u| u != did)
            .collect(),
        false => follows.clone(),
    };
    let mut score: HashMap<String, usize> = HashMap::new();
    for f in &seeds {
        for e in store.follows(f, None, FANOUT)?.items {
            if !skip.contains(&e.other) {
                *score.entry(e.other).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = score.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut order: Vec<String> = ranked.into_iter().map(|(d, _)| d).collect();
    // Then those who follow them that they do not follow back.
    for e in store.followers(did, None, FANOUT)?.items {
        if !skip.contains(&e.other) && !order.contains(&e.other) {
            order.push(e.other);
        }
    }
    let views = Views::for_viewer(state, viewer);
    let mut out = Vec::new();
    for d in order {
        if out.len() == limit {
            break;
        }
        if views.active(&d)? && !views.hidden_from_viewer(&d)? {
            out.push(views.profile(&d)?);
        }
    }
    Ok(out)
}

/// The newest records of `collection` by the accounts `did` follows.
fn made_by_follows(state: &AppState, did: &str, collection: &str) -> Result<Vec<RecordId>> {
    let mut out = Vec::new();
    for e in state.store.follows(did, None, FANOUT)?.items {
        let page = state
            .store
            .records_in(&e.other, collection, None, PER_ACCOUNT)?;
        out.extend(page.items);
    }
    Ok(out)
}

/// Feed generators made by the accounts `did` follows, most liked first.
pub async fn feeds(
    state: &Arc<AppState>,
    viewer: Option<String>,
    did: String,
    limit: usize,
) -> Result<Vec<GeneratorView>> {
    let ids = super::run(state, move |s| made_by_follows(s, &did, GENERATOR)).await?;
    let mut views = feedgen::generators(state, viewer, &ids).await?;
    views.sort_by(|a, b| {
        b.like_count
            .cmp(&a.like_count)
            .then_with(|| a.uri.cmp(&b.uri))
    });
    views.truncate(limit);
    Ok(views)
}

/// Starter packs made by the accounts `did` follows, newest first.
pub async fn starter_packs(
    state: &Arc<AppState>,
    viewer: Option<String>,
    did: String,
    limit: usize,
) -> Result<Vec<StarterPackView>> {
    let ids = super::run(state, move |s| made_by_follows(s, &did, STARTER_PACK)).await?;
    let mut out = Vec::new();
    for id in ids.iter().take(limit) {
        if let Ok(view) = starter_packs::starter_pack(state, viewer.clone(), id).await {
            out.push(view);
        }
    }
    Ok(out)
}
