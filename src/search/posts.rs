//! Post search: a parsed query and the request's filters compiled into one Tantivy query —
//! the viewer's exclusions (blocked and muted accounts, muted threads, hidden accounts) inside
//! it, so a full page is full — then `latest` (newest first, keyset cursor `(sortAt, uri)`,
//! stable under inserts, any depth) or `top` (text relevance within a recency window,
//! reranked by the store's exact counts and the viewer's follows).

use super::analyze;
use super::query::{ActorRef, Flag, Node, Rel};
use super::schema::{has, kind, tie, Fields};
use super::{Ids, Search, SearchError};
use aerie_storage::{RecordId, Store};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::query::{EnableScoring, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SegmentReader, Term, TERMINATED};

/// How `top` looks back when the request sets no window (µs).
const TOP_WINDOW_US: i64 = 7 * 24 * 3600 * 1_000_000;
/// The newest matches `top` ranks by relevance (its recency window, in matches).
const TOP_POOL: usize = 1_000;
/// Candidates `top` reranks.
const TOP_CANDIDATES: usize = 300;

/// The order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    Latest,
    /// Most relevant first.
    Top,
}

/// Everything a post search needs besides the query.
#[derive(Debug, Default)]
pub struct Context {
    /// The viewer, if any (`from:me`).
    pub viewer: Option<String>,
    /// Accounts named by the query, resolved (absent: did not resolve).
    pub actors: HashMap<ActorRef, String>,
    /// The accounts the viewer follows (`filter:follows`, boosts in `top`).
    pub follows: HashSet<String>,
    /// Accounts the viewer blocks (directly or by a blocked list): left out of every answer.
    pub blocked: Vec<String>,
    /// Accounts the viewer muted: left out of post answers.
    pub muted: Vec<String>,
    /// Threads left out (muted threads' roots).
    pub exclude_roots: Vec<String>,
    /// `top` looks at every post, not only recent ones.
    pub all_time: bool,
    /// Now (µs), for `top`'s window.
    pub now_us: i64,
}

/// A page of hits.
#[derive(Debug, Default)]
pub struct Hits {
    /// Post URIs, in order.
    pub uris: Vec<String>,
    /// The next page's cursor.
    pub cursor: Option<String>,
    /// How many posts match in all.
    pub total: usize,
}

/// Why a search answers nothing without running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrunnable {
    /// An account the query names does not resolve.
    UnknownActor(String),
    /// `from:me` (or `filter:follows`) without a viewer.
    NeedsViewer,
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn set(field: Field, values: impl IntoIterator<Item = impl AsRef<str>>) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        values
            .into_iter()
            .map(|v| Term::from_field_text(field, v.as_ref())),
    ))
}

/// Text in the `text` field: a term, a phrase, or (no terms: punctuation only) nothing.
pub fn text_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let terms = analyze::query_terms(text);
    match terms.len() {
        0 => None,
        1 => Some(term(field, &terms[0].1)),
        _ => Some(Box::new(PhraseQuery::new_with_offset(
            terms
                .into_iter()
                .map(|(o, t)| (o, Term::from_field_text(field, &t)))
                .collect(),
        ))),
    }
}

fn since(f: &Fields, us: i64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_i64(f.sort_at, us)),
        Bound::Unbounded,
    ))
}

fn until(f: &Fields, us: i64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Unbounded,
        Bound::Excluded(Term::from_field_i64(f.sort_at, us)),
    ))
}

struct Compiler<'a> {
    f: &'a Fields,
    ctx: &'a Context,
}

