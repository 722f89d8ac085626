//! Embeds as HTML: images (with alt text, CDN thumbnails linking to the full size), external
//! link cards, quoted posts (or why they cannot be shown), record-with-media, and video
//! (its thumbnail). Built from the embed views the API returns; every value is escaped and
//! every URL checked to be http(s).

use super::card::{ago, profile_url, Author};
use super::richtext::{escape, http_url, render as rich};
use serde_json::Value;
use std::fmt::Write;

/// Longest alt text carried into a page (characters).
const MAX_ALT: usize = 2000;

fn str_at<'v>(v: &'v Value, p: &str) -> &'v str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

/// An http(s) URL, escaped for an attribute; `None` for anything else.
fn safe_url(u: &str) -> Option<String> {
    http_url(u).map(|u| escape(&u))
}

fn alt(v: &Value) -> String {
    escape(&str_at(v, "/alt").chars().take(MAX_ALT).collect::<String>())
}

/// Width/height attributes from an aspect ratio (avoids layout shift).
fn dims(v: &Value) -> String {
    match (
        v.pointer("/aspectRatio/width").and_then(Value::as_u64),
        v.pointer("/aspectRatio/height").and_then(Value::as_u64),
    ) {
        (Some(w), Some(h)) if w > 0 && h > 0 => format!(r#" width="{w}" height="{h}""#),
        _ => String::new(),
    }
}

/// An embed view as HTML.
pub fn render(embed: &Value, now_us: i64) -> String {
    let mut out = String::new();
    match embed
        .get("$type")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "app.bsky.embed.images#view" => images(&mut out, embed),
        "app.bsky.embed.external#view" => external(&mut out, &embed["external"]),
        "app.bsky.embed.video#view" => video(&mut out, embed),
        "app.bsky.embed.record#view" => record(&mut out, &embed["record"], now_us),
        "app.bsky.embed.recordWithMedia#view" => {
            out.push_str(&render(&embed["media"], now_us));
            record(&mut out, &embed["record"]["record"], now_us);
        }
        _ => {}
    }
    out
}

fn images(out: &mut String, embed: &Value) {
    let list = embed["images"].as_array().cloned().unwrap_or_default();
    let _ = write!(out, r#"<div class="images n{}">"#, list.len().min(4));
    for img in list.iter().take(4) {
        let (Some(thumb), Some(full)) = (
            safe_url(str_at(img, "/thumb")),
            safe_url(str_at(img, "/fullsize")),
        ) else {
            continue;
        };
        let _ = write!(
            out,
            r#"<a href="{full}" target="_blank" rel="noopener"><img src="{thumb}" alt="{}" loading="lazy"{}></a>"#,
            alt(img),
            dims(img)
        );
    }
    out.push_str("</div>");
}

fn external(out: &mut String, ext: &Value) {
    let Some(href) = safe_url(str_at(ext, "/uri")) else {
        return;
    };
    let host = url::Url::parse(str_at(ext, "/uri"))
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_default();
    let _ = write!(
        out,
        r#"<a class="external" href="{href}" target="_blank" rel="nofollow noopener ugc">"#
    );
    if let Some(thumb) = safe_url(str_at(ext, "/thumb")) {
        let _ = write!(out, r#"<img src="{thumb}" alt="" loading="lazy">"#);
    }
    let _ = write!(
        out,
        r#"<span class="ext-text"><span class="ext-host">{}</span><strong>{}</strong><span class="ext-desc">{}</span></span></a>"#,
        escape(&host),
        escape(str_at(ext, "/title")),
        escape(str_at(ext, "/description"))
    );
}

fn video(out: &mut String, embed: &Value) {
    let Some(thumb) = safe_url(str_at(embed, "/thumbnail")) else {
        out.push_str(r#"<p class="muted">Video</p>"#);
        return;
    };
    let _ = write!(
        out,
        r#"<div class="video"><img src="{thumb}" alt="{}" loading="lazy"{}><span class="play" aria-hidden="true">▶</span></div>"#,
        alt(embed),
        dims(embed)
    );
}

fn record(out: &mut String, rec: &Value, now_us: i64) {
    match rec.get("$type").and_then(Value::as_str).unwrap_or_default() {
        "app.bsky.embed.record#viewRecord" => {
            let author = Author::from_view(&rec["author"]);
            let uri = str_at(rec, "/uri");
            let rkey = uri.rsplit('/').next().unwrap_or_default();
            let created = str_at(rec, "/value/createdAt");
            let _ = write!(
                out,
                r#"<blockquote class="quote"><a class="quote-link" href="{}/post/{}"><span class="name">{}</span> <span class="handle">@{}</span> · <time datetime="{}">{}</time></a><div class="text">{}</div>"#,
                escape(&profile_url(&author.did, &author.handle)),
                escape(rkey),
                escape(&author.name),
                escape(&author.handle),
                escape(created),
                escape(&ago(created, now_us)),
                rich(str_at(rec, "/value/text"), rec.pointer("/value/facets"))
            );
            // Media of the quoted post (one level: quotes of quotes show as links).
            for e in rec["embeds"].as_array().into_iter().flatten() {
                match e.get("$type").and_then(Value::as_str) {
                    Some("app.bsky.embed.images#view") => images(out, e),
                    Some("app.bsky.embed.external#view") => external(out, &e["external"]),
                    Some("app.bsky.embed.video#view") => video(out, e),
                    _ => {}
                }
            }
            out.push_str("</blockquote>");
        }
        "app.bsky.embed.record#viewNotFound" => {
            out.push_str(r#"<blockquote class="quote gone">Deleted post</blockquote>"#)
        }
        "app.bsky.embed.record#viewBlocked" => {
            out.push_str(r#"<blockquote class="quote gone">Blocked post</blockquote>"#)
        }
        "app.bsky.embed.record#viewDetached" => {
            out.push_str(r#"<blockquote class="quote gone">Removed by its author</blockquote>"#)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hostile_embeds_render_inert() {
        let e = json!({"$type": "app.bsky.embed.images#view", "images": [
            {"thumb": "javascript:alert(1)", "fullsize": "https://cdn.test/f", "alt": "x"},
            {"thumb": "https://cdn.test/t\"onerror=\"x", "fullsize": "https://cdn.test/f", "alt": "<b>\"hi\"</b>".repeat(1000)}
        ]});
        let html = render(&e, 0);
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("<b>") && !html.contains("\"onerror"));
        let ext = json!({"$type": "app.bsky.embed.external#view", "external": {"uri": "javascript:x", "title": "t", "description": "d"}});
        assert_eq!(render(&ext, 0), "");
    }
}
