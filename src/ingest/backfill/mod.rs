//! Backfill: an account's history from its PDS. `Backfiller::run_one` resolves the account,
//! fetches the whole repository (`com.atproto.sync.getRepo`, falling back to paging
//! `com.atproto.repo.listRecords` when a PDS does not serve it), diffs it against the store
//! (`plan`) and applies it through the scope; `queue` runs the durable per-DID queue.

mod audit;
mod list;
pub mod plan;
pub mod queue;

pub use audit::{Audit, Diff};
pub use plan::{plan, PlanError, Planner};

use super::car::{self, Repo};
use crate::config::BackfillConfig;
use crate::gate::change::Filter;
use crate::gate::Scope;
use crate::identity::Resolver;
use crate::outbound::FetchError;
use aerie_storage::{Op, Outcome, QueueOp, RecordId, Store};
use serde::Serialize;
use std::sync::Arc;

/// Why a backfill failed.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The account could not be resolved.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// The DID document names no PDS.
    #[error("{0} has no PDS in its DID document")]
    NoPds(String),
    /// The repository could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The repository could not be read.
    #[error(transparent)]
    Car(#[from] car::CarError),
    /// The repository is for another account.
    #[error("the PDS served the repository of {0}")]
    WrongRepo(String),
    /// The commit rev is invalid.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] aerie_storage::Error),
    /// The apply task failed.
    #[error("apply task: {0}")]
    Task(String),
}

/// XRPC errors by which a PDS says a repository is not served (until the account returns).
const UNAVAILABLE: [&str; 5] = [
    "RepoTakendown",
    "RepoDeactivated",
    "RepoSuspended",
    "RepoNotFound",
    "AccountTakedown",
];

impl BackfillError {
    /// The PDS refuses the repository for what the account is (taken down, deactivated...).
    pub fn unavailable(&self) -> Option<String> {
        match self {
            BackfillError::Fetch(FetchError::Status { error: Some(e), .. })
                if UNAVAILABLE.contains(&e.as_str()) =>
            {
                Some(e.clone())
            }
            BackfillError::Identity(e) if e.is_absence() => Some(e.to_string()),
            BackfillError::NoPds(_) => Some(self.to_string()),
            _ => None,
        }
    }

    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            BackfillError::Fetch(FetchError::Status { retry_after, .. }) => *retry_after,
            _ => None,
        }
    }
}

/// What one backfill did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The account.
    pub did: String,
    /// The commit rev fetched.
    pub rev: String,
    /// Records in the fetched repository (wanted collections, within the age limit).
    pub records: usize,
    /// Stored records the repository no longer has.
    pub deletes: usize,
    /// Operations that changed the store (the rest were older than what it held).
    pub applied: u64,
}

/// Everything a backfill needs.
pub struct Backfiller {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The gate writes pass.
    pub scope: Arc<Scope>,
    /// Identity resolution and guarded fetches.
    pub resolver: Arc<Resolver>,
    /// Wanted collections.
    pub filter: Filter,
    /// Limits.
    pub cfg: BackfillConfig,
}

/// Operations applied per store batch.
const CHUNK: usize = 2000;

impl Backfiller {
    /// A backfiller over the shared services, with the configured collections and limits.
    pub fn new(
        store: Arc<dyn Store>,
        scope: Arc<Scope>,
        resolver: Arc<Resolver>,
        cfg: &crate::config::Config,
    ) -> Self {
        Backfiller {
            store,
            scope,
            resolver,
            filter: Filter::from_config(&cfg.jetstream),
            cfg: cfg.backfill.clone(),
        }
    }

    /// Backfills one account. With `generation`, the queue's `Finish` is committed with the
    /// last batch of data (so a crash before it leaves the account pending). `progress` hears
    /// (done, total) as batches commit.
    pub async fn run_one(
        &self,
        actor: &str,
        generation: Option<u64>,
        progress: impl FnMut(usize, usize) + Send + 'static,
    ) -> Result<Report, BackfillError> {
        let id = self.resolver.resolve(actor).await?;
        let pds = id
            .pds
            .clone()
            .ok_or_else(|| BackfillError::NoPds(id.did.clone()))?;
        // The verified handle, for accounts the stream has not told about yet (sequence 1:
        // any identity event from the source is newer).
        let identity = Op::Identity {
            did: id.did.clone(),
            handle: id.handle.clone(),
            seq: 1,
        };
        self.scope.apply_repo(&*self.store, vec![identity])?;
        let fetched = self.fetch(&pds, &id.did).await?;
        let (store, scope, filter) = (self.store.clone(), self.scope.clone(), self.filter.clone());
        let max_age = self.cfg.max_age_days;
        tokio::task::spawn_blocking(move || {
            let repo = match fetched {
                Fetched::Car(bytes) => Records::Car(car::RepoIndex::read(&bytes)?),
                Fetched::Listed(repo) => Records::Listed(repo),
            };
            if repo.did() != id.did {
                return Err(BackfillError::WrongRepo(repo.did().to_string()));
            }
            apply(
                &*store, &scope, &filter, &repo, max_age, generation, progress,
            )
        })
        .await
        .map_err(|e| BackfillError::Task(e.to_string()))?
    }

