//! `aerie audit`: compares the store with each account's current repository on its PDS —
//! records missing from the store, extra records the repository no longer has, and stale ones
//! (another CID) — per collection, and with `--repair` applies the fetch as a diff.

use super::{BackfillError, Backfiller, Fetched};
use crate::ingest::car;
use aerie_storage::RecordId;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Differences in one collection.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Diff {
    /// In the repository, not in the store.
    pub missing: usize,
    /// In the store, not in the repository.
    pub extra: usize,
    /// In both, with another CID.
    pub stale: usize,
}

/// What the audit of one account found.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// The account.
    pub did: String,
    /// The commit rev compared against.
    pub rev: String,
    /// Records in the repository (wanted collections, within the age limit).
    pub records: usize,
    /// Differences by collection (only collections with some).
    pub collections: BTreeMap<String, Diff>,
}

impl Audit {
    /// Whether the store matches the repository.
    pub fn clean(&self) -> bool {
        self.collections.is_empty()
    }
}

impl Backfiller {
    /// Audits one account against its PDS.
    pub async fn audit_one(&self, actor: &str) -> Result<Audit, BackfillError> {
        let id = self.resolver.resolve(actor).await?;
        let pds = id
            .pds
            .clone()
            .ok_or_else(|| BackfillError::NoPds(id.did.clone()))?;
        let repo = match self.fetch(&pds, &id.did).await? {
            Fetched::Car(bytes) => car::read_repo(&bytes)?,
            Fetched::Listed(repo) => repo,
        };
        let now = crate::util::now_us();
        let oldest = (self.cfg.max_age_days > 0)
            .then(|| now - self.cfg.max_age_days as i64 * 86_400_000_000);
        let mut collections: BTreeMap<String, Diff> = BTreeMap::new();
        let mut present = HashSet::new();
        let mut records = 0;
        for r in repo
            .records
            .iter()
            .filter(|r| self.filter.wants(&r.collection))
        {
            let rid = RecordId::new(&repo.did, &r.collection, &r.rkey);
            present.insert(rid.clone());
            if super::plan::too_old(&r.collection, &r.value, oldest) {
                continue;
            }
            records += 1;
            match self.store.record(&rid)? {
                None => collections.entry(r.collection.clone()).or_default().missing += 1,
                Some(s) if s.cid != r.cid => {
                    collections.entry(r.collection.clone()).or_default().stale += 1
                }
                Some(_) => {}
            }
        }
        let mut after: Option<RecordId> = None;
        loop {
            let page = self.store.records_of(&repo.did, after.as_ref(), 10_000)?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            for rid in page {
                if self.filter.wants(&rid.collection) && !present.contains(&rid) {
                    collections.entry(rid.collection.clone()).or_default().extra += 1;
                }
            }
            after = Some(last);
        }
        Ok(Audit {
            did: repo.did,
            rev: repo.rev,
            records,
            collections,
        })
    }
}
