//! `app.bsky.graph.getKnownFollowers`: followers of `actor` whom the viewer follows.

use crate::xrpc::prelude::*;
use std::collections::HashSet;

/// Followers looked at per request at most (the rest on the next page).
const SCAN: usize = 5000;

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let did = known_active_actor(&state, &p)?;
    let mine: HashSet<String> = crate::gate::follows_of(&*state.store, &viewer)?
        .into_iter()
        .collect();
    let mut known = Vec::new();
    let mut cursor = p.cursor().map(String::from);
    let mut scanned = 0;
    loop {
        let page = state.store.followers(&did, cursor.as_deref(), 100)?;
        scanned += page.items.len();
        for e in page.items {
            if mine.contains(&e.other) {
                known.push(e);
            }
        }
        cursor = page.cursor;
        if known.len() >= limit || cursor.is_none() || scanned >= SCAN {
            break;
        }
    }
    known.truncate(limit);
    let views = Views::for_viewer(&state, Some(viewer));
    let subject = views.profile(&did, ProfileKind::Plain)?;
    let followers = profiles_of(&views, &known)?;
    Ok(with_cursor(
        json!({ "subject": subject, "followers": followers }),
        cursor,
    ))
}
