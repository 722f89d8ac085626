//! Account, feed and starter-pack search. Typeahead: an exact handle first, then prefixes of
//! handles, their parts and display names ("first last" also finds `firstlast`), ranked by
//! followers and boosted where the viewer follows. Full search: every word in the name, handle
//! or description (a word's prefix counts for names), ranked the same way. Hidden accounts and
//! those the viewer blocks are never found.

use super::analyze;
use super::posts::{text_query, Context};
use super::schema::kind;
use super::{Ids, Search, SearchError};
use aerie_storage::Store;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// Candidates reranked.
const CANDIDATES: usize = 200;

/// A page of found documents.
#[derive(Debug, Default)]
pub struct Found {
    /// Identifiers (DIDs for accounts, AT-URIs otherwise), best first.
    pub ids: Vec<String>,
    /// The next page.
    pub cursor: Option<String>,
    /// How many match in all.
    pub total: usize,
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

/// The query's words, folded.
fn words(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|w| w.trim_start_matches('@'))
        .filter_map(analyze::fold)
        .collect()
}

/// `kind`, the user's clauses, and what is never found.
fn scoped(
    search: &Search,
    searcher: &Searcher,
    what: &str,
    user: Vec<(Occur, Box<dyn Query>)>,
    ctx: &Context,
) -> Result<BooleanQuery, SearchError> {
    let f = search.fields();
    let mut clauses = vec![(Occur::Must, term(f.kind, what))];
    clauses.push((
        Occur::Must,
        Box::new(BooleanQuery::new(user)) as Box<dyn Query>,
    ));
    let hidden = search.hidden(searcher)?;
    let never: Vec<Term> = ctx
        .blocked
        .iter()
        .chain(hidden.iter())
        .map(|d| Term::from_field_text(f.author, d))
        .collect();
    if !never.is_empty() {
        clauses.push((Occur::MustNot, Box::new(TermSetQuery::new(never))));
    }
    Ok(BooleanQuery::new(clauses))
}

/// Up to `CANDIDATES` hits with their text scores, and how many matched.
fn candidates(
    searcher: &Searcher,
    q: &BooleanQuery,
) -> Result<(usize, Vec<(f32, String)>), SearchError> {
    let (total, top) = searcher.search(
        q,
        &(Count, TopDocs::with_limit(CANDIDATES).order_by_score()),
    )?;
    let mut ids = Ids::new(searcher);
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        if let Some(id) = ids.get(addr)? {
            out.push((score, id));
        }
    }
    Ok((total, out))
}

/// Accounts ranked: text score × (1 + ln(1 + followers)), doubled where the viewer follows;
/// an exact handle first, then handles that start with the query.
fn rank_accounts(
    store: &dyn Store,
    ctx: &Context,
    query: &str,
    hits: Vec<(f32, String)>,
) -> Result<Vec<String>, SearchError> {
    let q = query.trim().trim_start_matches('@').to_ascii_lowercase();
    let mut ranked: Vec<((u8, f64), String)> = Vec::with_capacity(hits.len());
    for (score, did) in hits {
        let handle = store
            .actor(&did)?
            .and_then(|a| a.handle)
            .unwrap_or_default();
        let tier = if !q.is_empty() && handle == q {
            2
        } else if !q.is_empty() && handle.starts_with(&q) {
            1
        } else {
            0
        };
        let followers = store.actor_counts(&did)?.followers as f64;
        let followed = if ctx.follows.contains(&did) { 2.0 } else { 1.0 };
        ranked.push((
            (
                tier,
                f64::from(score) * (1.0 + followers.ln_1p()) * followed,
            ),
            did,
        ));
    }
    ranked.sort_by(|a, b| {
        b.0 .0
            .cmp(&a.0 .0)
            .then(b.0 .1.total_cmp(&a.0 .1))
            .then_with(|| a.1.cmp(&b.1))
    });
    Ok(ranked.into_iter().map(|(_, d)| d).collect())
}

