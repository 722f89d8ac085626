//! `app.bsky.feed.searchPosts` (v1) and `searchPostsV2` (the app's post search): the query
//! language of `search::query` plus every filter parameter, `top` or newest first, with
//! `hitsTotal`; a query that cannot be parsed or is too large is a 400 `BadQueryString`.

use crate::search::posts::Sort;
use crate::search::query::{self, ActorRef, Flag, Node, Rel};
use crate::service::search::{bad_query, FoundPosts, PostSearch};
use crate::xrpc::prelude::*;

/// An account parameter as a query node's account.
fn actor_ref(raw: &str) -> ActorRef {
    let raw = raw.trim_start_matches('@');
    if raw.starts_with("did:") {
        ActorRef::Did(raw.to_string())
    } else {
        ActorRef::Handle(raw.to_ascii_lowercase())
    }
}

/// A time parameter (a datetime, or a date).
fn time(p: &Params, name: &str) -> Result<Option<i64>, XrpcError> {
    p.get(name)
        .map(|v| query::date(v).map_err(|e| XrpcError::from(bad_query(e))))
        .transpose()
}

/// Any of `values` as `make` makes each (nothing when empty).
fn any_of(values: Vec<&str>, make: impl Fn(&str) -> Option<Node>) -> Option<Node> {
    let mut nodes: Vec<Node> = values.into_iter().filter_map(make).collect();
    match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node::Or(nodes)),
    }
}

fn not(n: Option<Node>) -> Option<Node> {
    n.map(|n| Node::Not(Box::new(n)))
}

fn domain(d: &str) -> Option<Node> {
    crate::search::doc::domains(d)
        .into_iter()
        .next()
        .map(Node::Domain)
}

fn url(u: &str) -> Option<Node> {
    crate::search::doc::normalize_url(u).map(Node::Url)
}

fn tag(t: &str) -> Option<Node> {
    crate::search::doc::tag(t).map(Node::Tag)
}

fn lang(l: &str) -> Option<Node> {
    (!l.is_empty()).then(|| Node::Lang(l.to_ascii_lowercase()))
}

fn the(values: Vec<&str>, make: impl Fn(&str) -> Option<Node>) -> Vec<Node> {
    values.into_iter().filter_map(make).collect()
}

/// The answer.
async fn answer(
    state: Arc<AppState>,
    viewer: Option<String>,
    req: PostSearch,
    v2: bool,
) -> XrpcResult {
    let found: FoundPosts = service::search::posts(&state, viewer, req).await?;
    let mut out = with_cursor(
        json!({ "posts": found.posts, "hitsTotal": found.hits_total }),
        found.cursor,
    );
    if v2 {
        out["detectedQueryLanguages"] = json!(found.detected_languages);
    }
    reply(out)
}

/// `app.bsky.feed.searchPosts`.
pub async fn v1(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let q = p.required("q")?.to_string();
    let sort = match p.get("sort") {
        None | Some("latest") => Sort::Latest,
        Some("top") => Sort::Top,
        Some(other) => {
            return Err(XrpcError::invalid(format!(
                "sort must be top or latest, not {other:?}"
            )))
        }
    };
    let mut filters: Vec<Node> = Vec::new();
    filters.extend(time(&p, "since")?.map(Node::Since));
    filters.extend(time(&p, "until")?.map(Node::Until));
    filters.extend(
        p.get("author")
            .map(|a| Node::Actor(Rel::From, actor_ref(a))),
    );
    filters.extend(
        p.get("mentions")
            .map(|a| Node::Actor(Rel::Mentions, actor_ref(a))),
    );
    filters.extend(p.get("lang").and_then(lang));
    filters.extend(p.get("domain").and_then(domain));
    filters.extend(p.get("url").and_then(url));
    filters.extend(the(p.optional_list("tag", 10)?, tag));
    filters.extend(the(p.optional_list("tags", 10)?, tag));
    let req = PostSearch {
        query: q,
        filters,
        sort,
        all_time: true,
        cursor: p.cursor().map(String::from),
        limit: p.limit(25, 100)?,
    };
    answer(state, viewer, req, false).await
}

/// `app.bsky.feed.searchPostsV2`.
pub async fn v2(
    State(state): State<Arc<AppState>>,
    Viewer(viewer): Viewer,
    p: Params,
) -> XrpcResult {
    let sort = match p.get("sort") {
        None | Some("top") => Sort::Top,
        Some("recent") | Some("latest") => Sort::Latest,
        Some(other) => {
            return Err(XrpcError::invalid(format!(
                "sort must be recent or top, not {other:?}"
            )))
        }
    };
    let author = |a: &str| Some(Node::Actor(Rel::From, actor_ref(a)));
    let mention = |a: &str| Some(Node::Actor(Rel::Mentions, actor_ref(a)));
    let embeds = |u: &str| Some(Node::Embeds(u.to_string()));
    let list = |name: &str| p.optional_list(name, 100);
    let mut filters: Vec<Node> = Vec::new();
    filters.extend(any_of(list("authors")?, author));
    filters.extend(any_of(list("mentions")?, mention));
    filters.extend(any_of(list("domains")?, domain));
    filters.extend(any_of(list("urls")?, url));
    filters.extend(any_of(list("embeddedAtUris")?, embeds));
    filters.extend(the(list("hashtags")?, tag));
    filters.extend(any_of(list("languages")?, lang));
    filters.extend(not(any_of(list("excludeAuthors")?, author)));
    filters.extend(not(any_of(list("excludeMentions")?, mention)));
    filters.extend(not(any_of(list("excludeDomains")?, domain)));
    filters.extend(not(any_of(list("excludeUrls")?, url)));
    filters.extend(not(any_of(list("excludeEmbeddedAtUris")?, embeds)));
    filters.extend(not(any_of(list("excludeHashtags")?, tag)));
    filters.extend(not(any_of(list("excludeLanguages")?, lang)));
    filters.extend(time(&p, "since")?.map(Node::Since));
    filters.extend(time(&p, "until")?.map(Node::Until));
    if p.boolean("hasMedia", false)? {
        filters.push(Node::Has(Flag::Media));
    }
    if p.boolean("hasVideo", false)? {
        filters.push(Node::Has(Flag::Video));
    }
    if p.boolean("excludeReplies", false)? {
        filters.push(Node::Not(Box::new(Node::Has(Flag::Reply))));
    }
    if p.boolean("repliesOnly", false)? {
        filters.push(Node::Has(Flag::Reply));
    }
    if p.boolean("following", false)? {
        filters.push(Node::Follows);
    }
    filters.extend(p.get("replyParentUri").map(|u| Node::Parent(u.to_string())));
    filters.extend(p.get("threadRootUri").map(|u| Node::Root(u.to_string())));
    let req = PostSearch {
        query: p.get("query").unwrap_or_default().to_string(),
        filters,
        sort,
        all_time: p.boolean("allTime", false)?,
        cursor: p.cursor().map(String::from),
        limit: p.limit(25, 100)?,
    };
    answer(state, viewer, req, true).await
}
