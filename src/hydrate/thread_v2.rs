//! Thread V2 (`app.bsky.unspecced.getPostThreadV2`, `getPostThreadOtherV2`) as the reference
//! AppView builds it: the parents root-first above the anchor, the anchor, then its replies
//! depth-first. Each level of replies is sorted — the thread author's first, then the viewer's,
//! then those of accounts the viewer follows; within each, oldest, newest or top (likes, more
//! when the thread's author liked it) — and trimmed to the branching factor, except the
//! anchor's direct replies, which are all kept. Replies that are not shown in the main thread
//! (by accounts the viewer muted, or a lone 📌) are "other" replies: the anchor's set
//! `hasOtherReplies` and `getPostThreadOtherV2` returns them; deeper ones are left out.

use super::gate::Gate;
use super::view::{PostView, ThreadItem, ThreadgateView};
use super::Views;
use aerie_storage::{RecordId, Relation, Result};
use std::cmp::Ordering;

/// Parents shown at most above the anchor (the reference's `maxThreadParents`).
pub const MAX_PARENTS: i64 = 50;
/// Replies read per post at most.
const MAX_CHILDREN: usize = 1000;
/// Posts in one response at most (bounds the work on huge threads).
const MAX_NODES: usize = 2000;

/// How replies are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Oldest first (the default).
    Oldest,
    /// Newest first.
    Newest,
    /// Most liked first.
    Top,
}

/// What the client asked for.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Parents above the anchor at most (0: none).
    pub above: i64,
    /// Levels of replies below it.
    pub below: i64,
    /// Replies kept per post below the anchor's own.
    pub branching: usize,
    /// Their order.
    pub sort: Sort,
}

/// A V2 thread.
pub struct ThreadV2 {
    /// The items, flat, in display order.
    pub thread: Vec<ThreadItem>,
    /// The anchor has replies shown only on request (`getPostThreadOtherV2`).
    pub has_other_replies: bool,
    /// The root's gate, if its author set one.
    pub threadgate: Option<ThreadgateView>,
}

/// A reply with what its ordering needs.
struct Reply {
    item: ThreadItem,
    post: PostView,
    op_liked: bool,
    op_thread: bool,
    muted: bool,
    other: bool,
}

/// One request's walk.
struct Walk<'v, 'a> {
    views: &'v Views<'a>,
    root: String,
    op: String,
    shape: Shape,
    budget: usize,
    gate: Option<Gate>,
}

/// The main thread around `anchor`.
pub fn thread_v2(views: &Views<'_>, anchor: &RecordId, shape: Shape) -> Result<ThreadV2> {
    let single = |item| ThreadV2 {
        thread: vec![item],
        has_other_replies: false,
        threadgate: None,
    };
    let Some(post) = views.post(anchor)? else {
        return Ok(single(ThreadItem::not_found(anchor.uri(), 0)));
    };
    if viewer_blocks(views, &post.author.did)? {
        return Ok(single(ThreadItem::blocked(
            anchor.uri(),
            0,
            post.author.did.clone(),
        )));
    }
    let mut walk = Walk::new(views, &post, shape)?;
    let threadgate = walk.gate.as_ref().and_then(gate_view);
    // An anchor the gate does not allow stands alone.
    if let Some(g) = &walk.gate {
        if post.content.reply.is_some() && !g.allows(views, &post.author.did)? {
            return Ok(ThreadV2 {
                threadgate,
                ..single(ThreadItem::post(0, post.clone()))
            });
        }
    }
    let (mut thread, above_op) = walk.parents(&post)?;
    let is_op = post.author.did == walk.op;
    let op_thread = above_op.map_or(is_op, |above| above && is_op);
    let mut item = ThreadItem::post(0, post.clone());
    if let Some(p) = item.as_post_mut() {
        p.op_thread = op_thread;
    }
    thread.push(item);
    let mut has_other_replies = false;
    walk.replies(&post, op_thread, 1, &mut thread, &mut has_other_replies)?;
    Ok(ThreadV2 {
        thread,
        has_other_replies,
        threadgate,
    })
}

/// The view of a thread's gate.
fn gate_view(g: &Gate) -> Option<ThreadgateView> {
    Some(ThreadgateView {
        uri: g.record.id.uri(),
        cid: crate::util::syntax::cid_string(&g.record.cid),
        record: super::raw_record(g.record.value.clone())?,
        lists: Vec::new(),
    })
}

