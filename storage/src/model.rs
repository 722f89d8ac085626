//! The normalized operations the writer applies and the plain values readers return.
//! Ingest (Jetstream, firehose, backfill) turns its input into `Op`s; nothing here knows
//! about any wire format.

use serde::{Deserialize, Serialize};

/// A record's place: `at://{did}/{collection}/{rkey}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId {
    /// Repository (author) DID.
    pub did: String,
    /// Collection NSID.
    pub collection: String,
    /// Record key.
    pub rkey: String,
}

impl RecordId {
    /// Builds an id from its parts.
    pub fn new(did: &str, collection: &str, rkey: &str) -> Self {
        RecordId {
            did: did.into(),
            collection: collection.into(),
            rkey: rkey.into(),
        }
    }

    /// Parses `at://did/collection/rkey` (no query or fragment). Returns `None` for any other
    /// shape; syntax of each part is the ingest layer's concern.
    pub fn parse_uri(uri: &str) -> Option<Self> {
        let rest = uri.strip_prefix("at://")?;
        let mut parts = rest.split('/');
        let did = parts.next()?;
        let collection = parts.next()?;
        let rkey = parts.next()?;
        if parts.next().is_some()
            || !did.starts_with("did:")
            || collection.is_empty()
            || rkey.is_empty()
        {
            return None;
        }
        Some(RecordId::new(did, collection, rkey))
    }

    /// The record's AT-URI.
    pub fn uri(&self) -> String {
        format!("at://{}/{}/{}", self.did, self.collection, self.rkey)
    }
}

/// One normalized change. Every variant carries what is needed to apply it idempotently.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A create or update of a record.
    Put {
        /// Which record.
        id: RecordId,
        /// Commit revision (TID) as its sortable integer.
        rev: u64,
        /// Binary CID of the record.
        cid: Vec<u8>,
        /// The record, as compact JSON.
        record: Vec<u8>,
        /// When the network saw it (µs since the epoch): the record's `indexedAt`.
        time_us: i64,
    },
    /// A delete of a record.
    Delete {
        /// Which record.
        id: RecordId,
        /// Commit revision (TID) of the delete.
        rev: u64,
    },
    /// An identity event: the account's current handle (None = invalid/unknown).
    Identity {
        /// Account DID.
        did: String,
        /// New handle, if any.
        handle: Option<String>,
        /// Upstream sequence number (gates replays).
        seq: i64,
    },
    /// A detected gap, recorded with the batch it was found in (idempotent per stretch).
    Gap(Gap),
    /// An account status event.
    Account {
        /// Account DID.
        did: String,
        /// Whether the account serves content.
        active: bool,
        /// `takendown`, `suspended`, `deactivated`, `deleted`, ...
        status: Option<String>,
        /// Upstream sequence number (gates replays).
        seq: i64,
    },
    /// Adds (or removes) a local user.
    LocalUser {
        /// The user.
        user: crate::accounts::LocalUser,
        /// Add (true) or remove.
        add: bool,
    },
    /// A change to the backfill queue.
    Queue(crate::accounts::QueueOp),
    /// Stores (or, with `None`, ends) a login session.
    Session {
        /// The session id.
        id: String,
        /// The session.
        session: Option<crate::accounts::StoredSession>,
    },
    /// Caches an identity lookup (`None` drops the entry).
    CacheIdentity {
        /// What was looked up.
        key: crate::accounts::IdentityKey,
        /// The answer.
        entry: Option<crate::accounts::CachedIdentity>,
    },
    /// The position of one connection of a sharded subscription (kept beside the main cursor,
    /// one per endpoint).
    ConnectionCursor(Cursor),
    /// A user mutes (or unmutes) an account.
    Mute {
        /// Who mutes.
        viewer: String,
        /// Whom.
        subject: String,
        /// Muted (true) or not.
        muted: bool,
    },
    /// A user subscribes to an account's activity (its posts, its replies), or (both false)
    /// stops: the account's new posts then notify them (`subscribed-post`).
    Subscribe {
        /// Who subscribes.
        viewer: String,
        /// To whom.
        subject: String,
        /// What.
        activity: ActivitySubscription,
    },
    /// A user's private data (bookmarks, drafts, thread and list mutes, notification
    /// preferences, activity subscriptions): `value` under `kind` and `key` for `owner`, or
    /// (`None`) removed. Kept only here, never on a PDS.
    Private {
        /// Whose.
        owner: String,
        /// What kind (a word without `/`).
        kind: String,
        /// Its key within the kind.
        key: String,
        /// The value, or `None` to remove it.
        value: Option<Vec<u8>>,
    },
    /// Retention: drops a live record from every index and read while keeping its counts
    /// (and what its later deletion needs to subtract them). Nothing happens to a record
    /// already pruned, deleted or absent.
    Prune {
        /// Which record.
        id: RecordId,
    },
    /// A user saw their notifications up to `at_us`.
    Seen {
        /// The user.
        did: String,
        /// Up to when (µs).
        at_us: i64,
    },
    /// Logs a change for derived indexes that no other op of the batch logs (a record kept
    /// outside the network data, such as one fetched on demand).
    Changed(Change),
    /// A derived index (search) has taken in every change up to `upto`: the change log drops
    /// them (a bounded number per op; the rest go with the next one).
    TrimChanges {
        /// The last sequence number taken in.
        upto: u64,
    },
    /// Marks the gap starting at `from_us` as being repaired, or (`repaired`) removes it.
    GapProgress {
        /// Start of the gap.
        from_us: i64,
        /// Repaired: remove it.
        repaired: bool,
    },
}

