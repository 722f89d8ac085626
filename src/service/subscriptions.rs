//! Activity subscriptions (`app.bsky.notification.listActivitySubscriptions`,
//! `putActivitySubscription`): private to the user, kept only in Aerie; the store notifies them
//! of the new posts (and, if asked, replies) of the accounts they subscribed to.

use super::{Error, Result};
use crate::hydrate::view::{ActivitySubscription, ProfileView};
use crate::hydrate::Views;
use crate::AppState;
use serde::Serialize;

/// A page of the accounts the viewer subscribed to.
#[derive(Debug, Serialize)]
pub struct SubscriptionPage {
    /// Their profiles (their viewer state says what is subscribed).
    pub subscriptions: Vec<ProfileView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of `viewer`'s subscriptions, in DID order.
pub fn list(
    state: &AppState,
    viewer: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<SubscriptionPage> {
    let rows = state.store.activity_subscriptions(viewer, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let mut subscriptions = Vec::new();
    for (did, _) in &rows {
        if views.active(did)? && !views.hidden_from_viewer(did)? {
            subscriptions.push(views.profile(did)?);
        }
    }
    let cursor = (rows.len() == limit)
        .then(|| rows.last().map(|(d, _)| d.clone()))
        .flatten();
    Ok(SubscriptionPage {
        subscriptions,
        cursor,
    })
}

/// Sets `viewer`'s subscription to `subject` (both false: none).
pub fn put(
    state: &AppState,
    viewer: &str,
    subject: &str,
    activity: ActivitySubscription,
) -> Result<()> {
    if subject == viewer {
        return Err(Error::invalid("Cannot subscribe to oneself"));
    }
    Ok(crate::gate::own::subscribe(
        &*state.store,
        viewer,
        subject,
        activity,
    )?)
}
