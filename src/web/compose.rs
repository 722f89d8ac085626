//! Composing: `/compose` (with `?reply=` or `?quote=` an at:// URI) and the inline composers,
//! all posting here. The text is checked against the 300-grapheme limit; links, mentions and
//! tags become facets with UTF-8 byte ranges (mentions resolved to DIDs); an image is
//! uploaded to the user's PDS with its alt text; replies carry root and parent, quotes a
//! record embed (record-with-media beside an image). Written through the service's write path.

use super::card::PostCard;
use super::facets;
use super::home::Compose;
use super::page::{self, Layout};
use super::visitor::Visitor;
use crate::hydrate::Views;
use crate::service::write::{create, post, refused, strong_ref, upload_for};
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::StoredSession;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use unicode_segmentation::UnicodeSegmentation;

/// A post's text limit in graphemes.
const MAX_GRAPHEMES: usize = 300;
/// ... and in bytes.
const MAX_BYTES: usize = 3000;
/// The largest image accepted (the Bluesky app's limit for a post image).
const MAX_IMAGE: usize = 1_000_000;
/// Alt text limit (characters).
const MAX_ALT: usize = 2000;

/// `?reply=&quote=`.
#[derive(Deserialize, Default)]
pub struct ComposeQuery {
    reply: Option<String>,
    quote: Option<String>,
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    layout: Layout,
    compose: Compose,
    context: Option<PostCard>,
    error: Option<String>,
}

/// What the form sent.
#[derive(Default)]
struct Draft {
    csrf: String,
    text: String,
    reply: Option<String>,
    quote: Option<String>,
    image: Option<(String, Vec<u8>)>,
    alt: String,
    next: Option<String>,
}

/// The post a reply or quote is about, as a card.
fn context_card(state: &AppState, v: &Visitor, uri: Option<&str>) -> Option<PostCard> {
    let id = crate::util::syntax::record_uri(uri?)?;
    let view = Views::for_viewer(state, v.did().map(String::from))
        .post(&id)
        .ok()??;
    PostCard::from_view(&view, v.did(), crate::util::now_us())
}

fn render(
    state: &AppState,
    v: &Visitor,
    q: ComposeQuery,
    text: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut layout = Layout::new(state, v, "New post · Aerie", "/compose");
    layout.nav = "compose";
    let (label, action) = match (&q.reply, &q.quote) {
        (Some(_), _) => ("Write your reply", "Reply"),
        (None, Some(_)) => ("Add a comment", "Post"),
        _ => ("What's up?", "Post"),
    };
    let context = context_card(state, v, q.reply.as_deref().or(q.quote.as_deref()));
    let page = ComposePage {
        compose: Compose {
            id: "page",
            label,
            action,
            text,
            next: "/".into(),
            reply: q.reply,
            quote: q.quote,
        },
        context,
        error,
        layout,
    };
    page::html(v, status, &page)
}

/// `GET /compose`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(q): Query<ComposeQuery>,
) -> Response {
    if v.user.is_none() {
        return page::redirect("/login?next=/compose", &[]);
    }
    crate::service::run(&state, move |state| {
        render(state, &v, q, String::new(), None, StatusCode::OK)
    })
    .await
}

