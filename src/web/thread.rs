//! `/profile/{handle-or-did}/post/{rkey}`: a thread — its parents above, the post, replies
//! nested below (deleted and blocked posts shown as such) — with a reply form.

use super::card::PostCard;
use super::home::Compose;
use super::page::{self, Layout, Meta};
use super::visitor::Visitor;
use crate::hydrate::view::{EmbedView, MediaView, ThreadNode, ThreadViewPost};
use crate::service::{run, thread::post_thread};
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

/// Reply levels shown below the post.
const DEPTH: usize = 8;
/// Parents shown above it.
const PARENTS: usize = 80;

/// A node of the thread: a post, or why it is not shown.
pub enum NodeCard {
    /// The post.
    Post(Box<PostCard>),
    /// "Deleted post", "Blocked post", "Hidden by a label".
    Gone(&'static str),
}

/// A reply in the flattened tree: how many reply levels open before it and close after it.
pub struct Row {
    /// Levels opened before the node.
    pub open: usize,
    /// The node.
    pub node: NodeCard,
    /// Levels closed after it.
    pub close: usize,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    layout: Layout,
    parents: Vec<NodeCard>,
    focus: NodeCard,
    replies: Vec<Row>,
    compose: Compose,
    signed_in: bool,
}

/// What turns nodes into cards.
struct Cards<'a> {
    viewer: Option<&'a str>,
    now: i64,
}

impl Cards<'_> {
    fn post(&self, n: &ThreadViewPost) -> NodeCard {
        match PostCard::from_view(&n.post, self.viewer, self.now) {
            Some(c) => NodeCard::Post(Box::new(c)),
            None => NodeCard::Gone("Hidden by a label"),
        }
    }

    fn node(&self, n: &ThreadNode) -> NodeCard {
        match n {
            ThreadNode::Post(p) => self.post(p),
            ThreadNode::Blocked(_) => NodeCard::Gone("Blocked post"),
            ThreadNode::NotFound(_) => NodeCard::Gone("Deleted post"),
        }
    }

    /// The replies below a node, depth first, each level of nesting opened before its first
    /// reply and closed after its last one's subtree.
    fn replies(&self, children: &[ThreadNode], out: &mut Vec<Row>) {
        if children.is_empty() {
            return;
        }
        let first = out.len();
        for c in children {
            out.push(Row {
                open: 0,
                node: self.node(c),
                close: 0,
            });
            if let ThreadNode::Post(p) = c {
                self.replies(p.replies.as_deref().unwrap_or_default(), out);
            }
        }
        out[first].open += 1;
        if let Some(last) = out.last_mut() {
            last.close += 1;
        }
    }
}

/// The first image of a post, for link previews.
fn first_image(t: &ThreadViewPost) -> Option<&str> {
    let media = match t.post.embed.as_ref()? {
        EmbedView::Media(m) => m,
        EmbedView::RecordWithMedia { media, .. } => media,
        EmbedView::Record(_) => return None,
    };
    match media {
        MediaView::Images { images, .. } => images.first().map(|i| i.thumb.as_str()),
        _ => None,
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
    // A thread the store holds renders in one piece of store work; else what it lacks is
    // fetched first.
    let (id2, rkey2) = (id.clone(), rkey.clone());
    let at_once = run(
        &state,
        move |state| match crate::service::beyond::holds_thread(&*state.store, &id2) {
            true => Ok(render(state, &v, &id2, &rkey2, Default::default())),
            false => Err(Box::new(v)),
        },
    )
    .await;
    let v = match at_once {
        Ok(page) => return page,
        Err(v) => *v,
    };
    let beyond = crate::service::beyond::thread(&state, &id).await;
    run(&state, move |state| render(state, &v, &id, &rkey, beyond)).await
}

fn render(
    state: &AppState,
    v: &Visitor,
    id: &RecordId,
    rkey: &str,
    beyond: crate::service::thread::Beyond,
) -> Response {
    let viewer = v.did().map(String::from);
    let thread = match post_thread(state, viewer.clone(), id, DEPTH, PARENTS, beyond) {
        Ok(t) => t,
        Err(crate::service::Error::Refused { .. }) => {
            return page::error(state, v, StatusCode::NOT_FOUND, "Post not found.")
        }
        Err(e) => return page::error(state, v, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let author = super::card::Author::from_view(&thread.post.author);
    let here = format!("{}/post/{rkey}", author.url);
    let mut layout = Layout::new(state, v, String::new(), &here);
    let text = thread.post.content.text.as_str();
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
    if let Some(img) = first_image(&thread) {
        layout.meta.push(Meta::og("og:image", img));
        layout.meta.push(Meta::name("twitter:image", img));
    }
    let cards = Cards {
        viewer: viewer.as_deref(),
        now: crate::util::now_us(),
    };
    let mut parents = Vec::new();
    let mut p = thread.parent.as_deref();
    while let Some(node) = p {
        parents.push(cards.node(node));
        p = match node {
            ThreadNode::Post(t) => t.parent.as_deref(),
            _ => None,
        };
    }
    parents.reverse();
    let mut replies = Vec::new();
    cards.replies(thread.replies.as_deref().unwrap_or_default(), &mut replies);
    let page = ThreadPage {
        focus: cards.post(&thread),
        replies,
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
    page::html(v, StatusCode::OK, &page)
}
