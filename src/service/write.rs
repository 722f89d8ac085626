//! Writes for the logged-in user, the one write path of the XRPC API and the pages: each is
//! forwarded to the user's PDS with their (server-side) tokens — the PDS token refreshed when
//! due — answered as the PDS answered, and, for the record writes the PDS accepted, applied to
//! Aerie's store at once through the gate's local write path (on the blocking pool). The
//! pages' record writes (create, delete, a post's strong ref) are built on the same path.

use super::{Error, Result};
use crate::auth::session::SessionError;
use crate::gate::change::Filter;
use crate::gate::local::{self, Accepted};
use crate::hydrate::view::PostView;
use crate::outbound::{Inbound, Outbound};
use crate::util::syntax;
use crate::AppState;
use aerie_storage::StoredSession;
use serde_json::{json, Value};
use std::sync::Arc;

/// Largest body forwarded either way (blobs included).
pub const MAX_BYTES: usize = 64 << 20;

/// `com.atproto.repo.uploadBlob`.
pub const UPLOAD_BLOB: &str = "com.atproto.repo.uploadBlob";

/// Forwards a request for `nsid` to the session's PDS, with `headers` beside the PDS token
/// (`atproto-proxy` for a call the PDS passes on to another service); any status comes back.
pub async fn forward(
    state: &AppState,
    session: &StoredSession,
    nsid: &str,
    method: reqwest::Method,
    query: Option<&str>,
    headers: Vec<(&'static str, String)>,
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
    out.headers = headers;
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
    let resp = forward(state, session, nsid, method, None, Vec::new(), Some(body)).await?;
    let parsed = (resp.status == 200)
        .then(|| serde_json::from_slice(&resp.body).ok())
        .flatten();
    Ok((resp, parsed))
}

/// Writes for the session's user at their PDS (`nsid` is one of the four record-writing
/// methods) and applies what the PDS accepted to the store at once; returns the PDS's answer
/// and its parsed body when it succeeded.
pub async fn write_for(
    state: &Arc<AppState>,
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
    if let Some(output) = output.clone() {
        let blocks_lists = super::mod_lists::touches(input);
        let (nsid, did, input) = (nsid.to_string(), s.did.clone(), input.clone());
        super::run(state, move |state| {
            let accepted = Accepted {
                nsid: &nsid,
                did: &did,
                input: &input,
                output: &output,
            };
            let filter = Filter::from_config(&state.cfg.jetstream);
            local::apply(&state.scope, &*state.store, &filter, &accepted);
        })
        .await;
        if blocks_lists {
            super::mod_lists::refresh(state, &s.did, true).await?;
        }
    }
    Ok((resp, output))
}

/// The PDS's refusal of a write, passed on as it said it (its status, else 502).
pub fn refused(resp: &Inbound) -> Error {
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let text = |k: &str, default: &str| v[k].as_str().unwrap_or(default).to_string();
    Error::Session(SessionError::Pds {
        status: if resp.status >= 400 { resp.status } else { 502 },
        error: text("error", "UpstreamFailure"),
        message: text("message", "Your server refused the change"),
    })
}

/// Creates a record for the user; returns its URI.
pub async fn create(
    state: &Arc<AppState>,
    s: &StoredSession,
    collection: &str,
    record: Value,
) -> Result<String> {
    let input = json!({"repo": s.did, "collection": collection, "record": record});
    let (resp, out) = write_for(state, s, "com.atproto.repo.createRecord", &input).await?;
    out.and_then(|o| o["uri"].as_str().map(String::from))
        .ok_or_else(|| refused(&resp))
}

/// Deletes one of the user's records, named by URI.
pub async fn delete(state: &Arc<AppState>, s: &StoredSession, uri: &str) -> Result<()> {
    let id = syntax::record_uri(uri)
        .filter(|id| id.did == s.did)
        .ok_or_else(|| Error::invalid("That record is not yours"))?;
    let input = json!({"repo": s.did, "collection": id.collection, "rkey": id.rkey});
    let (resp, out) = write_for(state, s, "com.atproto.repo.deleteRecord", &input).await?;
    out.map(|_| ()).ok_or_else(|| refused(&resp))
}

/// The post `uri` as `viewer` sees it, when Aerie has it.
pub async fn post(state: &Arc<AppState>, viewer: &str, uri: &str) -> Result<Option<PostView>> {
    let id = syntax::record_uri(uri).ok_or_else(|| Error::invalid("No such post"))?;
    let viewer = Some(viewer.to_string());
    let found = super::run(state, move |state| {
        super::feed::hydrated_posts(state, viewer, &[id], Default::default())
    })
    .await?;
    Ok(found.into_iter().next())
}

/// A post's strong ref `{uri, cid}` (its CID from the store when none is given).
pub async fn strong_ref(
    state: &Arc<AppState>,
    viewer: &str,
    uri: Option<&str>,
    cid: Option<&str>,
) -> Result<Value> {
    let uri = uri.ok_or_else(|| Error::invalid("No post given"))?;
    let id = syntax::record_uri(uri).ok_or_else(|| Error::invalid("No post given"))?;
    let cid = match cid.filter(|c| syntax::cid_bytes(c).is_some()) {
        Some(c) => c.to_string(),
        None => post(state, viewer, uri)
            .await?
            .map(|p| p.cid)
            .ok_or_else(|| Error::invalid("Post not found"))?,
    };
    Ok(json!({"uri": id.uri(), "cid": cid}))
}

/// Uploads a blob for the session's user to their PDS.
pub async fn upload_for(
    state: &AppState,
    s: &StoredSession,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Inbound> {
    let body = Some((content_type.to_string(), bytes));
    forward(
        state,
        s,
        UPLOAD_BLOB,
        reqwest::Method::POST,
        None,
        Vec::new(),
        body,
    )
    .await
}
