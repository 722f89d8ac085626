//! The search query language, a superset of Bluesky's: words, `"phrases"` (curly quotes
//! too), `-term`, `OR`, parentheses, `from:` / `to:` / `mentions:` (`me`, a handle with or
//! without `@`, a DID), `@handle`, `#tag`, `domain:`, a bare URL, `lang:`, `since:` /
//! `until:`, `is:reply`, `has:media`, `has:video`, `has:link`, `filter:follows`. Parsing is
//! pure and bounded: a query too long, too deep or with too many parts is refused with a
//! reason. Unknown `key:value` pairs are words: user text never names an index field.

/// The most characters a query may have.
pub const MAX_CHARS: usize = 1_000;
/// The most parts (words, operators, groups) a query may have.
pub const MAX_PARTS: usize = 64;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;

/// An account a query names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActorRef {
    /// `me`: the viewer.
    Me,
    /// A handle (lowercased, without `@`).
    Handle(String),
    /// A DID.
    Did(String),
}

/// Which relation to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// Written by.
    From,
    /// Replying to (or mentioning, when not a reply).
    To,
    /// Mentioning.
    Mentions,
}

/// A flag a post has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Reply,
    Media,
    Video,
    Link,
    Quote,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A word (may analyze into several terms: then a phrase).
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// An account relation.
    Actor(Rel, ActorRef),
    /// A hashtag (folded, without `#`).
    Tag(String),
    /// A domain (lowercased).
    Domain(String),
    /// A link (normalized).
    Url(String),
    /// A language tag (lowercased).
    Lang(String),
    /// Posts at or after (µs).
    Since(i64),
    /// Posts before (µs).
    Until(i64),
    /// A flag.
    Has(Flag),
    /// Only accounts the viewer follows.
    Follows,
    /// Replies to this post (a parameter, not query syntax).
    Parent(String),
    /// Posts of this thread, its root included (a parameter).
    Root(String),
    /// Posts embedding this record (a parameter).
    Embeds(String),
    /// Not this.
    Not(Box<Node>),
    /// All of these.
    And(Vec<Node>),
    /// Any of these.
    Or(Vec<Node>),
}

/// Why a query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("the query has more than {MAX_PARTS} parts")]
    TooManyParts,
    #[error("the query nests parentheses deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("{0}")]
    Bad(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Or,
    /// A word or operator, and whether `-` negated it.
    Word(String, bool),
    /// A quoted phrase, and whether `-` negated it.
    Quoted(String, bool),
}

/// Characters that carry nothing (controls, zero-width and direction marks, BOMs).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF | 0xFFF9..=0xFFFB)
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»' | '＂')
}