impl Compiler<'_> {
    fn did(&self, r: &ActorRef) -> Result<String, Unrunnable> {
        match r {
            ActorRef::Me => self.ctx.viewer.clone().ok_or(Unrunnable::NeedsViewer),
            ActorRef::Did(d) => Ok(d.clone()),
            ActorRef::Handle(h) => self
                .ctx
                .actors
                .get(r)
                .cloned()
                .ok_or_else(|| Unrunnable::UnknownActor(h.clone())),
        }
    }

    /// A node as a query (`None`: matches everything, as an empty word does).
    fn node(&self, n: &Node) -> Result<Option<Box<dyn Query>>, Unrunnable> {
        let f = self.f;
        Ok(Some(match n {
            Node::Word(w) | Node::Phrase(w) => return Ok(text_query(f.text, w)),
            Node::Actor(rel, r) => {
                let did = self.did(r)?;
                match rel {
                    Rel::From => term(f.author, &did),
                    Rel::Mentions => term(f.mention, &did),
                    Rel::To => Box::new(BooleanQuery::new(vec![
                        (Occur::Should, term(f.reply_to, &did)),
                        (Occur::Should, term(f.mention, &did)),
                    ])),
                }
            }
            Node::Tag(t) => term(f.tag, t),
            Node::Parent(uri) => term(f.parent, uri),
            Node::Root(uri) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(f.root, uri)),
                (Occur::Should, term(f.id, uri)),
            ])),
            Node::Embeds(uri) => term(f.quote, uri),
            Node::Domain(d) => term(f.domain, d),
            Node::Url(u) => term(f.url, u),
            Node::Lang(l) => term(f.lang, l),
            Node::Since(t) => since(f, *t),
            Node::Until(t) => until(f, *t),
            Node::Has(flag) => term(
                f.has,
                match flag {
                    Flag::Reply => has::REPLY,
                    Flag::Media => has::MEDIA,
                    Flag::Video => has::VIDEO,
                    Flag::Link => has::LINK,
                    Flag::Quote => has::QUOTE,
                },
            ),
            Node::Follows => {
                if self.ctx.viewer.is_none() {
                    return Err(Unrunnable::NeedsViewer);
                }
                set(f.author, &self.ctx.follows)
            }
            Node::Not(inner) => {
                let Some(q) = self.node(inner)? else {
                    return Ok(None);
                };
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, q),
                ]))
            }
            Node::And(parts) => {
                let mut clauses = Vec::new();
                for p in parts {
                    match p {
                        Node::Not(inner) => {
                            if let Some(q) = self.node(inner)? {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        other => {
                            if let Some(q) = self.node(other)? {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    if clauses.is_empty() {
                        return Ok(None);
                    }
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(parts) => {
                let mut clauses = Vec::new();
                for p in parts {
                    match self.node(p)? {
                        Some(q) => clauses.push((Occur::Should, q)),
                        None => return Ok(None),
                    }
                }
                Box::new(BooleanQuery::new(clauses))
            }
        }))
    }
}

/// The whole query: the user's, posts only, exclusions inside.
pub fn compile(
    search: &Search,
    searcher: &Searcher,
    node: &Node,
    ctx: &Context,
) -> Result<Result<Box<dyn Query>, Unrunnable>, SearchError> {
    let f = search.fields();
    let user = match (Compiler { f, ctx }).node(node) {
        Ok(q) => q,
        Err(why) => return Ok(Err(why)),
    };
    // Posts are nearly every document: leaving the few others out costs far less than
    // intersecting with every post.
    let others = [kind::ACTOR, kind::FEED, kind::PACK];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, user.unwrap_or_else(|| Box::new(AllQuery))),
        (Occur::MustNot, set(f.kind, others)),
    ];
    let hidden = search.hidden(searcher)?;
    let excluded: Vec<&str> = ctx
        .blocked
        .iter()
        .chain(&ctx.muted)
        .map(String::as_str)
        .chain(hidden.iter().map(String::as_str))
        .collect();
    if !excluded.is_empty() {
        clauses.push((Occur::MustNot, set(f.author, excluded)));
    }
    if !ctx.exclude_roots.is_empty() {
        clauses.push((Occur::MustNot, set(f.root, &ctx.exclude_roots)));
        clauses.push((Occur::MustNot, set(f.id, &ctx.exclude_roots)));
    }
    Ok(Ok(Box::new(BooleanQuery::new(clauses))))
}

/// A `latest` cursor: `sortAt` (µs) and URI of the last hit.
fn latest_cursor(sort_at: i64, uri: &str) -> String {
    format!("{sort_at}::{uri}")
}

fn parse_latest_cursor(c: &str) -> Option<(i64, String)> {
    let (t, uri) = c.split_once("::")?;
    Some((t.parse().ok()?, uri.to_string()))
}