/// The anchor's direct replies that the main thread leaves out, with why.
pub fn thread_other_v2(views: &Views<'_>, anchor: &RecordId) -> Result<Vec<ThreadItem>> {
    let Some(post) = views.post(anchor)? else {
        return Ok(Vec::new());
    };
    if viewer_blocks(views, &post.author.did)? {
        return Ok(Vec::new());
    }
    let shape = Shape {
        above: 0,
        below: 1,
        branching: 0,
        sort: Sort::Newest,
    };
    let mut walk = Walk::new(views, &post, shape)?;
    let mut replies = walk.children(&post, 1, false)?;
    replies.retain(|r| r.other);
    replies.sort_by(|a, b| walk.order(a, b));
    Ok(replies.into_iter().map(|r| r.item).collect())
}

/// Whether a block stands between the viewer and `did`.
fn viewer_blocks(views: &Views<'_>, did: &str) -> Result<bool> {
    Ok(views.relationship(did)?.is_some_and(|r| r.blocks()))
}

/// The root of the thread `post` is in.
fn root_of(post: &PostView) -> String {
    match &post.content.reply {
        Some(r) => r.root.uri(),
        None => post.uri.clone(),
    }
}

impl<'v, 'a> Walk<'v, 'a> {
    fn new(views: &'v Views<'a>, anchor: &PostView, shape: Shape) -> Result<Self> {
        let root = root_of(anchor);
        let root_id = RecordId::parse_uri(&root);
        let op = root_id
            .as_ref()
            .map(|r| r.did.clone())
            .unwrap_or_else(|| anchor.author.did.clone());
        let root_post = match root_id {
            Some(id) if root != anchor.uri => views.post(&id)?,
            _ => Some(anchor.clone()),
        };
        let gate = match &root_post {
            Some(p) => views.threadgate(p)?,
            None => None,
        };
        Ok(Walk {
            views,
            root,
            op,
            shape,
            budget: MAX_NODES,
            gate,
        })
    }

    /// The parents, root-first, and whether the nearest one is in an unbroken run of the
    /// thread author's posts from the top (`None` when there are none).
    fn parents(&mut self, anchor: &PostView) -> Result<(Vec<ThreadItem>, Option<bool>)> {
        let mut chain: Vec<ThreadItem> = Vec::new();
        let mut child = anchor.clone();
        let mut depth = -1;
        while -depth <= self.shape.above {
            let Some(parent) = child.content.reply.as_ref().map(|r| r.parent.clone()) else {
                break;
            };
            let Some(post) = self.views.post(&parent)? else {
                chain.push(ThreadItem::not_found(parent.uri(), depth));
                break;
            };
            if root_of(&post) != self.root {
                break; // outside the thread
            }
            let author = post.author.did.clone();
            if viewer_blocks(self.views, &author)?
                || self.views.blocked_between(&child.author.did, &author)?
            {
                chain.push(ThreadItem::blocked(parent.uri(), depth, author));
                break;
            }
            chain.push(ThreadItem::post(depth, post.clone()));
            child = post;
            depth -= 1;
        }
        chain.reverse();
        // The topmost post has more parents when its own parent was not shown.
        if let Some(top) = chain.first_mut() {
            let replies_to_more = child.content.reply.is_some();
            if let Some(p) = top.as_post_mut() {
                p.more_parents = replies_to_more;
            }
        }
        let mut run: Option<bool> = None;
        for item in &mut chain {
            let op = self.op.as_str();
            let next = match item.as_post_mut() {
                Some(p) => {
                    let by_op = p.post.author.did == op;
                    let on = run.map_or(by_op, |above| above && by_op);
                    p.op_thread = on;
                    on
                }
                None => false,
            };
            run = Some(next);
        }
        Ok((chain, run))
    }

