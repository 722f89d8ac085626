//! Search as the API and the pages ask for it: a query and filters become one index query
//! with the viewer's exclusions inside (`search::posts`), whose hits are hydrated from the
//! store; accounts named in the query are resolved first, and one that does not resolve
//! answers nothing with a reason — never wider results.

use super::{run, Error, Result};
use crate::hydrate::view::PostView;
use crate::hydrate::Views;
use crate::search::posts::{self, Context, Sort, Unrunnable};
use crate::search::query::{self, ActorRef, Node, QueryError};
use crate::search::SearchError;
use crate::AppState;
use aerie_storage::RecordId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Pages of hits read to fill one page of views (hits the viewer may not see are dropped).
const FILL_ROUNDS: usize = 4;
/// The most accounts read from one of the viewer's lists (follows, blocks, mutes).
const MAX_LISTED: usize = 20_000;

impl From<SearchError> for Error {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Store(s) => Error::Store(s),
            other => Error::Answered(super::Answer::internal(&other)),
        }
    }
}

/// A refused query: 400 `BadQueryString`.
pub fn bad_query(e: QueryError) -> Error {
    Error::refused("BadQueryString", e.to_string())
}

/// A post search request.
#[derive(Debug, Clone)]
pub struct PostSearch {
    /// The query text.
    pub query: String,
    /// Filters from the request's parameters, ANDed with the query.
    pub filters: Vec<Node>,
    /// The order.
    pub sort: Sort,
    /// `top` over every post, not only recent ones.
    pub all_time: bool,
    /// Where the last page ended.
    pub cursor: Option<String>,
    /// Posts per page.
    pub limit: usize,
}

/// A page of found posts.
#[derive(Debug, Default)]
pub struct FoundPosts {
    /// The posts.
    pub posts: Vec<PostView>,
    /// The next page.
    pub cursor: Option<String>,
    /// How many posts match in all.
    pub hits_total: usize,
    /// Why nothing could be found, when the query cannot run (an unknown account).
    pub reason: Option<String>,
    /// The languages the query's script tells.
    pub detected_languages: Vec<&'static str>,
}

/// Accounts named by the query, resolved: from the store, else verified through the
/// resolver. Unresolvable ones are absent.
async fn resolve_named(state: &Arc<AppState>, node: &Node) -> HashMap<ActorRef, String> {
    let mut named = Vec::new();
    query::actors(node, &mut named);
    let mut out = HashMap::new();
    for r in named {
        let ActorRef::Handle(h) = &r else { continue };
        if out.contains_key(&r) {
            continue;
        }
        let known = state.store.did_for_handle(h).ok().flatten();
        let did = match known {
            Some(d) => Some(d),
            None => state.resolver().resolve(h).await.ok().map(|id| id.did),
        };
        if let Some(d) = did {
            out.insert(r, d);
        }
    }
    out
}

/// Every page of one of the viewer's lists, up to `MAX_LISTED`.
fn all_pages<T>(
    mut page: impl FnMut(Option<String>) -> aerie_storage::Result<aerie_storage::Page<T>>,
) -> aerie_storage::Result<Vec<T>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let p = page(cursor)?;
        out.extend(p.items);
        match p.cursor {
            Some(c) if out.len() < MAX_LISTED => cursor = Some(c),
            _ => return Ok(out),
        }
    }
}

/// Every page of one of the viewer's lists paged by key (mutes, muted threads), up to
/// `MAX_LISTED`.
fn all_keys(
    mut page: impl FnMut(Option<&str>) -> aerie_storage::Result<Vec<String>>,
) -> aerie_storage::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    loop {
        let keys = page(out.last().map(String::as_str))?;
        if keys.is_empty() {
            return Ok(out);
        }
        out.extend(keys);
        if out.len() >= MAX_LISTED {
            return Ok(out);
        }
    }
}

/// What the viewer's graph puts into a search: whom they follow, whom they block or mute
/// (directly or by a blocked list), which threads they muted.
pub fn viewer_context(state: &AppState, viewer: Option<&str>) -> Result<Context> {
    let mut ctx = Context {
        viewer: viewer.map(String::from),
        now_us: crate::util::now_us(),
        ..Context::default()
    };
    let Some(v) = viewer else { return Ok(ctx) };
    let store = &*state.store;
    ctx.follows = all_pages(|c| store.follows(v, c.as_deref(), 1000))?
        .into_iter()
        .map(|e| e.other)
        .collect::<HashSet<_>>();
    ctx.blocked = all_pages(|c| store.blocks(v, c.as_deref(), 1000))?
        .into_iter()
        .map(|e| e.other)
        .collect();
    if let Some(blocked) = state.list_blocks.of(v) {
        ctx.blocked.extend(blocked.members.keys().cloned());
    }
    ctx.muted = all_keys(|after| store.mutes(v, after, 1000))?;
    if let Some(muted) = state.list_mutes.of(v) {
        ctx.muted.extend(muted.members.keys().cloned());
    }
    ctx.exclude_roots = all_keys(|after| {
        let page = store.privates(v, crate::gate::own::kind::THREAD_MUTE, after, 1000)?;
        Ok(page.into_iter().map(|(k, _)| k).collect())
    })?;
    Ok(ctx)
}

