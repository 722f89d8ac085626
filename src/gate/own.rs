//! Aerie's own bookkeeping, written beside the network data but decided by no scope: login
//! sessions, the identity cache, mutes, activity subscriptions, users' other private data
//! (bookmarks, thread mutes, notification preferences: [`private`]), notification seen marks, the backfill queue's failures,
//! stream gaps, the starting cursor, and how far search has read the change log. None of these holds a record or changes the tracked
//! set, so they skip the scope's lock; each has one function here, so the kinds of write that
//! bypass the scope are exactly the ones listed.

use aerie_storage::{
    CachedIdentity, Cursor, Gap, IdentityKey, Op, Outcome, QueueOp, Store, StoredSession,
};

fn write(store: &dyn Store, ops: &[Op], cursor: Option<&Cursor>) -> aerie_storage::Result<()> {
    store.apply(ops, cursor).map(drop)
}

/// Stores a login session, or (`None`) ends it.
pub fn session(
    store: &dyn Store,
    id: &str,
    session: Option<StoredSession>,
) -> aerie_storage::Result<()> {
    let id = id.to_string();
    write(store, &[Op::Session { id, session }], None)
}

/// Caches an identity lookup (`None` drops the entry).
pub fn cache_identity(
    store: &dyn Store,
    key: IdentityKey,
    entry: Option<CachedIdentity>,
) -> aerie_storage::Result<()> {
    write(store, &[Op::CacheIdentity { key, entry }], None)
}

/// `viewer` mutes (or unmutes) `subject`.
pub fn mute(
    store: &dyn Store,
    viewer: String,
    subject: String,
    muted: bool,
) -> aerie_storage::Result<()> {
    let op = Op::Mute {
        viewer,
        subject,
        muted,
    };
    write(store, &[op], None)
}

/// The kinds of a user's private data (`Op::Private`).
pub mod kind {
    /// Bookmarks, newest first: key = inverted creation time (16 hex digits) + URI.
    pub const BOOKMARKS: &str = "bookmarks";
    /// Bookmarks by URI: value = the key in [`BOOKMARKS`].
    pub const BOOKMARK: &str = "bookmark";
    /// Drafts, newest first: key = 16 hex digits of `u64::MAX` minus the draft's TID.
    pub const DRAFTS: &str = "drafts";
    /// Muted lists: key = the list's URI.
    pub const LIST_MUTE: &str = "listmute";
    /// Muted threads: key = the root post's URI.
    pub const THREAD_MUTE: &str = "threadmute";
    /// Notification preferences: key `v2`, value the preferences as JSON.
    pub const NOTIFICATION_PREFS: &str = "notifprefs";
}

/// One change of a user's private data: `(kind, key, value)`, `None` removing it.
pub type PrivateWrite = (&'static str, String, Option<Vec<u8>>);

/// Changes `owner`'s private data, all in one batch.
pub fn private(
    store: &dyn Store,
    owner: &str,
    writes: Vec<PrivateWrite>,
) -> aerie_storage::Result<()> {
    let ops: Vec<Op> = writes
        .into_iter()
        .map(|(kind, key, value)| Op::Private {
            owner: owner.to_string(),
            kind: kind.to_string(),
            key,
            value,
        })
        .collect();
    write(store, &ops, None)
}

/// Sets (or clears) one of `owner`'s private flags: an empty value of `kind` under `key`.
pub fn flag(
    store: &dyn Store,
    owner: &str,
    kind: &'static str,
    key: String,
    on: bool,
) -> aerie_storage::Result<()> {
    private(store, owner, vec![(kind, key, on.then(Vec::new))])
}

/// `viewer` subscribes to `subject`'s activity (nothing: stops).
pub fn subscribe(
    store: &dyn Store,
    viewer: &str,
    subject: &str,
    activity: aerie_storage::ActivitySubscription,
) -> aerie_storage::Result<()> {
    let op = Op::Subscribe {
        viewer: viewer.to_string(),
        subject: subject.to_string(),
        activity,
    };
    write(store, &[op], None)
}

/// `did` saw their notifications up to `at_us`.
pub fn seen(store: &dyn Store, did: &str, at_us: i64) -> aerie_storage::Result<()> {
    let did = did.to_string();
    write(store, &[Op::Seen { did, at_us }], None)
}

/// A queued fetch of `did` ended without data (the outcome says when to try again); a fetch
/// that brought data finishes in the same batch as its data, through the scope.
pub fn fetch_ended(
    store: &dyn Store,
    did: &str,
    generation: u64,
    outcome: Outcome,
) -> aerie_storage::Result<()> {
    let finish = QueueOp::Finish {
        did: did.to_string(),
        generation,
        outcome,
        at_us: crate::util::now_us(),
    };
    write(store, &[Op::Queue(finish)], None)
}

/// Records stretches of the stream the store may have missed.
pub fn gaps_found(store: &dyn Store, gaps: Vec<Gap>) -> aerie_storage::Result<()> {
    let ops: Vec<Op> = gaps.into_iter().map(Op::Gap).collect();
    write(store, &ops, None)
}

/// Removes gaps (by start) that backfill has repaired.
pub fn gaps_repaired(
    store: &dyn Store,
    from_us: impl IntoIterator<Item = i64>,
) -> aerie_storage::Result<()> {
    let ops: Vec<Op> = from_us
        .into_iter()
        .map(|from_us| Op::GapProgress {
            from_us,
            repaired: true,
        })
        .collect();
    write(store, &ops, None)
}

/// Records where a fresh store starts reading (before anything was committed).
pub fn start_at(store: &dyn Store, cursor: &Cursor) -> aerie_storage::Result<()> {
    write(store, &[], Some(cursor))
}

/// A derived index (search) has taken in the store's changes up to `upto`: the change log
/// drops them.
pub fn changes_taken_in(store: &dyn Store, upto: u64) -> aerie_storage::Result<()> {
    write(store, &[Op::TrimChanges { upto }], None)
}
