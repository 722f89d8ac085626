//! `com.atproto.server.*`: sessions for clients pointed straight at Aerie, and the server's
//! description their login screen asks for. Aerie's own tokens are handed out; the PDS's stay
//! on the server.

pub mod create_session;
pub mod delete_session;
pub mod describe_server;
pub mod get_session;
pub mod refresh_session;

use crate::xrpc::prelude::*;
use aerie_storage::StoredSession;

/// The fields every session reply shares (no `didDoc`: clients would then talk to the PDS).
pub fn session_view(state: &AppState, s: &StoredSession) -> serde_json::Value {
    let handle = state
        .store
        .actor(&s.did)
        .ok()
        .flatten()
        .and_then(|a| a.handle)
        .unwrap_or_else(|| s.handle.clone());
    json!({"did": s.did, "handle": handle, "active": true})
}
