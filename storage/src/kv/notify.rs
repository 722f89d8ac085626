//! Notifications for local users, indexed as the records that cause them are written (and
//! removed with them): likes and reposts of their posts, follows of them, replies to their
//! posts (parent and root authors), quotes and mentions — never for one's own actions. Key:
//! `recipient aid · indexed_at · author aid · coll · rkey` → reason byte. `seenAt` per user is
//! kept in `account_state` (`n/did`).

use super::keys;
use super::row::Live;
use super::write::Tx;
use super::{Engine, Ks, KvStore};
use crate::facts::{self, Facts};
use crate::model::{ActivitySubscription, Notification, NotificationReason, Page, RecordId};
use crate::Result;
use std::collections::HashSet;
use std::sync::Mutex;

/// The local users' DIDs, loaded from the store on first use.
#[derive(Default)]
pub(crate) struct LocalSet(Mutex<Option<HashSet<String>>>);

impl LocalSet {
    /// Forgets the set (loaded again on next use).
    pub(crate) fn forget(&self) {
        if let Ok(mut set) = self.0.lock() {
            *set = None;
        }
    }
}

impl LocalSet {
    /// Whether `did` is in the set, loading it with `load` first when needed.
    fn contains(&self, did: &str, load: impl FnOnce() -> Result<HashSet<String>>) -> Result<bool> {
        let mut set = self
            .0
            .lock()
            .map_err(|_| crate::Error::Engine("DID set".into()))?;
        if set.is_none() {
            *set = Some(load()?);
        }
        Ok(set.as_ref().is_some_and(|s| s.contains(did)))
    }
}

impl<E: Engine> KvStore<E> {
    /// The first part (up to `/`) of the keys under `prefix` in `account_state`.
    fn state_dids(&self, prefix: &[u8]) -> Result<HashSet<String>> {
        let rows = self.engine.scan_asc(Ks::State, prefix, None, usize::MAX)?;
        Ok(rows
            .iter()
            .filter_map(|(k, _)| std::str::from_utf8(&k[prefix.len()..]).ok())
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect())
    }

    fn is_local(&self, did: &str) -> Result<bool> {
        self.local
            .contains(did, || self.state_dids(keys::STATE_USER))
    }

    /// Whether anyone subscribed to `did`'s activity.
    fn has_subscribers(&self, did: &str) -> Result<bool> {
        self.subscribed
            .contains(did, || self.state_dids(keys::STATE_SUBSCRIBERS))
    }

    /// Applies committed local-user changes to the set.
    pub(super) fn local_users_changed(&self, changes: Vec<(String, bool)>) {
        if changes.is_empty() {
            return;
        }
        if let Ok(mut set) = self.local.0.lock() {
            if let Some(s) = set.as_mut() {
                for (did, add) in changes {
                    if add {
                        s.insert(did);
                    } else {
                        s.remove(&did);
                    }
                }
            }
        }
    }

    pub(super) fn notification_page(
        &self,
        did: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Notification>> {
        let Some(aid) = self.lookup_aid(did)? else {
            return Ok(Page {
                items: vec![],
                cursor: None,
            });
        };
        self.page(
            Ks::Notifications,
            &aid.to_be_bytes(),
            cursor,
            limit,
            |suffix, v| {
                let corrupt = || crate::Error::Corrupt("notification key");
                let indexed_at_us = keys::read_sort_key(suffix).ok_or_else(corrupt)?;
                let author = suffix
                    .get(8..)
                    .and_then(keys::read_aid)
                    .ok_or_else(corrupt)?;
                let (collection, rkey) =
                    keys::read_collection(suffix.get(16..).unwrap_or_default())
                        .ok_or_else(corrupt)?;
                let reason = v
                    .first()
                    .and_then(|b| NotificationReason::from_byte(*b))
                    .ok_or_else(corrupt)?;
                Ok(Some(Notification {
                    id: RecordId::new(
                        &super::did(self, author)?,
                        &collection,
                        &keys::read_rkey(rkey),
                    ),
                    reason,
                    indexed_at_us,
                }))
            },
        )
    }

    /// Notifications newer than `since_us`, counted up to `cap`.
    pub(super) fn unread(&self, did: &str, since_us: i64, cap: usize) -> Result<u64> {
        let Some(aid) = self.lookup_aid(did)? else {
            return Ok(0);
        };
        let rows = self
            .engine
            .scan_desc(Ks::Notifications, &aid.to_be_bytes(), None, cap)?;
        Ok(rows
            .iter()
            .take_while(|(k, _)| {
                k.get(8..)
                    .and_then(keys::read_sort_key)
                    .is_some_and(|t| t > since_us)
            })
            .count() as u64)
    }
}

impl<E: Engine> Tx<'_, E> {
    /// Whether `did` is a local user, as of this batch.
    pub(super) fn local(&self, did: &str) -> Result<bool> {
        if let Some((_, add)) = self.local_changes.iter().rev().find(|(d, _)| d == did) {
            return Ok(*add);
        }
        self.store.is_local(did)
    }

