//! `createRecord`, `putRecord`, `deleteRecord`, `applyWrites` and `uploadBlob` for the
//! session's user: written through the service layer's write path (`service::write`: their
//! PDS, then Aerie's store at once), answered as the PDS answered.

use crate::service::write::{write_for, UPLOAD_BLOB};
use crate::xrpc::pds::{passthrough, proxy, session};
use crate::xrpc::prelude::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

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
