//! Trends (`app.bsky.unspecced.getTrends`) from what Aerie keeps: the hashtags most used in
//! the last day by the accounts the viewer follows (their home timeline), ranked by how many
//! accounts used them, then by posts. The reference asks a topics service and, without one,
//! refuses; Aerie answers from its own store (no viewer: no trends).

use super::Result;
use crate::hydrate::content::{FacetTarget, PostContent};
use crate::hydrate::view::ProfileViewBasic;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::datetime;
use aerie_storage::facts::nsid;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How far back a trend looks.
const WINDOW_US: i64 = 24 * 3600 * 1_000_000;
/// Timeline entries read at most.
const MAX_ENTRIES: usize = 3000;
/// Entries per read.
const PAGE: usize = 500;
/// Accounts shown per trend at most.
const ACTORS: usize = 5;
/// Posts that make a trend at least.
const MIN_POSTS: usize = 2;

/// `app.bsky.unspecced.defs#trendView`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendView {
    /// The tag, lowercase.
    pub topic: String,
    /// As most often written, with its `#`.
    pub display_name: String,
    /// Where it leads (the hashtag's page).
    pub link: String,
    /// Its first use in the window.
    pub started_at: String,
    /// Posts using it in the window.
    pub post_count: u64,
    /// Some of the accounts using it.
    pub actors: Vec<ProfileViewBasic>,
}

#[derive(Default)]
struct Tally {
    spellings: HashMap<String, usize>,
    posts: u64,
    authors: Vec<String>,
    seen: HashSet<String>,
    first_us: i64,
}

/// The top `limit` trends among the accounts `viewer` follows.
pub fn trends(state: &AppState, viewer: Option<String>, limit: usize) -> Result<Vec<TrendView>> {
    let Some(v) = viewer.clone() else {
        return Ok(Vec::new());
    };
    let since = crate::util::now_us() - WINDOW_US;
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    let mut cursor: Option<String> = None;
    let mut read = 0;
    'pages: while read < MAX_ENTRIES {
        let page = state.store.home_timeline(&v, cursor.as_deref(), PAGE)?;
        for entry in &page.items {
            read += 1;
            if entry.sort_at_us < since {
                break 'pages;
            }
            if entry.id.collection != nsid::POST || entry.id.did == v {
                continue;
            }
            let Some(rec) = state.store.record(&entry.id)? else {
                continue;
            };
            let content = PostContent::parse(&String::from_utf8_lossy(&rec.value));
            let mut tags: Vec<String> = content
                .facets
                .iter()
                .filter_map(|f| match &f.target {
                    FacetTarget::Tag(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            tags.dedup();
            for tag in tags {
                let t = tallies.entry(tag.to_lowercase()).or_default();
                *t.spellings.entry(tag).or_default() += 1;
                t.posts += 1;
                if t.seen.insert(entry.id.did.clone()) {
                    t.authors.push(entry.id.did.clone());
                }
                t.first_us = match t.first_us {
                    0 => entry.sort_at_us,
                    f => f.min(entry.sort_at_us),
                };
            }
        }
        match page.cursor.filter(|_| page.items.len() == PAGE) {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut ranked: Vec<(String, Tally)> = tallies
        .into_iter()
        .filter(|(_, t)| t.posts as usize >= MIN_POSTS)
        .collect();
    ranked.sort_by(|(a, x), (b, y)| {
        (y.authors.len(), y.posts, a).cmp(&(x.authors.len(), x.posts, b))
    });
    ranked.truncate(limit);
    let views = Views::for_viewer(state, viewer);
    let mut out = Vec::new();
    for (topic, t) in ranked {
        let mut actors = Vec::new();
        for did in t.authors.iter() {
            if actors.len() == ACTORS {
                break;
            }
            if views.active(did)? && !views.hidden_from_viewer(did)? {
                actors.push(views.profile_basic(did)?);
            }
        }
        let spelled = t
            .spellings
            .iter()
            .max_by(|(a, x), (b, y)| x.cmp(y).then(b.cmp(a)))
            .map_or(topic.clone(), |(s, _)| s.clone());
        out.push(TrendView {
            link: format!(
                "/hashtag/{}",
                url::form_urlencoded::byte_serialize(topic.as_bytes()).collect::<String>()
            ),
            display_name: format!("#{spelled}"),
            started_at: datetime::format_us(t.first_us),
            post_count: t.posts,
            actors,
            topic,
        });
    }
    Ok(out)
}
