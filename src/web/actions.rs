//! Form actions: like/unlike, repost/unrepost, follow/unfollow, delete one's own post. Each is
//! a CSRF-checked form posting here, written through the service's write path (the user's
//! PDS, then Aerie's store at once). A browser is sent back to the page it came from; the
//! page's script, asking for JSON, gets the new state to toggle in place.

use super::page;
use super::visitor::Visitor;
use crate::hydrate::view::PostView;
use crate::service::write::{create, delete, post, strong_ref};
use crate::service::Error;
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

fn now() -> String {
    aerie_storage::datetime::format_us(crate::util::now_us())
}

/// The post's count after an action, and the viewer's record of it (for in-place toggles):
/// `pick` reads them off the post's view.
async fn post_state(
    state: &Arc<AppState>,
    viewer: &str,
    uri: &str,
    pick: fn(&PostView) -> (u64, Option<String>),
) -> (Option<u64>, Option<String>) {
    let view = post(state, viewer, uri).await.ok().flatten();
    match view.as_ref().map(pick) {
        Some((count, mine)) => (Some(count), mine),
        None => (None, None),
    }
}

async fn act(
    state: &Arc<AppState>,
    s: &StoredSession,
    op: &str,
    f: &ActionInput,
) -> Result<Value, Error> {
    let record = f.record.as_deref();
    match op {
        "like" | "repost" => {
            let subject = strong_ref(state, &s.did, f.uri.as_deref(), f.cid.as_deref()).await?;
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
                record.ok_or_else(|| Error::invalid("No record given"))?,
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
                .ok_or_else(|| Error::invalid("No account given"))?;
            let uri = create(
                state,
                s,
                nsid::FOLLOW,
                json!({"$type": nsid::FOLLOW, "subject": did, "createdAt": now()}),
            )
            .await?;
            return Ok(json!({"next": "unfollow", "record": uri}));
        }
        _ => return Err(Error::invalid("Unknown action")),
    }
    let uri = f.uri.as_deref().unwrap_or_default();
    Ok(match op {
        "like" | "unlike" => {
            let (count, rec) = post_state(state, &s.did, uri, |p| {
                (p.like_count, p.viewer.as_ref().and_then(|v| v.like.clone()))
            })
            .await;
            json!({"next": if rec.is_some() { "unlike" } else { "like" }, "record": rec, "count": count})
        }
        "repost" | "unrepost" => {
            let (count, rec) = post_state(state, &s.did, uri, |p| {
                (
                    p.repost_count,
                    p.viewer.as_ref().and_then(|v| v.repost.clone()),
                )
            })
            .await;
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
        Err(e) => {
            let told = e.answer();
            match wants_json {
                true => (told.status, Json(json!({"error": told.message}))).into_response(),
                false => page::error(&state, &v, told.status, told.message),
            }
        }
    }
}
