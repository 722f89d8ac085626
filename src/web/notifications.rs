//! `/notifications`: likes and reposts grouped by the post they are about, follows grouped,
//! replies, mentions and quotes shown as posts one can act on. Opening the first page marks
//! everything seen (what was new is still highlighted on that visit).

use super::card::{Author, PostCard};
use super::feed::more_url;
use super::page::{self, Layout};
use super::visitor::Visitor;
use super::Cursor;
use crate::hydrate::Views;
use crate::service::{notifications, run};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use std::sync::Arc;

/// Notifications per page.
const PAGE: usize = 40;
/// Faces shown in a group.
const FACES: usize = 6;

/// One line of the page (a group, or one post).
pub struct Note {
    /// Icon (its id in the icon sprite).
    pub icon: &'static str,
    /// New since last seen.
    pub unread: bool,
    /// Who did it.
    pub authors: Vec<Author>,
    /// How many more than shown.
    pub others: usize,
    /// "liked your post", ...
    pub what: &'static str,
    /// The post it is about: the start of its text, and its page.
    pub subject: Option<(String, String)>,
    /// The post itself (replies, mentions, quotes).
    pub card: Option<PostCard>,
    /// When (the newest in the group).
    pub created: String,
    /// Relative time.
    pub ago: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    notes: Vec<Note>,
    more: Option<String>,
}

impl Note {
    /// A note of one notification, about nothing yet.
    fn new(reason: &str, unread: bool, author: Author, created: String, now: i64) -> Self {
        let (icon, what) = label(reason);
        Note {
            icon,
            unread,
            authors: vec![author],
            others: 0,
            what,
            subject: None,
            card: None,
            ago: super::card::ago(&created, now),
            created,
        }
    }
}

fn label(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "like" => ("liked", "liked your post"),
        "repost" => ("repost", "reposted your post"),
        "follow" => ("follow", "followed you"),
        "reply" => ("reply", "replied"),
        "quote" => ("quote", "quoted your post"),
        _ => ("mention", "mentioned you"),
    }
}

/// `GET /notifications`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(q): Query<Cursor>,
) -> Response {
    run(&state, move |state| render(state, &v, q.cursor.as_deref())).await
}

fn render(state: &AppState, v: &Visitor, cursor: Option<&str>) -> Response {
    let Some(user) = &v.user else {
        return page::redirect("/login?next=/notifications", &[]);
    };
    let out = match notifications::list(state, &user.did, &[], cursor, PAGE) {
        Ok(o) => o,
        Err(e) => return page::error(state, v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let now = crate::util::now_us();
    if cursor.is_none() {
        if let Err(e) = notifications::mark_seen(state, &user.did, now) {
            tracing::warn!("marking notifications seen: {e}");
        }
    }
    let mut layout = Layout::new(state, v, "Notifications · Aerie", "/notifications");
    layout.nav = "notifications";
    let views = Views::for_viewer(state, Some(user.did.clone()));
    let post_card = |uri: &str| {
        crate::util::syntax::record_uri(uri)
            .and_then(|id| views.post(&id).ok().flatten())
            .and_then(|p| PostCard::from_view(&p, Some(&user.did), now))
    };
    let mut notes: Vec<Note> = Vec::new();
    // Which note groups (reason, subject) so far.
    let mut groups: Vec<(&str, String, usize)> = Vec::new();
    for n in &out.notifications {
        let reason = n.reason;
        let author = Author::from_view(&n.author);
        let unread = !n.is_read;
        let created = n.indexed_at.clone();
        if matches!(reason, "like" | "repost" | "follow") {
            let subject = n.reason_subject.clone().unwrap_or_default();
            if let Some(&(_, _, i)) = groups.iter().find(|g| g.0 == reason && g.1 == subject) {
                let note = &mut notes[i];
                note.unread |= unread;
                if note.authors.len() < FACES {
                    note.authors.push(author);
                } else {
                    note.others += 1;
                }
                continue;
            }
            let subject_view = post_card(&subject).map(|c| {
                let text: String = c.content.text.chars().take(140).collect();
                (text, c.url)
            });
            groups.push((reason, subject, notes.len()));
            notes.push(Note {
                subject: subject_view,
                ..Note::new(reason, unread, author, created, now)
            });
        } else {
            let Some(card) = post_card(&n.uri) else {
                continue;
            };
            notes.push(Note {
                card: Some(card),
                ..Note::new(reason, unread, author, created, now)
            });
        }
    }
    let page = NotificationsPage {
        layout,
        notes,
        more: out
            .cursor
            .as_deref()
            .map(|c| more_url("/notifications", &[], c)),
    };
    page::html(v, StatusCode::OK, &page)
}
