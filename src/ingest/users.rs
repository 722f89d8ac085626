//! Local users from the config (`users = [...]`): each handle or DID is resolved (retrying with
//! backoff while identity lookups fail) and added through the scope, which backfills them and
//! the accounts they follow. Users once added from the config and no longer in it are removed.

use super::backfill::Backfiller;
use aerie_storage::LocalUser;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where config users come from.
pub const ORIGIN: &str = "config";

/// Brings the store's config users in line with `users`; returns when done or at shutdown.
pub async fn sync(bf: Arc<Backfiller>, users: Vec<String>, mut shutdown: watch::Receiver<bool>) {
    let mut wanted = Vec::with_capacity(users.len());
    for actor in &users {
        let mut attempt = 0;
        let did = loop {
            match bf.resolver.resolve(actor).await {
                Ok(id) => break id.did,
                Err(e) => {
                    let wait = crate::util::backoff(
                        attempt,
                        Duration::from_secs(1),
                        Duration::from_secs(300),
                    );
                    tracing::warn!(user = %actor, ?wait, "resolving a configured user: {e}");
                    attempt += 1;
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => return,
                    }
                }
            }
        };
        let user = LocalUser {
            did: did.clone(),
            origin: ORIGIN.into(),
            added_us: crate::util::now_us(),
        };
        match bf.scope.set_local_user(&*bf.store, user, true) {
            Ok(true) => tracing::info!(user = %actor, %did, "local user added"),
            Ok(false) => {}
            Err(e) => tracing::error!(user = %actor, "adding a local user: {e}"),
        }
        wanted.push(did);
    }
    let stored = match bf.store.local_users() {
        Ok(u) => u,
        Err(e) => return tracing::error!("listing local users: {e}"),
    };
    for u in stored {
        if u.origin == ORIGIN && !wanted.contains(&u.did) {
            let did = u.did.clone();
            match bf.scope.set_local_user(&*bf.store, u, false) {
                Ok(_) => tracing::info!(%did, "local user removed (no longer in the config)"),
                Err(e) => tracing::error!(%did, "removing a local user: {e}"),
            }
        }
    }
}
