//! Accounts: detailed profiles, and lists of accounts (follows, followers, blocks, mutes,
//! likers, reposters) as profile views.

use super::{Error, Result};
use crate::hydrate::view::{ProfileView, ProfileViewDetailed};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::Edge;

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
