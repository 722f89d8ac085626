//! Lists of posts on pages: each card rendered by the post template, and the "Load more" link
//! (a plain link carrying the API's cursor, so paging works without JavaScript).

use super::card::PostCard;
use super::richtext::encode;
use askama::Template;

#[derive(Template)]
#[template(path = "parts/post.html")]
struct PostTpl<'a> {
    p: &'a PostCard,
    icons: &'a str,
    csrf: &'a str,
    here: &'a str,
    signed_in: bool,
}

/// A list of rendered cards and where the next page is.
pub struct Feed {
    /// Rendered cards.
    pub cards: Vec<String>,
    /// The next page's URL.
    pub more: Option<String>,
}

/// One post card as HTML.
pub fn card(p: &PostCard, csrf: &str, here: &str, signed_in: bool) -> String {
    static ICONS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| super::assets::url("icons.svg"));
    PostTpl {
        p,
        icons: &ICONS,
        csrf,
        here,
        signed_in,
    }
    .render()
    .unwrap_or_else(|e| {
        tracing::error!("rendering a post: {e}");
        String::new()
    })
}

impl Feed {
    /// The cards, and a link to `path` with the cursor (and `extra` query pairs) for more.
    pub fn new(
        cards: &[PostCard],
        csrf: &str,
        here: &str,
        signed_in: bool,
        path: &str,
        extra: &[(&str, &str)],
        cursor: Option<&str>,
    ) -> Self {
        Feed {
            cards: cards
                .iter()
                .map(|c| card(c, csrf, here, signed_in))
                .collect(),
            more: cursor.map(|c| more_url(path, extra, c)),
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
