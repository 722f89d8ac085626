//! Rich text: a post's text and its facets rendered as HTML. Everything is escaped; a facet
//! becomes a link only when its byte range is inside the text, on character boundaries and
//! clear of the facets before it, and its target is safe: `http(s)` links (opening in a new
//! tab, `nofollow ugc`), mentions of a valid DID (→ its profile page), and tags (→ `/hashtag/{tag}`, as on bsky.app).
//! Anything else renders as the plain text it covers.

use serde_json::Value;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `http(s)` URL, normalized; `None` for anything else (`javascript:`, `data:`, junk).
pub fn http_url(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// Percent-encodes a path or query component.
pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What a facet links to.
enum Target {
    Link(String),
    Mention(String),
    Tag(String),
}

fn target(features: &Value) -> Option<Target> {
    for f in features.as_array()? {
        match f.get("$type").and_then(Value::as_str) {
            Some("app.bsky.richtext.facet#link") => {
                if let Some(u) = http_url(f.get("uri")?.as_str()?) {
                    return Some(Target::Link(u));
                }
            }
            Some("app.bsky.richtext.facet#mention") => {
                let did = f.get("did")?.as_str()?;
                if crate::util::syntax::is_did(did) {
                    return Some(Target::Mention(did.to_string()));
                }
            }
            Some("app.bsky.richtext.facet#tag") => {
                let tag = f.get("tag")?.as_str()?;
                if !tag.is_empty() && tag.len() <= 640 {
                    return Some(Target::Tag(tag.to_string()));
                }
            }
            _ => {}
        }
    }
    None
}

/// The text with its usable facets as HTML.
pub fn render(text: &str, facets: Option<&Value>) -> String {
    let mut spans: Vec<(usize, usize, Target)> = facets
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let start = f.pointer("/index/byteStart")?.as_u64()? as usize;
            let end = f.pointer("/index/byteEnd")?.as_u64()? as usize;
            let ok = start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end);
            ok.then(|| target(f.get("features")?).map(|t| (start, end, t)))?
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (start, end, t) in spans {
        if start < at {
            continue; // overlaps the facet before it
        }
        out.push_str(&escape(&text[at..start]));
        let inner = escape(&text[start..end]);
        let _ = match t {
            Target::Link(u) => write!(
                out,
                r#"<a href="{}" rel="nofollow noopener ugc" target="_blank">{inner}</a>"#,
                escape(&u)
            ),
            Target::Mention(did) => write!(out, r#"<a href="/profile/{did}">{inner}</a>"#),
            Target::Tag(tag) => write!(out, r#"<a href="/hashtag/{}">{inner}</a>"#, encode(&tag)),
        };
        at = end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facet(start: usize, end: usize, feature: Value) -> Value {
        json!({"index": {"byteStart": start, "byteEnd": end}, "features": [feature]})
    }

    #[test]
    fn links_mentions_and_tags_at_byte_ranges() {
        let text = "héllo @alice.test see https://x.test/a?b=1&c #rust";
        let at = text.find('@').unwrap_or(0);
        let link = text.find("https").unwrap_or(0);
        let tag = text.find('#').unwrap_or(0);
        let facets = json!([
            facet(
                tag,
                text.len(),
                json!({"$type": "app.bsky.richtext.facet#tag", "tag": "rust"})
            ),
            facet(
                at,
                at + 11,
                json!({"$type": "app.bsky.richtext.facet#mention", "did": "did:web:alice.test"})
            ),
            facet(
                link,
                link + 22,
                json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://x.test/a?b=1&c"})
            ),
        ]);
        let html = render(text, Some(&facets));
        assert!(html.starts_with("héllo <a href=\"/profile/did:web:alice.test\">@alice.test</a>"));
        assert!(html.contains(r#"<a href="https://x.test/a?b=1&amp;c" rel="nofollow noopener ugc" target="_blank">https://x.test/a?b=1&amp;c</a>"#));
        assert!(html.ends_with(r#"<a href="/hashtag/rust">#rust</a>"#));
    }

    #[test]
    fn hostile_input_renders_inert() {
        let text = "<script>alert(1)</script> click me";
        let facets = json!([
            facet(
                26,
                34,
                json!({"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"})
            ),
            facet(
                0,
                3,
                json!({"$type": "app.bsky.richtext.facet#mention", "did": "\"><img src=x>"})
            ),
            facet(
                30,
                9999,
                json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://x.test"})
            ),
            facet(
                5,
                2,
                json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://x.test"})
            ),
        ]);
        let html = render(text, Some(&facets));
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt; click me");
        // A range that splits a character is ignored, not a panic.
        let split = render(
            "é",
            Some(&json!([facet(
                0,
                1,
                json!({"$type": "app.bsky.richtext.facet#tag", "tag": "x"})
            )])),
        );
        assert_eq!(split, "é");
        // Overlapping facets: the first wins.
        let two = render(
            "abcdef",
            Some(&json!([
                facet(
                    0,
                    4,
                    json!({"$type": "app.bsky.richtext.facet#tag", "tag": "a"})
                ),
                facet(
                    2,
                    6,
                    json!({"$type": "app.bsky.richtext.facet#tag", "tag": "b"})
                ),
            ])),
        );
        assert_eq!(two, r#"<a href="/hashtag/a">abcd</a>ef"#);
    }
}
