//! Writes for the logged-in user, the one write path of the XRPC API and the pages: each is
//! forwarded to the user's PDS with their (server-side) tokens — the PDS token refreshed when
//! due — answered as the PDS answered, and, for the record writes the PDS accepted, applied to
//! Aerie's store at once through the gate's local write path.

use super::{Error, Result};
use crate::auth::session::SessionError;
use crate::gate::change::Filter;
use crate::gate::local::{self, Accepted};
use crate::outbound::{Inbound, Outbound};
use crate::AppState;
use aerie_storage::StoredSession;
use serde_json::Value;

/// Largest body forwarded either way (blobs included).
pub const MAX_BYTES: usize = 64 << 20;

/// `com.atproto.repo.uploadBlob`.
pub const UPLOAD_BLOB: &str = "com.atproto.repo.uploadBlob";

/// Forwards a request for `nsid` to the session's PDS; any status comes back.
pub async fn forward(
    state: &AppState,
    session: &StoredSession,
    nsid: &str,
    method: reqwest::Method,
    query: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> Result<Inbound> {
    let (session, access) = state.sessions.pds_access(session).await?;
    let mut url = format!("{}/xrpc/{nsid}", session.pds.trim_end_matches('/'));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.push('?');
        url.push_str(q);
    }
    let mut out = Outbound::get(&url, MAX_BYTES);
    out.method = method;
    out.headers
        .push(("authorization", format!("Bearer {access}")));
    out.body = body;
    let resp = state
        .resolver()
        .fetcher()
        .send(out)
        .await
        .map_err(SessionError::Fetch)?;
    Ok(resp)
}

/// Forwards a JSON body; returns the PDS's answer, parsed when it succeeded.
async fn forward_json(
    state: &AppState,
    session: &StoredSession,
    nsid: &str,
    body: &Value,
) -> Result<(Inbound, Option<Value>)> {
    let body = (
        "application/json".to_string(),
        body.to_string().into_bytes(),
    );
    let method = reqwest::Method::POST;
    let resp = forward(state, session, nsid, method, None, Some(body)).await?;
    let parsed = (resp.status == 200)
        .then(|| serde_json::from_slice(&resp.body).ok())
        .flatten();
    Ok((resp, parsed))
}

/// Writes for the session's user at their PDS (`nsid` is one of the four record-writing
/// methods) and applies what the PDS accepted to the store at once; returns the PDS's answer
/// and its parsed body when it succeeded.
pub async fn write_for(
    state: &AppState,
    s: &StoredSession,
    nsid: &str,
    input: &Value,
) -> Result<(Inbound, Option<Value>)> {
    let repo = input
        .get("repo")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    if repo != s.did && !repo.eq_ignore_ascii_case(&s.handle) {
        return Err(Error::invalid("Input/repo must be the logged-in account"));
    }
    let (resp, output) = forward_json(state, s, nsid, input).await?;
    if let Some(output) = &output {
        let accepted = Accepted {
            nsid,
            did: &s.did,
            input,
            output,
        };
        let filter = Filter::from_config(&state.cfg.jetstream);
        local::apply(&state.scope, &*state.store, &filter, &accepted);
    }
    Ok((resp, output))
}

/// Uploads a blob for the session's user to their PDS.
pub async fn upload_for(
    state: &AppState,
    s: &StoredSession,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Inbound> {
    let body = Some((content_type.to_string(), bytes));
    forward(state, s, UPLOAD_BLOB, reqwest::Method::POST, None, body).await
}
