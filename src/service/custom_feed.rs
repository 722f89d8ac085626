//! A custom feed's page (`app.bsky.feed.getFeed`) as the reference AppView serves it: the
//! generator's record → its service DID → that DID's `#bsky_fg` endpoint →
//! `app.bsky.feed.getFeedSkeleton`, asked with the `Authorization` the user's PDS minted for the
//! generator, within a deadline. The skeleton is hydrated — posts beyond the store fetched from
//! their authors' PDSes, with their profiles — keeping the generator's reposts, `feedContext`
//! and `reqId`, and leaving out accounts the viewer blocks, is blocked by or muted.

use super::feed::FeedPage;
use super::{feedgen, run, Answer, Error, Result};
use crate::hydrate::Views;
use crate::outbound::Outbound;
use crate::util::syntax::is_did;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use axum::http::StatusCode;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// How long a generator has to answer (the reference's).
const DEADLINE: Duration = Duration::from_secs(10);
/// The largest skeleton accepted.
const MAX_BYTES: usize = 1 << 20;

/// How the generator learns who asks.
pub enum FeedAuth {
    /// Nobody is logged in.
    Anonymous,
    /// The `Authorization` header the user's PDS minted for the generator, sent as it came.
    Header(String),
    /// A session logged in at Aerie: its PDS mints a token for the generator.
    Session(Box<aerie_storage::StoredSession>),
}

/// What the client asked for.
pub struct FeedRequest {
    /// The generator record.
    pub feed: RecordId,
    /// Items at most.
    pub limit: usize,
    /// The generator's cursor.
    pub cursor: Option<String>,
    /// Who the generator is told is asking.
    pub auth: FeedAuth,
    /// The client's `Accept-Language`.
    pub accept_language: Option<String>,
}

#[derive(Deserialize)]
struct Skeleton {
    feed: Vec<SkeletonItem>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default, rename = "reqId")]
    req_id: Option<String>,
}

#[derive(Deserialize)]
struct SkeletonItem {
    post: String,
    #[serde(default)]
    reason: Option<SkeletonReason>,
    #[serde(default, rename = "feedContext")]
    feed_context: Option<String>,
}

#[derive(Deserialize)]
struct SkeletonReason {
    #[serde(default)]
    repost: Option<String>,
}

/// One item to show: the post, the repost that brought it, what the generator said of it.
struct Wanted {
    post: RecordId,
    repost: Option<RecordId>,
    context: Option<String>,
}

fn unknown() -> Error {
    Error::refused("UnknownFeed", "could not find feed")
}

/// `Bad Gateway` with a name and a message.
fn upstream(name: &str, message: &str) -> Error {
    Error::Answered(Answer::new(StatusCode::BAD_GATEWAY, name, message))
}

/// The page of the feed `req.feed` for `viewer`.
pub async fn feed(
    state: &Arc<AppState>,
    viewer: Option<String>,
    req: FeedRequest,
) -> Result<FeedPage> {
    let rec = feedgen::record(state, &req.feed)
        .await?
        .ok_or_else(unknown)?;
    let did = serde_json::from_slice::<serde_json::Value>(&rec.value)
        .ok()
        .and_then(|v| Some(v.get("did")?.as_str()?.to_string()))
        .filter(|d| is_did(d))
        .ok_or_else(unknown)?;
    let endpoint = feedgen::endpoint(state, &did)
        .await
        .ok_or_else(|| Error::invalid("could not find feed generator service"))?;
    let authorization = match &req.auth {
        FeedAuth::Anonymous => None,
        FeedAuth::Header(h) => Some(h.clone()),
        FeedAuth::Session(session) => Some(service_auth(state, session, &did).await?),
    };
    let skeleton = skeleton(state, &endpoint, &req, authorization).await?;
    let wanted: Vec<Wanted> = skeleton
        .feed
        .into_iter()
        .take(req.limit)
        .filter_map(|item| {
            let post = RecordId::parse_uri(&item.post).filter(|p| p.collection == nsid::POST)?;
            let repost = item
                .reason
                .and_then(|r| r.repost)
                .and_then(|r| RecordId::parse_uri(&r));
            Some(Wanted {
                post,
                repost,
                context: item.feed_context,
            })
        })
        .collect();
    let ids = wanted
        .iter()
        .flat_map(|w| std::iter::once(w.post.clone()).chain(w.repost.clone()))
        .collect();
    let fetched = super::beyond::records(state, ids).await;
    let cursor = skeleton
        .cursor
        .filter(|c| !wanted.is_empty() && Some(c) != req.cursor.as_ref());
    let req_id = skeleton.req_id;
    run(state, move |s| {
        let views = fetched.show(Views::for_viewer(s, viewer));
        let mut feed = Vec::new();
        for w in &wanted {
            let Some(mut item) = views.skeleton_item(&w.post, w.repost.as_ref())? else {
                continue;
            };
            let reposter = item.reason.as_ref().map(|r| match r {
                crate::hydrate::view::Reason::Repost(r) => r.by.did.clone(),
            });
            let mut hidden = views.hidden_from_viewer(&item.post.author.did)?;
            if let Some(r) = &reposter {
                hidden |= views.hidden_from_viewer(r)?;
            }
            if hidden {
                continue;
            }
            item.feed_context = w.context.clone();
            item.req_id = req_id.clone();
            feed.push(item);
        }
        Ok(FeedPage { feed, cursor })
    })
    .await
}