/// Newest first, after `cursor`: segments are visited newest first (each holds a stretch of
/// time: ingest and rebuilds add posts in time order), and those older than the page's
/// oldest hit so far are passed over; `total` counts every match.
pub fn latest(
    search: &Search,
    searcher: &Searcher,
    query: Box<dyn Query>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Hits, SearchError> {
    let limit = limit.max(1);
    let after = cursor
        .and_then(parse_latest_cursor)
        .map(|(t, uri)| (t, tie(&uri)));
    let (total, top) = newest(search, searcher, &*query, after, limit)?;
    let full = top.len() >= limit;
    let mut hits = Hits {
        total,
        ..Hits::default()
    };
    let mut last = None;
    let mut ids = Ids::new(searcher);
    for (sort_at, _, addr) in top {
        if let Some(uri) = ids.get(addr)? {
            last = Some((sort_at, uri.clone()));
            hits.uris.push(uri);
        }
    }
    hits.cursor = full
        .then(|| last.map(|(t, u)| latest_cursor(t, &u)))
        .flatten();
    Ok(hits)
}

/// Matches counted exactly up to here; past it, each segment's count is extrapolated from
/// how far into it the count got (`hitsTotal` is "estimated, may be rounded").
const COUNT_EXACT: usize = 5_000;

/// A count of matches, exact while it is small.
#[derive(Default)]
struct Total {
    exact: usize,
    estimated: f64,
}

impl Total {
    /// Counts the matches of `weight` in one segment, up to what remains of `COUNT_EXACT`,
    /// then extrapolates over the rest of the segment.
    fn count(&mut self, weight: &dyn Weight, reader: &SegmentReader) -> Result<(), SearchError> {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let budget = COUNT_EXACT.saturating_sub(self.exact).max(500);
        let mut n = 0usize;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                n += 1;
                // Past the budget (not at it: a segment with exactly that many is counted).
                if n > budget {
                    break;
                }
            }
            doc = scorer.advance();
        }
        if doc == TERMINATED {
            self.exact += n;
        } else {
            self.estimated += n as f64 * f64::from(reader.max_doc()) / f64::from(doc + 1);
        }
        Ok(())
    }

    /// The total: exact, or (past `COUNT_EXACT`) rounded to three significant digits.
    fn answer(&self) -> usize {
        if self.estimated == 0.0 {
            return self.exact;
        }
        let t = self.exact as f64 + self.estimated;
        let unit = 10f64.powi((t.log10().floor() as i32 - 2).max(0));
        ((t / unit).round() * unit) as usize
    }
}

/// Documents per block of `newest`'s walk (see `Search::blocks`).
pub const BLOCK: u32 = 4096;

/// A match by its `(sortAt, tie)` and address.
type Newest = (i64, u64, DocAddress);

/// The newest `limit` matches of `query` older than `after` (`(sortAt, tie)`), newest first,
/// and how many match in all: dense matches walked by blocks, sparse ones by segments.
fn newest(
    search: &Search,
    searcher: &Searcher,
    query: &dyn Query,
    after: Option<(i64, u64)>,
    limit: usize,
) -> Result<(usize, Vec<Newest>), SearchError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = Total::default();
    let mut docs = 0u64;
    for reader in searcher.segment_readers() {
        total.count(&*weight, reader)?;
        docs += u64::from(reader.max_doc());
    }
    let total = total.answer();
    // Blocks to read for a page if matches were spread evenly: few when they are dense (a
    // common word: walk by blocks), many when they are sparse (walk each segment's matches).
    let blocks_needed = (limit as u64 * docs) / (total.max(1) as u64 * u64::from(BLOCK));
    let mut page = Page::new(limit, after);
    if blocks_needed <= DENSE_BLOCKS {
        by_blocks(search, searcher, &*weight, &mut page)?;
    } else {
        by_segments(searcher, &*weight, &mut page)?;
    }
    Ok((total, page.into_newest()))
}

/// Blocks a page may take to be read block by block.
const DENSE_BLOCKS: u64 = 32;

/// The best `limit` matches so far, the oldest on top, after the cursor.
struct Page {
    limit: usize,
    after: Option<(i64, u64)>,
    best: BinaryHeap<Reverse<(i64, u64, u32, DocId)>>,
}

impl Page {
    fn new(limit: usize, after: Option<(i64, u64)>) -> Self {
        Page {
            limit,
            after,
            best: BinaryHeap::with_capacity(limit + 1),
        }
    }

    /// Whether nothing in a stretch whose newest is `newest` can enter the page.
    fn closed_to(&self, newest: i64) -> bool {
        self.best.len() >= self.limit && self.best.peek().is_some_and(|Reverse(w)| newest < w.0)
    }

    /// Offers a match.
    fn offer(&mut self, key: (i64, u64), ord: u32, doc: DocId) {
        if self.after.is_some_and(|a| key >= a) {
            return;
        }
        if self.best.len() >= self.limit {
            match self.best.peek() {
                Some(Reverse(w)) if key > (w.0, w.1) => {
                    self.best.pop();
                }
                _ => return,
            }
        }
        self.best.push(Reverse((key.0, key.1, ord, doc)));
    }

    fn into_newest(self) -> Vec<Newest> {
        let mut top: Vec<Newest> = self
            .best
            .into_iter()
            .map(|Reverse((t, tie, ord, doc))| (t, tie, DocAddress::new(ord, doc)))
            .collect();
        top.sort_by_key(|t| Reverse((t.0, t.1)));
        top
    }
}