/// Finds posts.
pub async fn posts(
    state: &Arc<AppState>,
    viewer: Option<String>,
    req: PostSearch,
) -> Result<FoundPosts> {
    let parsed = query::parse(&req.query).map_err(bad_query)?;
    let detected_languages = crate::search::analyze::detected_languages(&req.query);
    let node = match (parsed, req.filters.is_empty()) {
        (n, true) => n,
        (Node::And(mut parts), false) => {
            parts.extend(req.filters.clone());
            Node::And(parts)
        }
        (n, false) => Node::And(std::iter::once(n).chain(req.filters.clone()).collect()),
    };
    let actors = resolve_named(state, &node).await;
    let Some(search) = state.search.clone() else {
        return Ok(FoundPosts {
            reason: Some("search is off on this server".into()),
            ..FoundPosts::default()
        });
    };
    let who = viewer.clone();
    let (mut found, ids) = run(state, move |s| -> Result<_> {
        let mut found = FoundPosts {
            detected_languages,
            ..FoundPosts::default()
        };
        let mut ctx = viewer_context(s, who.as_deref())?;
        ctx.actors = actors;
        ctx.all_time = req.all_time;
        let searcher = search.searcher();
        let q = match posts::compile(&search, &searcher, &node, &ctx)? {
            Ok(q) => q,
            Err(why) => {
                found.reason = Some(match why {
                    Unrunnable::UnknownActor(h) => {
                        format!("No account @{h} was found, so nothing is searched.")
                    }
                    Unrunnable::NeedsViewer => {
                        "from:me and filter:follows need you to be logged in.".to_string()
                    }
                });
                return Ok((found, Vec::new()));
            }
        };
        let views = Views::for_viewer(s, who);
        let mut ids: Vec<RecordId> = Vec::with_capacity(req.limit);
        let mut cursor = req.cursor.clone();
        for round in 0..FILL_ROUNDS {
            let want = req.limit - ids.len();
            let hits = match req.sort {
                Sort::Latest => {
                    posts::latest(&search, &searcher, q.box_clone(), cursor.as_deref(), want)?
                }
                Sort::Top => posts::top(
                    &search,
                    &searcher,
                    &*s.store,
                    q.box_clone(),
                    &ctx,
                    cursor.as_deref(),
                    want,
                )?,
            };
            if round == 0 {
                found.hits_total = hits.total;
            }
            for uri in &hits.uris {
                let Some(id) = RecordId::parse_uri(uri) else {
                    continue;
                };
                // Those who block the viewer (not in the index's exclusions): the page is
                // filled from the next hits.
                if !views.hidden_from_viewer(&id.did)? {
                    ids.push(id);
                }
            }
            cursor = hits.cursor;
            if ids.len() >= req.limit || cursor.is_none() {
                break;
            }
        }
        found.cursor = cursor;
        Ok((found, ids))
    })
    .await?;
    // Posts found among what was fetched on demand are shown as fetched (their authors'
    // handles verified); the rest from the store.
    let beyond = super::beyond::records(state, ids.clone()).await;
    found.posts = run(state, move |s| {
        super::feed::hydrated_posts(s, viewer, &ids, beyond)
    })
    .await?;
    Ok(found)
}

/// Time limit of a people search on the network.
const NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
/// How long the network's answer to one query is used (typing the same prefix again asks
/// nobody).
const NETWORK_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// The network's answers by request URL, and when they came.
type PeopleCache = quick_cache::sync::Cache<String, (std::time::Instant, serde_json::Value)>;

fn people_cache() -> &'static PeopleCache {
    static CACHE: std::sync::OnceLock<PeopleCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| PeopleCache::new(2_000))
}

