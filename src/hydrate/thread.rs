//! `app.bsky.feed.getPostThread`'s tree: the parent chain above, replies nested below.

use super::gate::Gate;
use super::post::{blocked_post, not_found_post};
use super::view::{ThreadNode, ThreadViewPost};
use super::Views;
use aerie_storage::RecordId;

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
) -> aerie_storage::Result<Option<ThreadViewPost>> {
    let Some(post) = views.post(id)? else {
        return Ok(None);
    };
    let mut budget = MAX_NODES;
    // Replies the root's gate does not allow are left out.
    let root = match &post.content.reply {
        Some(r) => views.post(&r.root)?,
        None => Some(post.clone()),
    };
    let gate = match &root {
        Some(r) => views.threadgate(r)?,
        None => None,
    };
    let mut node = ThreadViewPost::new(post);
    node.replies = replies(views, id, depth, gate.as_ref(), &mut budget)?;
    node.parent = parent_chain(views, &node.post, parent_height)?.map(Box::new);
    Ok(Some(node))
}

/// The ancestors of a post, nearest first, folded into nested `parent` fields. The walk stops
/// at a missing post or at a block between a post's author and its parent's.
fn parent_chain(
    views: &Views<'_>,
    post: &super::view::PostView,
    height: usize,
) -> aerie_storage::Result<Option<ThreadNode>> {
    let mut chain: Vec<ThreadNode> = Vec::new();
    let mut child_author = post.author.did.clone();
    let mut next = post.content.reply.as_ref().map(|r| r.parent.clone());
    while let Some(pid) = next.take() {
        if chain.len() >= height {
            break;
        }
        if views.blocked_between(&child_author, &pid.did)? {
            chain.push(ThreadNode::Blocked(blocked_post(&pid)));
            break;
        }
        match views.post(&pid)? {
            Some(p) => {
                next = p.content.reply.as_ref().map(|r| r.parent.clone());
                chain.push(ThreadNode::Post(Box::new(ThreadViewPost::new(p))));
                child_author = pid.did;
            }
            None => chain.push(ThreadNode::NotFound(not_found_post(&pid))),
        }
    }
    let mut above: Option<ThreadNode> = None;
    for mut node in chain.into_iter().rev() {
        if let (ThreadNode::Post(n), Some(a)) = (&mut node, above.take()) {
            n.parent = Some(Box::new(a));
        }
        above = Some(node);
    }
    Ok(above)
}

fn replies(
    views: &Views<'_>,
    id: &RecordId,
    depth: usize,
    gate: Option<&Gate>,
    budget: &mut usize,
) -> aerie_storage::Result<Option<Vec<ThreadNode>>> {
    if depth == 0 {
        return Ok(None);
    }
    let mut out = Vec::new();
    for child in views.store().replies(id, MAX_REPLIES_PER_NODE)? {
        if *budget == 0 {
            break;
        }
        if views.blocked_between(&id.did, &child.did)? {
            continue;
        }
        if let Some(g) = gate {
            if !g.allows(views, &child.did)? {
                continue;
            }
        }
        let Some(post) = views.post(&child)? else {
            continue;
        };
        *budget -= 1;
        let mut node = ThreadViewPost::new(post);
        node.replies = replies(views, &child, depth - 1, gate, budget)?;
        out.push(ThreadNode::Post(Box::new(node)));
    }
    Ok(Some(out))
}
