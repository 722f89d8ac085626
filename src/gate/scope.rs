//! The scope: which accounts are tracked (local users and the accounts they follow) and which
//! operations the store keeps. Every write of network data passes through `Scope::apply`, which
//! holds one lock across the decision and the store's commit, so the tracked set, the backfill
//! requests it causes and the data always agree — whoever writes (the live writer, backfill,
//! the local write path, a login adding its user).
//!
//! `scope = "follows"` keeps records by tracked accounts plus records pointing at them:
//! replies and quotes of tracked or stored posts, likes and reposts of them, mentions of tracked
//! accounts, follows and blocks of local users; deletes of stored records; identity and account
//! events of known accounts. `scope = "network"` keeps everything.

use crate::config;
use aerie_storage::facts::{self, nsid, Facts};
use aerie_storage::{ApplyStats, Cursor, LocalUser, Op, QueueOp, RecordId, RepoStatus, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

/// The tracked set.
#[derive(Debug, Default)]
struct Tracking {
    local: HashSet<String>,
    /// Followed DID → live follow records of it by local users.
    followed: HashMap<String, u32>,
}

impl Tracking {
    /// The tracked set as the store holds it: its local users and their live follows.
    fn read(store: &dyn Store) -> aerie_storage::Result<Tracking> {
        let mut t = Tracking::default();
        for u in store.local_users()? {
            for other in follows_of(store, &u.did)? {
                t.follow(&other);
            }
            t.local.insert(u.did);
        }
        Ok(t)
    }

    fn tracked(&self, did: &str) -> bool {
        self.local.contains(did) || self.followed.contains_key(did)
    }

    /// Counts a follow; true when it made `did` tracked.
    fn follow(&mut self, did: &str) -> bool {
        let was = self.tracked(did);
        *self.followed.entry(did.to_string()).or_default() += 1;
        !was
    }

    /// Uncounts a follow; true when it left `did` untracked.
    fn unfollow(&mut self, did: &str) -> bool {
        if let Some(n) = self.followed.get_mut(did) {
            *n -= 1;
            if *n == 0 {
                self.followed.remove(did);
            }
        }
        !self.tracked(did)
    }
}

/// The tracked set and the gate every store write passes.
pub struct Scope {
    keep_all: bool,
    state: Mutex<Tracking>,
    /// Bumped whenever the tracked set changes (filtered subscriptions listen).
    changed: tokio::sync::watch::Sender<u64>,
    /// Woken when backfill requests were written.
    requested: tokio::sync::Notify,
    /// How long after it becomes tracked an account is fetched (µs).
    request_delay_us: std::sync::atomic::AtomicI64,
}

/// A follow record of a local user as the store (or the batch so far) holds it.
#[derive(Debug, Clone)]
struct FollowRow {
    rev: u64,
    subject: Option<String>,
}

/// What one `apply` call has decided so far (ops earlier in the batch are not committed yet).
#[derive(Default)]
struct Batch {
    out: Vec<Op>,
    follows: HashMap<RecordId, FollowRow>,
    kept: HashSet<RecordId>,
    changed: bool,
    requested: bool,
}

impl Batch {
    fn request(&mut self, did: &str, reason: &str, at_us: i64) {
        self.out.push(Op::Queue(QueueOp::Request {
            did: did.to_string(),
            reason: reason.to_string(),
            at_us,
        }));
        self.requested = true;
        self.changed = true;
    }

    fn forget(&mut self, did: &str) {
        self.out.push(Op::Queue(QueueOp::Forget {
            did: did.to_string(),
        }));
        self.changed = true;
    }
}

impl Scope {
    /// Loads the tracked set from the store: its local users and their live follows.
    pub fn load(store: &dyn Store, scope: config::Scope) -> aerie_storage::Result<Self> {
        Ok(Scope {
            keep_all: scope == config::Scope::Network,
            state: Mutex::new(Tracking::read(store)?),
            changed: tokio::sync::watch::channel(0).0,
            requested: tokio::sync::Notify::new(),
            request_delay_us: std::sync::atomic::AtomicI64::new(0),
        })
    }

    /// Fetches of newly tracked accounts wait this long (filtered subscriptions: until their
    /// filter has reached the source).
    pub fn set_request_delay(&self, d: std::time::Duration) {
        self.request_delay_us
            .store(d.as_micros() as i64, std::sync::atomic::Ordering::Relaxed);
    }

    fn request_at(&self) -> i64 {
        crate::util::now_us()
            + self
                .request_delay_us
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Tracking> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Prunes records (retention) whose authors are still untracked when the batch commits:
    /// the decision and the write hold the same lock as every other write, so a follow
    /// arriving meanwhile protects its account. Returns how many were pruned.
    pub fn prune(&self, store: &dyn Store, ids: Vec<RecordId>) -> aerie_storage::Result<u64> {
        let t = self.lock();
        let ops: Vec<Op> = ids
            .into_iter()
            .filter(|id| !t.tracked(&id.did))
            .map(|id| Op::Prune { id })
            .collect();
        if ops.is_empty() {
            return Ok(0);
        }
        Ok(store.apply(&ops, None)?.applied)
    }

    /// The local users' DIDs.
    pub fn local_users(&self) -> Vec<String> {
        self.lock().local.iter().cloned().collect()
    }

    /// Whether `did` is a local user.
    pub fn is_local(&self, did: &str) -> bool {
        self.lock().local.contains(did)
    }

    /// Whether `did` is tracked.
    pub fn is_tracked(&self, did: &str) -> bool {
        self.lock().tracked(did)
    }

    /// Whether the store keeps `did`'s records as they are written (network scope: everyone's;
    /// else the tracked accounts'); the records of others are read from their PDS on demand.
    pub fn keeps(&self, did: &str) -> bool {
        self.keep_all || self.is_tracked(did)
    }

    /// Every tracked DID (local users first).
    pub fn tracked(&self) -> Vec<String> {
        let t = self.lock();
        let mut out: Vec<String> = t.local.iter().cloned().collect();
        out.extend(t.followed.keys().filter(|d| !t.local.contains(*d)).cloned());
        out
    }

    /// Local users and tracked accounts, counted.
    pub fn counts(&self) -> (usize, usize) {
        let t = self.lock();
        let extra = t.followed.keys().filter(|d| !t.local.contains(*d)).count();
        (t.local.len(), t.local.len() + extra)
    }

    /// Changes of the tracked set.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Resolves when backfill requests were written since the last wake-up.
    pub async fn requested(&self) {
        self.requested.notified().await
    }

    /// Wakes whoever waits for requests (after writing some outside `apply`).
    pub fn notify_requested(&self) {
        self.requested.notify_one();
    }

    /// Adds or removes a local user. A new one is backfilled, and so is every account their
    /// stored follows make tracked; a removed one stops tracking what only they followed.
    pub fn set_local_user(
        &self,
        store: &dyn Store,
        user: LocalUser,
        add: bool,
    ) -> aerie_storage::Result<bool> {
        let mut t = self.lock();
        if t.local.contains(&user.did) == add {
            return Ok(false);
        }
        let mut b = Batch::default();
        let follows = follows_of(store, &user.did)?;
        if add {
            t.local.insert(user.did.clone());
            b.request(&user.did, "user added", self.request_at());
            for other in &follows {
                if t.follow(other) {
                    b.request(other, "followed by a new local user", self.request_at());
                }
            }
        } else {
            t.local.remove(&user.did);
            for other in &follows {
                if t.unfollow(other) {
                    b.forget(other);
                }
            }
            if !t.tracked(&user.did) {
                b.forget(&user.did);
            }
        }
        b.out.push(Op::LocalUser { user, add });
        self.commit(store, b, None)?;
        Ok(true)
    }

    /// Applies `ops` (and the cursor) through the scope: drops what is out of scope, keeps the
    /// tracked set current from local users' follows and account events, and requests or
    /// forgets backfills in the same atomic batch.
    pub fn apply(
        &self,
        store: &dyn Store,
        ops: Vec<Op>,
        cursor: Option<&Cursor>,
    ) -> aerie_storage::Result<ApplyStats> {
        self.apply_as(store, ops, cursor, self.keep_all)
    }

    /// Applies a fetched repository's operations: all kept (the account was fetched on
    /// purpose), with the tracked set kept current from them like any other write.
    pub fn apply_repo(&self, store: &dyn Store, ops: Vec<Op>) -> aerie_storage::Result<ApplyStats> {
        self.apply_as(store, ops, None, true)
    }

    fn apply_as(
        &self,
        store: &dyn Store,
        ops: Vec<Op>,
        cursor: Option<&Cursor>,
        keep_all: bool,
    ) -> aerie_storage::Result<ApplyStats> {
        let mut t = self.lock();
        let mut b = Batch {
            out: Vec::with_capacity(ops.len()),
            ..Batch::default()
        };
        let decide = || {
            for op in ops {
                if self.admit(store, &mut t, &mut b, &op, keep_all)? {
                    b.out.push(op);
                }
            }
            Ok(())
        };
        let result = decide().and_then(|()| self.commit(store, b, cursor));
        if result.is_err() {
            // What the batch changed in the tracked set was not committed: read the set from
            // the store again (a batch whose write failed is applied again later).
            if let Ok(stored) = Tracking::read(store) {
                *t = stored;
            }
        }
        result
    }

    fn commit(
        &self,
        store: &dyn Store,
        b: Batch,
        cursor: Option<&Cursor>,
    ) -> aerie_storage::Result<ApplyStats> {
        let st = store.apply(&b.out, cursor)?;
        if b.changed {
            self.changed.send_modify(|v| *v += 1);
        }
        if b.requested {
            self.requested.notify_one();
        }
        Ok(st)
    }

    fn admit(
        &self,
        store: &dyn Store,
        t: &mut Tracking,
        b: &mut Batch,
        op: &Op,
        keep_all: bool,
    ) -> aerie_storage::Result<bool> {
        match op {
            Op::Put {
                id, rev, record, ..
            } => {
                // Parsed only when needed: most writes are decided by their author alone.
                let value = || serde_json::from_slice(record).unwrap_or_default();
                if id.collection == nsid::FOLLOW && t.local.contains(&id.did) {
                    let subject = match facts::derive(&id.collection, &value()) {
                        Facts::Follow(d) => Some(d),
                        _ => None,
                    };
                    self.follow_changed(store, t, b, id, *rev, subject)?;
                }
                if keep_all || t.tracked(&id.did) {
                    return Ok(true);
                }
                let keep = points_at_us(store, t, b, &id.collection, &value())?;
                if keep {
                    b.kept.insert(id.clone());
                }
                Ok(keep)
            }
            Op::Delete { id, rev } => {
                if id.collection == nsid::FOLLOW && t.local.contains(&id.did) {
                    self.follow_changed(store, t, b, id, *rev, None)?;
                }
                Ok(keep_all
                    || t.tracked(&id.did)
                    || b.kept.contains(id)
                    || store.record_rev(id)?.is_some())
            }
            Op::Account { did, active, .. } => {
                if *active && t.tracked(did) {
                    let unavailable = store
                        .repo_state(did)?
                        .is_some_and(|r| r.status == RepoStatus::Unavailable);
                    if unavailable {
                        b.request(did, "reactivated", self.request_at());
                    }
                }
                Ok(keep_all || t.tracked(did) || store.actor(did)?.is_some())
            }
            Op::Identity { did, .. } => {
                Ok(keep_all || t.tracked(did) || store.actor(did)?.is_some())
            }
            // A source asking for a repository to be fetched again (firehose `#sync`, tooBig).
            Op::Queue(QueueOp::Request { did, .. }) => {
                let keep = keep_all || t.tracked(did);
                b.requested |= keep;
                Ok(keep)
            }
            _ => Ok(true),
        }
    }

    /// A put (`subject` = Some) or delete of a local user's follow record at `rev`: counts the
    /// edge when the write will take effect (rev gating, as the store will apply it).
    fn follow_changed(
        &self,
        store: &dyn Store,
        t: &mut Tracking,
        b: &mut Batch,
        id: &RecordId,
        rev: u64,
        subject: Option<String>,
    ) -> aerie_storage::Result<()> {
        let current = match b.follows.get(id) {
            Some(row) => Some(row.clone()),
            None => match store.record_rev(id)? {
                Some(r) => Some(FollowRow {
                    rev: r.rev,
                    subject: match r.live {
                        true => store.record(id)?.and_then(|rec| {
                            let v = serde_json::from_slice(&rec.value).ok()?;
                            match facts::derive(nsid::FOLLOW, &v) {
                                Facts::Follow(d) => Some(d),
                                _ => None,
                            }
                        }),
                        false => None,
                    },
                }),
                None => None,
            },
        };
        if current.as_ref().is_some_and(|c| c.rev >= rev) {
            return Ok(());
        }
        if let Some(old) = current.and_then(|c| c.subject) {
            if t.unfollow(&old) {
                b.forget(&old);
            }
        }
        if let Some(new) = &subject {
            if t.follow(new) {
                b.request(new, "followed", self.request_at());
            }
        }
        b.follows.insert(id.clone(), FollowRow { rev, subject });
        Ok(())
    }
}

/// Whether a record by an untracked account points at tracked accounts or stored records.
fn points_at_us(
    store: &dyn Store,
    t: &Tracking,
    b: &Batch,
    collection: &str,
    value: &serde_json::Value,
) -> aerie_storage::Result<bool> {
    let stored = |id: &RecordId| -> aerie_storage::Result<bool> {
        Ok(t.tracked(&id.did)
            || b.kept.contains(id)
            || store.record_rev(id)?.is_some_and(|r| r.live))
    };
    Ok(match facts::derive(collection, value) {
        Facts::Post { reply, quote, .. } => {
            let reply_in = match &reply {
                Some(r) => stored(&r.parent)? || t.tracked(&r.root.did),
                None => false,
            };
            reply_in
                || quote.as_ref().map(stored).transpose()?.unwrap_or(false)
                || facts::mentions(value).iter().any(|d| t.tracked(d))
        }
        Facts::Like(s) | Facts::Repost(s) => stored(&s)?,
        Facts::Follow(d) | Facts::Block(d) => t.local.contains(&d),
        Facts::Plain => false,
    })
}

/// The DIDs a stored account follows.
pub fn follows_of(store: &dyn Store, did: &str) -> aerie_storage::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.follows(did, cursor.as_deref(), 100)?;
        out.extend(page.items.into_iter().map(|e| e.other));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::{Backend, Durability, RepoStatus};
    use serde_json::json;

    const ME: &str = "did:plc:me";
    const FRIEND: &str = "did:plc:friend";
    const STRANGER: &str = "did:plc:stranger";

    fn put(did: &str, coll: &str, rkey: &str, rev: u64, record: serde_json::Value) -> Op {
        Op::Put {
            id: RecordId::new(did, coll, rkey),
            rev,
            cid: vec![1, 0x71, 0x12, 0x20, rev as u8],
            record: record.to_string().into_bytes(),
            time_us: 1,
        }
    }

    fn post(did: &str, rkey: &str, extra: serde_json::Value) -> Op {
        let mut r = json!({"$type": nsid::POST, "text": "t", "createdAt": "2026-01-01T00:00:00Z"});
        if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(e.clone());
        }
        put(did, nsid::POST, rkey, 10, r)
    }

    fn uri(did: &str, rkey: &str) -> String {
        format!("at://{did}/{}/{rkey}", nsid::POST)
    }

    fn kept(store: &dyn Store, did: &str, rkey: &str, coll: &str) -> bool {
        store
            .record(&RecordId::new(did, coll, rkey))
            .expect("read")
            .is_some()
    }

    #[test]
    fn follows_scope_keeps_tracked_accounts_and_what_points_at_them() {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let scope = Scope::load(&*store, config::Scope::Follows).expect("scope");
        let me = LocalUser {
            did: ME.into(),
            origin: "config".into(),
            added_us: 1,
        };
        assert!(scope
            .set_local_user(&*store, me.clone(), true)
            .expect("add"));
        assert_eq!(
            store.repo_state(ME).expect("state").map(|r| r.status),
            Some(RepoStatus::Pending),
            "a new local user is backfilled"
        );
        let follow = |rev: u64| {
            put(
                ME,
                nsid::FOLLOW,
                "f1",
                rev,
                json!({"$type": nsid::FOLLOW, "subject": FRIEND, "createdAt": "2026-01-01T00:00:00Z"}),
            )
        };
        scope
            .apply(&*store, vec![follow(5), follow(5)], None)
            .expect("follow");
        assert!(scope.is_tracked(FRIEND));
        assert_eq!(scope.counts(), (1, 2), "a replayed follow counts once");
        assert!(store.repo_state(FRIEND).expect("state").is_some());

        let like = |rkey: &str, subject: &str| {
            put(
                STRANGER,
                nsid::LIKE,
                rkey,
                10,
                json!({"$type": nsid::LIKE, "subject": {"uri": subject, "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}, "createdAt": "2026-01-01T00:00:00Z"}),
            )
        };
        scope
            .apply(
                &*store,
                vec![
                    post(FRIEND, "p1", json!({})),
                    post(STRANGER, "own", json!({})),
                    post(STRANGER, "reply", json!({"reply": {
                        "root": {"uri": uri(FRIEND, "p1"), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"},
                        "parent": {"uri": uri(FRIEND, "p1"), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}}})),
                    like("l1", &uri(FRIEND, "p1")),
                    like("l2", &uri(STRANGER, "reply")),
                    like("l3", &uri(STRANGER, "own")),
                    put(STRANGER, nsid::FOLLOW, "f9", 10, json!({"$type": nsid::FOLLOW, "subject": ME, "createdAt": "2026-01-01T00:00:00Z"})),
                    put(STRANGER, nsid::FOLLOW, "f8", 10, json!({"$type": nsid::FOLLOW, "subject": FRIEND, "createdAt": "2026-01-01T00:00:00Z"})),
                ],
                None,
            )
            .expect("apply");
        assert!(kept(&*store, FRIEND, "p1", nsid::POST), "tracked author");
        assert!(!kept(&*store, STRANGER, "own", nsid::POST), "unrelated");
        assert!(
            kept(&*store, STRANGER, "reply", nsid::POST),
            "a reply into a tracked thread"
        );
        assert!(
            kept(&*store, STRANGER, "l1", nsid::LIKE),
            "a like of a tracked post"
        );
        assert!(
            kept(&*store, STRANGER, "l2", nsid::LIKE),
            "a like of a stored post (same batch)"
        );
        assert!(
            !kept(&*store, STRANGER, "l3", nsid::LIKE),
            "a like of something not stored"
        );
        assert!(
            kept(&*store, STRANGER, "f9", nsid::FOLLOW),
            "a follow of a local user"
        );
        assert!(
            !kept(&*store, STRANGER, "f8", nsid::FOLLOW),
            "a follow of someone else"
        );

        // Unfollowing stops tracking and forgets the backfill state.
        scope
            .apply(
                &*store,
                vec![Op::Delete {
                    id: RecordId::new(ME, nsid::FOLLOW, "f1"),
                    rev: 6,
                }],
                None,
            )
            .expect("unfollow");
        assert!(!scope.is_tracked(FRIEND));
        assert!(store.repo_state(FRIEND).expect("state").is_none());
        // A late replay of the follow (older rev) does not track again.
        scope.apply(&*store, vec![follow(5)], None).expect("replay");
        assert!(!scope.is_tracked(FRIEND));

        // The tracked set is rebuilt from the store; removing the user untracks them.
        scope.apply(&*store, vec![follow(7)], None).expect("again");
        let reloaded = Scope::load(&*store, config::Scope::Follows).expect("reload");
        assert_eq!(reloaded.counts(), (1, 2));
        assert!(reloaded.set_local_user(&*store, me, false).expect("remove"));
        assert_eq!(reloaded.counts(), (0, 0));
        assert!(store.local_users().expect("users").is_empty());
    }
}
