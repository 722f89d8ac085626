//! `/profile/{handle-or-did}/post/{rkey}`: a thread — its parents above, the post, replies
//! nested below (deleted and blocked posts shown as such) — with a reply form.

use super::card::PostCard;
use super::feed;
use super::home::Compose;
use super::page::{self, Layout, Meta};
use super::visitor::Visitor;
use crate::xrpc::views::{self, Views};
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;

/// Reply levels shown below the post.
const DEPTH: usize = 8;
/// Parents shown above it.
const PARENTS: usize = 80;

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    layout: Layout,
    parents: Vec<String>,
    focus: String,
    replies: String,
    compose: Compose,
    signed_in: bool,
}

/// What renders a node.
struct Render<'a> {
    csrf: &'a str,
    here: &'a str,
    viewer: Option<&'a str>,
    now: i64,
}

impl Render<'_> {
    /// One node (a post, or why it cannot be shown) without its replies.
    fn node(&self, n: &Value) -> String {
        match n.get("$type").and_then(Value::as_str).unwrap_or_default() {
            "app.bsky.feed.defs#threadViewPost" => {
                match PostCard::from_view(&n["post"], self.viewer, self.now) {
                    Some(c) => feed::card(&c, self.csrf, self.here, self.viewer.is_some()),
                    None => r#"<p class="gone-node">Hidden by a label</p>"#.into(),
                }
            }
            "app.bsky.feed.defs#blockedPost" => r#"<p class="gone-node">Blocked post</p>"#.into(),
            _ => r#"<p class="gone-node">Deleted post</p>"#.into(),
        }
    }

    /// Replies below a node, nested.
    fn replies(&self, n: &Value) -> String {
        let list = n["replies"].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return String::new();
        }
        let mut out = String::from(r#"<div class="replies">"#);
        for r in &list {
            out.push_str(&self.node(r));
            out.push_str(&self.replies(r));
        }
        out.push_str("</div>");
        out
    }
}

/// `GET /profile/{actor}/post/{rkey}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Path((actor, rkey)): Path<(String, String)>,
) -> Response {
    let not_found = |v: &Visitor| page::error(&state, v, StatusCode::NOT_FOUND, "Post not found.");
    let Some(did) = super::actor_did(&state, &actor).await else {
        return not_found(&v);
    };
    if !crate::util::syntax::is_rkey(&rkey) {
        return not_found(&v);
    }
    let id = RecordId::new(&did, nsid::POST, &rkey);
    let viewer = v.did().map(String::from);
    let views_ = Views::for_viewer(&state, viewer.clone());
    let thread = match views::thread(&views_, &id, DEPTH, PARENTS) {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(&v),
        Err(e) => return page::error(&state, &v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let author = super::card::Author::from_view(&thread["post"]["author"]);
    let here = format!("{}/post/{rkey}", author.url);
    let mut layout = Layout::new(&state, &v, String::new(), &here);
    let text = thread["post"]["record"]["text"]
        .as_str()
        .unwrap_or_default();
    let short: String = text.chars().take(80).collect();
    layout.title = format!("{}: “{short}” · Aerie", author.name);
    layout.meta = vec![
        Meta::og("og:title", format!("{} (@{})", author.name, author.handle)),
        Meta::og("og:description", text),
        Meta::og("og:type", "article"),
        Meta::og(
            "og:url",
            format!("{}{here}", state.cfg.public_url().trim_end_matches('/')),
        ),
        Meta::name("description", text),
        Meta::name("twitter:card", "summary"),
    ];
    if let Some(img) = thread["post"]
        .pointer("/embed/images/0/thumb")
        .and_then(Value::as_str)
    {
        layout.meta.push(Meta::og("og:image", img));
        layout.meta.push(Meta::name("twitter:image", img));
    }
    let csrf = layout.csrf.clone();
    let r = Render {
        csrf: &csrf,
        here: &here,
        viewer: viewer.as_deref(),
        now: crate::util::now_us(),
    };
    let mut parents = Vec::new();
    let mut p = &thread["parent"];
    while !p.is_null() {
        parents.push(r.node(p));
        p = &p["parent"];
    }
    parents.reverse();
    let page = ThreadPage {
        focus: r.node(&thread),
        replies: r.replies(&thread),
        parents,
        compose: Compose {
            id: "reply",
            label: "Write your reply",
            action: "Reply",
            text: String::new(),
            next: here.clone(),
            reply: Some(id.uri()),
            quote: None,
        },
        signed_in: viewer.is_some(),
        layout,
    };
    page::html(&v, StatusCode::OK, &page)
}