/// What a derived index (search) must look at again, logged by the writer in the same batch
/// as the change itself: a record of a searchable collection (see
/// [`crate::facts::searchable`]) put, deleted or pruned, or an account whose handle, status or
/// profile changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A post, feed generator or starter pack.
    Record(RecordId),
    /// The same, put where the store held no version of it before (live, deleted or pruned):
    /// an index that has taken in every earlier change has no document of it to replace.
    Created(RecordId),
    /// An account (its handle, status or profile).
    Actor(String),
}

/// Where the change log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeLog {
    /// Names this store's history: a derived index built from another store (or before the
    /// store was replaced) does not match it. 0 until the first change is logged.
    pub store_id: u64,
    /// The oldest sequence number still kept (`next` when the log is empty).
    pub first: u64,
    /// The sequence number the next change gets.
    pub next: u64,
}

/// A stretch of the stream the store may have missed (a clamped cursor, a changed endpoint,
/// downtime past the source's retention). Kept until backfill repairs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// Start of the stretch (µs).
    pub from_us: i64,
    /// End of the stretch (µs).
    pub to_us: i64,
    /// The source endpoint it was seen on.
    pub endpoint: String,
    /// Why it is a gap.
    pub reason: String,
    /// Backfill of every tracked account has been requested for it.
    #[serde(default)]
    pub repairing: bool,
}

/// How hard a commit is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// fsync every batch: a power cut loses nothing that was committed.
    Sync,
    /// Hand every batch to the OS: a process crash loses nothing, a power cut can lose the last
    /// second or so of batches (data and cursor together, so they are fetched again).
    #[default]
    Buffer,
}

/// The stream position the data in the store reflects, and the source it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Source position (Jetstream `time_us`, firehose `seq`).
    pub position: i64,
    /// The endpoint the position belongs to; another endpoint's positions are not comparable.
    pub endpoint: String,
}

/// A stored record as readers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Which record.
    pub id: RecordId,
    /// Binary CID.
    pub cid: Vec<u8>,
    /// Revision that wrote it.
    pub rev: u64,
    /// When it was indexed (µs).
    pub indexed_at_us: i64,
    /// `min(createdAt, indexedAt)` (µs).
    pub sort_at_us: i64,
    /// The record as compact JSON.
    pub value: Vec<u8>,
}

/// The rev stored for a record and whether it is live (else a tombstone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRev {
    /// The rev that wrote it.
    pub rev: u64,
    /// Live (not deleted).
    pub live: bool,
}

/// A relation a viewer may have to a post or an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Liked the post.
    Like,
    /// Reposted the post.
    Repost,
    /// Follows the account.
    Follow,
}

/// Why a local user is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationReason {
    /// Their post was liked.
    Like,
    /// Their post was reposted.
    Repost,
    /// They were followed.
    Follow,
    /// They were mentioned.
    Mention,
    /// Their post (or thread) was replied to.
    Reply,
    /// Their post was quoted.
    Quote,
    /// An account they subscribed to posted.
    SubscribedPost,
}

impl NotificationReason {
    /// Every reason, in byte order.
    pub const ALL: [NotificationReason; 7] = [
        NotificationReason::Like,
        NotificationReason::Repost,
        NotificationReason::Follow,
        NotificationReason::Mention,
        NotificationReason::Reply,
        NotificationReason::Quote,
        NotificationReason::SubscribedPost,
    ];

