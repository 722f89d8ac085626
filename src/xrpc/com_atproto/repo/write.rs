//! `createRecord`, `putRecord`, `deleteRecord`, `applyWrites` and `uploadBlob` for the
//! session's user: forwarded to their PDS with their tokens, answered as the PDS answered, and
//! (for record writes it accepted) applied to Aerie's store at once.

use super::written;
use crate::xrpc::pds::{forward, forward_json, passthrough, session};
use crate::xrpc::prelude::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

type Local = fn(&AppState, &str, &serde_json::Value, &serde_json::Value);

async fn record_write(
    state: &AppState,
    headers: &HeaderMap,
    nsid: &str,
    body: Option<Json<serde_json::Value>>,
    local: Local,
) -> Result<Response, XrpcError> {
    let s = session(state, headers)?;
    let Some(Json(input)) = body else {
        return Err(XrpcError::invalid("Request body must be JSON"));
    };
    let repo = input
        .get("repo")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    if repo != s.did && !repo.eq_ignore_ascii_case(&s.handle) {
        return Err(XrpcError::invalid(
            "Input/repo must be the logged-in account",
        ));
    }
    let (resp, output) = forward_json(state, &s, nsid, &input).await?;
    if let Some(out) = &output {
        local(state, &s.did, &input, out);
    }
    Ok(passthrough(resp))
}

macro_rules! record_handler {
    ($name:ident, $nsid:literal, $local:path) => {
        #[doc = concat!("`", $nsid, "`.")]
        pub async fn $name(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            body: Option<Json<serde_json::Value>>,
        ) -> Response {
            record_write(&state, &headers, $nsid, body, $local)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
    };
}

record_handler!(
    create_record,
    "com.atproto.repo.createRecord",
    written::record
);
record_handler!(put_record, "com.atproto.repo.putRecord", written::record);
record_handler!(
    delete_record,
    "com.atproto.repo.deleteRecord",
    written::deleted
);
record_handler!(
    apply_writes,
    "com.atproto.repo.applyWrites",
    written::writes
);

/// `com.atproto.repo.uploadBlob`: the bytes and their content type, passed through.
pub async fn upload_blob(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let s = session(&state, &headers)?;
        let content_type = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let resp = forward(
            &state,
            &s,
            "com.atproto.repo.uploadBlob",
            reqwest::Method::POST,
            None,
            Some((content_type, body.to_vec())),
        )
        .await?;
        Ok::<_, XrpcError>(passthrough(resp))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}
