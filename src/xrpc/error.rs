//! XRPC errors: `{"error": Name, "message": ...}` with the status the reference AppView uses.
//! Internal causes are logged and never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error an XRPC handler returns.
#[derive(Debug)]
pub struct XrpcError {
    status: StatusCode,
    error: String,
    message: String,
}

impl XrpcError {
    /// 400 `InvalidRequest`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::named("InvalidRequest", message)
    }

    /// 400 with a lexicon-named error.
    pub fn named(error: &str, message: impl Into<String>) -> Self {
        XrpcError {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            message: message.into(),
        }
    }

    /// 404 `MethodNotImplemented`.
    pub fn not_implemented(method: &str) -> Self {
        XrpcError {
            status: StatusCode::NOT_FOUND,
            error: "MethodNotImplemented".into(),
            message: format!("Method Not Implemented: {method}"),
        }
    }

    /// 500, with the cause logged.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        XrpcError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "InternalServerError".into(),
            message: "Internal Server Error".into(),
        }
    }
}

impl From<aerie_storage::Error> for XrpcError {
    fn from(e: aerie_storage::Error) -> Self {
        match e {
            aerie_storage::Error::BadCursor => XrpcError::invalid("invalid cursor"),
            other => XrpcError::internal(&other),
        }
    }
}

impl IntoResponse for XrpcError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"error": self.error, "message": self.message})),
        )
            .into_response()
    }
}

/// What every handler returns.
pub type XrpcResult = Result<Json<serde_json::Value>, XrpcError>;
