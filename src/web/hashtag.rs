//! `GET /hashtag/{tag}` (where the posts' tag links lead, as on bsky.app): the posts with the
//! tag — a post search for `#tag`, with `?author=` (a handle or DID) adding `from:author` —
//! Top / Latest (`?sort=latest`), "N posts", paged by a "Load more" link with the cursor.

use super::card::PostCard;
use super::found::{self, Ask};
use super::page::{self, Layout};
use super::profile::Tab;
use super::richtext::encode;
use super::visitor::Visitor;
use crate::search::query::{Node, Rel};
use crate::service::run;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// `?sort=&author=&cursor=`.
#[derive(Deserialize, Default)]
pub struct TagQuery {
    sort: Option<String>,
    author: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "hashtag.html")]
struct HashtagPage {
    layout: Layout,
    /// The tag as linked, without `#`.
    tag: String,
    /// The page's path.
    path: String,
    /// The same search on the search page.
    search_link: String,
    sort: &'static str,
    sorts: Vec<Tab>,
    author: String,
    error: Option<String>,
    count: Option<String>,
    cards: Vec<PostCard>,
    more: Option<String>,
    empty: String,
}

/// The page's query pairs (defaults left out), without a cursor.
fn pairs<'a>(sort: &'a str, author: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    if sort == "latest" {
        out.push(("sort", sort));
    }
    if !author.is_empty() {
        out.push(("author", author));
    }
    out
}

/// `path?pairs`.
fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// `GET /hashtag/{tag}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Path(raw): Path<String>,
    Query(q): Query<TagQuery>,
) -> Response {
    let tag = raw.trim().trim_start_matches(['#', '＃']).to_string();
    let sort = if q.sort.as_deref() == Some("latest") {
        "latest"
    } else {
        "top"
    };
    let author = q.author.as_deref().unwrap_or_default().trim().to_string();
    let path = format!("/hashtag/{}", encode(&tag));
    let pairs = pairs(sort, &author);
    let found = match crate::search::doc::tag(&tag) {
        None => Err(crate::service::Answer::new(
            StatusCode::BAD_REQUEST,
            "BadQueryString",
            format!("“#{tag}” is not a hashtag."),
        )),
        Some(folded) => {
            let mut filters = vec![Node::Tag(folded)];
            let mut described = format!("#{tag}");
            if !author.is_empty() {
                let who = super::search_params::actor(&author);
                filters.push(Node::Actor(Rel::From, who));
                described.push_str(&format!(" from:{author}"));
            }
            let ask = Ask {
                query: String::new(),
                filters,
                sort,
                cursor: q.cursor.clone(),
                path: &path,
                pairs: &pairs,
                described: &described,
            };
            found::posts_page(&state, v.did().map(String::from), ask).await
        }
    };
    let (found, error, status) = match found {
        Ok(f) => (Some(f), None, StatusCode::OK),
        Err(a) if found::refused(&a) => (None, Some(a.message), a.status),
        Err(a) => return page::error(&state, &v, a.status, a.message),
    };
    let here = link(&path, &pairs);
    let sorts = [("top", "Top"), ("latest", "Latest")]
        .into_iter()
        .map(|(key, label)| Tab {
            key,
            label,
            url: link(&path, &self::pairs(key, &author)),
        })
        .collect();
    run(&state, move |state| {
        let mut layout = Layout::new(state, &v, format!("#{tag} · Aerie"), &here);
        layout.search = format!("#{tag}");
        let (count, cards, more, empty) = match found {
            Some(f) => (f.count, f.cards, f.more, f.empty),
            None => (None, Vec::new(), None, String::new()),
        };
        let page = HashtagPage {
            layout,
            search_link: format!("/search?q={}", encode(&format!("#{tag}"))),
            tag,
            path,
            sort,
            sorts,
            author,
            error,
            count,
            cards,
            more,
            empty,
        };
        page::html(&v, status, &page)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::{link, pairs};

    #[test]
    fn links_keep_the_order_and_author() {
        assert_eq!(link("/hashtag/a", &pairs("top", "")), "/hashtag/a");
        assert_eq!(
            link("/hashtag/a", &pairs("latest", "bob.test")),
            "/hashtag/a?sort=latest&author=bob.test"
        );
    }
}