    /// Adds or removes the notifications one record causes.
    pub(super) fn notify(
        &mut self,
        id: &RecordId,
        aid: u64,
        live: &Live,
        value: &serde_json::Value,
        facts: &Facts,
        add: bool,
    ) -> Result<()> {
        let mut to: Vec<(String, NotificationReason)> = Vec::new();
        match facts {
            Facts::Post { reply, quote, .. } => {
                if let Some(r) = reply {
                    to.push((r.parent.did.clone(), NotificationReason::Reply));
                    to.push((r.root.did.clone(), NotificationReason::Reply));
                }
                if let Some(q) = quote {
                    to.push((q.did.clone(), NotificationReason::Quote));
                }
                for d in facts::mentions(value) {
                    to.push((d, NotificationReason::Mention));
                }
                // Subscribers last: one replied to or mentioned is notified of that instead.
                for (viewer, a) in self.subscribers(&id.did)? {
                    if if reply.is_some() { a.reply } else { a.post } {
                        to.push((viewer, NotificationReason::SubscribedPost));
                    }
                }
            }
            Facts::Like(s) => to.push((s.did.clone(), NotificationReason::Like)),
            Facts::Repost(s) => to.push((s.did.clone(), NotificationReason::Repost)),
            Facts::Follow(d) => to.push((d.clone(), NotificationReason::Follow)),
            Facts::Block(_) | Facts::Plain => {}
        }
        let mut done = HashSet::new();
        for (did, reason) in to {
            if did == id.did || !done.insert(did.clone()) || !self.local(&did)? {
                continue;
            }
            let recipient = self.aid(&did)?;
            let mut key = recipient.to_be_bytes().to_vec();
            key.extend_from_slice(&keys::sort_key(live.indexed_at_us));
            key.extend_from_slice(&aid.to_be_bytes());
            keys::push_collection(&mut key, &id.collection);
            key.extend_from_slice(&keys::rkey(&id.rkey));
            self.set(Ks::Notifications, key, vec![reason.to_byte()], add);
        }
        Ok(())
    }

    /// Who subscribed to `did`'s activity, and to what, as of this batch.
    fn subscribers(&self, did: &str) -> Result<Vec<(String, ActivitySubscription)>> {
        let mut subs: std::collections::BTreeMap<String, ActivitySubscription> =
            std::collections::BTreeMap::new();
        if self.store.has_subscribers(did)? {
            let prefix = keys::pair(keys::STATE_SUBSCRIBERS, did, "");
            let rows = self
                .store
                .engine
                .scan_asc(Ks::State, &prefix, None, usize::MAX)?;
            for (k, v) in rows {
                if let Ok(viewer) = std::str::from_utf8(&k[prefix.len()..]) {
                    subs.insert(viewer.to_string(), ActivitySubscription::from_bytes(&v));
                }
            }
        }
        for (viewer, subject, a) in &self.subscriptions {
            if subject == did {
                subs.insert(viewer.clone(), *a);
            }
        }
        Ok(subs.into_iter().collect())
    }

    /// Records when a user last saw their notifications.
    pub(super) fn apply_seen(&mut self, did: &str, at_us: i64) -> Result<bool> {
        self.put(
            Ks::State,
            keys::state(keys::STATE_SEEN, did),
            at_us.to_be_bytes().to_vec(),
        );
        Ok(true)
    }
}
