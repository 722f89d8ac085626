//! Local users, the durable backfill queue and the identity cache in the KV backends, all in the
//! `account_state` keyspace: `u/did` → user, `r/did` → repo state, `q/ · not_before · did` for
//! every pending account (the due order), `i/d/did` and `i/h/handle` → cached lookups. Values
//! are JSON (small, rare, and readable with a hex dump). Status counts live in `counts`.

use super::keys::{self, Count};
use super::write::Tx;
use super::{Engine, Ks, KvStore};
use crate::accounts::*;
use crate::{AccountReader, ActivitySubscription, Result};

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| crate::Error::Engine(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(v: &[u8], what: &'static str) -> Result<T> {
    serde_json::from_slice(v).map_err(|_| crate::Error::Corrupt(what))
}

fn status_target(s: RepoStatus) -> [u8; 1] {
    [RepoStatus::ALL.iter().position(|x| *x == s).unwrap_or(0) as u8]
}

impl<E: Engine> Tx<'_, E> {
    fn repo(&self, did: &str) -> Result<Option<RepoState>> {
        self.get(Ks::State, &keys::state(keys::STATE_REPO, did))?
            .map(|v| parse(&v, "repo state"))
            .transpose()
    }

    /// Replaces `old` with `new`, keeping the queue index and the status counts in step.
    fn set_repo(&mut self, old: Option<&RepoState>, new: Option<&RepoState>) -> Result<()> {
        if let Some(o) = old {
            if o.status == RepoStatus::Pending {
                self.del(Ks::State, keys::queue(o.not_before_us, &o.did));
            }
            self.bump(Count::Repos, &status_target(o.status), false)?;
        }
        match new {
            Some(n) => {
                if n.status == RepoStatus::Pending {
                    self.put(Ks::State, keys::queue(n.not_before_us, &n.did), vec![]);
                }
                self.bump(Count::Repos, &status_target(n.status), true)?;
                self.put(Ks::State, keys::state(keys::STATE_REPO, &n.did), json(n)?);
            }
            None => {
                if let Some(o) = old {
                    self.del(Ks::State, keys::state(keys::STATE_REPO, &o.did));
                }
            }
        }
        Ok(())
    }

    /// Applies a queue change; returns whether it changed anything.
    pub(super) fn apply_queue(&mut self, op: &QueueOp) -> Result<bool> {
        match op {
            QueueOp::Request { did, reason, at_us } => {
                let old = self.repo(did)?;
                let mut new = old.clone().unwrap_or_else(|| RepoState {
                    did: did.clone(),
                    status: RepoStatus::Pending,
                    generation: 0,
                    reason: String::new(),
                    requested_us: *at_us,
                    not_before_us: *at_us,
                    attempts: 0,
                    error: None,
                    rev: None,
                    done_us: None,
                    records: 0,
                });
                new.generation += 1;
                new.reason = reason.clone();
                new.requested_us = *at_us;
                // A pending account keeps its place (and any backoff); others start afresh.
                if new.status != RepoStatus::Pending {
                    new.status = RepoStatus::Pending;
                    new.not_before_us = *at_us;
                    new.attempts = 0;
                    new.error = None;
                }
                self.set_repo(old.as_ref(), Some(&new))?;
                Ok(true)
            }
            QueueOp::Finish {
                did,
                generation,
                outcome,
                at_us,
            } => {
                let Some(old) = self.repo(did)? else {
                    return Ok(false);
                };
                if old.generation != *generation || old.status != RepoStatus::Pending {
                    return Ok(false);
                }
                let mut new = old.clone();
                match outcome {
                    Outcome::Done { rev, records } => {
                        new.status = RepoStatus::Done;
                        new.rev = Some(rev.clone());
                        new.records = *records;
                        new.done_us = Some(*at_us);
                        new.attempts = 0;
                        new.error = None;
                    }
                    Outcome::Retry {
                        not_before_us,
                        error,
                    } => {
                        new.attempts = new.attempts.saturating_add(1);
                        new.not_before_us = *not_before_us;
                        new.error = Some(error.clone());
                    }
                    Outcome::Unavailable { error } => {
                        new.status = RepoStatus::Unavailable;
                        new.error = Some(error.clone());
                    }
                }
                self.set_repo(Some(&old), Some(&new))?;
                Ok(true)
            }
            QueueOp::Forget { did } => {
                let old = self.repo(did)?;
                self.set_repo(old.as_ref(), None)?;
                Ok(old.is_some())
            }
        }
    }

    /// Adds or removes a local user.
    pub(super) fn apply_local_user(&mut self, user: &LocalUser, add: bool) -> Result<bool> {
        let key = keys::state(keys::STATE_USER, &user.did);
        let known = self.get(Ks::State, &key)?.is_some();
        match (add, known) {
            (true, false) => self.put(Ks::State, key, json(user)?),
            (false, true) => self.del(Ks::State, key),
            _ => return Ok(false),
        }
        self.local_changes.push((user.did.clone(), add));
        if add {
            self.relate_new_local(&user.did)?;
        }
        Ok(true)
    }

    /// Mutes or unmutes an account for a viewer.
    pub(super) fn apply_mute(&mut self, viewer: &str, subject: &str, muted: bool) -> Result<bool> {
        let key = keys::mute(viewer, subject);
        let was = self.get(Ks::State, &key)?.is_some();
        match (muted, was) {
            (true, false) => self.put(Ks::State, key, vec![]),
            (false, true) => self.del(Ks::State, key),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Stores (or, with nothing subscribed, removes) a user's subscription, both ways.
    pub(super) fn apply_subscribe(
        &mut self,
        viewer: &str,
        subject: &str,
        activity: ActivitySubscription,
    ) -> Result<bool> {
        let by_viewer = keys::pair(keys::STATE_SUBSCRIPTIONS, viewer, subject);
        let by_subject = keys::pair(keys::STATE_SUBSCRIBERS, subject, viewer);
        let was = self.get(Ks::State, &by_viewer)?;
        let now = (activity != ActivitySubscription::default()).then(|| activity.to_bytes());
        if was == now {
            return Ok(false);
        }
        self.subscriptions
            .push((viewer.to_string(), subject.to_string(), activity));
        match now {
            Some(v) => {
                self.put(Ks::State, by_viewer, v.clone());
                self.put(Ks::State, by_subject, v);
            }
            None => {
                self.del(Ks::State, by_viewer);
                self.del(Ks::State, by_subject);
            }
        }
        Ok(true)
    }

    /// Stores or removes a user's private value.
    pub(super) fn apply_private(
        &mut self,
        owner: &str,
        kind: &str,
        key: &str,
        value: Option<&[u8]>,
    ) -> Result<bool> {
        if kind.contains('/') {
            return Err(crate::Error::Corrupt("a private kind with a slash"));
        }
        let k = keys::private(owner, kind, key);
        match value {
            Some(v) => self.put(Ks::State, k, v.to_vec()),
            None => {
                if self.get(Ks::State, &k)?.is_none() {
                    return Ok(false);
                }
                self.del(Ks::State, k)
            }
        }
        Ok(true)
    }

    /// Stores or ends a session.
    pub(super) fn apply_session(
        &mut self,
        id: &str,
        session: Option<&StoredSession>,
    ) -> Result<bool> {
        let key = keys::state(keys::STATE_SESSION, id);
        match session {
            Some(s) => self.put(Ks::State, key, json(s)?),
            None => self.del(Ks::State, key),
        }
        Ok(true)
    }

    /// Stores or drops a cached lookup.
    pub(super) fn apply_cache(
        &mut self,
        key: &IdentityKey,
        entry: Option<&CachedIdentity>,
    ) -> Result<bool> {
        let k = identity_key(key);
        match entry {
            Some(e) => self.put(Ks::State, k, json(e)?),
            None => self.del(Ks::State, k),
        }
        Ok(true)
    }
}

fn identity_key(key: &IdentityKey) -> Vec<u8> {
    match key {
        IdentityKey::Did(d) => keys::state(keys::STATE_IDENTITY_DID, d),
        IdentityKey::Handle(h) => keys::state(keys::STATE_IDENTITY_HANDLE, &h.to_ascii_lowercase()),
    }
}

impl<E: Engine> AccountReader for KvStore<E> {
    fn local_users(&self) -> Result<Vec<LocalUser>> {
        self.engine
            .scan_asc(Ks::State, keys::STATE_USER, None, usize::MAX)?
            .iter()
            .map(|(_, v)| parse(v, "local user"))
            .collect()
    }

    fn repo_state(&self, did: &str) -> Result<Option<RepoState>> {
        self.engine
            .get(Ks::State, &keys::state(keys::STATE_REPO, did))?
            .map(|v| parse(&v, "repo state"))
            .transpose()
    }

    fn pending_repos(&self, after: Option<(i64, &str)>, limit: usize) -> Result<Vec<RepoState>> {
        let after = after.map(|(t, did)| keys::queue(t, did));
        let rows = self
            .engine
            .scan_asc(Ks::State, keys::STATE_QUEUE, after.as_deref(), limit)?;
        let mut out = Vec::with_capacity(rows.len());
        for (k, _) in rows {
            let did = k
                .get(keys::STATE_QUEUE.len() + 8..)
                .and_then(|d| std::str::from_utf8(d).ok())
                .ok_or(crate::Error::Corrupt("queue key"))?;
            out.extend(self.repo_state(did)?);
        }
        Ok(out)
    }

    fn queue_stats(&self) -> Result<QueueStats> {
        let n = |s| self.counter(Count::Repos, &status_target(s));
        Ok(QueueStats {
            pending: n(RepoStatus::Pending)?,
            done: n(RepoStatus::Done)?,
            unavailable: n(RepoStatus::Unavailable)?,
        })
    }

    fn muted(&self, viewer: &str, subject: &str) -> Result<bool> {
        Ok(self
            .engine
            .get(Ks::State, &keys::mute(viewer, subject))?
            .is_some())
    }

    fn mutes(&self, viewer: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>> {
        let prefix = keys::mute(viewer, "");
        let after = after.map(|a| keys::mute(viewer, a));
        let rows = self
            .engine
            .scan_asc(Ks::State, &prefix, after.as_deref(), limit)?;
        Ok(rows
            .iter()
            .filter_map(|(k, _)| std::str::from_utf8(&k[prefix.len()..]).ok())
            .map(String::from)
            .collect())
    }

    fn activity_subscriptions(
        &self,
        viewer: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, ActivitySubscription)>> {
        let prefix = keys::pair(keys::STATE_SUBSCRIPTIONS, viewer, "");
        let after = after.map(|a| keys::pair(keys::STATE_SUBSCRIPTIONS, viewer, a));
        let rows = self
            .engine
            .scan_asc(Ks::State, &prefix, after.as_deref(), limit)?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                let subject = std::str::from_utf8(&k[prefix.len()..]).ok()?;
                Some((subject.to_string(), ActivitySubscription::from_bytes(&v)))
            })
            .collect())
    }

    fn activity_subscription(
        &self,
        viewer: &str,
        subject: &str,
    ) -> Result<Option<ActivitySubscription>> {
        let key = keys::pair(keys::STATE_SUBSCRIPTIONS, viewer, subject);
        Ok(self
            .engine
            .get(Ks::State, &key)?
            .map(|v| ActivitySubscription::from_bytes(&v)))
    }

    fn private(&self, owner: &str, kind: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.engine.get(Ks::State, &keys::private(owner, kind, key))
    }

    fn privates(
        &self,
        owner: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let prefix = keys::private(owner, kind, "");
        let after = after.map(|a| keys::private(owner, kind, a));
        let rows = self
            .engine
            .scan_asc(Ks::State, &prefix, after.as_deref(), limit)?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                let key = std::str::from_utf8(&k[prefix.len()..]).ok()?;
                Some((key.to_string(), v))
            })
            .collect())
    }

    fn session(&self, id: &str) -> Result<Option<StoredSession>> {
        self.engine
            .get(Ks::State, &keys::state(keys::STATE_SESSION, id))?
            .map(|v| parse(&v, "session"))
            .transpose()
    }

    fn cached_identity(&self, key: &IdentityKey) -> Result<Option<CachedIdentity>> {
        self.engine
            .get(Ks::State, &identity_key(key))?
            .map(|v| parse(&v, "identity cache"))
            .transpose()
    }
}

/// The cache entries an identity event makes stale: the DID's document and both handles.
pub(super) fn stale_identity_keys(did: &str, handles: &[Option<&str>]) -> Vec<Vec<u8>> {
    let mut out = vec![identity_key(&IdentityKey::Did(did.to_string()))];
    out.extend(
        handles
            .iter()
            .flatten()
            .map(|h| identity_key(&IdentityKey::Handle(h.to_string()))),
    );
    out
}
