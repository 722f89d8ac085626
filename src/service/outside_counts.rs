//! The count source's fetcher: takes the subjects hydration wanted counts for
//! ([`OutsideCounts`]), asks the configured source — Constellation's link counts, or another
//! AppView's views, 25 subjects a request — through the outbound guard, and records each
//! answer beside Aerie's own counts at that moment. Runs in the background; a source that
//! fails is logged (rate-limited) and asked again later, never in a request's way.

use super::run;
use crate::config::CountSource;
use crate::hydrate::outside::{live, Numbers};
use crate::AppState;
use aerie_storage::RecordId;
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Subjects taken per round.
const ROUND: usize = 200;
/// Requests to the source at once.
const CONCURRENCY: usize = 8;
/// Time limit of one request.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Subjects in one AppView request (the methods' limit).
const BATCH: usize = 25;

/// One answer: the subject and its numbers (`None` for those the source does not give).
type Answer = (String, [Option<u64>; 4]);

/// Fetches wanted counts for as long as Aerie runs.
pub async fn run_fetcher(state: Arc<AppState>) {
    let Some(base) = state.cfg.counts.url().map(String::from) else {
        return;
    };
    loop {
        state.counts.wanted().await;
        loop {
            let keys = state.counts.take(ROUND);
            if keys.is_empty() {
                break;
            }
            let answers = match state.cfg.counts.source {
                CountSource::Appview => appview(&state, &base, keys).await,
                CountSource::Constellation => constellation(&state, &base, keys).await,
                CountSource::Off => return,
            };
            let keys: Vec<String> = answers.iter().map(|(k, _)| k.clone()).collect();
            let Ok(then) = run(&state, move |s| {
                keys.iter()
                    .map(|k| live(&*s.store, k))
                    .collect::<aerie_storage::Result<Vec<Numbers>>>()
            })
            .await
            else {
                continue;
            };
            for ((key, numbers), then) in answers.into_iter().zip(then) {
                state.counts.record(key, numbers, then);
            }
        }
    }
}

/// GETs `url` from the source: the JSON answer, `None` (logged) when it fails.
async fn get_json(state: &AppState, url: &str) -> Option<Value> {
    super::fetch_json::get_json(state, url, "count source", TIMEOUT).await
}

/// The kind of subject a key names, as an AppView shows it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Actor,
    Post,
    Feed,
    Labeler,
}

fn kind(key: &str) -> Option<Kind> {
    if key.starts_with("did:") {
        return Some(Kind::Actor);
    }
    let id = RecordId::parse_uri(key)?;
    match id.collection.as_str() {
        "app.bsky.feed.post" => Some(Kind::Post),
        "app.bsky.feed.generator" => Some(Kind::Feed),
        "app.bsky.labeler.service" => Some(Kind::Labeler),
        _ => None,
    }
}

/// Counts from an AppView: `getProfiles`, `getPosts`, `getFeedGenerators`,
/// `labeler.getServices`, 25 subjects a request. Subjects it does not show keep Aerie's counts.
async fn appview(state: &AppState, base: &str, keys: Vec<String>) -> Vec<Answer> {
    let mut by_kind: HashMap<Kind, Vec<String>> = HashMap::new();
    for key in keys {
        if let Some(k) = kind(&key) {
            by_kind.entry(k).or_default().push(key);
        }
    }
    let mut requests = Vec::new();
    for (kind, keys) in by_kind {
        for chunk in keys.chunks(BATCH) {
            requests.push((kind, chunk.to_vec()));
        }
    }
    let answered: Vec<Vec<Answer>> = futures_util::stream::iter(requests)
        .map(|(kind, keys)| appview_batch(state, base, kind, keys))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    answered.into_iter().flatten().collect()
}