/// Offers every live match of `scorer` from its current document up to `end`.
fn offer_all(
    page: &mut Page,
    reader: &SegmentReader,
    ord: u32,
    scorer: &mut dyn DocSet,
    end: DocId,
) -> Result<(), SearchError> {
    let sort_at = reader
        .fast_fields()
        .i64("sort_at")?
        .first_or_default_col(i64::MIN);
    let ties = reader.fast_fields().u64("tie")?.first_or_default_col(0);
    let alive = reader.alive_bitset();
    let mut doc = scorer.doc();
    while doc < end {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            page.offer((sort_at.get_val(doc), ties.get_val(doc)), ord, doc);
        }
        doc = scorer.advance();
    }
    Ok(())
}

/// Sparse matches: each segment's matches, the segments with the newest posts first, until
/// no segment left can hold anything newer than the page's oldest hit.
fn by_segments(
    searcher: &Searcher,
    weight: &dyn Weight,
    page: &mut Page,
) -> Result<(), SearchError> {
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let column = reader.fast_fields().i64("sort_at")?;
        segments.push((column.max_value(), column.min_value(), ord as u32));
    }
    segments.sort_by_key(|s| Reverse(s.0));
    for (newest, oldest, ord) in segments {
        if page.closed_to(newest) {
            break;
        }
        if page.after.is_some_and(|(t, _)| oldest > t) {
            continue;
        }
        let reader = searcher.segment_reader(ord);
        let mut scorer = weight.scorer(reader, 1.0)?;
        offer_all(page, reader, ord, &mut *scorer, TERMINATED)?;
    }
    Ok(())
}

/// Dense matches: blocks of documents (see `Search::blocks`), the blocks with the newest
/// posts first, until no block left can hold anything newer than the page's oldest hit — a
/// common word's newest posts are in the last blocks of the newest segment (ingest and
/// rebuilds add posts in time order).
fn by_blocks(
    search: &Search,
    searcher: &Searcher,
    weight: &dyn Weight,
    page: &mut Page,
) -> Result<(), SearchError> {
    let mut blocks: Vec<(i64, i64, u32, u32)> = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let summary = search.blocks(reader)?;
        blocks.extend(
            summary
                .iter()
                .enumerate()
                .map(|(b, &(oldest, newest))| (newest, oldest, ord as u32, b as u32)),
        );
    }
    blocks.sort_by_key(|b| Reverse(b.0));
    for (newest, oldest, ord, block) in blocks {
        if page.closed_to(newest) {
            break;
        }
        if page.after.is_some_and(|(t, _)| oldest > t) {
            continue;
        }
        let reader = searcher.segment_reader(ord);
        let (start, end) = (block * BLOCK, ((block + 1) * BLOCK).min(reader.max_doc()));
        let mut scorer = weight.scorer(reader, 1.0)?;
        // (A scorer may only seek forward.)
        if scorer.doc() < start {
            scorer.seek(start);
        }
        offer_all(page, reader, ord, &mut *scorer, end)?;
    }
    Ok(())
}

/// `top`'s cursor: the window's end, frozen at the first page, and the offset.
fn top_cursor(until_us: i64, offset: usize) -> String {
    format!("top:{until_us}:{offset}")
}

fn parse_top_cursor(c: &str) -> Option<(i64, usize)> {
    let rest = c.strip_prefix("top:")?;
    let (t, o) = rest.split_once(':')?;
    Some((t.parse().ok()?, o.parse().ok()?))
}

/// Most relevant first: BM25 within the window, reranked by engagement (the store's exact
/// counts), freshness and whether the viewer follows the author. Pages cut one ranking
/// frozen at the first page's time.
pub fn top(
    search: &Search,
    searcher: &Searcher,
    store: &dyn Store,
    query: Box<dyn Query>,
    ctx: &Context,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Hits, SearchError> {
    let f = search.fields();
    let (frozen, offset) = cursor.and_then(parse_top_cursor).unwrap_or((ctx.now_us, 0));
    let mut clauses = vec![(Occur::Must, query), (Occur::Must, until(f, frozen + 1))];
    if !ctx.all_time {
        clauses.push((Occur::Must, since(f, frozen - TOP_WINDOW_US)));
    }
    let query = BooleanQuery::new(clauses);
    // Relevance among the newest `TOP_POOL` matches: each is scored where it lies (a seek per
    // match), not by a second pass over every match.
    let (total, pool) = newest(search, searcher, &query, None, TOP_POOL)?;
    let top = scored(searcher, &query, pool)?;
    let mut ids = Ids::new(searcher);
    let mut ranked: Vec<(f64, String)> = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let Some(uri) = ids.get(addr)? else {
            continue;
        };
        let Some(id) = RecordId::parse_uri(&uri) else {
            continue;
        };
        let c = store.post_counts(&id)?;
        let engagement = (c.likes + 2 * c.reposts + c.replies + c.quotes) as f64;
        let followed = if ctx.follows.contains(&id.did) {
            1.5
        } else {
            1.0
        };
        let s = f64::from(score) * (1.0 + engagement.ln_1p()) * followed;
        ranked.push((s, uri));
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let page: Vec<String> = ranked
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, u)| u)
        .collect();
    let next = offset + page.len();
    Ok(Hits {
        cursor: (page.len() >= limit && next < total.min(TOP_CANDIDATES))
            .then(|| top_cursor(frozen, next)),
        uris: page,
        total,
    })
}

