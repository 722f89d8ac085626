//! Form actions: like/unlike, repost/unrepost, follow/unfollow, delete one's own post. Each is
//! a CSRF-checked form posting here, written through the XRPC write path (the user's PDS,
//! then Aerie's store at once). A browser is sent back to the page it came from; the page's
//! script, asking for JSON, gets the new state to toggle in place.

use super::page;
use super::visitor::Visitor;
use crate::hydrate::view::PostView;
use crate::hydrate::Views;
use crate::service::write::write_for;
use crate::xrpc::error::XrpcError;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::StoredSession;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The posted action form.
#[derive(Deserialize)]
pub struct ActionInput {
    csrf: String,
    /// The post acted on (like, repost).
    uri: Option<String>,
    /// Its CID.
    cid: Option<String>,
    /// The account acted on (follow).
    subject: Option<String>,
    /// The record to delete (unlike, unrepost, unfollow, delete).
    record: Option<String>,
    next: Option<String>,
}

/// Creates a record for the user; returns its URI.
pub async fn create(
    state: &AppState,
    s: &StoredSession,
    collection: &str,
    record: Value,
) -> Result<String, XrpcError> {
    let input = json!({"repo": s.did, "collection": collection, "record": record});
    let (resp, out) = write_for(state, s, "com.atproto.repo.createRecord", &input).await?;
    out.and_then(|o| o["uri"].as_str().map(String::from))
        .ok_or_else(|| pds_refused(&resp.body))
}

/// Deletes one of the user's records (named by URI).
async fn delete(state: &AppState, s: &StoredSession, uri: &str) -> Result<(), XrpcError> {
    let id = crate::util::syntax::record_uri(uri)
        .filter(|id| id.did == s.did)
        .ok_or_else(|| XrpcError::invalid("That record is not yours"))?;
    let input = json!({"repo": s.did, "collection": id.collection, "rkey": id.rkey});
    let (resp, out) = write_for(state, s, "com.atproto.repo.deleteRecord", &input).await?;
    out.map(|_| ()).ok_or_else(|| pds_refused(&resp.body))
}

/// The PDS's refusal as an error with its message.
pub fn pds_refused(body: &[u8]) -> XrpcError {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    XrpcError::named(
        v["error"].as_str().unwrap_or("UpstreamFailure"),
        v["message"]
            .as_str()
            .unwrap_or("Your server refused the change"),
    )
}

fn now() -> String {
    aerie_storage::datetime::format_us(crate::util::now_us())
}

/// A post's strong ref (its CID from the store when none is given).
pub fn strong_ref(
    state: &AppState,
    viewer: &str,
    uri: Option<&str>,
    cid: Option<&str>,
) -> Result<Value, XrpcError> {
    let id = uri
        .and_then(crate::util::syntax::record_uri)
        .ok_or_else(|| XrpcError::invalid("No post given"))?;
    let cid = match cid.filter(|c| crate::util::syntax::cid_bytes(c).is_some()) {
        Some(c) => c.to_string(),
        None => Views::for_viewer(state, Some(viewer.to_string()))
            .post(&id)?
            .map(|p| p.cid)
            .ok_or_else(|| XrpcError::invalid("Post not found"))?,
    };
    Ok(json!({"uri": id.uri(), "cid": cid}))
}

/// The post's count after an action, and the viewer's record of it (for in-place toggles):
/// `pick` reads them off the post's view.
fn post_state(
    state: &AppState,
    viewer: &str,
    uri: &str,
    pick: fn(&PostView) -> (u64, Option<String>),
) -> (Option<u64>, Option<String>) {
    let view = crate::util::syntax::record_uri(uri).and_then(|id| {
        Views::for_viewer(state, Some(viewer.to_string()))
            .post(&id)
            .ok()
            .flatten()
    });
    match view.as_ref().map(pick) {
        Some((count, mine)) => (Some(count), mine),
        None => (None, None),
    }
}

async fn act(
    state: &AppState,
    s: &StoredSession,
    op: &str,
    f: &ActionInput,
) -> Result<Value, XrpcError> {
    let record = f.record.as_deref();
    match op {
        "like" | "repost" => {
            let subject = strong_ref(state, &s.did, f.uri.as_deref(), f.cid.as_deref())?;
            let collection = if op == "like" {
                nsid::LIKE
            } else {
                nsid::REPOST
            };
            create(
                state,
                s,
                collection,
                json!({"$type": collection, "subject": subject, "createdAt": now()}),
            )
            .await?;
        }
        "unlike" | "unrepost" | "unfollow" | "delete" => {
            delete(
                state,
                s,
                record.ok_or_else(|| XrpcError::invalid("No record given"))?,
            )
            .await?;
            if op == "unfollow" {
                return Ok(json!({"next": "follow", "record": null}));
            }
        }
        "follow" => {
            let did = f
                .subject
                .as_deref()
                .filter(|d| crate::util::syntax::is_did(d))
                .ok_or_else(|| XrpcError::invalid("No account given"))?;
            let uri = create(
                state,
                s,
                nsid::FOLLOW,
                json!({"$type": nsid::FOLLOW, "subject": did, "createdAt": now()}),
            )
            .await?;
            return Ok(json!({"next": "unfollow", "record": uri}));
        }
        _ => return Err(XrpcError::invalid("Unknown action")),
    }
    let uri = f.uri.as_deref().unwrap_or_default();
    Ok(match op {
        "like" | "unlike" => {
            let (count, rec) = post_state(state, &s.did, uri, |p| {
                (p.like_count, p.viewer.as_ref().and_then(|v| v.like.clone()))
            });
            json!({"next": if rec.is_some() { "unlike" } else { "like" }, "record": rec, "count": count})
        }
        "repost" | "unrepost" => {
            let (count, rec) = post_state(state, &s.did, uri, |p| {
                (
                    p.repost_count,
                    p.viewer.as_ref().and_then(|v| v.repost.clone()),
                )
            });
            json!({"next": if rec.is_some() { "unrepost" } else { "repost" }, "record": rec, "count": count})
        }
        _ => json!({}),
    })
}

/// `POST /action/{op}`.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Path(op): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ActionInput>,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"));
    let Some(s) = &v.user else {
        return page::redirect("/login", &[]);
    };
    if !v.form_ok(&state, &f.csrf) {
        return page::error(
            &state,
            &v,
            StatusCode::FORBIDDEN,
            "The form expired; please go back and try again.",
        );
    }
    match act(&state, s, &op, &f).await {
        Ok(out) if wants_json => Json(out).into_response(),
        Ok(_) => {
            let next = page::local_path(f.next.as_deref());
            // A deleted post's own page is gone: go home instead.
            let next = match (
                op.as_str(),
                f.record
                    .as_deref()
                    .and_then(crate::util::syntax::record_uri),
            ) {
                ("delete", Some(id)) if next.ends_with(&format!("/post/{}", id.rkey)) => {
                    "/".to_string()
                }
                _ => next,
            };
            page::redirect(&next, &[])
        }
        Err(e) if wants_json => (e.status(), Json(json!({"error": e.to_string()}))).into_response(),
        Err(e) => page::error(&state, &v, e.status(), e.to_string()),
    }
}
