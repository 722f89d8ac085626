//! The search page's query string: `q`, `tab=posts|people|feeds` (posts by default),
//! `sort=top|latest` (top by default), `cursor`, and the filters — linkable parameters that
//! become operators of the query language (`search::query`), ANDed with `q`:
//!
//! | parameter          | operator          | meaning                                   |
//! |--------------------|-------------------|-------------------------------------------|
//! | `from=alice.test`  | `from:alice.test` | written by (a handle, a DID, or `me`)     |
//! | `mentions=bob.test`| `mentions:bob.test` | mentioning the account                  |
//! | `lang=ja`          | `lang:ja`         | in that language                          |
//! | `since=2024-01-31` | `since:2024-01-31`| at or after (a day in UTC, or RFC 3339)   |
//! | `until=2024-02-01` | `until:2024-02-01`| before                                    |
//! | `media=1`          | `has:media`       | with images or video                      |
//! | `replies=0`        | `-is:reply`       | replies left out (`replies=only`: only them) |
//! | `follows=1`        | `filter:follows`  | only accounts the viewer follows          |
//!
//! Empty parameters (what a form sends for a blank field) are ignored. Filters are built as
//! query nodes, not pasted into the text, so a value can never add operators of its own.

use crate::search::query::{self, ActorRef, Flag, Node, Rel};
use serde::Deserialize;

/// `GET /search`'s query string.
#[derive(Deserialize, Default, Debug, Clone)]
pub struct SearchParams {
    /// The query text.
    #[serde(default)]
    pub q: String,
    /// Which tab.
    pub tab: Option<String>,
    /// Which order (posts).
    pub sort: Option<String>,
    /// Where the last page ended.
    pub cursor: Option<String>,
    /// `from=`.
    pub from: Option<String>,
    /// `mentions=`.
    pub mentions: Option<String>,
    /// `lang=`.
    pub lang: Option<String>,
    /// `since=`.
    pub since: Option<String>,
    /// `until=`.
    pub until: Option<String>,
    /// `media=1`.
    pub media: Option<String>,
    /// `replies=0|only`.
    pub replies: Option<String>,
    /// `follows=1`.
    pub follows: Option<String>,
}

/// A parameter's value, trimmed; `None` when blank.
fn value(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A checkbox's value is on.
fn on(v: &Option<String>) -> bool {
    matches!(value(v), Some("1" | "on" | "true" | "yes"))
}

/// An account as a filter names it: `me`, a DID, or a handle (with or without `@`).
pub fn actor(v: &str) -> ActorRef {
    let v = v.trim().trim_start_matches('@');
    if v.eq_ignore_ascii_case("me") {
        ActorRef::Me
    } else if v.starts_with("did:") {
        ActorRef::Did(v.to_string())
    } else {
        ActorRef::Handle(v.to_ascii_lowercase())
    }
}

/// A language tag: letters, digits and `-`, at most 35 characters (BCP 47's longest).
fn lang(v: &str) -> Option<String> {
    let ok = v.len() <= 35 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| v.to_ascii_lowercase())
}