/// The `TOP_CANDIDATES` best of `pool` by `query`'s relevance (BM25 with the index's
/// statistics), best first.
fn scored(
    searcher: &Searcher,
    query: &dyn Query,
    mut pool: Vec<Newest>,
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    pool.sort_by_key(|(_, _, addr)| *addr);
    let mut out = Vec::with_capacity(pool.len());
    let mut segment: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for (_, _, addr) in pool {
        let scorer = match &mut segment {
            Some((ord, scorer)) if *ord == addr.segment_ord => scorer,
            _ => {
                let reader = searcher.segment_reader(addr.segment_ord);
                &mut segment
                    .insert((addr.segment_ord, weight.scorer(reader, 1.0)?))
                    .1
            }
        };
        if scorer.doc() < addr.doc_id {
            scorer.seek(addr.doc_id);
        }
        if scorer.doc() == addr.doc_id {
            out.push((scorer.score(), addr));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    out.truncate(TOP_CANDIDATES);
    Ok(out)
}

/// A query that matches nothing (for answers that cannot run).
pub fn nothing() -> Box<dyn Query> {
    Box::new(EmptyQuery)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;
    use crate::search::testing::{fixture, post};
    use aerie_storage::Op;

    /// Posts in five segments with their times interleaved (and some equal): latest pages
    /// through all of them newest first, each once, whatever the page size.
    #[test]
    fn latest_pages_through_every_segment_in_order() {
        let (store, search, mut indexer) = fixture();
        let base = 1_700_000_000_000_000;
        let mut n = 0;
        for segment in 0..5 {
            let ops: Vec<Op> = (0..20)
                .map(|i| {
                    n += 1;
                    // Every third pair of posts shares a time: the tie decides.
                    let t = base + (i * 5 + segment) / 2 * 1_000_000;
                    post(
                        &format!("did:plc:a{segment}"),
                        n,
                        1 + n as u64,
                        t,
                        "tulip words",
                    )
                })
                .collect();
            store.apply(&ops, None).expect("apply");
            indexer.catch_up().expect("catch up");
        }
        let searcher = search.searcher();
        assert!(searcher.segment_readers().len() > 1, "several segments");
        let ctx = Context::default();
        let q = || {
            compile(&search, &searcher, &parse("tulip").expect("parse"), &ctx)
                .expect("compile")
                .expect("runnable")
        };
        let everything = latest(&search, &searcher, q(), None, 1000).expect("all");
        assert_eq!((everything.total, everything.uris.len()), (100, 100));
        for page in [1, 7, 25] {
            let mut cursor = None;
            let mut seen = Vec::new();
            loop {
                let hits = latest(&search, &searcher, q(), cursor.as_deref(), page).expect("page");
                assert_eq!(hits.total, 100);
                seen.extend(hits.uris);
                match hits.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen, everything.uris, "pages of {page}");
        }
        // Both walks find the same newest posts, with and without a cursor.
        let weight = q()
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .expect("weight");
        for (limit, after) in [
            (10, None),
            (33, Some((base + 20 * 1_000_000, u64::MAX / 2))),
        ] {
            let mut blocks = Page::new(limit, after);
            by_blocks(&search, &searcher, &*weight, &mut blocks).expect("blocks");
            let mut segments = Page::new(limit, after);
            by_segments(&searcher, &*weight, &mut segments).expect("segments");
            let (b, s) = (blocks.into_newest(), segments.into_newest());
            assert_eq!(b.len(), limit);
            assert_eq!(b, s, "limit {limit}, after {after:?}");
        }
        // Newest first by sortAt.
        let times: Vec<i64> = everything
            .uris
            .iter()
            .map(|u| {
                let id = RecordId::parse_uri(u).expect("uri");
                store.record(&id).expect("read").expect("kept").sort_at_us
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]));
    }
}
