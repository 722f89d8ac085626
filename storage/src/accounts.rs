//! The store's view of accounts beyond their records: who the local users are, where each
//! account's backfill stands (the durable per-DID queue), and cached identity lookups. These are
//! plain values and the operations that change them; the KV backends keep them in `state.rs`.

use serde::{Deserialize, Serialize};

/// A person this Aerie serves (from `users` in the config, or a login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalUser {
    /// Their DID.
    pub did: String,
    /// Where they came from: `config` or `login`.
    pub origin: String,
    /// When they were added (µs).
    pub added_us: i64,
}

/// Where an account's backfill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepoStatus {
    /// A fetch is wanted (first time, after a trigger, or retrying after a failure).
    Pending,
    /// The repository was fetched and applied; live events keep it current.
    Done,
    /// The PDS refuses the repository (taken down, deactivated, suspended, not found); waits
    /// for the account to come back.
    Unavailable,
}

impl RepoStatus {
    /// Every status, in a fixed order.
    pub const ALL: [RepoStatus; 3] = [
        RepoStatus::Pending,
        RepoStatus::Done,
        RepoStatus::Unavailable,
    ];
}

/// The backfill state of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoState {
    /// The account.
    pub did: String,
    /// Where it stands.
    pub status: RepoStatus,
    /// Bumped by every request; a finished fetch only counts when it ran for the current one.
    pub generation: u64,
    /// Why it was last requested (`user added`, `followed`, `gap`, ...).
    pub reason: String,
    /// When it was last requested (µs).
    pub requested_us: i64,
    /// Not to be tried before (µs): the request time, or a backoff after failures.
    pub not_before_us: i64,
    /// Failed attempts since the last request.
    pub attempts: u32,
    /// The last error, while retrying or unavailable.
    pub error: Option<String>,
    /// Commit rev of the last complete fetch.
    pub rev: Option<String>,
    /// When the last complete fetch was applied (µs).
    pub done_us: Option<i64>,
    /// Records the last complete fetch held.
    pub records: u64,
}

/// How one fetch of a repository ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Fetched and applied.
    Done {
        /// The commit rev.
        rev: String,
        /// Records it held.
        records: u64,
    },
    /// Failed for now; try again later.
    Retry {
        /// Not before this time (µs).
        not_before_us: i64,
        /// What went wrong.
        error: String,
    },
    /// The PDS refuses the repository; wait for a reactivation.
    Unavailable {
        /// What the PDS said.
        error: String,
    },
}

/// Changes to the backfill queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueOp {
    /// Wants a fresh fetch of `did`, due at `at_us`.
    Request {
        /// The account.
        did: String,
        /// Why.
        reason: String,
        /// When (µs).
        at_us: i64,
    },
    /// A fetch that ran for `generation` ended; stale when a newer request came meanwhile.
    Finish {
        /// The account.
        did: String,
        /// The generation the fetch ran for.
        generation: u64,
        /// How it ended.
        outcome: Outcome,
        /// When (µs).
        at_us: i64,
    },
    /// The account is no longer tracked: its state goes (a later request starts afresh).
    Forget {
        /// The account.
        did: String,
    },
}

/// Accounts by backfill status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueStats {
    /// Waiting for a fetch (including retries).
    pub pending: u64,
    /// Fetched.
    pub done: u64,
    /// Refused by their PDS.
    pub unavailable: u64,
}

/// What an identity lookup is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdentityKey {
    /// A DID's document.
    Did(String),
    /// A handle's DID.
    Handle(String),
}

/// A cached lookup: the answer (a DID document as JSON, or a DID), or `None` when the lookup
/// found nothing (kept for a shorter time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedIdentity {
    /// The answer, if there was one.
    pub value: Option<String>,
    /// When it was fetched (µs).
    pub fetched_us: i64,
}

/// A login: who, at which PDS, and what Aerie needs to act for them. Aerie's own tokens are
/// kept only as hashes; the PDS's tokens only sealed with the server secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The session id (part of Aerie's tokens).
    pub id: String,
    /// The user.
    pub did: String,
    /// Their handle at login.
    pub handle: String,
    /// Their PDS.
    pub pds: String,
    /// SHA-256 (hex) of the secret of the current access token.
    pub access_hash: String,
    /// SHA-256 (hex) of the secret of the current refresh token.
    pub refresh_hash: String,
    /// When the access token expires (µs).
    pub access_expires_us: i64,
    /// When the refresh token expires (µs).
    pub refresh_expires_us: i64,
    /// The PDS's tokens, sealed.
    pub pds_tokens: String,
    /// When the session began (µs).
    pub created_us: i64,
}
