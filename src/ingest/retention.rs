//! Retention (`retention.days`): background passes over the store, a bounded batch at a time,
//! pruning records older than the horizon that are outside the protected set. Protected:
//! profiles; records by local users and the accounts they follow; records pointing at a local user or
//! at their records (replies, likes, reposts, quotes, mentions, follows, blocks — what
//! notifications are made of); posts local users liked or reposted; and posts local users or
//! their follows replied to or quoted (their threads stay whole). Pruning keeps every count exact (see the storage crate's
//! `Op::Prune`); the final check against the tracked set happens under the scope's lock. After
//! each full pass, visited content (records fetched on demand) fetched before the horizon goes.

use crate::config::RetentionConfig;
use crate::gate::Scope;
use aerie_storage::facts::{self, Facts};
use aerie_storage::{Relation, ScannedRecord, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassStats {
    /// Records examined.
    pub examined: usize,
    /// Records pruned.
    pub pruned: u64,
}

/// The DIDs a record points at: subjects, reply parent and root, quoted post, mentions.
fn referenced(r: &ScannedRecord) -> Vec<String> {
    let mut out = facts::mentions(&r.value);
    match facts::derive(&r.id.collection, &r.value) {
        Facts::Post { reply, quote, .. } => {
            if let Some(rr) = reply {
                out.push(rr.parent.did);
                out.push(rr.root.did);
            }
            out.extend(quote.map(|q| q.did));
        }
        Facts::Like(s) | Facts::Repost(s) => out.push(s.did),
        Facts::Follow(d) | Facts::Block(d) => out.push(d),
        Facts::Plain => {}
    }
    out
}

/// Whether a post was liked or reposted by a local user, or replied to or quoted by a local
/// user or a follow.
fn interacted(
    store: &dyn Store,
    scope: &Scope,
    r: &ScannedRecord,
    locals: &[String],
) -> aerie_storage::Result<bool> {
    if r.id.collection != facts::nsid::POST {
        return Ok(false);
    }
    // Most old posts nobody touched: their counts rule the lookups out at once.
    let counts = store.post_counts(&r.id)?;
    let uri = r.id.uri();
    for local in locals {
        if (counts.likes > 0 && store.relation(Relation::Like, local, &uri)?.is_some())
            || (counts.reposts > 0 && store.relation(Relation::Repost, local, &uri)?.is_some())
        {
            return Ok(true);
        }
    }
    if counts.replies > 0
        && store
            .replies(&r.id, 1000)?
            .iter()
            .any(|reply| scope.is_tracked(&reply.did))
    {
        return Ok(true);
    }
    Ok(counts.quotes > 0
        && store
            .quotes(&r.id, None, 100)?
            .items
            .iter()
            .any(|q| scope.is_tracked(&q.id.did)))
}

/// Whether retention must keep a record. Profiles are always kept (small, and whatever of an
/// account remains is shown with them).
fn protected(
    store: &dyn Store,
    scope: &Scope,
    r: &ScannedRecord,
    locals: &[String],
) -> aerie_storage::Result<bool> {
    Ok(r.id.collection == facts::nsid::PROFILE
        || scope.is_tracked(&r.id.did)
        || referenced(r).iter().any(|d| scope.is_local(d))
        || interacted(store, scope, r, locals)?)
}

/// One pass: examines up to `cfg.batch` records after `from`, prunes the unprotected ones
/// older than `cutoff_us`; returns what it did and where the next pass starts (`None`: the
/// end of the store was reached).
pub fn pass(
    store: &dyn Store,
    scope: &Scope,
    cfg: &RetentionConfig,
    cutoff_us: i64,
    from: Option<&[u8]>,
) -> aerie_storage::Result<(PassStats, Option<Vec<u8>>)> {
    let page = store.scan_records(from, cfg.batch.max(1))?;
    let locals = scope.local_users();
    let mut doomed = Vec::new();
    for r in &page.records {
        if r.sort_at_us < cutoff_us && !protected(store, scope, r, &locals)? {
            doomed.push(r.id.clone());
        }
    }
    let stats = PassStats {
        examined: page.records.len(),
        pruned: scope.prune(store, doomed)?,
    };
    Ok((stats, page.next))
}

/// Runs passes until `stop`: one batch every `interval_secs`, starting over at the end.
pub async fn run(
    store: Arc<dyn Store>,
    scope: Arc<Scope>,
    cfg: RetentionConfig,
    mut stop: watch::Receiver<bool>,
) {
    let horizon_us = cfg.days.saturating_mul(86_400_000_000).min(i64::MAX as u64) as i64;
    let mut from: Option<Vec<u8>> = None;
    let mut total = 0u64;
    loop {
        let (store2, scope2, cfg2, at) = (store.clone(), scope.clone(), cfg.clone(), from.take());
        let cutoff = crate::util::now_us().saturating_sub(horizon_us);
        let result = tokio::task::spawn_blocking(move || {
            pass(&*store2, &scope2, &cfg2, cutoff, at.as_deref())
        })
        .await;
        match result {
            Ok(Ok((stats, next))) => {
                total += stats.pruned;
                if next.is_none() {
                    // With every record examined, visited content fetched before the horizon goes too.
                    let (store2, batch) = (store.clone(), cfg.batch.max(1));
                    let visited = tokio::task::spawn_blocking(move || {
                        let (mut pruned, mut after) = (0, None);
                        loop {
                            let (n, next) = crate::gate::visited::prune(
                                &*store2,
                                cutoff,
                                after.as_deref(),
                                batch,
                            )?;
                            pruned += n;
                            match next {
                                Some(n) => after = Some(n),
                                None => return Ok::<_, aerie_storage::Error>(pruned),
                            }
                        }
                    })
                    .await;
                    match visited {
                        Ok(Ok(n)) => total += n as u64,
                        Ok(Err(e)) => tracing::warn!("retention of visited records: {e}"),
                        Err(e) => tracing::warn!("retention of visited records: {e}"),
                    }
                }
                if next.is_none() && total > 0 {
                    tracing::info!(
                        pruned = total,
                        "retention: a full pass over the store is done"
                    );
                    total = 0;
                }
                from = next;
            }
            Ok(Err(e)) => tracing::warn!("retention pass: {e}"),
            Err(e) => tracing::warn!("retention pass: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(cfg.interval_secs.max(1))) => {}
            _ = async { let _ = stop.wait_for(|s| *s).await; } => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_storage::facts::nsid;
    use aerie_storage::{Backend, Durability, LocalUser, Op, RecordId};
    use serde_json::{json, Value};

    const ME: &str = "did:plc:me";
    const FRIEND: &str = "did:plc:friend";
    const OLD: &str = "2020-01-01T00:00:00.000Z";
    const NEW: &str = "2030-01-01T00:00:00.000Z";

    fn put(did: &str, coll: &str, rkey: &str, record: Value) -> Op {
        Op::Put {
            id: RecordId::new(did, coll, rkey),
            rev: 10,
            cid: aerie_storage::cbor::record_cid(&record).unwrap_or_default(),
            record: record.to_string().into_bytes(),
            time_us: i64::MAX / 2,
        }
    }

    fn post(did: &str, rkey: &str, at: &str, extra: Value) -> Op {
        let mut r = json!({"$type": nsid::POST, "text": "t", "createdAt": at});
        if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(e.clone());
        }
        put(did, nsid::POST, rkey, r)
    }

    fn uri(did: &str, rkey: &str) -> String {
        format!("at://{did}/{}/{rkey}", nsid::POST)
    }

    fn subject(did: &str, rkey: &str) -> Value {
        json!({"uri": uri(did, rkey), "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"})
    }

    fn reply_to(did: &str, rkey: &str) -> Value {
        json!({"reply": {"parent": subject(did, rkey), "root": subject(did, rkey)}})
    }

    #[test]
    fn old_content_outside_the_protected_set_is_pruned_and_counts_stay() {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let scope = Scope::load(&*store, crate::config::Scope::Follows).expect("scope");
        let me = LocalUser {
            did: ME.into(),
            origin: "config".into(),
            added_us: 1,
        };
        scope.set_local_user(&*store, me, true).expect("local user");
        let s = |n: u32| format!("did:plc:stranger{n}");
        let ops = vec![
            put(
                ME,
                nsid::FOLLOW,
                "f1",
                json!({"$type": nsid::FOLLOW, "subject": FRIEND, "createdAt": OLD}),
            ),
            post(ME, "mine", OLD, json!({})),
            post(FRIEND, "theirs", OLD, json!({})),
            // Liked by me: kept.
            post(&s(1), "liked", OLD, json!({})),
            put(
                ME,
                nsid::LIKE,
                "l1",
                json!({"$type": nsid::LIKE, "subject": subject(&s(1), "liked"), "createdAt": OLD}),
            ),
            // Nobody here cares: pruned.
            post(&s(2), "noise", OLD, json!({})),
            // A stranger's like of my friend's post: pruned, the count stays.
            put(
                &s(3),
                nsid::LIKE,
                "l3",
                json!({"$type": nsid::LIKE, "subject": subject(FRIEND, "theirs"), "createdAt": OLD}),
            ),
            // A stranger's reply to me: kept (a notification).
            post(&s(4), "to-me", OLD, reply_to(ME, "mine")),
            // A stranger's post my friend replied to: kept (the thread).
            post(&s(5), "asked", OLD, json!({})),
            post(FRIEND, "answer", OLD, reply_to(&s(5), "asked")),
            // Recent: kept.
            post(&s(6), "fresh", NEW, json!({})),
            // A stranger's profile: kept.
            put(
                &s(2),
                nsid::PROFILE,
                "self",
                json!({"$type": nsid::PROFILE, "displayName": "Two", "createdAt": OLD}),
            ),
        ];
        scope.apply_repo(&*store, ops).expect("apply");
        assert!(scope.is_tracked(FRIEND));
        let theirs = RecordId::new(FRIEND, nsid::POST, "theirs");
        let likes_before = store.post_counts(&theirs).expect("counts").likes;
        assert_eq!(likes_before, 1);
        let cfg = RetentionConfig {
            days: 30,
            batch: 3,
            interval_secs: 1,
        };
        let cutoff = aerie_storage::datetime::parse_us("2025-01-01T00:00:00.000Z").expect("time");
        let mut from: Option<Vec<u8>> = None;
        let mut total = PassStats::default();
        loop {
            let (stats, next) = pass(&*store, &scope, &cfg, cutoff, from.as_deref()).expect("pass");
            assert!(stats.examined <= 3, "bounded");
            total.examined += stats.examined;
            total.pruned += stats.pruned;
            match next {
                Some(n) => from = Some(n),
                None => break,
            }
        }
        let here = |did: &str, coll: &str, rkey: &str| {
            store
                .record(&RecordId::new(did, coll, rkey))
                .expect("read")
                .is_some()
        };
        assert_eq!(total.pruned, 2, "{total:?}");
        assert!(!here(&s(2), nsid::POST, "noise"));
        assert!(!here(&s(3), nsid::LIKE, "l3"));
        for (did, coll, rkey) in [
            (ME, nsid::POST, "mine"),
            (FRIEND, nsid::POST, "theirs"),
            (s(1).as_str(), nsid::POST, "liked"),
            (s(4).as_str(), nsid::POST, "to-me"),
            (s(5).as_str(), nsid::POST, "asked"),
            (s(6).as_str(), nsid::POST, "fresh"),
            (s(2).as_str(), nsid::PROFILE, "self"),
        ] {
            assert!(here(did, coll, rkey), "{did} {rkey} kept");
        }
        assert_eq!(
            store.post_counts(&theirs).expect("counts").likes,
            likes_before
        );
        // A second full pass finds nothing more.
        let (again, _) = pass(
            &*store,
            &scope,
            &RetentionConfig { batch: 100, ..cfg },
            cutoff,
            None,
        )
        .expect("pass");
        assert_eq!(again.pruned, 0);
    }
}
