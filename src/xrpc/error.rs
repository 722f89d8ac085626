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

impl std::fmt::Display for XrpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.error)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl XrpcError {
    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

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

    /// Any status with a named error.
    pub fn with_status(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        XrpcError {
            status,
            error: error.into(),
            message: message.into(),
        }
    }

    /// 401 `AuthMissing`: the method needs a logged-in viewer.
    pub fn auth_missing() -> Self {
        Self::with_status(
            StatusCode::UNAUTHORIZED,
            "AuthMissing",
            "Authentication Required",
        )
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

impl From<crate::auth::session::SessionError> for XrpcError {
    fn from(e: crate::auth::session::SessionError) -> Self {
        use crate::auth::session::SessionError as S;
        match e {
            S::Pds {
                status,
                error,
                message,
            } => Self::with_status(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                &error,
                message,
            ),
            S::InvalidToken => Self::with_status(
                StatusCode::UNAUTHORIZED,
                "InvalidToken",
                "Token could not be verified",
            ),
            S::ExpiredToken => Self::named("ExpiredToken", "Token has expired"),
            S::Identifier(why) => {
                tracing::info!("login refused: {why}");
                Self::with_status(
                    StatusCode::UNAUTHORIZED,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                )
            }
            S::Fetch(e) => {
                tracing::warn!("PDS unreachable: {e}");
                Self::with_status(
                    StatusCode::BAD_GATEWAY,
                    "UpstreamFailure",
                    "The account's PDS could not be reached",
                )
            }
            S::Store(e) => Self::internal(&e),
        }
    }
}

impl From<crate::auth::service_jwt::AuthError> for XrpcError {
    fn from(e: crate::auth::service_jwt::AuthError) -> Self {
        Self::with_status(StatusCode::UNAUTHORIZED, e.name, e.message)
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

impl From<crate::service::Error> for XrpcError {
    fn from(e: crate::service::Error) -> Self {
        match e {
            crate::service::Error::Store(e) => e.into(),
            crate::service::Error::Refused { name, message } => Self::named(name, message),
            crate::service::Error::Session(e) => e.into(),
        }
    }
}

/// What handlers return: a typed output (by default untyped JSON) or an error.
pub type XrpcResult<T = serde_json::Value> = Result<Json<T>, XrpcError>;