/// Accounts whose handle or name starts with what was typed.
pub fn typeahead(
    search: &Search,
    searcher: &Searcher,
    store: &dyn Store,
    query: &str,
    ctx: &Context,
    limit: usize,
) -> Result<Vec<String>, SearchError> {
    let f = search.fields();
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let whole = query.trim().trim_start_matches('@').to_ascii_lowercase();
    let mut user: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Should, boost(term(f.handle, &whole), 20.0))];
    user.push((
        Occur::Should,
        Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| (Occur::Must, term(f.prefix, w)))
                .collect(),
        )),
    ));
    if words.len() > 1 {
        user.push((Occur::Should, term(f.prefix, &words.concat())));
    }
    let q = scoped(search, searcher, kind::ACTOR, user, ctx)?;
    let (_, hits) = candidates(searcher, &q)?;
    let mut dids = rank_accounts(store, ctx, query, hits)?;
    dids.truncate(limit);
    Ok(dids)
}

/// Offset cursors of full searches.
fn offset(cursor: Option<&str>) -> usize {
    cursor.and_then(|c| c.parse().ok()).unwrap_or(0)
}

fn page(ids: Vec<String>, total: usize, cursor: Option<&str>, limit: usize) -> Found {
    let from = offset(cursor);
    let ids: Vec<String> = ids.into_iter().skip(from).take(limit).collect();
    let next = from + ids.len();
    Found {
        cursor: (ids.len() >= limit && next < total.min(CANDIDATES)).then(|| next.to_string()),
        ids,
        total,
    }
}

/// The clauses of a full search: every word in the name (or a name's prefix), the handle's
/// words or the description.
fn every_word(search: &Search, query: &str) -> Vec<(Occur, Box<dyn Query>)> {
    let f = search.fields();
    query
        .split_whitespace()
        .map(|w| w.trim_start_matches('@'))
        .filter_map(|w| {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if let Some(q) = text_query(f.name, w) {
                any.push((Occur::Should, boost(q, 3.0)));
            }
            if let Some(q) = text_query(f.text, w) {
                any.push((Occur::Should, q));
            }
            if let Some(folded) = analyze::fold(w) {
                any.push((Occur::Should, term(f.prefix, &folded)));
            }
            (!any.is_empty()).then(|| {
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                )
            })
        })
        .collect()
}

/// Accounts matching every word.
pub fn accounts(
    search: &Search,
    searcher: &Searcher,
    store: &dyn Store,
    query: &str,
    ctx: &Context,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Found, SearchError> {
    let f = search.fields();
    let mut user = every_word(search, query);
    if user.is_empty() {
        return Ok(Found::default());
    }
    let whole = query.trim().trim_start_matches('@').to_ascii_lowercase();
    user = vec![
        (
            Occur::Should,
            Box::new(BooleanQuery::new(user)) as Box<dyn Query>,
        ),
        (Occur::Should, boost(term(f.handle, &whole), 20.0)),
    ];
    let q = scoped(search, searcher, kind::ACTOR, user, ctx)?;
    let (total, hits) = candidates(searcher, &q)?;
    let ranked = rank_accounts(store, ctx, query, hits)?;
    Ok(page(ranked, total, cursor, limit))
}

/// Feed generators or starter packs (`what`) matching every word, ranked by text score ×
/// (1 + ln(1 + `popularity`)) (likes of a feed, members' joins of a pack: what the caller
/// counts).
pub fn named(
    search: &Search,
    what: &str,
    query: &str,
    ctx: &Context,
    popularity: &dyn Fn(&str) -> u64,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Found, SearchError> {
    let user = every_word(search, query);
    if user.is_empty() {
        return Ok(Found::default());
    }
    let searcher = &search.searcher();
    let q = scoped(search, searcher, what, user, ctx)?;
    let (total, hits) = candidates(searcher, &q)?;
    let mut ranked: Vec<(f64, String)> = hits
        .into_iter()
        .map(|(s, id)| (f64::from(s) * (1.0 + (popularity(&id) as f64).ln_1p()), id))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(page(
        ranked.into_iter().map(|(_, id)| id).collect(),
        total,
        cursor,
        limit,
    ))
}
