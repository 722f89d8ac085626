//! `app.bsky.feed.getPostThread`'s tree: the parent chain above, replies nested below.

use super::post::{blocked_post, not_found_post};
use super::Views;
use aerie_storage::RecordId;
use serde_json::{json, Value};

/// Replies shown per post at most.
const MAX_REPLIES_PER_NODE: usize = 100;
/// Posts in one thread response at most (bounds work on huge or cyclic threads).
const MAX_NODES: usize = 2000;

/// The thread around `id`, or `None` when the post itself is not found.
pub fn thread(
    views: &Views<'_>,
    id: &RecordId,
    depth: usize,
    parent_height: usize,
) -> aerie_storage::Result<Option<Value>> {
    let Some(post) = views.post(id)? else {
        return Ok(None);
    };
    let mut budget = MAX_NODES;
    let mut node = json!({"$type": "app.bsky.feed.defs#threadViewPost", "post": post});
    if let Some(r) = replies(views, id, depth, &mut budget)? {
        node["replies"] = r;
    }
    if let Some(parent) = parent_chain(views, &id.did, &node["post"]["record"], parent_height)? {
        node["parent"] = parent;
    }
    Ok(Some(node))
}

fn parent_uri(record: &Value) -> Option<RecordId> {
    record
        .pointer("/reply/parent/uri")
        .and_then(Value::as_str)
        .and_then(crate::util::syntax::record_uri)
}

/// The ancestors of a post by `author`, nearest first, folded into nested `parent` fields. The
/// walk stops at a missing post or at a block between a post's author and its parent's.
fn parent_chain(
    views: &Views<'_>,
    author: &str,
    record: &Value,
    height: usize,
) -> aerie_storage::Result<Option<Value>> {
    let mut chain: Vec<Value> = Vec::new();
    let mut child_author = author.to_string();
    let mut next = parent_uri(record);
    while let Some(pid) = next.take() {
        if chain.len() >= height {
            break;
        }
        if views.blocked_between(&child_author, &pid.did)? {
            chain.push(blocked_post(&pid));
            break;
        }
        match views.post(&pid)? {
            Some(p) => {
                next = parent_uri(&p["record"]);
                chain.push(json!({"$type": "app.bsky.feed.defs#threadViewPost", "post": p}));
                child_author = pid.did;
            }
            None => chain.push(not_found_post(&pid)),
        }
    }
    let mut above: Option<Value> = None;
    for mut node in chain.into_iter().rev() {
        if let Some(a) = above.take() {
            node["parent"] = a;
        }
        above = Some(node);
    }
    Ok(above)
}

fn replies(
    views: &Views<'_>,
    id: &RecordId,
    depth: usize,
    budget: &mut usize,
) -> aerie_storage::Result<Option<Value>> {
    if depth == 0 {
        return Ok(None);
    }
    let mut out = Vec::new();
    for child in views.state.store.replies(id, MAX_REPLIES_PER_NODE)? {
        if *budget == 0 {
            break;
        }
        if views.blocked_between(&id.did, &child.did)? {
            continue;
        }
        let Some(post) = views.post(&child)? else {
            continue;
        };
        *budget -= 1;
        let mut node = json!({"$type": "app.bsky.feed.defs#threadViewPost", "post": post});
        if let Some(r) = replies(views, &child, depth - 1, budget)? {
            node["replies"] = r;
        }
        out.push(node);
    }
    Ok(Some(Value::Array(out)))
}