    /// The lexicon's name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationReason::Like => "like",
            NotificationReason::Repost => "repost",
            NotificationReason::Follow => "follow",
            NotificationReason::Mention => "mention",
            NotificationReason::Reply => "reply",
            NotificationReason::Quote => "quote",
            NotificationReason::SubscribedPost => "subscribed-post",
        }
    }

    /// As stored.
    pub fn to_byte(self) -> u8 {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0) as u8 + 1
    }

    /// Inverse of `to_byte`.
    pub fn from_byte(b: u8) -> Option<Self> {
        Self::ALL.get(usize::from(b).checked_sub(1)?).copied()
    }
}

/// What of an account's activity a user is notified of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivitySubscription {
    /// Its posts (not replies).
    pub post: bool,
    /// Its replies.
    pub reply: bool,
}

impl ActivitySubscription {
    /// As stored: two bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        vec![u8::from(self.post), u8::from(self.reply)]
    }

    /// Inverse of `to_bytes`.
    pub fn from_bytes(b: &[u8]) -> Self {
        ActivitySubscription {
            post: b.first() == Some(&1),
            reply: b.get(1) == Some(&1),
        }
    }
}

/// A notification: the record that caused it, why, and when it was indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The like, repost, follow or post.
    pub id: RecordId,
    /// Why.
    pub reason: NotificationReason,
    /// When it was indexed (µs).
    pub indexed_at_us: i64,
}

/// What an actor looks like to readers (profile record fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    /// DID.
    pub did: String,
    /// Current handle, when known.
    pub handle: Option<String>,
    /// False for deactivated, suspended, taken-down or deleted accounts.
    pub active: bool,
    /// Upstream status string when inactive.
    pub status: Option<String>,
}

/// The four counts of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostCounts {
    /// Live likes.
    pub likes: u64,
    /// Live reposts.
    pub reposts: u64,
    /// Live direct replies.
    pub replies: u64,
    /// Live quote posts.
    pub quotes: u64,
}

/// The three counts of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActorCounts {
    /// Accounts following this one.
    pub followers: u64,
    /// Accounts this one follows.
    pub follows: u64,
    /// Posts authored.
    pub posts: u64,
}

/// One entry of an author feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The post or repost record.
    pub id: RecordId,
    /// Its sort time (µs).
    pub sort_at_us: i64,
    /// Facts kept for feed filters.
    pub flags: FeedFlags,
}

/// Facts about a feed entry that author-feed filters need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedFlags {
    /// A repost, not a post.
    pub repost: bool,
    /// A reply.
    pub reply: bool,
    /// A reply whose thread root is by the same author.
    pub self_thread: bool,
    /// Has images or video (directly or in recordWithMedia).
    pub media: bool,
    /// Has video.
    pub video: bool,
}

/// Filters for an author feed (the lexicon's `filter` values map onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeedFilter {
    /// Posts, replies and reposts.
    #[default]
    WithReplies,
    /// Posts and reposts, no replies.
    NoReplies,
    /// Posts with images or video.
    WithMedia,
    /// Posts, reposts and replies in the author's own threads.
    AuthorThreads,
    /// Posts with video.
    WithVideo,
}

impl FeedFilter {
    /// Whether an entry passes the filter.
    pub fn accepts(self, f: FeedFlags) -> bool {
        match self {
            FeedFilter::WithReplies => true,
            FeedFilter::NoReplies => !f.reply,
            FeedFilter::WithMedia => !f.repost && f.media,
            FeedFilter::AuthorThreads => !f.reply || f.self_thread,
            FeedFilter::WithVideo => !f.repost && f.video,
        }
    }
}

/// Someone's relation record pointing at a subject: a like, repost, follow, block or quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The record that makes the edge (the like, the follow, the quoting post, ...).
    pub id: RecordId,
    /// The DID at the other end (the subject of a follow, the author of a like, ...).
    pub other: String,
    /// Sort time (µs).
    pub sort_at_us: i64,
}

/// A page of results and the cursor for the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// Items, newest first.
    pub items: Vec<T>,
    /// Opaque cursor for the next page, absent on the last one.
    pub cursor: Option<String>,
}

/// What one `apply` call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplyStats {
    /// Ops that changed state.
    pub applied: u64,
    /// Ops that were replays or older than what is stored.
    pub stale: u64,
}

/// Store-wide figures for status pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreStats {
    /// Live records.
    pub records: u64,
    /// Known actors.
    pub actors: u64,
    /// Bytes on disk (0 for memory stores).
    pub disk_bytes: u64,
}
