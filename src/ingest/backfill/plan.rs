//! A fetched repository as operations. Every record it holds becomes a put at the commit's rev;
//! every record the store holds for that account but the repository does not becomes a delete
//! at the same rev (a full fetch is a diff). Rev gating makes this safe whatever live events do
//! before, during or after: anything newer than the commit wins, anything older loses.

use crate::gate::change::Filter;
use crate::ingest::car::{Repo, RepoRecord};
use aerie_storage::facts::{self, nsid};
use aerie_storage::{Op, RecordId};
use std::collections::HashSet;

/// Why a repository cannot be planned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    /// The commit's rev is not a TID.
    #[error("commit rev {0:?} is not a TID")]
    Rev(String),
}

/// Turns one repository's records into operations at its commit's rev.
pub struct Planner<'a> {
    did: &'a str,
    rev: u64,
    filter: &'a Filter,
    indexed_at_us: i64,
    oldest_us: Option<i64>,
}

impl<'a> Planner<'a> {
    /// A planner for the commit `rev` of `did`; `indexed_at_us` is now; posts, likes and
    /// reposts created before `oldest_us` are left out (`backfill.max_age_days`).
    pub fn new(
        did: &'a str,
        rev: &str,
        filter: &'a Filter,
        indexed_at_us: i64,
        oldest_us: Option<i64>,
    ) -> Result<Self, PlanError> {
        let rev = aerie_storage::tid::parse(rev).ok_or_else(|| PlanError::Rev(rev.to_string()))?;
        Ok(Planner {
            did,
            rev,
            filter,
            indexed_at_us,
            oldest_us,
        })
    }

    /// Whether the repository's record of `collection` is part of the diff.
    pub fn wants(&self, collection: &str) -> bool {
        self.filter.wants(collection)
    }

    /// The put for one record (none when unwanted or too old).
    pub fn put(&self, r: &RepoRecord) -> Option<Op> {
        if !self.filter.wants(&r.collection) || too_old(&r.collection, &r.value, self.oldest_us) {
            return None;
        }
        Some(Op::Put {
            id: RecordId::new(self.did, &r.collection, &r.rkey),
            rev: self.rev,
            cid: r.cid.clone(),
            record: serde_json::to_vec(&r.value).ok()?,
            time_us: self.indexed_at_us,
        })
    }

    /// Deletes of the stored records (`stored`) the repository lacks (`present`: every wanted
    /// record it holds, old ones included).
    pub fn deletes(&self, stored: &[RecordId], present: &HashSet<RecordId>) -> Vec<Op> {
        stored
            .iter()
            .filter(|id| self.filter.wants(&id.collection) && !present.contains(*id))
            .map(|id| Op::Delete {
                id: id.clone(),
                rev: self.rev,
            })
            .collect()
    }
}

/// The operations that bring the store to the repository's state for its wanted collections.
/// `stored` lists the account's live records in the store.
pub fn plan(
    repo: &Repo,
    stored: &[RecordId],
    filter: &Filter,
    indexed_at_us: i64,
    oldest_us: Option<i64>,
) -> Result<Vec<Op>, PlanError> {
    let planner = Planner::new(&repo.did, &repo.rev, filter, indexed_at_us, oldest_us)?;
    let present: HashSet<RecordId> = repo
        .records
        .iter()
        .filter(|r| filter.wants(&r.collection))
        .map(|r| RecordId::new(&repo.did, &r.collection, &r.rkey))
        .collect();
    let mut ops: Vec<Op> = repo.records.iter().filter_map(|r| planner.put(r)).collect();
    ops.extend(planner.deletes(stored, &present));
    Ok(ops)
}

/// Content (not graph) records created before the cut-off.
pub(super) fn too_old(collection: &str, value: &serde_json::Value, oldest_us: Option<i64>) -> bool {
    let Some(oldest) = oldest_us else {
        return false;
    };
    matches!(collection, nsid::POST | nsid::LIKE | nsid::REPOST)
        && facts::created_at_us(value).is_some_and(|c| c < oldest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::{Backend, Durability};

    #[tokio::test]
    async fn the_real_repo_applies_and_diffs_under_rev_gating() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/jetstream-capture");
        let Ok(car) = std::fs::read(dir.join("repo.car")) else {
            println!(
                "notice: {} is absent; skipping the backfill plan test",
                dir.display()
            );
            return;
        };
        let repo = crate::ingest::car::read_repo(&car).expect("repo");
        let filter = Filter::new(&["app.bsky.*".to_string()], 1 << 20);
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let rev = aerie_storage::tid::parse(&repo.rev).expect("rev");
        // Before the fetch the store holds a record the repository no longer has (deleted while
        // we were away) and one written by a live event newer than the fetched commit.
        let gone = RecordId::new(&repo.did, "app.bsky.feed.like", "3aaaaaaaaaaaa");
        let newer = RecordId::new(&repo.did, "app.bsky.feed.post", "3zzzzzzzzzzzz");
        let put = |id: &RecordId, rev: u64| {
            Op::Put {
            id: id.clone(),
            rev,
            cid: vec![1, 0x71, 0x12, 0x20, 7],
            record: br#"{"$type":"app.bsky.feed.post","text":"x","createdAt":"2026-01-01T00:00:00.000Z"}"#.to_vec(),
            time_us: 1,
        }
        };
        store
            .apply(&[put(&gone, rev - 10), put(&newer, rev + 10)], None)
            .expect("apply");
        let stored = store.records_of(&repo.did, None, 1000).expect("stored");
        let ops = plan(&repo, &stored, &filter, 2, None).expect("plan");
        let puts = ops.iter().filter(|o| matches!(o, Op::Put { .. })).count();
        assert_eq!(
            puts,
            repo.records
                .iter()
                .filter(|r| filter.wants(&r.collection))
                .count()
        );
        assert_eq!(
            ops.len(),
            puts + 2,
            "one delete for each stored record the repo lacks"
        );
        store.apply(&ops, None).expect("apply");
        for r in &repo.records {
            let got = store
                .record(&RecordId::new(&repo.did, &r.collection, &r.rkey))
                .expect("read")
                .expect("present");
            assert_eq!(got.cid, r.cid, "{}/{}", r.collection, r.rkey);
        }
        assert!(
            store.record(&gone).expect("read").is_none(),
            "deleted while away: removed"
        );
        assert!(
            store.record(&newer).expect("read").is_some(),
            "newer than the commit: kept"
        );
        // Applying the same plan again changes nothing.
        let again = store.apply(&ops, None).expect("apply");
        assert_eq!(again.applied, 0);
        assert!(plan(
            &Repo {
                rev: "nope".into(),
                ..repo
            },
            &[],
            &filter,
            0,
            None
        )
        .is_err());
    }
}
