//! Index documents built from what the store holds: a post (its text, alt texts, facets,
//! embed, reply and languages), an actor (handle, profile, whether it serves content), a feed
//! generator or a starter pack (name, description).

use super::analyze::{self, Term};
use super::schema::{has, kind, tie, Fields};
use aerie_storage::RecordId;
use serde_json::Value;
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::TantivyDocument;

/// Positions left between two values of one field (an alt text does not continue the text
/// into a phrase).
const VALUE_GAP: usize = 100;

/// Longest prefix kept for typeahead (characters).
const MAX_PREFIX: usize = 24;

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |cur, p| cur.get(*p))?.as_str()
}

fn add_terms(doc: &mut TantivyDocument, field: tantivy::schema::Field, terms: Vec<Term>) {
    if terms.is_empty() {
        return;
    }
    let tokens = terms
        .into_iter()
        .map(|t| Token {
            offset_from: 0,
            offset_to: 0,
            position: t.position,
            text: t.text,
            position_length: 1,
        })
        .collect();
    doc.add_pre_tokenized_text(
        field,
        PreTokenizedString {
            text: String::new(),
            tokens,
        },
    );
}

/// Terms of several texts, `VALUE_GAP` positions apart.
fn text_terms<'a>(texts: impl IntoIterator<Item = &'a str>, japanese: bool) -> Vec<Term> {
    let mut out = Vec::new();
    let mut pos = 0;
    for t in texts {
        pos = analyze::index_terms(t, japanese, pos, &mut out) + VALUE_GAP;
    }
    out
}

/// A link normalized for matching: no scheme, no `www.`, host lowercased, no fragment, no
/// `utm_*` parameters, no trailing slash. `None` for what is not an http(s) URL.
pub fn normalize_url(raw: &str) -> Option<String> {
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else if raw.split('/').next().is_some_and(|head| head.contains(':')) {
        return None;
    } else {
        format!("https://{raw}")
    };
    let mut u = url::Url::parse(&with_scheme).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let path = u.path().trim_end_matches('/');
    let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{path}{query}"))
}

/// A domain and its parents (`news.example.com` → itself and `example.com`), lowercased,
/// without `www.`.
pub fn domains(host: &str) -> Vec<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    (0..labels.len().saturating_sub(1))
        .map(|i| labels[i..].join("."))
        .collect()
}

/// A hashtag folded for matching (no `#`).
pub fn tag(raw: &str) -> Option<String> {
    let t = raw.trim().trim_start_matches(['#', '＃']);
    analyze::fold(t)
}

/// A language tag as indexed: the whole tag and its primary subtag, lowercased.
fn langs(doc: &mut TantivyDocument, f: &Fields, tags: &[String]) {
    for l in tags {
        let l = l.to_ascii_lowercase();
        if let Some((primary, _)) = l.split_once('-') {
            doc.add_text(f.lang, primary);
        }
        doc.add_text(f.lang, &l);
    }
}

/// The common part: kind, identifier, order, author.
fn base(f: &Fields, what: &str, id: &str, author: &str, sort_at_us: i64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.kind, what);
    doc.add_text(f.id, id);
    doc.add_text(f.author, author);
    doc.add_i64(f.sort_at, sort_at_us);
    doc.add_u64(f.tie, tie(id));
    doc
}

/// A post's document.
pub fn post(f: &Fields, uri: &str, author: &str, sort_at_us: i64, v: &Value) -> TantivyDocument {
    let mut doc = base(f, kind::POST, uri, author, sort_at_us);
    let text = str_at(v, &["text"]).unwrap_or_default();
    let lang_tags: Vec<String> = v
        .get("langs")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let embed = v.get("embed");
    let media = embed.map(|e| match e.get("media") {
        Some(m) => m,
        None => e,
    });
    let mut alts: Vec<&str> = Vec::new();
    let media_type = media
        .and_then(|m| str_at(m, &["$type"]))
        .unwrap_or_default();
    if let Some(images) = media
        .and_then(|m| m.get("images"))
        .and_then(Value::as_array)
    {
        alts.extend(images.iter().filter_map(|i| str_at(i, &["alt"])));
    }
    if let Some(alt) = media.and_then(|m| str_at(m, &["alt"])) {
        alts.push(alt);
    }
    let japanese = analyze::is_japanese(text, &lang_tags);
    add_terms(
        &mut doc,
        f.text,
        text_terms(std::iter::once(text).chain(alts.iter().copied()), japanese),
    );
    langs(&mut doc, f, &lang_tags);

    let mut links: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for facet in v
        .get("facets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for feat in facet
            .get("features")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match str_at(feat, &["$type"]) {
                Some("app.bsky.richtext.facet#mention") => {
                    if let Some(did) = str_at(feat, &["did"]) {
                        doc.add_text(f.mention, did);
                    }
                }
                Some("app.bsky.richtext.facet#link") => {
                    links.extend(str_at(feat, &["uri"]).map(String::from));
                }
                Some("app.bsky.richtext.facet#tag") => {
                    tags.extend(str_at(feat, &["tag"]).and_then(tag));
                }
                _ => {}
            }
        }
    }
    tags.extend(
        v.get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().and_then(tag)),
    );
    if let Some(ext) = media.and_then(|m| str_at(m, &["external", "uri"])) {
        links.push(ext.to_string());
    }
    tags.sort();
    tags.dedup();
    for t in &tags {
        doc.add_text(f.tag, t);
    }
    let mut normalized: Vec<String> = links.iter().filter_map(|l| normalize_url(l)).collect();
    normalized.sort();
    normalized.dedup();
    let mut hosts: Vec<String> = normalized
        .iter()
        .flat_map(|u| domains(u.split(['/', '?']).next().unwrap_or_default()))
        .collect();
    hosts.sort();
    hosts.dedup();
    for u in &normalized {
        doc.add_text(f.url, u);
    }
    for h in &hosts {
        doc.add_text(f.domain, h);
    }
    let quoted = embed.and_then(|e| {
        str_at(e, &["record", "uri"]).or_else(|| str_at(e, &["record", "record", "uri"]))
    });
    if let Some(q) = quoted {
        doc.add_text(f.quote, q);
        doc.add_text(f.has, has::QUOTE);
    }
    if let (Some(parent), Some(root)) = (
        str_at(v, &["reply", "parent", "uri"]),
        str_at(v, &["reply", "root", "uri"]),
    ) {
        doc.add_text(f.parent, parent);
        doc.add_text(f.root, root);
        if let Some(to) = RecordId::parse_uri(parent) {
            doc.add_text(f.reply_to, &to.did);
        }
        doc.add_text(f.has, has::REPLY);
    }
    match media_type {
        "app.bsky.embed.images" => doc.add_text(f.has, has::MEDIA),
        "app.bsky.embed.video" => {
            doc.add_text(f.has, has::MEDIA);
            doc.add_text(f.has, has::VIDEO);
        }
        _ => {}
    }
    if !normalized.is_empty() {
        doc.add_text(f.has, has::LINK);
    }
    doc
}

