//! XRPC errors: `{"error": Name, "message": ...}` with the status the reference AppView uses.
//! Internal causes are logged and never sent. Errors Aerie's handlers did not make (the
//! framework's rejections, wrong methods, limits, timeouts) get the same body on their way out.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
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
        crate::service::Answer::internal(cause).into()
    }
}

impl From<aerie_storage::Error> for XrpcError {
    fn from(e: aerie_storage::Error) -> Self {
        crate::service::Error::Store(e).into()
    }
}

impl From<crate::auth::session::SessionError> for XrpcError {
    fn from(e: crate::auth::session::SessionError) -> Self {
        crate::service::session_answer(e).into()
    }
}

impl From<crate::service::Answer> for XrpcError {
    fn from(a: crate::service::Answer) -> Self {
        Self::with_status(a.status, &a.name, a.message)
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
        e.answer().into()
    }
}

/// What handlers return: a typed output (by default untyped JSON) or an error.
pub type XrpcResult<T = serde_json::Value> = Result<Json<T>, XrpcError>;

/// The error name for a status without one: the names of the reference's XRPC response types
/// (`@atproto/xrpc`), `InvalidRequest` for other client errors.
pub fn name_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "AuthenticationRequired",
        403 => "Forbidden",
        404 | 501 => "MethodNotImplemented",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        429 => "RateLimitExceeded",
        502 => "UpstreamFailure",
        503 => "NotEnoughResources",
        504 => "UpstreamTimeout",
        s if s >= 500 => "InternalServerError",
        _ => "InvalidRequest",
    }
}

/// The error body for `status`, named by [`name_for`].
pub fn body_for(status: StatusCode, message: &str) -> String {
    serde_json::json!({"error": name_for(status), "message": message}).to_string()
}

/// Longest framework text kept as a message.
const MAX_MESSAGE: usize = 512;

/// An error response to an XRPC request whose body is not JSON — axum's rejections (a body or
/// query that does not parse, a missing content type), a wrong method, a body over the limit,
/// a timeout — made into the XRPC error object, with its status and headers kept and its text
/// (or the status's reason) as the message. Anything else passes unchanged.
pub async fn ensure_json(resp: Response, method: &Method) -> Response {
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !(status.is_client_error() || status.is_server_error())
        || ctype.starts_with("application/json")
    {
        return resp;
    }
    // The framework's texts are plain; anything else (a page, a proxy's HTML) is not a message.
    let plain = ctype.is_empty() || ctype.starts_with("text/plain");
    let (mut parts, body) = resp.into_parts();
    let text = if plain {
        axum::body::to_bytes(body, MAX_MESSAGE * 4)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let allowed = parts
        .headers
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty());
    let reason = status.canonical_reason().unwrap_or("Error");
    let message = match allowed {
        Some(allow) if status == StatusCode::METHOD_NOT_ALLOWED => {
            format!("Incorrect HTTP method ({method}) expected {allow}")
        }
        _ if text.is_empty() => reason.to_string(),
        _ => text.chars().take(MAX_MESSAGE).collect(),
    };
    for h in [header::CONTENT_LENGTH, header::CONTENT_ENCODING] {
        parts.headers.remove(h);
    }
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body_for(status, &message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn json(resp: Response) -> (StatusCode, serde_json::Value) {
        let resp = ensure_json(resp, &Method::PUT).await;
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/json");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16).await;
        let body = serde_json::from_slice(&bytes.unwrap_or_default()).unwrap_or_default();
        (status, body)
    }

    #[tokio::test]
    async fn framework_errors_become_xrpc_errors() {
        let plain = (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected request with `Content-Type: application/json`",
        );
        let (status, body) = json(plain.into_response()).await;
        assert_eq!(status, 415);
        assert_eq!(body["error"], "UnsupportedMediaType");
        assert_eq!(body["message"], plain.1);
        let (status, body) = json(StatusCode::REQUEST_TIMEOUT.into_response()).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (408, Some("RequestTimeout"))
        );
        assert_eq!(body["message"], "Request Timeout");
        let wrong = (
            [(header::ALLOW, "GET,HEAD")],
            StatusCode::METHOD_NOT_ALLOWED,
        );
        let (status, body) = json(wrong.into_response()).await;
        assert_eq!(status, 405);
        assert_eq!(body["error"], "InvalidRequest");
        assert_eq!(
            body["message"],
            "Incorrect HTTP method (PUT) expected GET,HEAD"
        );
        // Handlers' own errors, and successes, are left alone.
        let own = XrpcError::named("NotFound", "no such post").into_response();
        let own = ensure_json(own, &Method::GET).await;
        let bytes = axum::body::to_bytes(own.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        assert!(String::from_utf8_lossy(&bytes).contains("no such post"));
        let ok = ensure_json("fine".into_response(), &Method::GET).await;
        assert_eq!(
            ok.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }
}
