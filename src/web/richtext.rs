//! Rich text: a post's text and its facets rendered as HTML. Everything is escaped; a facet
//! becomes a link only when its byte range is inside the text, on character boundaries and
//! clear of the facets before it, and its target is safe: `http(s)` links (opening in a new
//! tab, `nofollow ugc`), mentions of a valid DID (→ its profile page), and tags (→ `/hashtag/{tag}`, as on bsky.app).
//! Anything else renders as the plain text it covers.

use crate::hydrate::content::{Facet, FacetTarget};
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

/// Percent-encodes a path or query component.
pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The text with its facets (checked, ordered and not overlapping, as hydration gives them)
/// as HTML.
pub fn render(text: &str, facets: &[Facet]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for f in facets {
        let (Some(before), Some(inner)) = (text.get(at..f.start), text.get(f.start..f.end)) else {
            continue; // not a usable range of this text
        };
        out.push_str(&escape(before));
        let inner = escape(inner);
        let _ = match &f.target {
            FacetTarget::Link(u) => write!(
                out,
                r#"<a href="{}" rel="nofollow noopener ugc" target="_blank">{inner}</a>"#,
                escape(u)
            ),
            FacetTarget::Mention(did) => {
                write!(out, r#"<a href="/profile/{}">{inner}</a>"#, escape(did))
            }
            FacetTarget::Tag(tag) => {
                write!(out, r#"<a href="/hashtag/{}">{inner}</a>"#, encode(tag))
            }
        };
        at = f.end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Renders a record's facets array through hydration's facet check, as posts are.
    fn rendered(text: &str, facets: &Value) -> String {
        render(text, &crate::hydrate::content::facets(text, facets))
    }

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
        let html = rendered(text, &facets);
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
        let html = rendered(text, &facets);
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt; click me");
        // A range that splits a character is ignored, not a panic.
        let split = rendered(
            "é",
            &json!([facet(
                0,
                1,
                json!({"$type": "app.bsky.richtext.facet#tag", "tag": "x"})
            )]),
        );
        assert_eq!(split, "é");
        // Overlapping facets: the first wins.
        let two = rendered(
            "abcdef",
            &json!([
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
            ]),
        );
        assert_eq!(two, r#"<a href="/hashtag/a">abcd</a>ef"#);
    }
}