impl SearchParams {
    /// The tab: `posts`, `people` or `feeds`.
    pub fn tab(&self) -> &'static str {
        match self.tab.as_deref() {
            Some("people") => "people",
            Some("feeds") => "feeds",
            _ => "posts",
        }
    }

    /// The order: `top` or `latest`.
    pub fn sort(&self) -> &'static str {
        match self.sort.as_deref() {
            Some("latest") => "latest",
            _ => "top",
        }
    }

    /// The query text, trimmed.
    pub fn text(&self) -> &str {
        self.q.trim()
    }

    /// A filter's value as the form shows it ("" when blank or unknown).
    pub fn field(&self, key: &str) -> &str {
        self.filter_pairs()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v)
    }

    /// The filters as `(parameter, value)` pairs, blank ones left out (for links).
    pub fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        let all = [
            ("from", &self.from),
            ("mentions", &self.mentions),
            ("lang", &self.lang),
            ("since", &self.since),
            ("until", &self.until),
            ("media", &self.media),
            ("replies", &self.replies),
            ("follows", &self.follows),
        ];
        all.into_iter()
            .filter_map(|(k, v)| value(v).map(|v| (k, v)))
            .collect()
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        !self.filter_pairs().is_empty()
    }

    /// The filters as query nodes, or why one is not understood.
    pub fn filters(&self) -> Result<Vec<Node>, String> {
        let mut out = Vec::new();
        if let Some(v) = value(&self.from) {
            out.push(Node::Actor(Rel::From, actor(v)));
        }
        if let Some(v) = value(&self.mentions) {
            out.push(Node::Actor(Rel::Mentions, actor(v)));
        }
        if let Some(v) = value(&self.lang) {
            let l =
                lang(v).ok_or_else(|| format!("{v:?} is not a language tag (en, ja, pt-BR)"))?;
            out.push(Node::Lang(l));
        }
        if let Some(v) = value(&self.since) {
            out.push(Node::Since(query::date(v).map_err(|e| e.to_string())?));
        }
        if let Some(v) = value(&self.until) {
            out.push(Node::Until(query::date(v).map_err(|e| e.to_string())?));
        }
        if on(&self.media) {
            out.push(Node::Has(Flag::Media));
        }
        match value(&self.replies) {
            Some("0" | "no" | "off") => out.push(Node::Not(Box::new(Node::Has(Flag::Reply)))),
            Some("only" | "1") => out.push(Node::Has(Flag::Reply)),
            _ => {}
        }
        if on(&self.follows) {
            out.push(Node::Follows);
        }
        Ok(out)
    }

    /// The query text and the filters as the operators they stand for, as one query (what
    /// the page says it searched for).
    pub fn described(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.text().is_empty() {
            parts.push(self.text().to_string());
        }
        for (k, v) in self.filter_pairs() {
            let op = match (k, v) {
                ("media", _) if on(&self.media) => "has:media".to_string(),
                ("replies", "0" | "no" | "off") => "-is:reply".to_string(),
                ("replies", "only" | "1") => "is:reply".to_string(),
                ("follows", _) if on(&self.follows) => "filter:follows".to_string(),
                ("media" | "replies" | "follows", _) => continue,
                (k, v) => format!("{k}:{v}"),
            };
            parts.push(op);
        }
        parts.join(" ")
    }

    /// `/search?…` for `tab` and `sort` with the query and filters kept (no cursor).
    pub fn url(&self, tab: &str, sort: &str) -> String {
        let pairs = self.pairs(tab, sort);
        if pairs.is_empty() {
            return "/search".into();
        }
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", super::richtext::encode(v)))
            .collect();
        format!("/search?{}", q.join("&"))
    }

    /// The query pairs of the page for `tab` and `sort` (defaults left out), without a cursor.
    pub fn pairs<'a>(&'a self, tab: &'a str, sort: &'a str) -> Vec<(&'a str, &'a str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        if !self.text().is_empty() {
            out.push(("q", self.text()));
        }
        if tab != "posts" {
            out.push(("tab", tab));
        }
        if tab == "posts" && sort != "top" {
            out.push(("sort", sort));
        }
        if tab == "posts" {
            out.extend(self.filter_pairs());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &str) -> SearchParams {
        let uri: axum::http::Uri = format!("/search?{pairs}").parse().expect("uri");
        axum::extract::Query::<SearchParams>::try_from_uri(&uri)
            .expect("query")
            .0
    }

    #[test]
    fn filters_become_operators() {
        let p = params("q=cats&from=%40Alice.test&lang=ja&media=1&replies=0&since=2024-01-31");
        let f = p.filters().expect("filters");
        assert_eq!(
            f[0],
            Node::Actor(Rel::From, ActorRef::Handle("alice.test".into()))
        );
        assert_eq!(f[1], Node::Lang("ja".into()));
        assert!(matches!(f[2], Node::Since(_)));
        assert_eq!(f[3], Node::Has(Flag::Media));
        assert_eq!(f[4], Node::Not(Box::new(Node::Has(Flag::Reply))));
        assert_eq!(
            p.described(),
            "cats from:@Alice.test lang:ja since:2024-01-31 has:media -is:reply"
        );
    }

    #[test]
    fn a_value_cannot_add_operators() {
        let p = params("from=alice.test+OR+bob.test&lang=en+OR+ja");
        assert!(p.filters().is_err(), "a language tag with spaces");
        let p = params("from=me&mentions=did:plc:abc");
        let f = p.filters().expect("filters");
        assert_eq!(f[0], Node::Actor(Rel::From, ActorRef::Me));
        assert_eq!(
            f[1],
            Node::Actor(Rel::Mentions, ActorRef::Did("did:plc:abc".into()))
        );
    }

    #[test]
    fn blank_fields_and_bad_dates() {
        let p = params("q=&from=&lang=&since=&media=&tab=people&sort=latest");
        assert!(p.filters().expect("filters").is_empty());
        assert!(!p.filtered());
        assert_eq!(p.tab(), "people");
        assert_eq!(p.url("people", "latest"), "/search?tab=people");
        assert!(params("since=yesterday").filters().is_err());
    }

    #[test]
    fn links_keep_the_query_and_filters() {
        let p = params("q=a+b&from=me&cursor=x");
        assert_eq!(p.url("posts", "top"), "/search?q=a+b&from=me");
        assert_eq!(
            p.url("posts", "latest"),
            "/search?q=a+b&sort=latest&from=me"
        );
        assert_eq!(p.url("feeds", "top"), "/search?q=a+b&tab=feeds");
    }
}