/// Every prefix (1 to `MAX_PREFIX` characters) of `word`.
fn prefixes(word: &str, out: &mut Vec<String>) {
    let mut p = String::new();
    for c in word.chars().take(MAX_PREFIX) {
        p.push(c);
        out.push(p.clone());
    }
}

/// The typeahead terms of an actor: prefixes of the handle, of each of its labels, of each
/// word of the display name, and of the name's words run together ("first last" →
/// `firstlast`).
pub fn actor_prefixes(handle: Option<&str>, display_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = handle {
        let h = h.to_ascii_lowercase();
        prefixes(&h, &mut out);
        for label in h.split('.').skip(1) {
            prefixes(label, &mut out);
        }
    }
    let mut words: Vec<String> = Vec::new();
    for w in unicode_segmentation::UnicodeSegmentation::unicode_words(display_name) {
        words.extend(analyze::fold(w));
    }
    for w in &words {
        prefixes(w, &mut out);
    }
    if words.len() > 1 {
        prefixes(&words.concat(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// An actor's document: handle, display name, description; hidden when inactive.
pub fn actor(
    f: &Fields,
    did: &str,
    handle: Option<&str>,
    active: bool,
    profile: Option<&Value>,
) -> TantivyDocument {
    let created = profile
        .and_then(|p| str_at(p, &["createdAt"]))
        .and_then(aerie_storage::datetime::parse_us)
        .unwrap_or(0);
    let mut doc = base(f, kind::ACTOR, did, did, created);
    let name = profile
        .and_then(|p| str_at(p, &["displayName"]))
        .unwrap_or_default();
    let description = profile
        .and_then(|p| str_at(p, &["description"]))
        .unwrap_or_default();
    if let Some(h) = handle {
        doc.add_text(f.handle, h.to_ascii_lowercase());
    }
    let handle_words = handle
        .map(|h| h.replace(['.', '-'], " "))
        .unwrap_or_default();
    let japanese = analyze::is_japanese(name, &[]) || analyze::is_japanese(description, &[]);
    add_terms(
        &mut doc,
        f.name,
        text_terms([name, handle_words.as_str()], japanese),
    );
    add_terms(&mut doc, f.text, text_terms([description], japanese));
    for p in actor_prefixes(handle, name) {
        doc.add_text(f.prefix, p);
    }
    if !active {
        doc.add_text(f.hidden, "1");
    }
    doc
}

/// A feed generator's or starter pack's document (`what`: `kind::FEED` or `kind::PACK`).
pub fn named(
    f: &Fields,
    what: &str,
    uri: &str,
    author: &str,
    sort_at_us: i64,
    v: &Value,
) -> TantivyDocument {
    let mut doc = base(f, what, uri, author, sort_at_us);
    let name = str_at(v, &["displayName"])
        .or_else(|| str_at(v, &["name"]))
        .unwrap_or_default();
    let description = str_at(v, &["description"]).unwrap_or_default();
    let japanese = analyze::is_japanese(name, &[]) || analyze::is_japanese(description, &[]);
    add_terms(&mut doc, f.name, text_terms([name], japanese));
    add_terms(&mut doc, f.text, text_terms([description], japanese));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_domains_normalize() {
        assert_eq!(
            normalize_url("HTTPS://WWW.Example.com/a/b/?utm_source=x&id=3#top").as_deref(),
            Some("example.com/a/b?id=3")
        );
        assert_eq!(normalize_url("example.com").as_deref(), Some("example.com"));
        assert_eq!(normalize_url("mailto:a@b.c"), None);
        assert_eq!(
            domains("news.Example.com"),
            ["news.example.com", "example.com"]
        );
        assert_eq!(domains("www.example.com"), ["example.com"]);
    }

    #[test]
    fn prefixes_cover_handles_names_and_joined_names() {
        let p = actor_prefixes(Some("alice.bsky.social"), "Alice Wonder");
        for want in [
            "a",
            "alice.bsky",
            "bsky",
            "social",
            "wonder",
            "alicewonder",
            "alicew",
        ] {
            assert!(p.contains(&want.to_string()), "{want}");
        }
    }
}