    /// The account's repository: `getRepo`, or `listRecords` when the PDS does not serve that.
    async fn fetch(&self, pds: &str, did: &str) -> Result<Fetched, BackfillError> {
        let base = pds.trim_end_matches('/');
        let url = format!("{base}/xrpc/com.atproto.sync.getRepo?did={did}");
        match self
            .resolver
            .fetcher()
            .get_within(
                &url,
                self.cfg.max_repo_bytes,
                Some(std::time::Duration::from_secs(self.cfg.timeout_secs.max(1))),
            )
            .await
        {
            Ok(bytes) => Ok(Fetched::Car(bytes)),
            Err(FetchError::Status {
                status: 501 | 404,
                error,
                ..
            }) if error.as_deref().is_none_or(|e| e == "MethodNotImplemented") => {
                tracing::info!(did, "getRepo not served; paging listRecords");
                let repo = list::fetch(self.resolver.fetcher(), base, did, &self.filter).await?;
                Ok(Fetched::Listed(repo))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A repository as fetched: CAR bytes (parsed off the async threads) or listed records.
enum Fetched {
    Car(Vec<u8>),
    Listed(Repo),
}

/// Applies a repository CAR (as `getRepo` serves it) through the scope, as a fetch does: the
/// benchmark's entry point.
pub fn apply_car(
    store: &dyn Store,
    scope: &Scope,
    filter: &Filter,
    car: &[u8],
) -> Result<Report, BackfillError> {
    let repo = Records::Car(car::RepoIndex::read(car)?);
    apply(store, scope, filter, &repo, 0, None, |_, _| {})
}

/// A fetched repository's records: a CAR's index (records decoded on demand) or a listing.
enum Records {
    Car(car::RepoIndex),
    Listed(Repo),
}

impl Records {
    fn did(&self) -> &str {
        match self {
            Records::Car(i) => &i.did,
            Records::Listed(r) => &r.did,
        }
    }

    fn rev(&self) -> &str {
        match self {
            Records::Car(i) => &i.rev,
            Records::Listed(r) => &r.rev,
        }
    }

    /// (collection, rkey) of every record.
    fn keys(&self) -> Vec<(&str, &str)> {
        match self {
            Records::Car(i) => i
                .entries
                .iter()
                .map(|e| (&*e.collection, &*e.rkey))
                .collect(),
            Records::Listed(r) => r
                .records
                .iter()
                .map(|e| (&*e.collection, &*e.rkey))
                .collect(),
        }
    }

    /// Records `from..to`, decoded.
    fn chunk(&self, from: usize, to: usize) -> Result<Vec<car::RepoRecord>, car::CarError> {
        match self {
            Records::Car(i) => i.entries[from..to].iter().map(|e| i.record(e)).collect(),
            Records::Listed(r) => Ok(r.records[from..to].to_vec()),
        }
    }
}

/// Plans and applies a fetched repository through the scope, in batches: one thread decodes
/// records while this one applies the previous batch; the deletes of the diff and the queue's
/// `Finish` go in the last batch.
fn apply(
    store: &dyn Store,
    scope: &Scope,
    filter: &Filter,
    repo: &Records,
    max_age_days: u64,
    generation: Option<u64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, BackfillError> {
    let did = repo.did();
    let mut stored = Vec::new();
    loop {
        let page = store.records_of(did, stored.last(), 10_000)?;
        if page.is_empty() {
            break;
        }
        stored.extend(page);
    }
    let now = crate::util::now_us();
    let oldest = (max_age_days > 0).then(|| now - max_age_days as i64 * 86_400_000_000);
    let planner = plan::Planner::new(did, repo.rev(), filter, now, oldest)?;
    let keys = repo.keys();
    let present: std::collections::HashSet<RecordId> = keys
        .iter()
        .filter(|(c, _)| planner.wants(c))
        .map(|(c, r)| RecordId::new(did, c, r))
        .collect();
    let mut last = planner.deletes(&stored, &present);
    let deletes = last.len();
    let total = keys.len() + deletes;
    let (mut records, mut applied, mut done) = (0, 0, 0);
    std::thread::scope(|s| -> Result<(), BackfillError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let planner = &planner;
        s.spawn(move || {
            for from in (0..keys.len()).step_by(CHUNK) {
                let to = (from + CHUNK).min(keys.len());
                let ops = repo
                    .chunk(from, to)
                    .map(|rs| rs.iter().filter_map(|r| planner.put(r)).collect::<Vec<_>>());
                if tx.send((ops, to - from)).is_err() {
                    break;
                }
            }
        });
        for (ops, seen) in rx {
            let ops = ops?;
            records += ops.len();
            applied += scope.apply_repo(store, ops)?.applied;
            done += seen;
            progress(done, total);
        }
        Ok(())
    })?;
    if let Some(generation) = generation {
        last.push(Op::Queue(QueueOp::Finish {
            did: did.to_string(),
            generation,
            outcome: Outcome::Done {
                rev: repo.rev().to_string(),
                records: records as u64,
            },
            at_us: now,
        }));
    }
    if !last.is_empty() {
        applied += scope.apply_repo(store, last)?.applied;
    }
    progress(total, total);
    Ok(Report {
        did: did.to_string(),
        rev: repo.rev().to_string(),
        records,
        deletes,
        applied,
    })
}