/// What another AppView's people search answers for `query` (typeahead or full), beyond the
/// accounts in `known` and those the viewer blocks: asked only in `scope = "follows"` (where
/// the store holds a small part of the network) and only when the local answer is thin.
async fn people_beyond(
    state: &Arc<AppState>,
    typeahead: bool,
    query: &str,
    limit: usize,
    known: &HashSet<String>,
    blocked: &HashSet<String>,
) -> Vec<serde_json::Value> {
    if state.cfg.scope != crate::config::Scope::Follows || known.len() >= limit {
        return Vec::new();
    }
    let Some(base) = state.cfg.search.people_url() else {
        return Vec::new();
    };
    let method = if typeahead {
        "searchActorsTypeahead"
    } else {
        "searchActors"
    };
    let Ok(mut url) = url::Url::parse(&format!("{base}/xrpc/app.bsky.actor.{method}")) else {
        return Vec::new();
    };
    url.query_pairs_mut()
        .append_pair("q", query)
        .append_pair("limit", &limit.to_string());
    let answer = match people_cache().get(url.as_str()) {
        Some((at, v)) if at.elapsed() < NETWORK_TTL => v,
        _ => {
            let Some(v) =
                super::fetch_json::get_json(state, url.as_str(), "people search", NETWORK_TIMEOUT)
                    .await
            else {
                return Vec::new();
            };
            people_cache().insert(url.to_string(), (std::time::Instant::now(), v.clone()));
            v
        }
    };
    answer["actors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| {
            a["did"].as_str().is_some_and(|d| {
                crate::util::syntax::is_did(d) && !known.contains(d) && !blocked.contains(d)
            }) && a["handle"].is_string()
        })
        .cloned()
        .collect()
}

/// A page of found accounts (views as JSON: the store's, then the network's).
#[derive(Debug, Default)]
pub struct FoundActors {
    /// Profile views (basic for typeahead).
    pub actors: Vec<serde_json::Value>,
    /// The next page.
    pub cursor: Option<String>,
}

/// Finds accounts: `typeahead` (what was typed so far) or a full search.
pub async fn actors(
    state: &Arc<AppState>,
    viewer: Option<String>,
    query: String,
    typeahead: bool,
    cursor: Option<String>,
    limit: usize,
) -> Result<FoundActors> {
    if query.chars().count() > query::MAX_CHARS {
        return Err(bad_query(QueryError::TooLong));
    }
    let Some(search) = state.search.clone() else {
        return Ok(FoundActors::default());
    };
    let q = query.clone();
    let first_page = cursor.is_none();
    let (mut found, known, blocked) = run(state, move |s| -> Result<_> {
        let ctx = viewer_context(s, viewer.as_deref())?;
        let searcher = search.searcher();
        let (dids, next) = if typeahead {
            let d =
                crate::search::actors::typeahead(&search, &searcher, &*s.store, &q, &ctx, limit)?;
            (d, None)
        } else {
            let f = crate::search::actors::accounts(
                &search,
                &searcher,
                &*s.store,
                &q,
                &ctx,
                cursor.as_deref(),
                limit,
            )?;
            (f.ids, f.cursor)
        };
        let views = Views::for_viewer(s, viewer.clone());
        let mut actors = Vec::with_capacity(dids.len());
        for did in &dids {
            let v = if typeahead {
                serde_json::to_value(views.profile_basic(did)?)
            } else {
                serde_json::to_value(views.profile(did)?)
            };
            actors.extend(v.ok());
        }
        let known: HashSet<String> = dids.into_iter().collect();
        let blocked: HashSet<String> = ctx.blocked.into_iter().collect();
        Ok((
            FoundActors {
                actors,
                cursor: next,
            },
            known,
            blocked,
        ))
    })
    .await?;
    if first_page {
        let more = people_beyond(state, typeahead, &query, limit, &known, &blocked).await;
        let room = limit.saturating_sub(found.actors.len());
        found.actors.extend(more.into_iter().take(room));
    }
    Ok(found)
}

/// Finds feed generators (most liked first among equally good matches) or starter packs.
pub async fn named(
    state: &Arc<AppState>,
    viewer: Option<String>,
    what: &'static str,
    query: String,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<RecordId>, Option<String>, usize)> {
    let Some(search) = state.search.clone() else {
        return Ok((Vec::new(), None, 0));
    };
    run(state, move |s| -> Result<_> {
        let ctx = viewer_context(s, viewer.as_deref())?;
        let likes = |uri: &str| {
            RecordId::parse_uri(uri)
                .and_then(|id| s.store.post_counts(&id).ok())
                .map_or(0, |c| c.likes)
        };
        let found = crate::search::actors::named(
            &search,
            what,
            &query,
            &ctx,
            &likes,
            cursor.as_deref(),
            limit,
        )?;
        let ids = found
            .ids
            .iter()
            .filter_map(|u| RecordId::parse_uri(u))
            .collect();
        Ok((ids, found.cursor, found.total))
    })
    .await
}
