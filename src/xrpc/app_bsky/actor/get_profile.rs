//! `app.bsky.actor.getProfile`: one detailed profile.

use crate::xrpc::prelude::*;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let did = p
        .actor(&state, "actor")?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    let actor = state
        .store
        .actor(&did)?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    if !actor.active {
        return Err(match actor.status.as_deref() {
            Some("takendown") => XrpcError::named("AccountTakedown", "Account has been suspended"),
            _ => XrpcError::named("AccountDeactivated", "Account is deactivated"),
        });
    }
    Ok(Json(
        Views::for_viewer(&state, viewer).profile(&did, ProfileKind::Detailed)?,
    ))
}
