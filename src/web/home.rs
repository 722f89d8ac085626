//! `/`: the logged-in user's timeline under a composer; for anyone else a short landing page
//! with the login form.

use super::feed::Feed;
use super::page::{self, Layout};
use super::visitor::Visitor;
use super::{Cursor, LoginForm};
use crate::service::{feed::timeline, run};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

/// Posts per page.
const PAGE: usize = 30;

/// The composer's settings on a page.
pub struct Compose {
    /// Distinguishes several composers' field ids.
    pub id: &'static str,
    /// Placeholder and label.
    pub label: &'static str,
    /// The submit button's text.
    pub action: &'static str,
    /// Text to start with.
    pub text: String,
    /// Where to go after posting.
    pub next: String,
    /// Reply parent URI.
    pub reply: Option<String>,
    /// Quoted post URI.
    pub quote: Option<String>,
}

impl Compose {
    /// A composer for a new post.
    pub fn post() -> Self {
        Compose {
            id: "new",
            label: "What's up?",
            action: "Post",
            text: String::new(),
            next: "/".into(),
            reply: None,
            quote: None,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    compose: Compose,
    cards: Vec<super::card::PostCard>,
    more: Option<String>,
    empty: &'static str,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    layout: Layout,
    login: LoginForm,
}

/// `GET /`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(q): Query<Cursor>,
) -> Response {
    let Some(user) = &v.user else {
        let mut layout = Layout::new(&state, &v, "Aerie", "/");
        layout.meta.push(page::Meta::name(
            "description",
            "A personal Bluesky server.",
        ));
        let landing = Landing {
            layout,
            login: LoginForm {
                next: "/".into(),
                ..Default::default()
            },
        };
        return page::html(&v, StatusCode::OK, &landing);
    };
    let did = user.did.clone();
    run(&state, move |state| {
        let out = match timeline(state, &did, q.cursor.as_deref(), PAGE) {
            Ok(out) => out,
            Err(e) => {
                return page::error(state, &v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
        };
        let mut layout = Layout::new(state, &v, "Home · Aerie", "/");
        layout.nav = "home";
        let feed = Feed::new(&out, Some(&did), "/", &[]);
        let home = HomePage {
            layout,
            compose: Compose::post(),
            cards: feed.cards,
            more: feed.more,
            empty: "Nothing here yet. Follow some people, or write the first post.",
        };
        page::html(&v, StatusCode::OK, &home)
    })
    .await
}