async fn read_form(mut form: Multipart) -> Result<Draft, String> {
    let mut d = Draft::default();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "image" {
            let mime = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            if !bytes.is_empty() {
                d.image = Some((mime, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "csrf" => d.csrf = value,
            "text" => d.text = value,
            "reply" => d.reply = Some(value).filter(|v| !v.is_empty()),
            "quote" => d.quote = Some(value).filter(|v| !v.is_empty()),
            "alt" => d.alt = value,
            "next" => d.next = Some(value),
            _ => {}
        }
    }
    Ok(d)
}

/// The `reply` field of a post replying to `parent`.
async fn reply_ref(state: &Arc<AppState>, viewer: &str, parent: &str) -> Result<Value, String> {
    crate::util::syntax::record_uri(parent).ok_or("That post does not exist.")?;
    let view = post(state, viewer, parent)
        .await
        .map_err(|e| e.answer().message)?
        .ok_or("The post you are replying to is gone.")?;
    let parent = json!({"uri": view.uri, "cid": view.cid});
    let root = match &view.content.reply {
        Some(r) => match &r.root_cid {
            Some(cid) => json!({"uri": r.root.uri(), "cid": cid}),
            None => parent.clone(),
        },
        None => parent.clone(),
    };
    Ok(json!({"root": root, "parent": parent}))
}

/// The post record the draft describes (uploading its image first).
async fn build(state: &Arc<AppState>, s: &StoredSession, d: &Draft) -> Result<Value, String> {
    let text = d.text.trim_end().to_string();
    let graphemes = text.graphemes(true).count();
    if graphemes > MAX_GRAPHEMES || text.len() > MAX_BYTES {
        return Err(format!(
            "Posts are limited to {MAX_GRAPHEMES} characters; this one has {graphemes}."
        ));
    }
    if text.trim().is_empty() && d.image.is_none() {
        return Err("Write something first.".into());
    }
    let mut record = json!({"$type": nsid::POST, "text": text, "createdAt": aerie_storage::datetime::format_us(crate::util::now_us())});
    let spans = facets::detect(&text);
    let mut dids = std::collections::HashMap::new();
    for span in &spans {
        if let facets::Found::Mention(h) = &span.found {
            let known = {
                let h = h.clone();
                let lookup = move |state: &AppState| state.store.did_for_handle(&h);
                crate::service::run(state, lookup).await.ok().flatten()
            };
            let did = match known {
                Some(d) => Some(d),
                None => state.resolver().resolve_handle(h).await.ok(),
            };
            if let Some(d) = did {
                dids.insert(h.clone(), d);
            }
        }
    }
    let found = facets::to_facets(&spans, |h| dids.get(h).cloned());
    if !found.is_empty() {
        record["facets"] = Value::Array(found);
    }
    if let Some(parent) = &d.reply {
        record["reply"] = reply_ref(state, &s.did, parent).await?;
    }
    let media = match &d.image {
        Some((mime, bytes)) => {
            if bytes.len() > MAX_IMAGE {
                return Err(format!("Images are limited to {} KB.", MAX_IMAGE / 1000));
            }
            if !mime.starts_with("image/") {
                return Err("Only images can be attached.".into());
            }
            let resp = upload_for(state, s, mime, bytes.clone())
                .await
                .map_err(|e| e.answer().message)?;
            let out: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
            if resp.status != 200 || !out["blob"].is_object() {
                return Err(refused(&resp).answer().message);
            }
            let alt: String = d.alt.chars().take(MAX_ALT).collect();
            Some(
                json!({"$type": "app.bsky.embed.images", "images": [{"image": out["blob"], "alt": alt}]}),
            )
        }
        None => None,
    };
    let quote = match &d.quote {
        Some(q) => {
            crate::util::syntax::record_uri(q).ok_or("That post does not exist.")?;
            Some(
                strong_ref(state, &s.did, Some(q), None)
                    .await
                    .map_err(|_| "The post you are quoting is gone.")?,
            )
        }
        None => None,
    };
    match (media, quote) {
        (Some(m), Some(q)) => {
            record["embed"] = json!({"$type": "app.bsky.embed.recordWithMedia", "record": {"$type": "app.bsky.embed.record", "record": q}, "media": m})
        }
        (Some(m), None) => record["embed"] = m,
        (None, Some(q)) => record["embed"] = json!({"$type": "app.bsky.embed.record", "record": q}),
        (None, None) => {}
    }
    Ok(record)
}

/// `POST /compose`.
pub async fn submit(State(state): State<Arc<AppState>>, v: Visitor, form: Multipart) -> Response {
    let Some(s) = v.user.clone() else {
        return page::redirect("/login", &[]);
    };
    let d = match read_form(form).await {
        Ok(d) => d,
        Err(e) => {
            return page::error(
                &state,
                &v,
                StatusCode::BAD_REQUEST,
                format!("The form could not be read: {e}"),
            )
        }
    };
    if !v.form_ok(&state, &d.csrf) {
        return page::error(
            &state,
            &v,
            StatusCode::FORBIDDEN,
            "The form expired; please go back and try again.",
        );
    }
    let failed = match build(&state, &s, &d).await {
        Ok(record) => match create(&state, &s, nsid::POST, record).await {
            Ok(_) => return page::redirect(&page::local_path(d.next.as_deref()), &[]),
            Err(e) => e.answer(),
        },
        Err(e) => crate::service::Answer::new(StatusCode::BAD_REQUEST, "InvalidRequest", e),
    };
    // The composer again, with the draft and what went wrong.
    let q = ComposeQuery {
        reply: d.reply,
        quote: d.quote,
    };
    crate::service::run(&state, move |state| {
        render(state, &v, q, d.text, Some(failed.message), failed.status)
    })
    .await
}