fn tokenize(q: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = q
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !invisible(*c))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if out.len() > MAX_PARTS * 2 {
            return Err(QueryError::TooManyParts);
        }
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            _ => {
                let negated = c == '-' && chars.get(i + 1).is_some_and(|n| *n != ' ');
                if negated {
                    i += 1;
                }
                if chars.get(i).copied().is_some_and(is_quote) {
                    let start = i + 1;
                    let end = (start..chars.len())
                        .find(|j| is_quote(chars[*j]))
                        .unwrap_or(chars.len());
                    let phrase: String = chars[start..end].iter().collect();
                    out.push(Tok::Quoted(phrase, negated));
                    i = end + 1;
                } else {
                    let start = i;
                    while i < chars.len() && !matches!(chars[i], ' ' | '(' | ')') {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    if word == "OR" || word == "||" {
                        out.push(Tok::Or);
                    } else if !word.is_empty() {
                        out.push(Tok::Word(word, negated));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Parses `q`. An empty query parses to an empty `And`.
pub fn parse(q: &str) -> Result<Node, QueryError> {
    if q.chars().count() > MAX_CHARS {
        return Err(QueryError::TooLong);
    }
    let toks = tokenize(q)?;
    let mut p = Parser {
        toks,
        at: 0,
        parts: 0,
    };
    let node = p.sequence(0)?;
    Ok(node)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    parts: usize,
}

impl Parser {
    fn count(&mut self) -> Result<(), QueryError> {
        self.parts += 1;
        if self.parts > MAX_PARTS {
            return Err(QueryError::TooManyParts);
        }
        Ok(())
    }

    /// Parts until `)` or the end, `OR` binding tighter than the implicit `AND`.
    fn sequence(&mut self, depth: usize) -> Result<Node, QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError::TooDeep);
        }
        let mut all: Vec<Node> = Vec::new();
        let mut pending_or = false;
        while let Some(t) = self.toks.get(self.at).cloned() {
            self.at += 1;
            let node = match t {
                Tok::Close if depth > 0 => break,
                Tok::Close => continue,
                Tok::Or => {
                    pending_or = !all.is_empty();
                    continue;
                }
                Tok::Open => {
                    self.count()?;
                    self.sequence(depth + 1)?
                }
                Tok::Word(w, neg) => {
                    self.count()?;
                    let n = operator(&w)?;
                    if neg {
                        Node::Not(Box::new(n))
                    } else {
                        n
                    }
                }
                Tok::Quoted(p, neg) => {
                    self.count()?;
                    let n = Node::Phrase(p);
                    if neg {
                        Node::Not(Box::new(n))
                    } else {
                        n
                    }
                }
            };
            if std::mem::take(&mut pending_or) {
                if let Some(prev) = all.pop() {
                    let joined = match prev {
                        Node::Or(mut v) => {
                            v.push(node);
                            Node::Or(v)
                        }
                        other => Node::Or(vec![other, node]),
                    };
                    all.push(joined);
                    continue;
                }
            }
            all.push(node);
        }
        Ok(match all.len() {
            1 => all.pop().unwrap_or(Node::And(Vec::new())),
            _ => Node::And(all),
        })
    }
}

fn actor_ref(v: &str) -> Result<ActorRef, QueryError> {
    let v = v.trim_start_matches('@');
    if v.eq_ignore_ascii_case("me") {
        return Ok(ActorRef::Me);
    }
    if v.starts_with("did:") {
        return Ok(ActorRef::Did(v.to_string()));
    }
    if v.is_empty() {
        return Err(QueryError::Bad(
            "an account is missing after the operator".into(),
        ));
    }
    Ok(ActorRef::Handle(v.to_ascii_lowercase()))
}

/// A date (`2024-01-31`, UTC midnight) or an RFC 3339 time, as µs.
pub fn date(v: &str) -> Result<i64, QueryError> {
    let parsed = if v.len() == 10 {
        aerie_storage::datetime::parse_us(&format!("{v}T00:00:00Z"))
    } else {
        aerie_storage::datetime::parse_us(v)
    };
    parsed.ok_or_else(|| {
        QueryError::Bad(format!(
            "{v:?} is not a date (2024-01-31) or a time (2024-01-31T12:00:00Z)"
        ))
    })
}

/// One word: an operator, or a plain word.
fn operator(w: &str) -> Result<Node, QueryError> {
    if let Some(t) = w.strip_prefix('#').or_else(|| w.strip_prefix('＃')) {
        if let Some(tag) = super::doc::tag(t) {
            return Ok(Node::Tag(tag));
        }
    }
    if let Some(h) = w.strip_prefix('@') {
        if !h.is_empty() {
            return Ok(Node::Actor(Rel::Mentions, actor_ref(h)?));
        }
    }
    let lower = w.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        if let Some(u) = super::doc::normalize_url(w) {
            return Ok(Node::Url(u));
        }
    }
    let Some((key, value)) = w.split_once(':') else {
        return Ok(Node::Word(w.to_string()));
    };
    let value = value.trim_matches(is_quote);
    Ok(match key.to_ascii_lowercase().as_str() {
        "from" => Node::Actor(Rel::From, actor_ref(value)?),
        "to" => Node::Actor(Rel::To, actor_ref(value)?),
        "mentions" => Node::Actor(Rel::Mentions, actor_ref(value)?),
        "domain" => match super::doc::domains(value).into_iter().next() {
            Some(d) => Node::Domain(d),
            None => return Err(QueryError::Bad(format!("{value:?} is not a domain"))),
        },
        "lang" if !value.is_empty() => Node::Lang(value.to_ascii_lowercase()),
        "since" => Node::Since(date(value)?),
        "until" => Node::Until(date(value)?),
        "is" | "has" => match value.to_ascii_lowercase().as_str() {
            "reply" => Node::Has(Flag::Reply),
            "media" | "image" | "images" => Node::Has(Flag::Media),
            "video" => Node::Has(Flag::Video),
            "link" | "links" => Node::Has(Flag::Link),
            "quote" => Node::Has(Flag::Quote),
            _ => return Err(QueryError::Bad(format!("{w:?}: no such filter"))),
        },
        "filter" if value.eq_ignore_ascii_case("follows") => Node::Follows,
        _ => Node::Word(w.to_string()),
    })
}

