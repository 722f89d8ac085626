//! `/notifications`: likes and reposts grouped by the post they are about, follows grouped,
//! replies, mentions and quotes shown as posts one can act on. Opening the first page marks
//! everything seen (what was new is still highlighted on that visit).

use super::card::{Author, PostCard};
use super::feed::{self, more_url};
use super::page::{self, Layout};
use super::visitor::Visitor;
use super::Cursor;
use crate::xrpc::app_bsky::notification::{list_notifications, update_seen};
use crate::xrpc::views::Views;
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
    /// A rendered post (replies, mentions, quotes).
    pub card: Option<String>,
    /// When (the newest in the group).
    pub created: String,
    /// Relative time.
    pub ago: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    icons: String,
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
    let Some(user) = &v.user else {
        return page::redirect("/login?next=/notifications", &[]);
    };
    let out = match list_notifications::notifications(
        &state,
        &user.did,
        &[],
        q.cursor.as_deref(),
        PAGE,
    ) {
        Ok(o) => o.0,
        Err(e) => return page::error(&state, &v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let now = crate::util::now_us();
    if q.cursor.is_none() {
        if let Err(e) = update_seen::mark_seen(&state, &user.did, now) {
            tracing::warn!("marking notifications seen: {e}");
        }
    }
    let mut layout = Layout::new(&state, &v, "Notifications · Aerie", "/notifications");
    layout.nav = "notifications";
    let views = Views::for_viewer(&state, Some(user.did.clone()));
    let mut notes: Vec<Note> = Vec::new();
    // Which note groups (reason, subject) so far.
    let mut groups: Vec<(String, String, usize)> = Vec::new();
    for n in out["notifications"].as_array().into_iter().flatten() {
        let reason = n["reason"].as_str().unwrap_or_default();
        let author = Author::from_view(&n["author"]);
        let unread = n["isRead"].as_bool() == Some(false);
        let created = n["indexedAt"].as_str().unwrap_or_default().to_string();
        if matches!(reason, "like" | "repost" | "follow") {
            let subject = n["reasonSubject"].as_str().unwrap_or_default().to_string();
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
            let subject_view = crate::util::syntax::record_uri(&subject)
                .and_then(|id| views.post(&id).ok().flatten())
                .and_then(|p| {
                    let text: String = p["record"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(140)
                        .collect();
                    PostCard::from_view(&p, Some(&user.did), now).map(|c| (text, c.url))
                });
            groups.push((reason.to_string(), subject, notes.len()));
            notes.push(Note {
                subject: subject_view,
                ..Note::new(reason, unread, author, created, now)
            });
        } else {
            let card = crate::util::syntax::record_uri(n["uri"].as_str().unwrap_or_default())
                .and_then(|id| views.post(&id).ok().flatten())
                .and_then(|p| PostCard::from_view(&p, Some(&user.did), now))
                .map(|c| feed::card(&c, &layout.csrf, "/notifications", true));
            if card.is_none() {
                continue;
            }
            notes.push(Note {
                card,
                ..Note::new(reason, unread, author, created, now)
            });
        }
    }
    let page = NotificationsPage {
        layout,
        icons: super::assets::url("icons.svg"),
        notes,
        more: out["cursor"]
            .as_str()
            .map(|c| more_url("/notifications", &[], c)),
    };
    page::html(&v, StatusCode::OK, &page)
}
