//! Per-request memo of what hydration looks up repeatedly: accounts, the viewer's
//! relationship to each of them, and built profile views. One request only: nothing here is
//! shared between requests or viewers. Behind locks, so one request can hydrate several items
//! at once (on stores where a read is a round trip).

use super::actor::ProfileRow;
use super::Views;
use aerie_storage::{Actor, RecordId, Relation, StoredRecord};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The lookups one request has already made.
#[derive(Default)]
pub(super) struct Memo {
    actors: Table<String, Option<Actor>>,
    relationships: Table<String, Arc<Relationship>>,
    pub(super) profiles: Table<String, Arc<ProfileRow>>,
    privates: Table<&'static str, Arc<Private>>,
    /// Accounts a redacting labeler took down, by DID.
    pub(super) taken_down: Table<String, bool>,
}

/// The viewer's private keys of one kind, read once per request (or, for a very large set,
/// looked up one by one).
enum Private {
    All(std::collections::HashSet<String>),
    TooMany,
}

/// Private keys of one kind read into a request's memo at most.
const PRIVATE_SET: usize = 5000;

/// One kind of lookup: what was found, by key.
pub(super) struct Table<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table(Mutex::default())
    }
}

impl<K: Eq + Hash, V: Clone> Table<K, V> {
    /// What was found for `key`, if it was looked up.
    pub fn get<Q: Eq + Hash + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.lock().ok()?.get(key).cloned()
    }

    /// Remembers what was found (two items looking the same key up at once both store it).
    pub fn put(&self, key: K, value: V) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, value);
        }
    }
}

/// The viewer's relationship to one account (`app.bsky.actor.defs#viewerState`).
#[derive(Debug, Default)]
pub struct Relationship {
    /// The viewer muted the account (kept in Aerie).
    pub muted: bool,
    /// A moderation list the viewer muted that the account is on.
    pub muted_by_list: Option<Arc<StoredRecord>>,
    /// The viewer's block record of the account.
    pub blocking: Option<RecordId>,
    /// A list the viewer blocks that the account is on.
    pub blocking_by_list: Option<Arc<StoredRecord>>,
    /// The account blocks the viewer.
    pub blocked_by: bool,
    /// The viewer's follow record of the account.
    pub following: Option<RecordId>,
    /// The account's follow record of the viewer.
    pub followed_by: Option<RecordId>,
    /// The viewer's subscription to the account's activity.
    pub subscription: Option<aerie_storage::ActivitySubscription>,
}

impl Relationship {
    /// A block in either direction.
    pub fn blocks(&self) -> bool {
        self.blocking.is_some() || self.blocked_by || self.blocking_by_list.is_some()
    }

    /// A mute, of the account or by a list.
    pub fn mutes(&self) -> bool {
        self.muted || self.muted_by_list.is_some()
    }
}

impl Views<'_> {
    /// The stored account, looked up once per request.
    pub(super) fn actor(&self, did: &str) -> aerie_storage::Result<Option<Actor>> {
        if let Some(a) = self.memo.actors.get(did) {
            return Ok(a);
        }
        let a = self.state.store.actor(did)?;
        self.memo.actors.put(did.to_string(), a.clone());
        Ok(a)
    }

    /// Whether the viewer has private data of `kind` under `key` (a bookmark, a muted
    /// thread); false without a viewer.
    pub fn viewer_has(&self, kind: &'static str, key: &str) -> aerie_storage::Result<bool> {
        let Some(viewer) = &self.viewer else {
            return Ok(false);
        };
        let set = match self.memo.privates.get(kind) {
            Some(set) => set,
            None => {
                let rows = self.state.store.privates(viewer, kind, None, PRIVATE_SET)?;
                let set = Arc::new(match rows.len() < PRIVATE_SET {
                    true => Private::All(rows.into_iter().map(|(k, _)| k).collect()),
                    false => Private::TooMany,
                });
                self.memo.privates.put(kind, set.clone());
                set
            }
        };
        match &*set {
            Private::All(keys) => Ok(keys.contains(key)),
            Private::TooMany => Ok(self.state.store.private(viewer, kind, key)?.is_some()),
        }
    }

    /// The viewer's relationship to `did`, looked up once per request; `None` without a viewer.
    pub fn relationship(&self, did: &str) -> aerie_storage::Result<Option<Arc<Relationship>>> {
        let Some(viewer) = &self.viewer else {
            return Ok(None);
        };
        if let Some(r) = self.memo.relationships.get(did) {
            return Ok(Some(r));
        }
        let store = &self.state.store;
        let r = Arc::new(if viewer == did {
            Relationship::default()
        } else {
            Relationship {
                muted: store.muted(viewer, did)?,
                muted_by_list: self
                    .state
                    .list_mutes
                    .of(viewer)
                    .and_then(|m| m.list_of(did).cloned()),
                blocking: store.block_record(viewer, did)?,
                blocking_by_list: self
                    .state
                    .list_blocks
                    .of(viewer)
                    .and_then(|b| b.list_of(did).cloned()),
                blocked_by: store.blocking(did, viewer)?,
                following: store.relation(Relation::Follow, viewer, did)?,
                followed_by: store.relation(Relation::Follow, did, viewer)?,
                subscription: store.activity_subscription(viewer, did)?,
            }
        });
        self.memo.relationships.put(did.to_string(), r.clone());
        Ok(Some(r))
    }
}
