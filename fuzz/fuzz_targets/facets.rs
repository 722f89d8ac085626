//! Rich text (`hydrate::content::facets`, `web::richtext` and `web::facets`): the input is the text, then a NUL byte and
//! the facets JSON. Rendering any facets gives well-formed, escaped HTML: the only tags are
//! `<a href>` links to safe targets and their `</a>`, never nested, and the text between the
//! tags is exactly the escaped input text. Facets the composer detects are on character
//! boundaries, in order, cover what they name, and each renders as one link.
#![no_main]

use aerie::hydrate::content;
use aerie::web::facets::{detect, to_facets, Found};
use aerie::web::richtext::{escape, render};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const OPENERS: [&str; 2] = ["\">", "\" rel=\"nofollow noopener ugc\" target=\"_blank\">"];
const TARGETS: [&str; 4] = ["https://", "http://", "/profile/did:", "/hashtag/"];

/// Checks the HTML's shape; the number of links.
fn check_html(text: &str, html: &str) -> usize {
    let mut plain = String::new();
    let (mut rest, mut open, mut links) = (html, false, 0);
    while let Some(i) = rest.find('<') {
        plain.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("</a>") {
            assert!(open, "a close without an open: {html}");
            (rest, open) = (r, false);
            continue;
        }
        let r = rest.strip_prefix("<a href=\"").unwrap_or_else(|| panic!("a tag: {html}"));
        assert!(!open, "nested link: {html}");
        let end = r.find('"').expect("an attribute's end");
        let href = &r[..end];
        assert!(TARGETS.iter().any(|t| href.starts_with(t)), "href {href}");
        assert!(!href.contains(['<', '>', '\'']), "href {href}");
        let after = &r[end..];
        let opener = OPENERS.iter().find(|o| after.starts_with(**o)).expect("tag end");
        (rest, open, links) = (&after[opener.len()..], true, links + 1);
    }
    plain.push_str(rest);
    assert!(!open, "an unclosed link: {html}");
    assert_eq!(plain, escape(text), "the text between tags");
    assert!(!plain.contains(['<', '>', '"', '\'']));
    links
}

fuzz_target!(|data: &[u8]| {
    let (text, facets) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], serde_json::from_slice::<Value>(&data[i + 1..]).ok()),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let typed = facets.as_ref().map(|f| content::facets(text, f)).unwrap_or_default();
    check_html(text, &render(text, &typed));

    let spans = detect(text);
    let mut at = 0;
    for s in &spans {
        assert!(at <= s.start && s.start < s.end && s.end <= text.len(), "{s:?}");
        let covered = text.get(s.start..s.end).expect("on character boundaries");
        match &s.found {
            Found::Link(u) => assert_eq!(covered, u),
            Found::Mention(h) => assert!(covered[1..].eq_ignore_ascii_case(h), "{covered} {h}"),
            Found::Tag(t) => assert!(covered.ends_with(t.as_str()), "{covered} {t}"),
        }
        at = s.end;
    }
    let facets = Value::Array(to_facets(&spans, |_| {
        Some("did:plc:wq4aajammjtxdomz3e23667t".into())
    }));
    assert_eq!(check_html(text, &render(text, &content::facets(text, &facets))), spans.len());
});