    /// Appends the replies below `parent` (at `depth`), sorted, trimmed and depth-first.
    fn replies(
        &mut self,
        parent: &PostView,
        op_thread: bool,
        depth: i64,
        out: &mut Vec<ThreadItem>,
        has_other: &mut bool,
    ) -> Result<()> {
        if depth > self.shape.below {
            return Ok(());
        }
        let mut replies = self.children(parent, depth, op_thread)?;
        if depth == 1 && replies.iter().any(|r| r.other) {
            *has_other = true;
        }
        replies.retain(|r| !r.other);
        replies.sort_by(|a, b| self.order(a, b));
        // The anchor's own replies are all kept; deeper levels are trimmed.
        if depth > 1 {
            replies.truncate(self.shape.branching);
        }
        for reply in replies {
            out.push(reply.item);
            self.replies(&reply.post, reply.op_thread, depth + 1, out, has_other)?;
        }
        Ok(())
    }

    /// The shown replies to `parent` at `depth`, hydrated, in store order.
    fn children(&mut self, parent: &PostView, depth: i64, op_thread: bool) -> Result<Vec<Reply>> {
        let Some(parent_id) = RecordId::parse_uri(&parent.uri) else {
            return Ok(Vec::new());
        };
        let limit = MAX_CHILDREN.min(self.budget);
        let ids = self.views.store().replies(&parent_id, limit)?;
        self.budget = self.budget.saturating_sub(ids.len());
        let views = self.views;
        let posts = views.each(&ids, |id| views.post(id))?;
        let allowance = match depth >= self.shape.below {
            true => 0,
            false => self.shape.branching as u64,
        };
        let mut out = Vec::new();
        for post in posts.into_iter().flatten() {
            let author = post.author.did.clone();
            if root_of(&post) != self.root
                || viewer_blocks(views, &author)?
                || views.blocked_between(&parent.author.did, &author)?
            {
                continue;
            }
            // Replies the root's gate does not allow are not shown at all; those its author
            // hid are "other" (unless the viewer wrote them).
            if let Some(g) = &self.gate {
                if !g.allows(views, &author)? {
                    continue;
                }
            }
            let hidden = self.gate.as_ref().is_some_and(|g| g.hides(&post.uri))
                && views.viewer() != Some(author.as_str());
            let muted = views.relationship(&author)?.is_some_and(|r| r.mutes());
            let pushpin = post.content.text.trim() == "📌";
            let op_liked = match self.shape.sort {
                Sort::Top => views
                    .store()
                    .relation(Relation::Like, &self.op, &post.uri)?
                    .is_some(),
                _ => false,
            };
            let other = muted || pushpin || hidden;
            // "Other" replies carry no thread context.
            let on = !other && op_thread && author == self.op;
            let mut item = ThreadItem::post(depth, post.clone());
            if let Some(p) = item.as_post_mut() {
                p.op_thread = on;
                p.more_replies = match other {
                    true => 0,
                    false => post.reply_count.saturating_sub(allowance),
                };
                p.muted_by_viewer = muted;
                p.hidden_by_threadgate = hidden;
            }
            out.push(Reply {
                item,
                post,
                op_liked,
                op_thread: on,
                muted,
                other,
            });
        }
        Ok(out)
    }

    /// The reference's order: bumps first (the thread author's replies, the viewer's, then
    /// those of followed accounts up; among "other" replies, muted ones down), then the sort.
    fn order(&self, a: &Reply, b: &Reply) -> Ordering {
        self.bump(a)
            .cmp(&self.bump(b))
            .then_with(|| self.sort(a, b))
    }

    /// A reply's bump: the first rule that moves it decides its place.
    fn bump(&self, r: &Reply) -> u8 {
        let author = r.post.author.did.as_str();
        let followed = || {
            r.post
                .author
                .viewer
                .as_ref()
                .is_some_and(|v| v.following.is_some())
        };
        if author == self.op {
            0
        } else if Some(author) == self.views.viewer() {
            1
        } else if !r.other && followed() {
            2
        } else if r.other && r.muted {
            4
        } else {
            3
        }
    }