/// Every account the query names (to resolve before it runs).
pub fn actors(node: &Node, out: &mut Vec<ActorRef>) {
    match node {
        Node::Actor(_, a) => out.push(a.clone()),
        Node::Not(n) => actors(n, out),
        Node::And(v) | Node::Or(v) => v.iter().for_each(|n| actors(n, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Node {
        Node::Word(s.into())
    }

    #[test]
    fn operators_parse() {
        let n = parse(r#"rust from:@Alice.test -"bad news" #Rust domain:www.example.com lang:ja is:reply has:video filter:follows since:2024-01-01"#).expect("parse");
        let Node::And(parts) = n else { panic!("and") };
        assert_eq!(parts[0], w("rust"));
        assert_eq!(
            parts[1],
            Node::Actor(Rel::From, ActorRef::Handle("alice.test".into()))
        );
        assert_eq!(
            parts[2],
            Node::Not(Box::new(Node::Phrase("bad news".into())))
        );
        assert_eq!(parts[3], Node::Tag("rust".into()));
        assert_eq!(parts[4], Node::Domain("example.com".into()));
        assert_eq!(parts[5], Node::Lang("ja".into()));
        assert_eq!(parts[6], Node::Has(Flag::Reply));
        assert_eq!(parts[7], Node::Has(Flag::Video));
        assert_eq!(parts[8], Node::Follows);
        assert!(matches!(parts[9], Node::Since(_)));
    }

    #[test]
    fn or_groups_and_curly_quotes() {
        let n = parse("(cats OR dogs) “good boy” from:me to:did:plc:x").expect("parse");
        assert_eq!(
            n,
            Node::And(vec![
                Node::Or(vec![w("cats"), w("dogs")]),
                Node::Phrase("good boy".into()),
                Node::Actor(Rel::From, ActorRef::Me),
                Node::Actor(Rel::To, ActorRef::Did("did:plc:x".into())),
            ])
        );
        assert_eq!(
            parse("a OR b OR c").expect("p"),
            Node::Or(vec![w("a"), w("b"), w("c")])
        );
    }

    #[test]
    fn unknown_keys_are_words_and_urls_are_links() {
        assert_eq!(parse("text:hello").expect("p"), w("text:hello"));
        assert_eq!(
            parse("https://www.Example.com/a?utm_source=x").expect("p"),
            Node::Url("example.com/a".into())
        );
    }

    #[test]
    fn hostile_queries_are_refused_not_run() {
        assert_eq!(parse(&"a".repeat(MAX_CHARS + 1)), Err(QueryError::TooLong));
        assert_eq!(parse(&"(".repeat(50)), Err(QueryError::TooDeep));
        assert_eq!(parse(&"a ".repeat(200)), Err(QueryError::TooManyParts));
        assert!(matches!(parse("since:yesterday"), Err(QueryError::Bad(_))));
        assert!(matches!(parse("has:nothing"), Err(QueryError::Bad(_))));
        // Unbalanced quotes and parentheses, odd characters: parsed, never refused.
        assert!(parse("\"open quote (and ) ) \u{200B}\u{202E}").is_ok());
        assert_eq!(parse("").expect("p"), Node::And(Vec::new()));
    }
}
