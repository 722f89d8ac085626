//! Accounts: detailed profiles, and lists of accounts (follows, followers, blocks, mutes,
//! likers, reposters) as profile views.

use super::{run, Error, Result};
use crate::hydrate::view::{ProfileView, ProfileViewDetailed};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::{Edge, RecordId};
use std::sync::Arc;

/// The DID an `at-identifier` names: a DID as given, or a handle the store knows; `None` when
/// unknown, `InvalidRequest` when it is neither.
pub fn resolve(state: &AppState, raw: &str) -> Result<Option<String>> {
    let malformed = || Error::invalid("Error: actor must be a valid did or a handle");
    if raw.starts_with("did:") {
        return match crate::util::syntax::is_did(raw) {
            true => Ok(Some(raw.to_string())),
            false => Err(malformed()),
        };
    }
    let handle = raw.strip_prefix('@').unwrap_or(raw);
    if !crate::util::syntax::is_handle(handle) {
        return Err(malformed());
    }
    Ok(state.store.did_for_handle(handle)?)
}

/// An account's detailed profile, refused as the reference does when it is unknown,
/// deactivated or taken down.
pub fn profile(state: &AppState, viewer: Option<String>, did: &str) -> Result<ProfileViewDetailed> {
    let actor = state
        .store
        .actor(did)?
        .ok_or_else(|| Error::invalid("Profile not found"))?;
    if !actor.active {
        return Err(match actor.status.as_deref() {
            Some("takendown") => Error::refused("AccountTakedown", "Account has been suspended"),
            _ => Error::refused("AccountDeactivated", "Account is deactivated"),
        });
    }
    Ok(Views::for_viewer(state, viewer).profile_detailed(did)?)
}

/// Where an account's profile comes from.
pub enum Known {
    /// The store knows the account: its profile, or why it is refused.
    Here(Box<Result<ProfileViewDetailed>>),
    /// The store does not: `actor` (a DID or handle) is to be looked up beyond it.
    Elsewhere(String),
}

/// The profile of `raw` (a DID or handle) when the store knows the account.
pub fn known_profile(state: &AppState, viewer: Option<String>, raw: &str) -> Result<Known> {
    let Some(did) = resolve(state, raw)? else {
        return Ok(Known::Elsewhere(raw.to_string()));
    };
    if state.store.actor(&did)?.is_none() {
        return Ok(Known::Elsewhere(did));
    }
    Ok(Known::Here(Box::new(profile(state, viewer, &did))))
}

/// A profile beyond the store: the identity resolved (the handle verified both ways) and the
/// profile record fetched from the account's PDS, within the deadline; `Profile not found`
/// when the identity cannot be resolved. Counts are what the store holds (none).
pub async fn remote_profile(
    state: &Arc<AppState>,
    viewer: Option<String>,
    actor: &str,
) -> Result<ProfileViewDetailed> {
    let not_found = || Error::invalid("Profile not found");
    let lookup = state.resolver().resolve(actor);
    let identity = match tokio::time::timeout(super::remote::DEADLINE, lookup).await {
        Ok(Ok(identity)) => identity,
        Ok(Err(e)) => {
            tracing::info!("profile of {actor}: {e}");
            return Err(not_found());
        }
        Err(_) => return Err(not_found()),
    };
    let id = RecordId::new(&identity.did, nsid::PROFILE, "self");
    let record = match state.remote.record(state, &id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!("profile of {actor}: {e}");
            None
        }
    };
    run(state, move |s| {
        let mut views = Views::for_viewer(s, viewer).with_fetched(record);
        if let Some(handle) = identity.handle {
            views = views.with_handle(&identity.did, handle);
        }
        Ok(views.profile_detailed(&identity.did)?)
    })
    .await
}

/// Detailed profiles of the known, active accounts among `dids`, in order.
pub fn profiles(
    state: &AppState,
    viewer: Option<String>,
    dids: &[String],
) -> Result<Vec<ProfileViewDetailed>> {
    let views = Views::for_viewer(state, viewer);
    let out = views.each(dids, |did| match state.store.actor(did)? {
        Some(a) if a.active => views.profile_detailed(did).map(Some),
        _ => Ok(None),
    })?;
    Ok(out.into_iter().flatten().collect())
}

/// `#profileView`s of the `other` end of edges, leaving out hidden accounts.
pub fn profiles_of(views: &Views, edges: &[Edge]) -> Result<Vec<ProfileView>> {
    let out = views.each(edges, |e| {
        if !views.active(&e.other)? {
            return Ok(None);
        }
        views.profile(&e.other).map(Some)
    })?;
    Ok(out.into_iter().flatten().collect())
}