    fn sort(&self, a: &Reply, b: &Reply) -> Ordering {
        let (x, y) = (&a.post.indexed_at, &b.post.indexed_at);
        if !a.other && !b.other {
            match self.shape.sort {
                Sort::Oldest => return x.cmp(y),
                Sort::Top => {
                    let top = |r: &Reply| {
                        let boost = if r.op_liked { 1.45 } else { 1.0 };
                        (3.0 + r.post.like_count as f64).ln() * boost
                    };
                    let (ta, tb) = (top(a), top(b));
                    if ta != tb {
                        return tb.total_cmp(&ta);
                    }
                }
                Sort::Newest => {}
            }
        }
        y.cmp(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hydrate::view::{ThreadItemPost, ThreadItemValue};
    use crate::AppState;
    use aerie_storage::facts::nsid;
    use aerie_storage::{Backend, Durability, Op};
    use serde_json::json;

    const OP: &str = "did:plc:opopopopopopopopopopopop";
    const VIEWER: &str = "did:plc:vvvvvvvvvvvvvvvvvvvvvvvv";
    const FRIEND: &str = "did:plc:ffffffffffffffffffffffff";
    const MUTED: &str = "did:plc:mmmmmmmmmmmmmmmmmmmmmmmm";
    const OTHER: &str = "did:plc:xxxxxxxxxxxxxxxxxxxxxxxx";

    fn put(did: &str, collection: &str, rkey: &str, record: serde_json::Value, t: i64) -> Op {
        Op::Put {
            id: RecordId::new(did, collection, rkey),
            rev: t as u64,
            cid: aerie_storage::cbor::record_cid(&record).unwrap_or_default(),
            record: record.to_string().into_bytes(),
            time_us: t,
        }
    }

    /// A post at `t` (its rkey is `p{t}`), replying to `parent` in the thread of the OP's
    /// root `p1` when given.
    fn post(did: &str, t: i64, parent: Option<&RecordId>, text: &str) -> (RecordId, Op) {
        let at = aerie_storage::datetime::format_us(1_700_000_000_000_000 + t * 1_000_000);
        let mut r = json!({"$type": nsid::POST, "text": text, "createdAt": at});
        if let Some(p) = parent {
            let root = RecordId::new(OP, nsid::POST, "p1");
            r["reply"] = json!({"root": {"uri": root.uri(), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"},
                "parent": {"uri": p.uri(), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}});
        }
        let rkey = format!("p{t}");
        (
            RecordId::new(did, nsid::POST, &rkey),
            put(did, nsid::POST, &rkey, r, t),
        )
    }

    /// root p1 (OP) ← a (other, t2) ← a1 (OP, t3), a2 (other, t4), a3 (friend, t5)
    ///              ← b (friend, t6) ← b1 (OP, t7)
    ///              ← c (muted, t8); d (OP, t9) ← d1 (OP, t10); e "📌" (other, t11)
    fn state() -> (AppState, Vec<RecordId>) {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let (root, r) = post(OP, 1, None, "root");
        let (a, pa) = post(OTHER, 2, Some(&root), "a");
        let (a1, pa1) = post(OP, 3, Some(&a), "a1");
        let (a2, pa2) = post(OTHER, 4, Some(&a), "a2");
        let (a3, pa3) = post(FRIEND, 5, Some(&a), "a3");
        let (b, pb) = post(FRIEND, 6, Some(&root), "b");
        let (b1, pb1) = post(OP, 7, Some(&b), "b1");
        let (c, pc) = post(MUTED, 8, Some(&root), "c");
        let (d, pd) = post(OP, 9, Some(&root), "d");
        let (d1, pd1) = post(OP, 10, Some(&d), "d1");
        let (e, pe) = post(OTHER, 11, Some(&root), " 📌 ");
        let follow = json!({"$type": nsid::FOLLOW, "subject": FRIEND, "createdAt": "2024-01-01T00:00:00.000Z"});
        let like = |did: &str, t: i64, subject: &RecordId| {
            let rec = json!({"$type": nsid::LIKE, "createdAt": "2024-01-01T00:00:00.000Z",
                "subject": {"uri": subject.uri(), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}});
            put(did, nsid::LIKE, &format!("l{t}"), rec, t)
        };
        let viewer = aerie_storage::LocalUser {
            did: VIEWER.into(),
            origin: "config".into(),
            added_us: 0,
        };
        let ops = vec![
            Op::LocalUser {
                user: viewer,
                add: true,
            },
            r,
            pa,
            pa1,
            pa2,
            pa3,
            pb,
            pb1,
            pc,
            pd,
            pd1,
            pe,
            put(VIEWER, nsid::FOLLOW, "f1", follow, 20),
            Op::Mute {
                viewer: VIEWER.into(),
                subject: MUTED.into(),
                muted: true,
            },
            // a2 gets two likes, a3 one, liked by the OP.
            like(VIEWER, 21, &a2),
            like(FRIEND, 22, &a2),
            like(OP, 23, &a3),
        ];
        store.apply(&ops, None).expect("apply");
        let cfg = std::sync::Arc::new(crate::config::Config::default());
        let state = AppState::new(store, cfg).expect("state");
        (state, vec![root, a, a1, a2, a3, b, b1, c, d, d1, e])
    }

    fn shape(sort: Sort, branching: usize) -> Shape {
        Shape {
            above: MAX_PARENTS,
            below: 6,
            branching,
            sort,
        }
    }

    /// (rkey, depth) of each item.
    fn shown(t: &[ThreadItem]) -> Vec<(String, i64)> {
        t.iter()
            .map(|i| (i.uri.rsplit('/').next().unwrap_or("").to_string(), i.depth))
            .collect()
    }

    fn post_of(t: &[ThreadItem], rkey: &str) -> ThreadItemPost {
        t.iter()
            .find_map(|i| match &i.value {
                ThreadItemValue::Post(p) if i.uri.ends_with(rkey) => Some((**p).clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{rkey} not shown"))
    }

    fn pairs(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(r, d)| (r.to_string(), *d)).collect()
    }

    #[test]
    fn the_main_thread_sorts_bumps_trims_and_moves_other_replies_out() {
        let (state, ids) = state();
        let views = Views::for_viewer(&state, Some(VIEWER.into()));
        let t = thread_v2(&views, &ids[0], shape(Sort::Oldest, 10)).expect("thread");
        // OP's replies first (d), then the followed account's (b), then the rest oldest first;
        // the muted account's and the lone pushpin are out.
        assert_eq!(
            shown(&t.thread),
            pairs(&[
                ("p1", 0),
                ("p9", 1),
                ("p10", 2),
                ("p6", 1),
                ("p7", 2),
                ("p2", 1),
                ("p3", 2),
                ("p5", 2),
                ("p4", 2)
            ])
        );
        assert!(t.has_other_replies);
        assert!(post_of(&t.thread, "p1").op_thread);
        assert!(post_of(&t.thread, "p9").op_thread && post_of(&t.thread, "p10").op_thread);
        assert!(
            !post_of(&t.thread, "p7").op_thread,
            "under a reply by someone else"
        );
        // Newest first, and trimming below the anchor's level (its own replies all stay).
        let t = thread_v2(&views, &ids[0], shape(Sort::Newest, 1)).expect("thread");
        assert_eq!(
            shown(&t.thread),
            pairs(&[
                ("p1", 0),
                ("p9", 1),
                ("p10", 2),
                ("p6", 1),
                ("p7", 2),
                ("p2", 1),
                ("p3", 2)
            ])
        );
        assert_eq!(
            post_of(&t.thread, "p2").more_replies,
            2,
            "3 replies, 1 shown"
        );
        // Top: the OP's own reply still first, then the followed account's liked-by-OP reply
        // (bumped anyway), then likes.
        let t = thread_v2(&views, &ids[1], shape(Sort::Top, 10)).expect("thread");
        assert_eq!(
            shown(&t.thread),
            pairs(&[("p1", -1), ("p2", 0), ("p3", 1), ("p5", 1), ("p4", 1)])
        );
    }

    #[test]
    fn parents_stop_at_the_limit_and_say_there_are_more() {
        let (state, ids) = state();
        let views = Views::for_viewer(&state, None);
        let mut s = shape(Sort::Oldest, 10);
        s.above = 1;
        let t = thread_v2(&views, &ids[9], s).expect("thread");
        assert_eq!(shown(&t.thread), pairs(&[("p9", -1), ("p10", 0)]));
        assert!(post_of(&t.thread, "p9").more_parents);
        // The topmost shown post starts the run of the OP's posts.
        assert!(post_of(&t.thread, "p9").op_thread);
        s.above = MAX_PARENTS;
        let t = thread_v2(&views, &ids[9], s).expect("thread");
        assert_eq!(
            shown(&t.thread),
            pairs(&[("p1", -2), ("p9", -1), ("p10", 0)])
        );
        assert!(!post_of(&t.thread, "p1").more_parents);
        assert!(post_of(&t.thread, "p10").op_thread);
        // A missing anchor is one not-found item.
        let gone = RecordId::new(OP, nsid::POST, "nope");
        let t = thread_v2(&views, &gone, s).expect("thread");
        assert!(matches!(
            t.thread[0].value,
            ThreadItemValue::NotFound { .. }
        ));
    }

    #[test]
    fn the_roots_gate_drops_replies_it_does_not_allow_and_moves_hidden_ones_out() {
        let (state, ids) = state();
        // Only accounts the OP follows (the friend) may reply; the friend's reply b is hidden.
        let gate = json!({"$type": "app.bsky.feed.threadgate", "post": ids[0].uri(),
            "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
            "hiddenReplies": [ids[5].uri()], "createdAt": "2024-01-01T00:00:00.000Z"});
        let follow = json!({"$type": nsid::FOLLOW, "subject": FRIEND, "createdAt": "2024-01-01T00:00:00.000Z"});
        state
            .store
            .apply(
                &[
                    put(OP, "app.bsky.feed.threadgate", "p1", gate, 30),
                    put(OP, nsid::FOLLOW, "f9", follow, 31),
                ],
                None,
            )
            .expect("apply");
        let views = Views::for_viewer(&state, Some(VIEWER.into()));
        let t = thread_v2(&views, &ids[0], shape(Sort::Oldest, 10)).expect("thread");
        assert_eq!(shown(&t.thread), pairs(&[("p1", 0), ("p9", 1), ("p10", 2)]));
        assert!(t.has_other_replies, "{:?}", shown(&t.thread));
        assert!(t.threadgate.is_some());
        let other = thread_other_v2(&views, &ids[0]).expect("other");
        assert_eq!(shown(&other), pairs(&[("p6", 1)]));
        assert!(post_of(&other, "p6").hidden_by_threadgate);
        // A reply the gate does not allow, opened as the anchor, stands alone.
        let t = thread_v2(&views, &ids[1], shape(Sort::Oldest, 10)).expect("thread");
        assert_eq!(shown(&t.thread), pairs(&[("p2", 0)]));
        // v1 leaves them out too.
        let v1 = crate::hydrate::thread(&views, &ids[0], 6, 80)
            .expect("thread")
            .expect("found");
        let replies = v1.replies.unwrap_or_default().len();
        assert_eq!(replies, 2, "d and the hidden b (v1 shows hidden replies)");
        // Each post says whether the root's gate lets the viewer reply in its thread.
        let disabled = |viewer: Option<&str>, id: &RecordId| {
            let views = Views::for_viewer(&state, viewer.map(String::from));
            let post = views.post(id).expect("read").expect("post");
            post.viewer.and_then(|v| v.reply_disabled)
        };
        assert_eq!(disabled(Some(VIEWER), &ids[0]), Some(true), "the root");
        assert_eq!(disabled(Some(VIEWER), &ids[8]), Some(true), "a reply in it");
        assert_eq!(
            disabled(Some(FRIEND), &ids[8]),
            Some(false),
            "followed by the OP"
        );
        assert_eq!(disabled(Some(OP), &ids[0]), Some(false), "the OP");
        assert_eq!(disabled(None, &ids[0]), None, "no viewer");
    }

    #[test]
    fn a_postgate_detaches_quotes_and_disables_quoting() {
        use crate::hydrate::view::{EmbedRecord, EmbedView};
        let (state, ids) = state();
        let quote = |rkey: &str, t: i64| {
            let rec = json!({"$type": nsid::POST, "text": "look", "createdAt": "2024-01-01T00:00:00.000Z",
                "embed": {"$type": "app.bsky.embed.record", "record": {"uri": ids[0].uri(),
                "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}}});
            put(OTHER, nsid::POST, rkey, rec, t)
        };
        let q1 = RecordId::new(OTHER, nsid::POST, "q1");
        let gate = json!({"$type": "app.bsky.feed.postgate", "post": ids[0].uri(),
            "detachedEmbeddingUris": [q1.uri()],
            "embeddingRules": [{"$type": "app.bsky.feed.postgate#disableRule"}],
            "createdAt": "2024-01-01T00:00:00.000Z"});
        let ops = [
            quote("q1", 40),
            quote("q2", 41),
            put(OP, "app.bsky.feed.postgate", "p1", gate, 42),
            quote("q3", 43),
        ];
        state.store.apply(&ops, None).expect("apply");
        let views = Views::for_viewer(&state, Some(VIEWER.into()));
        let quoted = |rkey: &str| match views.post(&RecordId::new(OTHER, nsid::POST, rkey)) {
            Ok(Some(p)) => match p.embed {
                Some(EmbedView::Record(r)) => r.record,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert!(matches!(quoted("q1"), EmbedRecord::Detached(_)));
        assert!(
            matches!(quoted("q2"), EmbedRecord::Record(_)),
            "quoted before quoting was disabled"
        );
        assert!(
            matches!(quoted("q3"), EmbedRecord::Detached(_)),
            "quoted after quoting was disabled"
        );
        let root = views.post(&ids[0]).expect("read").expect("post");
        assert_eq!(
            root.viewer.as_ref().and_then(|v| v.reply_disabled),
            None,
            "no threadgate"
        );
        let root = views.post(&ids[0]).expect("read").expect("post");
        assert!(root.viewer.as_ref().is_some_and(|v| v.embedding_disabled));
        let op_views = Views::for_viewer(&state, Some(OP.into()));
        let own = op_views.post(&ids[0]).expect("read").expect("post");
        assert!(
            !own.viewer.as_ref().is_some_and(|v| v.embedding_disabled),
            "its author may"
        );
    }

    #[test]
    fn the_members_of_a_list_the_viewer_blocks_are_blocked() {
        use crate::hydrate::mod_lists::OnLists;
        let (state, ids) = state();
        let list = json!({"$type": "app.bsky.graph.list", "name": "spam",
            "purpose": "app.bsky.graph.defs#modlist", "createdAt": "2024-01-01T00:00:00.000Z"});
        let list_id = RecordId::new(FRIEND, "app.bsky.graph.list", "l1");
        state
            .store
            .apply(&[put(FRIEND, "app.bsky.graph.list", "l1", list, 50)], None)
            .expect("apply");
        let rec = state.store.record(&list_id).expect("read").expect("list");
        let block = RecordId::new(VIEWER, "app.bsky.graph.listblock", "b1");
        let mut blocked = OnLists::default();
        blocked
            .lists
            .push((block.clone(), std::sync::Arc::new(rec)));
        blocked.members.insert(OTHER.into(), 0);
        state.list_blocks.set(VIEWER, blocked);
        let views = Views::for_viewer(&state, Some(VIEWER.into()));
        let profile = views.profile(OTHER).expect("profile");
        let v = profile.viewer.clone().expect("viewer state");
        assert_eq!(v.blocking.as_deref(), Some(list_id.uri().as_str()));
        assert_eq!(v.blocking_by_list.map(|l| l.uri), Some(list_id.uri()));
        // Their replies leave the thread as blocked replies do.
        let t = thread_v2(&views, &ids[0], shape(Sort::Oldest, 10)).expect("thread");
        assert!(!shown(&t.thread).iter().any(|(rkey, _)| rkey == "p2"));
        let list_view =
            views.list_basic(&state.store.record(&list_id).expect("read").expect("list"));
        let list_view = list_view.expect("read").expect("a list");
        assert_eq!(list_view.viewer.and_then(|v| v.blocked), Some(block.uri()));
        // Others do not see it.
        let views = Views::for_viewer(&state, Some(FRIEND.into()));
        let v = views
            .profile(OTHER)
            .expect("profile")
            .viewer
            .clone()
            .expect("viewer state");
        assert!(v.blocking.is_none() && v.blocking_by_list.is_none());
    }

    #[test]
    fn other_replies_are_the_anchors_hidden_ones() {
        let (state, ids) = state();
        let views = Views::for_viewer(&state, Some(VIEWER.into()));
        let other = thread_other_v2(&views, &ids[0]).expect("other");
        // Newest first, muted ones last.
        assert_eq!(shown(&other), pairs(&[("p11", 1), ("p8", 1)]));
        assert!(post_of(&other, "p8").muted_by_viewer);
        assert!(!post_of(&other, "p11").muted_by_viewer);
        // Without a viewer nothing is muted: only the pushpin is other.
        let views = Views::for_viewer(&state, None);
        assert_eq!(
            shown(&thread_other_v2(&views, &ids[0]).expect("other")),
            pairs(&[("p11", 1)])
        );
    }
}
