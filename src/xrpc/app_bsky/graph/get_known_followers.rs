//! `app.bsky.graph.getKnownFollowers`: followers of `actor` whom the viewer follows.

use crate::service::actors::profiles_of;
use crate::xrpc::prelude::*;
use std::collections::HashSet;

/// Followers looked at per request at most (the rest on the next page).
const SCAN: usize = 5000;

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    subject: view::ProfileView,
    followers: Vec<view::ProfileView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

pub async fn handler(
    State(state): State<Arc<AppState>>,
    Authed(viewer): Authed,
    p: Params,
) -> Response {
    respond(&state, move |s| {
        let limit = p.limit(50, 100)?;
        let did = known_active_actor(s, &p)?;
        let mine: HashSet<String> = crate::gate::follows_of(&*s.store, &viewer)?
            .into_iter()
            .collect();
        let mut known = Vec::new();
        let mut cursor = p.cursor().map(String::from);
        let mut scanned = 0;
        loop {
            let page = s.store.followers(&did, cursor.as_deref(), 100)?;
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
        let views = Views::for_viewer(s, Some(viewer));
        Ok(Output {
            subject: views.profile(&did)?,
            followers: profiles_of(&views, &known)?,
            cursor,
        })
    })
    .await
}
