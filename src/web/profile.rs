//! `/profile/{handle-or-did}`: the header (banner, avatar, names, bio with links and mentions,
//! counts, follow button, "Follows you") and the tabs Posts / Replies / Media / Likes (Likes
//! for one's own profile only, as likes are shown to their author alone), each paged.

use super::card::{Author, PostCard};
use super::feed::Feed;
use super::page::{self, Layout, Meta};
use super::visitor::Visitor;
use super::{facets, richtext};
use crate::hydrate::view::ProfileViewDetailed;
use crate::hydrate::Views;
use crate::service::feed::{actor_likes, author_feed};
use crate::service::run;
use crate::AppState;
use aerie_storage::FeedFilter;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// Posts per page.
const PAGE: usize = 30;

/// `?tab=&cursor=`.
#[derive(Deserialize)]
pub struct ProfileQuery {
    tab: Option<String>,
    cursor: Option<String>,
}

/// One tab.
pub struct Tab {
    /// Query value.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Link.
    pub url: String,
}

/// The header.
pub struct Header {
    /// Who.
    pub author: Author,
    /// Banner URL.
    pub banner: Option<String>,
    /// Bio as HTML.
    pub bio_html: String,
    /// Counts.
    pub followers: u64,
    /// Follows.
    pub follows: u64,
    /// Posts.
    pub posts: u64,
    /// The viewer's follow record.
    pub following: Option<String>,
    /// They follow the viewer.
    pub follows_you: bool,
    /// Either blocks the other.
    pub blocked: bool,
    /// The viewer's own profile.
    pub own: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    h: Header,
    tabs: Vec<Tab>,
    tab: &'static str,
    signed_in: bool,
    cards: Vec<PostCard>,
    more: Option<String>,
    empty: &'static str,
}

const TABS: [(&str, &str); 4] = [
    ("posts", "Posts"),
    ("replies", "Replies"),
    ("media", "Media"),
    ("likes", "Likes"),
];

/// The bio with its links and mentions (of accounts known here).
fn bio_html(state: &AppState, text: &str) -> String {
    let spans = facets::detect(text);
    let found = facets::to_facets(&spans, |h| state.store.did_for_handle(h).ok().flatten());
    let facets = crate::hydrate::content::facets(text, &serde_json::Value::Array(found));
    richtext::render(text, &facets)
}

fn header(state: &AppState, v: &ProfileViewDetailed, viewer: Option<&str>) -> Header {
    let author = Author::from_view(v);
    let rel = v.viewer.as_ref();
    Header {
        banner: v.banner.as_deref().and_then(crate::util::http_url),
        bio_html: bio_html(state, v.description.as_deref().unwrap_or_default()),
        followers: v.followers_count,
        follows: v.follows_count,
        posts: v.posts_count,
        following: rel.and_then(|r| r.following.clone()),
        follows_you: rel.is_some_and(|r| r.followed_by.is_some()),
        blocked: rel.is_some_and(|r| r.blocking.is_some() || r.blocked_by),
        own: viewer == Some(author.did.as_str()),
        author,
    }
}

/// `GET /profile/{actor}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Path(actor): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> Response {
    let Some(did) = super::actor_did(&state, &actor).await else {
        return page::error(&state, &v, StatusCode::NOT_FOUND, "Profile not found.");
    };
    run(&state, move |state| render(state, &v, &actor, &did, &q)).await
}

fn render(state: &AppState, v: &Visitor, actor: &str, did: &str, q: &ProfileQuery) -> Response {
    let viewer = v.did().map(String::from);
    let views = Views::for_viewer(state, viewer.clone());
    match views.active(did) {
        Ok(true) => {}
        _ => {
            return page::error(
                state,
                v,
                StatusCode::NOT_FOUND,
                "This account is not available.",
            )
        }
    }
    let profile = match views.profile_detailed(did) {
        // An account not known here yet: named by the handle it was found by.
        Ok(mut p) if p.handle == "handle.invalid" && !actor.starts_with("did:") => {
            p.profile.basic.handle = actor.trim_start_matches('@').to_ascii_lowercase();
            p
        }
        Ok(p) => p,
        Err(e) => return page::error(state, v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let h = header(state, &profile, viewer.as_deref());
    let tab = TABS
        .iter()
        .map(|t| t.0)
        .find(|t| Some(*t) == q.tab.as_deref())
        .unwrap_or("posts");
    let base = h.author.url.clone();
    let here = if tab == "posts" {
        base.clone()
    } else {
        format!("{base}?tab={tab}")
    };
    let cursor = q.cursor.as_deref();
    let out = if h.blocked {
        Ok(None)
    } else {
        match tab {
            "likes" if h.own => actor_likes(state, did, cursor, PAGE).map(Some),
            "likes" => Ok(None),
            t => {
                let filter = match t {
                    "replies" => FeedFilter::WithReplies,
                    "media" => FeedFilter::WithMedia,
                    _ => FeedFilter::AuthorThreads,
                };
                author_feed(state, viewer.clone(), did, filter, cursor, PAGE).map(Some)
            }
        }
    };
    let out = match out {
        Ok(o) => o,
        Err(e) => return page::error(state, v, StatusCode::BAD_REQUEST, e.to_string()),
    };
    let mut layout = Layout::new(
        state,
        v,
        format!("{} (@{})", h.author.name, h.author.handle) + " · Aerie",
        &here,
    );
    if h.own {
        layout.nav = "profile";
    }
    let plain_bio = profile.description.as_deref().unwrap_or_default();
    layout.meta = vec![
        Meta::og(
            "og:title",
            format!("{} (@{})", h.author.name, h.author.handle),
        ),
        Meta::og("og:description", plain_bio),
        Meta::og("og:type", "profile"),
        Meta::og(
            "og:url",
            format!("{}{base}", state.cfg.public_url().trim_end_matches('/')),
        ),
        Meta::name("description", plain_bio),
        Meta::name("twitter:card", "summary"),
        Meta::name(
            "twitter:title",
            format!("{} (@{})", h.author.name, h.author.handle),
        ),
    ];
    if let Some(a) = &h.author.avatar {
        layout.meta.push(Meta::og("og:image", a.clone()));
        layout.meta.push(Meta::name("twitter:image", a.clone()));
    }
    let extra: Vec<(&str, &str)> = if tab == "posts" {
        vec![]
    } else {
        vec![("tab", tab)]
    };
    let feed = match &out {
        Some(page) => Feed::new(page, viewer.as_deref(), &base, &extra),
        None => Feed::empty(),
    };
    let tabs = TABS
        .iter()
        .filter(|t| t.0 != "likes" || h.own)
        .map(|(key, label)| Tab {
            key,
            label,
            url: if *key == "posts" {
                base.clone()
            } else {
                format!("{base}?tab={key}")
            },
        })
        .collect();
    let empty = if h.blocked {
        "Posts are hidden: one of you blocks the other."
    } else {
        "No posts yet."
    };
    let page = ProfilePage {
        layout,
        h,
        tabs,
        tab,
        signed_in: viewer.is_some(),
        cards: feed.cards,
        more: feed.more,
        empty,
    };
    page::html(v, StatusCode::OK, &page)
}
