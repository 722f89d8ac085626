//! Query parameters of XRPC calls: repeated keys for arrays, strict checks, and the resolution
//! of `at-identifier` parameters (DID or handle) against the store.

use super::error::XrpcError;
use crate::util::syntax;
use crate::AppState;
use aerie_storage::RecordId;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Decoded query parameters, in order.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = XrpcError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        Ok(Params(
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

impl Params {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or 400.
    pub fn required(&self, name: &str) -> Result<&str, XrpcError> {
        self.get(name).ok_or_else(|| {
            XrpcError::invalid(format!("Error: Params must have the property \"{name}\""))
        })
    }

    /// Every value of `name` (`name=a&name=b`), at most `max`, at least one.
    pub fn list(&self, name: &str, max: usize) -> Result<Vec<&str>, XrpcError> {
        let v = self.optional_list(name, max)?;
        if v.is_empty() {
            return Err(XrpcError::invalid(format!(
                "Error: Params must have the property \"{name}\""
            )));
        }
        Ok(v)
    }

    /// Every value of `name` as a record (AT-URIs), at most `max`, at least one.
    pub fn uris(&self, name: &str, max: usize) -> Result<Vec<RecordId>, XrpcError> {
        self.list(name, max)?
            .into_iter()
            .map(|raw| {
                crate::util::syntax::record_uri(raw).ok_or_else(|| {
                    XrpcError::invalid(format!("Error: Params/{name} must contain valid at-uris"))
                })
            })
            .collect()
    }

    /// Every value of `name`, at most `max`; none when absent.
    pub fn optional_list(&self, name: &str, max: usize) -> Result<Vec<&str>, XrpcError> {
        let v: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if v.len() > max {
            return Err(XrpcError::invalid(format!(
                "Error: Params/{name} must not have more than {max} elements"
            )));
        }
        Ok(v)
    }

    /// `limit` between 1 and `max`, `default` when absent.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, XrpcError> {
        match self.get("limit") {
            None => Ok(default),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 1 && n as usize <= max => Ok(n as usize),
                Ok(_) => Err(XrpcError::invalid(format!(
                    "Error: Params/limit must be between 1 and {max}"
                ))),
                Err(_) => Err(XrpcError::invalid("Error: Params/limit must be an integer")),
            },
        }
    }

    /// An integer parameter within bounds.
    pub fn int(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, XrpcError> {
        match self.get(name) {
            None => Ok(default),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(XrpcError::invalid(format!(
                    "Error: Params/{name} must be an integer between {min} and {max}"
                ))),
            },
        }
    }

    /// A boolean parameter (`true` or `false`), `default` when absent.
    pub fn boolean(&self, name: &str, default: bool) -> Result<bool, XrpcError> {
        match self.get(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(_) => Err(XrpcError::invalid(format!(
                "Error: Params/{name} must be a boolean"
            ))),
        }
    }

    /// The pagination cursor.
    pub fn cursor(&self) -> Option<&str> {
        self.get("cursor").filter(|c| !c.is_empty())
    }

    /// A required AT-URI naming a record.
    pub fn uri(&self, name: &str) -> Result<RecordId, XrpcError> {
        let raw = self.required(name)?;
        parse_uri(raw).ok_or_else(|| {
            XrpcError::invalid(format!("Error: Params/{name} must be a valid at-uri"))
        })
    }

    /// A required `at-identifier`, resolved to a DID. Unknown handles give `not_found`.
    pub fn actor(&self, state: &AppState, name: &str) -> Result<Option<String>, XrpcError> {
        resolve_actor(state, self.required(name)?)
    }
}

/// An AT-URI whose authority may be a handle; resolution happens at the caller.
fn parse_uri(raw: &str) -> Option<RecordId> {
    let id = RecordId::parse_uri(raw).or_else(|| {
        // at://handle/collection/rkey: keep as-is for resolution below.
        let rest = raw.strip_prefix("at://")?;
        let mut p = rest.split('/');
        let (h, c, r) = (p.next()?, p.next()?, p.next()?);
        (p.next().is_none() && syntax::is_handle(h)).then(|| RecordId::new(h, c, r))
    })?;
    (syntax::is_nsid(&id.collection) && syntax::is_rkey(&id.rkey)).then_some(id)
}

/// Resolves a DID or a handle the store knows; `Ok(None)` when unknown, 400 when malformed.
pub fn resolve_actor(state: &AppState, raw: &str) -> Result<Option<String>, XrpcError> {
    Ok(crate::service::actors::resolve(state, raw)?)
}

/// Resolves the authority of an AT-URI when it is a handle.
pub fn resolve_uri(state: &AppState, mut id: RecordId) -> Result<Option<RecordId>, XrpcError> {
    if id.did.starts_with("did:") {
        return Ok(syntax::is_did(&id.did).then_some(id));
    }
    Ok(resolve_actor(state, &id.did)?.map(|did| {
        id.did = did;
        id
    }))
}

/// A string property of a procedure's JSON input; a missing one named as the reference names it.
pub fn input_str<'a>(
    body: &'a Option<axum::Json<serde_json::Value>>,
    name: &str,
) -> Result<&'a str, XrpcError> {
    body.as_ref()
        .and_then(|axum::Json(b)| b.get(name)?.as_str())
        .ok_or_else(|| XrpcError::invalid(format!("Input must have the property \"{name}\"")))
}

/// An AT-URI property of a procedure's JSON input, as a record.
pub fn input_uri(
    body: &Option<axum::Json<serde_json::Value>>,
    name: &str,
) -> Result<RecordId, XrpcError> {
    crate::util::syntax::record_uri(input_str(body, name)?)
        .ok_or_else(|| XrpcError::invalid(format!("Input/{name} must be a valid at-uri")))
}

/// The record the AT-URI parameter `name` names, its authority resolved from the store off the
/// async workers (for handlers that go on to await other work); `missing` when unknown.
pub async fn record_param(
    state: &std::sync::Arc<crate::AppState>,
    p: &Params,
    name: &str,
    missing: impl FnOnce() -> XrpcError,
) -> Result<RecordId, XrpcError> {
    let raw = p.uri(name)?;
    crate::service::run(state, move |s| resolve_uri(s, raw))
        .await?
        .ok_or_else(missing)
}

/// The DID the `actor` parameter names: a DID, a handle the store knows (looked up off the
/// async workers), else a handle the identity resolver resolves and verifies within the
/// deadline; `Profile not found` when unknown.
pub async fn actor_param(
    state: &std::sync::Arc<crate::AppState>,
    p: &Params,
) -> Result<String, XrpcError> {
    let raw = p.required("actor")?.to_string();
    let given = raw.clone();
    if let Some(did) = crate::service::run(state, move |s| resolve_actor(s, &given)).await? {
        return Ok(did);
    }
    let lookup = state.resolver().resolve(&raw);
    match tokio::time::timeout(crate::service::remote::DEADLINE, lookup).await {
        Ok(Ok(identity)) => Ok(identity.did),
        _ => Err(XrpcError::invalid("Profile not found")),
    }
}
