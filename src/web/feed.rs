//! Lists of posts on pages: the cards (rendered by `parts/post.html` through
//! `parts/feed.html`) and the "Load more" link (a plain link carrying the API's cursor, so
//! paging works without JavaScript).

use super::card::{self, PostCard};
use super::richtext::encode;
use crate::service::feed::FeedPage;

/// A list of cards and where the next page is.
pub struct Feed {
    /// The cards.
    pub cards: Vec<PostCard>,
    /// The next page's URL.
    pub more: Option<String>,
}

impl Feed {
    /// The cards of a feed page, and a link to `path` with the cursor (and `extra` query
    /// pairs) for more.
    pub fn new(page: &FeedPage, viewer: Option<&str>, path: &str, extra: &[(&str, &str)]) -> Self {
        Feed {
            cards: card::feed(&page.feed, viewer, crate::util::now_us()),
            more: page.cursor.as_deref().map(|c| more_url(path, extra, c)),
        }
    }

    /// No cards.
    pub fn empty() -> Self {
        Feed {
            cards: Vec::new(),
            more: None,
        }
    }
}

/// `path?k=v&...&cursor=c`.
pub fn more_url(path: &str, extra: &[(&str, &str)], cursor: &str) -> String {
    let mut q: Vec<String> = extra
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    q.push(format!("cursor={}", encode(cursor)));
    format!("{path}?{}", q.join("&"))
}