async fn appview_batch(state: &AppState, base: &str, kind: Kind, keys: Vec<String>) -> Vec<Answer> {
    let (method, param, list) = match kind {
        Kind::Actor => ("app.bsky.actor.getProfiles", "actors", "profiles"),
        Kind::Post => ("app.bsky.feed.getPosts", "uris", "posts"),
        Kind::Feed => ("app.bsky.feed.getFeedGenerators", "feeds", "feeds"),
        Kind::Labeler => ("app.bsky.labeler.getServices", "dids", "views"),
    };
    let Ok(mut url) = url::Url::parse(&format!("{base}/xrpc/{method}")) else {
        return Vec::new();
    };
    {
        let mut q = url.query_pairs_mut();
        for key in &keys {
            let value = match kind {
                Kind::Labeler => key
                    .trim_start_matches("at://")
                    .split('/')
                    .next()
                    .unwrap_or(key),
                _ => key,
            };
            q.append_pair(param, value);
        }
    }
    let Some(v) = get_json(state, url.as_str()).await else {
        return Vec::new();
    };
    let n = |view: &Value, field: &str| view.get(field).and_then(Value::as_u64);
    let mut found: HashMap<String, [Option<u64>; 4]> = HashMap::new();
    for view in v.get(list).and_then(Value::as_array).into_iter().flatten() {
        let (key, numbers) = match kind {
            Kind::Actor => (
                view.get("did").and_then(Value::as_str),
                [
                    n(view, "followersCount"),
                    n(view, "followsCount"),
                    n(view, "postsCount"),
                    None,
                ],
            ),
            Kind::Post => (
                view.get("uri").and_then(Value::as_str),
                [
                    n(view, "likeCount"),
                    n(view, "repostCount"),
                    n(view, "replyCount"),
                    n(view, "quoteCount"),
                ],
            ),
            Kind::Feed | Kind::Labeler => (
                view.get("uri").and_then(Value::as_str),
                [n(view, "likeCount"), None, None, None],
            ),
        };
        if let Some(key) = key {
            found.insert(key.to_string(), numbers);
        }
    }
    // Subjects the AppView did not show are answered too (with Aerie's own counts), so that
    // they are not asked for again before the TTL.
    keys.into_iter()
        .map(|k| {
            let numbers = found.remove(&k).unwrap_or([None; 4]);
            (k, numbers)
        })
        .collect()
}

/// Counts from Constellation: one link count per number — likes, reposts, replies and quotes
/// (both embed paths) of a post; likes of a feed or labeler; distinct followers of an account
/// (its follows and posts stay Aerie's).
async fn constellation(state: &AppState, base: &str, keys: Vec<String>) -> Vec<Answer> {
    futures_util::stream::iter(keys)
        .map(|key| async move {
            let numbers = match kind(&key) {
                Some(Kind::Actor) => {
                    let followers =
                        distinct(state, base, &key, "app.bsky.graph.follow", ".subject");
                    [followers.await, None, None, None]
                }
                Some(Kind::Post) => {
                    let (likes, reposts, replies, quotes, quotes_media) = tokio::join!(
                        backlinks(state, base, &key, "app.bsky.feed.like:subject.uri"),
                        backlinks(state, base, &key, "app.bsky.feed.repost:subject.uri"),
                        backlinks(state, base, &key, "app.bsky.feed.post:reply.parent.uri"),
                        backlinks(state, base, &key, "app.bsky.feed.post:embed.record.uri"),
                        backlinks(
                            state,
                            base,
                            &key,
                            "app.bsky.feed.post:embed.record.record.uri"
                        ),
                    );
                    let quotes = match (quotes, quotes_media) {
                        (Some(a), Some(b)) => Some(a + b),
                        _ => None,
                    };
                    [likes, reposts, replies, quotes]
                }
                Some(Kind::Feed | Kind::Labeler) => {
                    let likes = backlinks(state, base, &key, "app.bsky.feed.like:subject.uri");
                    [likes.await, None, None, None]
                }
                None => [None; 4],
            };
            (key, numbers)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// `blue.microcosm.links.getBacklinksCount`: how many records of `source` link to `subject`.
async fn backlinks(state: &AppState, base: &str, subject: &str, source: &str) -> Option<u64> {
    let mut url = url::Url::parse(&format!(
        "{base}/xrpc/blue.microcosm.links.getBacklinksCount"
    ))
    .ok()?;
    url.query_pairs_mut()
        .append_pair("subject", subject)
        .append_pair("source", source);
    total(get_json(state, url.as_str()).await?)
}

/// `/links/count/distinct-dids`: how many accounts link to `target` (a follow counted once
/// however many records an account made).
async fn distinct(
    state: &AppState,
    base: &str,
    target: &str,
    collection: &str,
    path: &str,
) -> Option<u64> {
    let mut url = url::Url::parse(&format!("{base}/links/count/distinct-dids")).ok()?;
    url.query_pairs_mut()
        .append_pair("target", target)
        .append_pair("collection", collection)
        .append_pair("path", path);
    total(get_json(state, url.as_str()).await?)
}

fn total(v: Value) -> Option<u64> {
    v.get("total").and_then(Value::as_u64)
}
