//! The domain-level interface every backend implements: one writer that applies operations
//! together with the cursor, and one reader per domain. Callers never see keys or tables.

use crate::accounts::*;
use crate::model::*;
use crate::Result;

/// Applies normalized operations; the only way data enters a store.
pub trait Writer: Send + Sync {
    /// Applies `ops` in order and records `cursor`, all or nothing. Each record op is gated by
    /// its `rev` (an op older than or equal to what is stored, live or tombstone, is a no-op), so
    /// replaying any prefix of a stream in any chunking leaves the same state and counts.
    fn apply(&self, ops: &[Op], cursor: Option<&Cursor>) -> Result<ApplyStats>;
    /// Makes everything committed so far durable (fsync), whatever the durability setting.
    fn flush(&self) -> Result<()>;
}

/// Records and posts.
pub trait RecordReader: Send + Sync {
    /// One live record.
    fn record(&self, id: &RecordId) -> Result<Option<StoredRecord>>;
    /// The rev of what is stored for a record, live or tombstone (what gates the next write).
    fn record_rev(&self, id: &RecordId) -> Result<Option<RecordRev>>;
    /// The four counts of a post.
    fn post_counts(&self, id: &RecordId) -> Result<PostCounts>;
    /// An author's posts and reposts, newest first.
    fn author_feed(
        &self,
        did: &str,
        filter: FeedFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>>;
    /// Live records of an account, in the backend's order, after `after` (a record this call
    /// returned): what a full backfill diffs against the repository.
    fn records_of(
        &self,
        did: &str,
        after: Option<&RecordId>,
        limit: usize,
    ) -> Result<Vec<RecordId>>;
    /// Posts and reposts of `authors` merged, newest first (the home timeline's skeleton).
    fn timeline(
        &self,
        authors: &[String],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>>;
    /// The home timeline's skeleton: posts and reposts of the accounts `viewer` follows and
    /// their own, newest first.
    fn home_timeline(
        &self,
        viewer: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<FeedEntry>>;
    /// An account's live records of one collection, newest record key first (TIDs: newest
    /// written first).
    fn records_in(
        &self,
        did: &str,
        collection: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<RecordId>>;
    /// Direct replies to a post, oldest first (thread order).
    fn replies(&self, parent: &RecordId, limit: usize) -> Result<Vec<RecordId>>;
}

/// Actors: identity, status and counts.
pub trait ActorReader: Send + Sync {
    /// What is known of an account (None when never seen).
    fn actor(&self, did: &str) -> Result<Option<Actor>>;
    /// The DID that currently holds `handle`, as identity events told.
    fn did_for_handle(&self, handle: &str) -> Result<Option<String>>;
    /// Followers, follows and posts counts.
    fn actor_counts(&self, did: &str) -> Result<ActorCounts>;
}

/// The social graph.
pub trait GraphReader: Send + Sync {
    /// Follow records by `did`, newest first; `other` = followed DID.
    fn follows(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>>;
    /// Follow records of `did`, newest first; `other` = follower DID.
    fn followers(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>>;
    /// The record by which `actor` relates to `subject` (an AT-URI for likes and reposts, a
    /// DID for follows). Kept where a local user is one end (viewer state).
    fn relation(&self, kind: Relation, actor: &str, subject: &str) -> Result<Option<RecordId>>;
    /// Whether `blocker` has a live block record of `subject`.
    fn blocking(&self, blocker: &str, subject: &str) -> Result<bool>;
    /// `blocker`'s block record of `subject`, if live.
    fn block_record(&self, blocker: &str, subject: &str) -> Result<Option<RecordId>>;
    /// Block records by `did`, newest first; `other` = blocked DID.
    fn blocks(&self, did: &str, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>>;
}

/// Likes, reposts and quotes of a subject.
pub trait InteractionReader: Send + Sync {
    /// Likes of `subject`, newest first; `other` = liker.
    fn likes(&self, subject: &RecordId, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>>;
    /// Reposts of `subject`, newest first; `other` = reposter.
    fn reposts(&self, subject: &RecordId, cursor: Option<&str>, limit: usize)
        -> Result<Page<Edge>>;
    /// Posts quoting `subject`, newest first; `other` = quoting author.
    fn quotes(&self, subject: &RecordId, cursor: Option<&str>, limit: usize) -> Result<Page<Edge>>;
}

/// Notifications of local users.
pub trait NotificationReader: Send + Sync {
    /// A user's notifications, newest first.
    fn notifications(
        &self,
        did: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Notification>>;
    /// Notifications indexed after `since_us`, counted up to `cap`.
    fn unread_count(&self, did: &str, since_us: i64, cap: usize) -> Result<u64>;
    /// When the user last marked them seen (µs).
    fn seen_at(&self, did: &str) -> Result<Option<i64>>;
}

/// Store metadata.
pub trait MetaReader: Send + Sync {
    /// The committed stream position, if any.
    fn cursor(&self) -> Result<Option<Cursor>>;
    /// Per-connection positions of a sharded subscription, by endpoint.
    fn connection_cursors(&self) -> Result<Vec<Cursor>>;
    /// Gaps recorded and not yet repaired, oldest first.
    fn gaps(&self) -> Result<Vec<Gap>>;
    /// The schema version of the open store.
    fn schema_version(&self) -> Result<u32>;
    /// Store-wide figures.
    fn stats(&self) -> Result<StoreStats>;
    /// How many reads are worth running at once: 1 where a read costs microseconds (embedded
    /// engines), more where each is a round trip (PostgreSQL: its connections).
    fn read_parallelism(&self) -> usize;
    /// Where the store lives (a directory, or a database and schema without its password).
    fn location(&self) -> String;
}

/// The change log derived indexes follow (see [`Change`]).
pub trait ChangeReader: Send + Sync {
    /// Where the log stands.
    fn change_log(&self) -> Result<ChangeLog>;
    /// Up to `limit` logged changes after sequence number `after`, in order.
    fn changes(&self, after: u64, limit: usize) -> Result<Vec<(u64, Change)>>;
}

/// Local users, the backfill queue and cached identity lookups.
pub trait AccountReader: Send + Sync {
    /// Every local user.
    fn local_users(&self) -> Result<Vec<LocalUser>>;
    /// The backfill state of an account, if it is known.
    fn repo_state(&self, did: &str) -> Result<Option<RepoState>>;
    /// Pending accounts in the order they are due (`not_before_us`, then DID), after `after`
    /// (a `(not_before_us, did)` this call returned).
    fn pending_repos(&self, after: Option<(i64, &str)>, limit: usize) -> Result<Vec<RepoState>>;
    /// Accounts by status.
    fn queue_stats(&self) -> Result<QueueStats>;
    /// A login session.
    fn session(&self, id: &str) -> Result<Option<StoredSession>>;
    /// Whether `viewer` muted `subject` (mutes are private, kept only here).
    fn muted(&self, viewer: &str, subject: &str) -> Result<bool>;
    /// Accounts `viewer` muted, in DID order after `after`.
    fn mutes(&self, viewer: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>>;
    /// The accounts `viewer` subscribed to, in DID order after `after`.
    fn activity_subscriptions(
        &self,
        viewer: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, ActivitySubscription)>>;
    /// `viewer`'s subscription to `subject`, if any.
    fn activity_subscription(
        &self,
        viewer: &str,
        subject: &str,
    ) -> Result<Option<ActivitySubscription>>;
    /// A user's private value of `kind` under `key`.
    fn private(&self, owner: &str, kind: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// A user's private values of `kind`, in key order after `after`.
    fn privates(
        &self,
        owner: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>>;
    /// A cached identity lookup.
    fn cached_identity(&self, key: &IdentityKey) -> Result<Option<CachedIdentity>>;
}

/// One visible record met by a scan.
#[derive(Debug, Clone)]
pub struct ScannedRecord {
    /// Which record.
    pub id: RecordId,
    /// `min(createdAt, indexedAt)` (µs).
    pub sort_at_us: i64,
    /// The record.
    pub value: serde_json::Value,
}

/// A page of a scan, and where the next one starts (`None`: the end).
#[derive(Debug, Clone)]
pub struct ScanPage {
    /// Visible records of this page (pruned and deleted ones are skipped).
    pub records: Vec<ScannedRecord>,
    /// Opaque position to continue from.
    pub next: Option<Vec<u8>>,
}

/// A page of posts by time: each with its `sortAt`, and where the next page starts.
pub type PostsByTime = (Vec<(RecordId, i64)>, Option<Vec<u8>>);

/// A walk over every record, in bounded pages (retention).
pub trait RecordScan {
    /// Up to `limit` stored rows after `after` (an earlier page's `next`), their visible
    /// records returned.
    fn scan_records(&self, after: Option<&[u8]>, limit: usize) -> Result<ScanPage> {
        self.scan_records_where(after, limit, &|_| true)
    }
    /// The same, only the records of the collections `keep` accepts returned (the others are
    /// passed over without being read).
    fn scan_records_where(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<ScanPage>;
    /// Up to `limit` visible posts after `after` (an earlier call's position), oldest first
    /// (by `sortAt`), with their `sortAt`; and where the next call starts (`None`: the end).
    fn posts_by_time(&self, after: Option<&[u8]>, limit: usize) -> Result<PostsByTime>;
}

/// Whole-store export and import (backups, moving to another machine).
pub trait Backup {
    /// Writes every keyspace, from one consistent snapshot, to `out`.
    fn export_to(&self, out: &mut dyn std::io::Write) -> Result<crate::kv::BackupStats>;
    /// Reads an export into this store, which must be empty.
    fn import_from(&self, input: &mut dyn std::io::Read) -> Result<crate::kv::BackupStats>;
}

/// A whole store: the writer, every reader, and backups.
pub trait Store:
    Writer
    + Backup
    + RecordScan
    + RecordReader
    + ActorReader
    + GraphReader
    + InteractionReader
    + MetaReader
    + AccountReader
    + NotificationReader
    + ChangeReader
{
}

impl<T> Store for T where
    T: Writer
        + Backup
        + RecordScan
        + RecordReader
        + ActorReader
        + GraphReader
        + InteractionReader
        + MetaReader
        + AccountReader
        + NotificationReader
        + ChangeReader
{
}
