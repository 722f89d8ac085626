//! Backfill: an account's history from its PDS. `Backfiller::run_one` resolves the account,
//! fetches the whole repository (`com.atproto.sync.getRepo`, falling back to paging
//! `com.atproto.repo.listRecords` when a PDS does not serve it), diffs it against the store
//! (`plan`) and applies it through the scope; `queue` runs the durable per-DID queue.

mod audit;
mod list;
pub mod plan;
pub mod queue;

pub use audit::{Audit, Diff};
pub use plan::{plan, PlanError};

use super::car::{self, Repo};
use super::event::Filter;
use super::scope::Scope;
use crate::config::BackfillConfig;
use crate::identity::{FetchError, Resolver};
use aerie_storage::{Op, Outcome, QueueOp, Store};
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

/// Why a backfiller could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] aerie_storage::Error),
    /// The resolver could not be built.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
}

impl Backfiller {
    /// A backfiller for `store` as configured: the scope loaded from the store, identity
    /// lookups cached in it.
    pub fn from_config(
        cfg: &crate::config::Config,
        store: Arc<dyn Store>,
    ) -> Result<Self, SetupError> {
        let scope = Arc::new(Scope::load(&*store, cfg.scope)?);
        let resolver = Arc::new(Resolver::with_cache(cfg.identity.clone(), store.clone())?);
        Ok(Backfiller {
            store,
            scope,
            resolver,
            filter: Filter::from_config(&cfg.jetstream),
            cfg: cfg.backfill.clone(),
        })
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
        let fetched = self.fetch(&pds, &id.did).await?;
        let (store, scope, filter) = (self.store.clone(), self.scope.clone(), self.filter.clone());
        let max_age = self.cfg.max_age_days;
        tokio::task::spawn_blocking(move || {
            let repo = match fetched {
                Fetched::Car(bytes) => car::read_repo(&bytes)?,
                Fetched::Listed(repo) => repo,
            };
            if repo.did != id.did {
                return Err(BackfillError::WrongRepo(repo.did));
            }
            apply(
                &*store, &scope, &filter, repo, max_age, generation, progress,
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

/// Plans and applies a fetched repository in batches through the scope.
fn apply(
    store: &dyn Store,
    scope: &Scope,
    filter: &Filter,
    repo: Repo,
    max_age_days: u64,
    generation: Option<u64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, BackfillError> {
    let mut stored = Vec::new();
    loop {
        let page = store.records_of(&repo.did, stored.last(), 10_000)?;
        if page.is_empty() {
            break;
        }
        stored.extend(page);
    }
    let now = crate::util::now_us();
    let oldest = (max_age_days > 0).then(|| now - max_age_days as i64 * 86_400_000_000);
    let mut ops = plan(&repo, &stored, filter, now, oldest)?;
    let records = ops.iter().filter(|o| matches!(o, Op::Put { .. })).count();
    let (total, deletes) = (ops.len(), ops.len() - records);
    if let Some(generation) = generation {
        ops.push(Op::Queue(QueueOp::Finish {
            did: repo.did.clone(),
            generation,
            outcome: Outcome::Done {
                rev: repo.rev.clone(),
                records: records as u64,
            },
            at_us: now,
        }));
    }
    let mut applied = 0;
    let mut done = 0;
    let mut rest = ops;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(CHUNK));
        let n = rest.len();
        applied += scope
            .apply_repo(store, std::mem::replace(&mut rest, tail))?
            .applied;
        done = (done + n).min(total);
        progress(done, total);
    }
    Ok(Report {
        did: repo.did,
        rev: repo.rev,
        records,
        deletes,
        applied,
    })
}
