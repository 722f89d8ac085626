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
use aerie_storage::{RecordId, Store};
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
    let mut excluded: Vec<String> = all_pages(|c| store.blocks(v, c.as_deref(), 1000))?
        .into_iter()
        .map(|e| e.other)
        .collect();
    let mut after: Option<String> = None;
    loop {
        let page = store.mutes(v, after.as_deref(), 1000)?;
        let Some(last) = page.last().cloned() else {
            break;
        };
        excluded.extend(page);
        if excluded.len() >= MAX_LISTED {
            break;
        }
        after = Some(last);
    }
    if let Some(blocked) = state.list_blocks.of(v) {
        excluded.extend(blocked.members.keys().cloned());
    }
    ctx.exclude_authors = excluded;
    let mut after: Option<String> = None;
    loop {
        let page = store.privates(
            v,
            crate::gate::own::kind::THREAD_MUTE,
            after.as_deref(),
            1000,
        )?;
        let Some((last, _)) = page.last().cloned() else {
            break;
        };
        ctx.exclude_roots.extend(page.into_iter().map(|(k, _)| k));
        if ctx.exclude_roots.len() >= MAX_LISTED {
            break;
        }
        after = Some(last);
    }
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
    run(state, move |s| {
        let mut ctx = viewer_context(s, viewer.as_deref())?;
        ctx.actors = actors;
        ctx.all_time = req.all_time;
        let searcher = search.searcher();
        let q = match posts::compile(&search, &searcher, &node, &ctx)? {
            Ok(q) => q,
            Err(why) => {
                return Ok(FoundPosts {
                    reason: Some(match why {
                        Unrunnable::UnknownActor(h) => {
                            format!("No account @{h} was found, so nothing is searched.")
                        }
                        Unrunnable::NeedsViewer => {
                            "from:me and filter:follows need you to be logged in.".to_string()
                        }
                    }),
                    detected_languages,
                    ..FoundPosts::default()
                })
            }
        };
        let views = Views::for_viewer(s, viewer.clone());
        let mut found = FoundPosts {
            detected_languages,
            ..FoundPosts::default()
        };
        let mut cursor = req.cursor.clone();
        for round in 0..FILL_ROUNDS {
            let want = req.limit - found.posts.len();
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
                if views.hidden_from_viewer(&id.did)? {
                    continue;
                }
                if let Some(p) = views.post(&id)? {
                    found.posts.push(p);
                }
            }
            cursor = hits.cursor;
            if found.posts.len() >= req.limit || cursor.is_none() {
                break;
            }
        }
        found.cursor = cursor;
        Ok(found)
    })
    .await
}

/// Whether `store` knows `did` as an account that serves content.
pub fn active(store: &dyn Store, did: &str) -> Result<bool> {
    Ok(store.actor(did)?.is_none_or(|a| a.active))
}
