//! `GET /search`: the search form, the tabs Posts / People / Feeds, Top / Latest for posts,
//! the filters (linkable parameters turned into operators: see `search_params`), "N posts",
//! paging by a "Load more" link carrying the cursor, an operator cheat-sheet, and a reason
//! when nothing is listed. A query the service refuses (`BadQueryString`, a bad filter or
//! cursor) renders this page with its message and status 400.

use super::card::PostCard;
use super::feed::more_url;
use super::found::{self, count, Ask};
use super::listing::{FeedRow, Person};
use super::operators::{Operator, OPERATORS};
use super::page::{self, Layout};
use super::profile::Tab;
use super::search_params::SearchParams;
use super::visitor::Visitor;
use crate::service::{feedgen, run, search, Answer};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

/// What a tab found.
#[derive(Default)]
struct Results {
    cards: Vec<PostCard>,
    people: Vec<Person>,
    feeds: Vec<FeedRow>,
    more: Option<String>,
    count: Option<String>,
    empty: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    p: SearchParams,
    tab: &'static str,
    sort: &'static str,
    tabs: Vec<Tab>,
    sorts: Vec<Tab>,
    /// Something was searched for.
    ran: bool,
    /// The refusal of a bad query.
    error: Option<String>,
    count: Option<String>,
    cards: Vec<PostCard>,
    people: Vec<Person>,
    feeds: Vec<FeedRow>,
    more: Option<String>,
    empty: String,
    operators: &'static [Operator],
}

/// Results per page of people and feeds.
const PAGE: usize = 25;

async fn posts(
    state: &Arc<AppState>,
    viewer: Option<String>,
    p: &SearchParams,
    pairs: &[(&str, &str)],
) -> Result<Results, Answer> {
    let filters = p
        .filters()
        .map_err(|m| Answer::new(StatusCode::BAD_REQUEST, "BadQueryString", m))?;
    let described = p.described();
    let ask = Ask {
        query: p.text().to_string(),
        filters,
        sort: p.sort(),
        cursor: p.cursor.clone(),
        path: "/search",
        pairs,
        described: &described,
    };
    let f = found::posts_page(state, viewer, ask).await?;
    Ok(Results {
        cards: f.cards,
        more: f.more,
        count: f.count,
        empty: f.empty,
        ..Results::default()
    })
}

async fn people(
    state: &Arc<AppState>,
    viewer: Option<String>,
    p: &SearchParams,
    pairs: &[(&str, &str)],
) -> Result<Results, Answer> {
    let q = p.text().to_string();
    let found = search::actors(state, viewer.clone(), q, false, p.cursor.clone(), PAGE)
        .await
        .map_err(|e| e.answer())?;
    Ok(Results {
        people: found
            .actors
            .iter()
            .filter_map(|a| Person::from_json(a, viewer.as_deref()))
            .collect(),
        more: found.cursor.map(|c| more_url("/search", pairs, &c)),
        empty: format!("No people match “{}”.", p.text()),
        ..Results::default()
    })
}

async fn feeds(
    state: &Arc<AppState>,
    viewer: Option<String>,
    p: &SearchParams,
    pairs: &[(&str, &str)],
) -> Result<Results, Answer> {
    let kind = crate::search::schema::kind::FEED;
    let q = p.text().to_string();
    let (ids, cursor, total) =
        search::named(state, viewer.clone(), kind, q, p.cursor.clone(), PAGE)
            .await
            .map_err(|e| e.answer())?;
    let views = feedgen::generators(state, viewer, &ids)
        .await
        .map_err(|e| e.answer())?;
    Ok(Results {
        feeds: views.iter().map(FeedRow::from_view).collect(),
        more: cursor.map(|c| more_url("/search", pairs, &c)),
        count: Some(count(total, "feed", "feeds")),
        empty: format!("No feeds match “{}”.", p.text()),
        ..Results::default()
    })
}

fn tab_links(p: &SearchParams, sort: &str) -> Vec<Tab> {
    [("posts", "Posts"), ("people", "People"), ("feeds", "Feeds")]
        .into_iter()
        .map(|(key, label)| Tab {
            key,
            label,
            url: p.url(key, sort),
        })
        .collect()
}

