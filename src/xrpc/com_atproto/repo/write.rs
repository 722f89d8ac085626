//! `createRecord`, `putRecord`, `deleteRecord`, `applyWrites` and `uploadBlob` for the
//! session's user: forwarded to their PDS with their tokens, answered as the PDS answered, and
//! (for record writes it accepted) applied to Aerie's store at once by the gate's local write
//! path.

use crate::gate::change::Filter;
use crate::gate::local::{self, Accepted};
use crate::outbound::Inbound;
use crate::xrpc::pds::{forward, forward_json, passthrough, proxy, session};
use crate::xrpc::prelude::*;
use aerie_storage::StoredSession;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// Writes for the session's user at their PDS (`nsid` is one of the four record-writing
/// methods) and applies what the PDS accepted to the store at once; returns the PDS's answer
/// and its parsed body when it succeeded. The one write path of the XRPC API and the pages.
pub async fn write_for(
    state: &AppState,
    s: &StoredSession,
    nsid: &str,
    input: &serde_json::Value,
) -> Result<(Inbound, Option<serde_json::Value>), XrpcError> {
    let repo = input
        .get("repo")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    if repo != s.did && !repo.eq_ignore_ascii_case(&s.handle) {
        return Err(XrpcError::invalid(
            "Input/repo must be the logged-in account",
        ));
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

macro_rules! record_handler {
    ($name:ident, $nsid:literal) => {
        #[doc = concat!("`", $nsid, "`.")]
        pub async fn $name(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            body: Option<Json<serde_json::Value>>,
        ) -> Response {
            let run = async {
                let s = session(&state, &headers)?;
                let Some(Json(input)) = body else {
                    return Err(XrpcError::invalid("Request body must be JSON"));
                };
                let (resp, _) = write_for(&state, &s, $nsid, &input).await?;
                Ok(passthrough(resp))
            };
            run.await.unwrap_or_else(IntoResponse::into_response)
        }
    };
}

record_handler!(create_record, "com.atproto.repo.createRecord");
record_handler!(put_record, "com.atproto.repo.putRecord");
record_handler!(delete_record, "com.atproto.repo.deleteRecord");
record_handler!(apply_writes, "com.atproto.repo.applyWrites");

const UPLOAD_BLOB: &str = "com.atproto.repo.uploadBlob";

/// Uploads a blob for the session's user to their PDS.
pub async fn upload_for(
    state: &AppState,
    s: &StoredSession,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Inbound, XrpcError> {
    forward(
        state,
        s,
        UPLOAD_BLOB,
        reqwest::Method::POST,
        None,
        Some((content_type.to_string(), bytes)),
    )
    .await
}

/// `com.atproto.repo.uploadBlob`: the bytes and their content type, passed through.
pub async fn upload_blob(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    proxy(
        &state,
        &headers,
        UPLOAD_BLOB,
        reqwest::Method::POST,
        Some((content_type, body.to_vec())),
    )
    .await
}
