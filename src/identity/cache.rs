//! The identity cache, kept in the store so it survives restarts: answers are trusted for
//! `identity.cache_ttl_secs`, failed lookups for `identity.negative_ttl_secs`. Identity events
//! from the source drop the entries they make stale (the store does that in the same batch).

use crate::gate::own;
use aerie_storage::{CachedIdentity, IdentityKey, Store};
use std::sync::Arc;

/// The cache over a store.
pub(super) struct Cache {
    store: Arc<dyn Store>,
    ttl_us: i64,
    negative_ttl_us: i64,
}

impl Cache {
    pub(super) fn new(store: Arc<dyn Store>, ttl_secs: u64, negative_ttl_secs: u64) -> Self {
        Cache {
            store,
            ttl_us: ttl_secs as i64 * 1_000_000,
            negative_ttl_us: negative_ttl_secs as i64 * 1_000_000,
        }
    }

    /// A fresh entry: `Some(Some(answer))`, `Some(None)` for a remembered failure.
    pub(super) fn get(&self, key: &IdentityKey) -> Option<Option<String>> {
        let e = match self.store.cached_identity(key) {
            Ok(e) => e?,
            Err(e) => {
                tracing::warn!("identity cache: {e}");
                return None;
            }
        };
        let ttl = match e.value {
            Some(_) => self.ttl_us,
            None => self.negative_ttl_us,
        };
        (crate::util::now_us() - e.fetched_us < ttl).then_some(e.value)
    }

    /// Remembers an answer (`None`: the lookup found nothing).
    pub(super) fn put(&self, key: IdentityKey, value: Option<String>) {
        let entry = Some(CachedIdentity {
            value,
            fetched_us: crate::util::now_us(),
        });
        if let Err(e) = own::cache_identity(&*self.store, key, entry) {
            tracing::warn!("identity cache: {e}");
        }
    }
}
