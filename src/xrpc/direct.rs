//! Direct mode: an app logged in at Aerie as its "hosting provider" sends every call here,
//! including those meant for its PDS and for other services. Calls for an AppView
//! (`atproto-proxy: <any DID>#bsky_appview` — the stock app names `did:web:api.bsky.app` — or
//! any service of Aerie's own DID) are Aerie's to answer. A holder of an Aerie session whose
//! call names another service (`#bsky_chat`, `#bsky_notif`, `#bsky_fg`, `#atproto_labeler`,
//! ...) or names none and is a method Aerie does not implement (repo, blobs, the rest of
//! `com.atproto.server`, ...) has it forwarded to their PDS with their PDS token, the proxy
//! header kept: the PDS passes it on to the service named with a service token of its own
//! making, as it does for the app. Anyone else gets `MethodNotImplemented`.

use super::pds::{passthrough, session};
use crate::service::write::{forward, MAX_BYTES};
use crate::xrpc::prelude::*;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::IntoResponse;

/// The header naming the service a call is for.
const PROXY: &str = "atproto-proxy";
/// Request headers passed on to the PDS beside its token.
const PASSED_ON: [&str; 3] = [PROXY, "atproto-accept-labelers", "accept-language"];

/// The service a call names (`did#id`), if it names one.
fn proxy_target(headers: &HeaderMap) -> Option<&str> {
    headers.get(PROXY)?.to_str().ok().map(str::trim)
}

/// Whether Aerie is the service `target` names: an AppView (whoever's DID: the app's is fixed
/// when it is built), or any service of Aerie's own DID.
fn is_ours(target: &str, own_did: &str) -> bool {
    let (did, id) = target.split_once('#').unwrap_or((target, ""));
    id == "bsky_appview" || did == own_did
}

/// Whether the caller holds (or claims) an Aerie session.
fn has_session(headers: &HeaderMap) -> bool {
    crate::auth::bearer(headers).is_some_and(crate::auth::session::is_session_token)
}

/// In front of every XRPC route: a session's call for another service goes to its PDS.
pub async fn middleware(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let foreign =
        proxy_target(req.headers()).is_some_and(|t| !is_ours(t, &state.cfg.service_did()));
    if foreign && has_session(req.headers()) {
        return to_pds(&state, req).await;
    }
    next.run(req).await
}

/// Methods Aerie does not implement: a session's call for its PDS goes there; anything else
/// is `MethodNotImplemented`.
pub async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    if proxy_target(req.headers()).is_none() && has_session(req.headers()) {
        return to_pds(&state, req).await;
    }
    let nsid = req.uri().path().trim_start_matches("/xrpc/");
    XrpcError::not_implemented(nsid).into_response()
}

/// The call, forwarded to the session's PDS as it came (method, query, body and its type, the
/// headers in `PASSED_ON`) and answered as the PDS answered.
async fn to_pds(state: &AppState, req: Request) -> Response {
    let run = async {
        let (parts, body) = req.into_parts();
        let s = session(state, &parts.headers)?;
        let nsid = parts.uri.path().trim_start_matches("/xrpc/");
        let headers = PASSED_ON
            .iter()
            .filter_map(|&k| Some((k, parts.headers.get(k)?.to_str().ok()?.to_string())))
            .collect();
        let bytes = axum::body::to_bytes(body, MAX_BYTES)
            .await
            .map_err(|_| XrpcError::invalid("Request body too large or cut off"))?;
        let body = (!bytes.is_empty()).then(|| {
            let content_type = parts
                .headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream");
            (content_type.to_string(), bytes.to_vec())
        });
        let method = parts.method.clone();
        let query = parts.uri.query();
        tracing::debug!(did = %s.did, %nsid, "forwarded to the PDS");
        let resp = forward(state, &s, nsid, method, query, headers, body).await?;
        Ok::<_, XrpcError>(passthrough(resp))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appview_calls_and_aerie_s_own_services_are_ours() {
        let own = "did:web:aerie.test";
        assert!(is_ours("did:web:api.bsky.app#bsky_appview", own));
        assert!(is_ours("did:web:aerie.test#bsky_appview", own));
        assert!(is_ours("did:web:aerie.test#bsky_notif", own));
        assert!(!is_ours("did:web:api.bsky.chat#bsky_chat", own));
        assert!(!is_ours("did:web:api.bsky.app#bsky_notif", own));
        assert!(!is_ours(
            "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler",
            own
        ));
        assert!(!is_ours("did:web:feeds.test#bsky_fg", own));
    }
}
