//! `app.bsky.feed.getFeed`: a custom feed's page, from its generator's skeleton. A PDS proxying
//! for its user sends the token it minted for the generator, which goes on to it unchanged; a
//! session logged in at Aerie has its PDS mint one.

use crate::auth::session::is_session_token;
use crate::service::custom_feed::{FeedAuth, FeedRequest};
use crate::xrpc::prelude::*;
use axum::http::HeaderMap;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    headers: HeaderMap,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let feed = record_param(&state, &p, "feed", || {
        XrpcError::named("UnknownFeed", "could not find feed")
    })
    .await?;
    let auth = match crate::auth::bearer(&headers) {
        None => FeedAuth::Anonymous,
        Some(token) if is_session_token(token) => {
            FeedAuth::Session(Box::new(state.sessions.authenticate(token)?))
        }
        // Verified as the viewer's already (the extractor above).
        Some(_) => FeedAuth::Header(
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
        ),
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let req = FeedRequest {
        feed,
        limit,
        cursor: p.cursor().map(String::from),
        auth,
        accept_language: header("accept-language"),
    };
    let page = service::custom_feed::feed(&state, viewer, req).await?;
    reply(page)
}
