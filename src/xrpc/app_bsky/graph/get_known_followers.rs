//! `app.bsky.graph.getKnownFollowers`: followers of `actor` whom the viewer follows.

use crate::service::actors::profiles_of;
use crate::xrpc::prelude::*;
use aerie_storage::{Edge, Store};
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

/// Followers read at a time.
const CHUNK: usize = 100;

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
        let page = known(&*s.store, &did, &mine, p.cursor(), limit)?;
        let views = Views::for_viewer(s, Some(viewer));
        Ok(Output {
            subject: views.profile(&did)?,
            followers: profiles_of(&views, &page.items)?,
            cursor: page.cursor,
        })
    })
    .await
}

/// Up to `limit` of `did`'s followers who are in `mine`, from `cursor` on; the next page starts
/// just after the last one returned (or after the last one looked at, when `SCAN` ran out
/// first), so paging returns each of them once.
fn known(
    store: &dyn Store,
    did: &str,
    mine: &HashSet<String>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Edge>, aerie_storage::Error> {
    let mut known = Vec::new();
    let mut cursor = cursor.map(String::from);
    let mut scanned = 0;
    while known.len() < limit && scanned < SCAN {
        let from = cursor.take();
        let page = store.followers(did, from.as_deref(), CHUNK)?;
        scanned += page.items.len();
        cursor = page.cursor;
        let read = page.items.len();
        for (i, e) in page.items.into_iter().enumerate() {
            if !mine.contains(&e.other) {
                continue;
            }
            known.push(e);
            if known.len() == limit && i + 1 < read {
                // Full before the end of this read: the cursor after this follower.
                cursor = store.followers(did, from.as_deref(), i + 1)?.cursor;
                break;
            }
        }
        if cursor.is_none() {
            break;
        }
    }
    Ok(Page {
        items: known,
        cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::facts::nsid;
    use aerie_storage::{Backend, Durability, Op};

    const TARGET: &str = "did:plc:target";

    fn follow(n: usize) -> Op {
        let record = json!({"$type": nsid::FOLLOW, "subject": TARGET,
            "createdAt": format!("2024-01-01T00:{:02}:{:02}.000Z", n / 60, n % 60)});
        Op::Put {
            id: RecordId::new(&format!("did:plc:f{n}"), nsid::FOLLOW, "self"),
            rev: 10,
            cid: aerie_storage::cbor::record_cid(&record).unwrap_or_default(),
            record: record.to_string().into_bytes(),
            time_us: 1,
        }
    }

    #[test]
    fn paging_returns_every_known_follower_once() {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        // More followers than one read; the viewer follows two in three of them.
        let total = CHUNK * 2 + 17;
        let ops: Vec<Op> = (0..total).map(follow).collect();
        store.apply(&ops, None).expect("apply");
        let mine: HashSet<String> = (0..total)
            .filter(|n| n % 3 != 0)
            .map(|n| format!("did:plc:f{n}"))
            .collect();
        for limit in [1, 2, 3, 7, 50, 100] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = known(&*store, TARGET, &mine, cursor.as_deref(), limit).expect("page");
                assert!(page.items.len() <= limit);
                seen.extend(page.items.into_iter().map(|e| e.other));
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let unique: HashSet<&String> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "limit {limit}: none twice");
            assert_eq!(unique.len(), mine.len(), "limit {limit}: every one");
        }
    }
}