/// Asks the generator for a skeleton; its XRPC errors pass through as it gave them.
async fn skeleton(
    state: &AppState,
    endpoint: &str,
    req: &FeedRequest,
    authorization: Option<String>,
) -> Result<Skeleton> {
    let mut url = url::Url::parse(&format!("{endpoint}/xrpc/app.bsky.feed.getFeedSkeleton"))
        .map_err(|_| Error::invalid("could not find feed generator service"))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("feed", &req.feed.uri())
            .append_pair("limit", &req.limit.to_string());
        if let Some(c) = &req.cursor {
            q.append_pair("cursor", c);
        }
    }
    let mut out = Outbound::get(url.as_str(), MAX_BYTES);
    out.timeout = Some(DEADLINE);
    out.headers.extend(
        [
            ("authorization", authorization),
            ("accept-language", req.accept_language.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?))),
    );
    let resp = match state.resolver().fetcher().send(out).await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!("feed {}: {e}", req.feed.uri());
            return Err(upstream("UpstreamFailure", "feed unavailable"));
        }
    };
    if !(200..300).contains(&resp.status) {
        #[derive(Deserialize)]
        struct XrpcError {
            error: String,
            #[serde(default)]
            message: Option<String>,
        }
        return Err(match serde_json::from_slice::<XrpcError>(&resp.body) {
            Ok(e) => Error::Answered(Answer::new(
                StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY),
                &e.error.chars().take(100).collect::<String>(),
                e.message
                    .unwrap_or_default()
                    .chars()
                    .take(500)
                    .collect::<String>(),
            )),
            Err(_) => upstream("UpstreamFailure", "feed unavailable"),
        });
    }
    serde_json::from_slice(&resp.body)
        .map_err(|_| upstream("InvalidFeedResponse", "feed provided an invalid response"))
}

/// A service token for the generator `aud`, minted by the user's PDS for a session logged in
/// at Aerie (`com.atproto.server.getServiceAuth`).
async fn service_auth(
    state: &AppState,
    session: &aerie_storage::StoredSession,
    aud: &str,
) -> Result<String> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("aud", aud)
        .append_pair("lxm", "app.bsky.feed.getFeedSkeleton")
        .finish();
    let resp = super::write::forward(
        state,
        session,
        "com.atproto.server.getServiceAuth",
        reqwest::Method::GET,
        Some(&query),
        Vec::new(),
        None,
    )
    .await?;
    #[derive(Deserialize)]
    struct Token {
        token: String,
    }
    let body = resp.success("getServiceAuth").map_err(|e| {
        tracing::info!(did = %session.did, "getServiceAuth for {aud}: {e}");
        upstream("UpstreamFailure", "could not get a token for the feed")
    })?;
    serde_json::from_slice::<Token>(&body)
        .map(|t| format!("Bearer {}", t.token))
        .map_err(|_| upstream("UpstreamFailure", "could not get a token for the feed"))
}