fn sort_links(p: &SearchParams) -> Vec<Tab> {
    [("top", "Top"), ("latest", "Latest")]
        .into_iter()
        .map(|(key, label)| Tab {
            key,
            label,
            url: p.url("posts", key),
        })
        .collect()
}

/// `GET /search`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(p): Query<SearchParams>,
) -> Response {
    let (tab, sort) = (p.tab(), p.sort());
    let viewer = v.did().map(String::from);
    let ran = !p.text().is_empty() || (tab == "posts" && p.filtered());
    let found = {
        let pairs = p.pairs(tab, sort);
        match tab {
            _ if !ran => Ok(Results::default()),
            "people" => people(&state, viewer, &p, &pairs).await,
            "feeds" => feeds(&state, viewer, &p, &pairs).await,
            _ => posts(&state, viewer, &p, &pairs).await,
        }
    };
    let (results, error, status) = match found {
        Ok(r) => (r, None, StatusCode::OK),
        Err(a) if found::refused(&a) => (Results::default(), Some(a.message), a.status),
        Err(a) => return page::error(&state, &v, a.status, a.message),
    };
    run(&state, move |state| {
        let title = if p.text().is_empty() {
            "Search · Aerie".to_string()
        } else {
            format!("“{}” · Search · Aerie", p.text())
        };
        let mut layout = Layout::new(state, &v, title, &p.url(tab, sort));
        layout.search = p.text().to_string();
        let page = SearchPage {
            layout,
            tabs: tab_links(&p, sort),
            sorts: sort_links(&p),
            tab,
            sort,
            ran,
            error,
            count: results.count,
            cards: results.cards,
            people: results.people,
            feeds: results.feeds,
            more: results.more,
            empty: results.empty,
            operators: OPERATORS,
            p,
        };
        page::html(&v, status, &page)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            title: "t".into(),
            handle: None,
            me: String::new(),
            csrf: "c".into(),
            css: "/static/app.css".into(),
            js: "/static/app.js".into(),
            icon: "/static/icon.svg".into(),
            meta: Vec::new(),
            nav: "",
            unread: 0,
            here: "/search".into(),
            icons: "/static/icons.svg".into(),
            signed_in: false,
            search: "\"><script>alert(1)</script>".into(),
        }
    }

    fn render(query: &str, error: Option<String>, tab: &'static str) -> String {
        let uri: axum::http::Uri = format!("/search?{query}").parse().expect("uri");
        let p = Query::<SearchParams>::try_from_uri(&uri).expect("query").0;
        let page = SearchPage {
            layout: layout(),
            tabs: tab_links(&p, "top"),
            sorts: sort_links(&p),
            tab,
            sort: "top",
            ran: true,
            error,
            count: Some(count(0, "post", "posts")),
            cards: Vec::new(),
            people: Vec::new(),
            feeds: Vec::new(),
            more: Some(more_url("/search", &p.pairs(tab, "top"), "c1")),
            empty: format!("No posts match “{}”.", p.described()),
            operators: OPERATORS,
            p,
        };
        page.render().expect("render")
    }

    #[test]
    fn the_query_is_shown_escaped_everywhere() {
        let q = "q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&from=%22%3E%3Cb%3E&media=1";
        for tab in ["posts", "people", "feeds"] {
            let html = render(q, None, tab);
            assert!(!html.contains("<script>alert"), "{tab}: {html}");
            assert!(!html.contains("<b>"), "{tab}");
            assert!(html.contains("&#34;&#62;&#60;script&#62;alert(1)"), "{tab}");
        }
        let html = render(q, None, "posts");
        assert!(html.contains("0 posts"));
        assert!(html.contains("No posts match"));
        assert!(html.contains("data-more=\"#feed\""));
        assert!(html.contains(r#"href="/search?q=from%3Aalice.bsky.social""#));
    }

    #[test]
    fn a_refusal_is_shown_instead_of_results() {
        let html = render("q=a", Some("the query nests <too> deep".into()), "posts");
        assert!(html.contains("role=\"alert\">the query nests &#60;too&#62; deep"));
        assert!(!html.contains("No posts match"));
    }
}
