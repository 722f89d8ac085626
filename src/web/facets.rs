//! Facets found in typed text, as the Bluesky app finds them: `http(s)://` links, `@handle`
//! mentions and `#tags`, each with its UTF-8 byte range (what `app.bsky.richtext.facet`
//! indexes). Trailing punctuation is left out of links and tags; a tag of digits only is not a
//! tag. Mentions come back with their handle; the caller resolves them to DIDs (a mention
//! that does not resolve is left as text).

use serde_json::{json, Value};

/// Something found in the text.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A link.
    Link(String),
    /// A mention, by handle.
    Mention(String),
    /// A tag (without `#`).
    Tag(String),
}

/// A found facet: byte range and what it is.
#[derive(Debug, PartialEq, Eq)]
pub struct Span {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// What.
    pub found: Found,
}

/// Longest tag (characters), as the lexicon allows.
const MAX_TAG: usize = 64;

fn trim_trailing(word: &str) -> &str {
    let mut w = word;
    loop {
        let Some(last) = w.chars().last() else {
            return w;
        };
        let unbalanced_paren = last == ')' && w.matches('(').count() < w.matches(')').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'') || unbalanced_paren {
            w = &w[..w.len() - last.len_utf8()];
        } else {
            return w;
        }
    }
}

/// The links, mentions and tags in `text`, in order.
pub fn detect(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut word_start: Option<usize> = None;
    let bytes = text.len();
    let flush = |start: usize, end: usize, out: &mut Vec<Span>| {
        let raw = &text[start..end];
        // A leading "(" does not belong to the word.
        let lead = raw.len() - raw.trim_start_matches('(').len();
        let (start, raw) = (start + lead, &raw[lead..]);
        if raw.starts_with("https://") || raw.starts_with("http://") {
            let w = trim_trailing(raw);
            if url::Url::parse(w).is_ok_and(|u| u.host_str().is_some()) {
                out.push(Span {
                    start,
                    end: start + w.len(),
                    found: Found::Link(w.to_string()),
                });
            }
        } else if let Some(h) = raw.strip_prefix('@') {
            let h = trim_trailing(h);
            if crate::util::syntax::is_handle(h) {
                out.push(Span {
                    start,
                    end: start + 1 + h.len(),
                    found: Found::Mention(h.to_ascii_lowercase()),
                });
            }
        } else if let Some(t) = raw.strip_prefix('#').or_else(|| raw.strip_prefix('＃')) {
            let t = trim_trailing(t);
            let ok = !t.is_empty()
                && t.chars().count() <= MAX_TAG
                && !t.chars().all(|c| c.is_ascii_digit())
                && !t.starts_with(['#', '＃']);
            if ok {
                out.push(Span {
                    start,
                    end: start + (raw.len() - raw.trim_start_matches(['#', '＃']).len()) + t.len(),
                    found: Found::Tag(t.to_string()),
                });
            }
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = word_start.take() {
                flush(s, i, &mut out);
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(s) = word_start {
        flush(s, bytes, &mut out);
    }
    out
}

/// `app.bsky.richtext.facet` objects for spans, mentions through `did_of` (unresolved
/// mentions are left out).
pub fn to_facets(spans: &[Span], did_of: impl Fn(&str) -> Option<String>) -> Vec<Value> {
    spans
        .iter()
        .filter_map(|s| {
            let feature = match &s.found {
                Found::Link(u) => json!({"$type": "app.bsky.richtext.facet#link", "uri": u}),
                Found::Mention(h) => {
                    json!({"$type": "app.bsky.richtext.facet#mention", "did": did_of(h)?})
                }
                Found::Tag(t) => json!({"$type": "app.bsky.richtext.facet#tag", "tag": t}),
            };
            Some(json!({
                "index": {"byteStart": s.start, "byteEnd": s.end},
                "features": [feature],
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_mentions_and_tags_with_byte_ranges() {
        let text = "héllo @alice.test! (see https://x.test/a_(b)). #rust, #123 #ünïcode";
        let spans = detect(text);
        let got: Vec<(&str, &Found)> = spans
            .iter()
            .map(|s| (&text[s.start..s.end], &s.found))
            .collect();
        assert_eq!(
            got,
            vec![
                ("@alice.test", &Found::Mention("alice.test".into())),
                (
                    "https://x.test/a_(b)",
                    &Found::Link("https://x.test/a_(b)".into())
                ),
                ("#rust", &Found::Tag("rust".into())),
                ("#ünïcode", &Found::Tag("ünïcode".into())),
            ]
        );
        let facets = to_facets(&spans, |h| {
            (h == "alice.test").then(|| "did:plc:a".to_string())
        });
        assert_eq!(facets[0]["index"]["byteStart"], 7);
        assert_eq!(facets[0]["index"]["byteEnd"], 18);
        assert_eq!(facets[0]["features"][0]["did"], "did:plc:a");
    }

    #[test]
    fn unresolved_mentions_and_junk_are_left_as_text() {
        let spans = detect("@nobody.test javascript:alert(1) ftp://x.test @ # #");
        let facets = to_facets(&spans, |_| None);
        assert!(facets.is_empty(), "{facets:?}");
    }
}
