//! A post search as the pages (`/search`, `/hashtag/{tag}`) show it: `service::search::posts`
//! run for the visitor, its hits as the same cards the feeds show, "N posts", the "Load more"
//! link carrying the cursor, and what to say when nothing is listed — the reason the query
//! cannot run (an unknown account), else "No posts match …". A refused query (400
//! `BadQueryString`, a bad cursor) comes back as its message, for the page to show with 400.

use super::card::PostCard;
use super::feed::more_url;
use crate::search::posts::Sort;
use crate::search::query::Node;
use crate::service::search::{posts, PostSearch};
use crate::service::Answer;
use crate::AppState;
use axum::http::StatusCode;
use std::sync::Arc;

/// Posts per page.
pub const PAGE: usize = 25;

/// A page of found posts.
pub struct FoundPage {
    /// The cards.
    pub cards: Vec<PostCard>,
    /// The next page's URL.
    pub more: Option<String>,
    /// "N posts".
    pub count: Option<String>,
    /// What to say when there are no cards.
    pub empty: String,
}

/// "1 post", "12 posts".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `sort=` as the index's order.
pub fn sort(key: &str) -> Sort {
    if key == "latest" {
        Sort::Latest
    } else {
        Sort::Top
    }
}

/// What a page asks for: the query, its filters, the order and page, and where "more" goes.
pub struct Ask<'a> {
    /// Query text.
    pub query: String,
    /// Filters ANDed with it.
    pub filters: Vec<Node>,
    /// `top` or `latest`.
    pub sort: &'a str,
    /// Where the last page ended.
    pub cursor: Option<String>,
    /// The page's path, for "more".
    pub path: &'a str,
    /// Its query pairs besides the cursor.
    pub pairs: &'a [(&'a str, &'a str)],
    /// The search as the page describes it ("No posts match …").
    pub described: &'a str,
}

/// Runs the search; `Err` with the answer when it is refused (400: shown on the page) or
/// fails.
pub async fn posts_page(
    state: &Arc<AppState>,
    viewer: Option<String>,
    ask: Ask<'_>,
) -> Result<FoundPage, Answer> {
    let req = PostSearch {
        query: ask.query,
        filters: ask.filters,
        sort: sort(ask.sort),
        all_time: true,
        cursor: ask.cursor,
        limit: PAGE,
    };
    let found = posts(state, viewer.clone(), req)
        .await
        .map_err(|e| e.answer())?;
    let now = crate::util::now_us();
    let cards: Vec<PostCard> = found
        .posts
        .iter()
        .filter_map(|p| PostCard::from_view(p, viewer.as_deref(), now))
        .collect();
    let count = found
        .reason
        .is_none()
        .then(|| count(found.hits_total, "post", "posts"));
    let empty = match found.reason {
        Some(r) => r,
        None => format!("No posts match “{}”.", ask.described),
    };
    Ok(FoundPage {
        more: found
            .cursor
            .as_deref()
            .map(|c| more_url(ask.path, ask.pairs, c)),
        count,
        cards,
        empty,
    })
}

/// Whether an answer is the visitor's to fix (shown on the page) rather than a failure.
pub fn refused(a: &Answer) -> bool {
    a.status == StatusCode::BAD_REQUEST
}
