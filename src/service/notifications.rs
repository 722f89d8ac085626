//! The viewer's notifications: a page of them (with `isRead` against their `seenAt`), the
//! unread count, and marking them seen.

use super::Result;
use crate::gate::own::kind;
use crate::hydrate::view::Notification;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::datetime;
use serde::Serialize;

/// Counted up to this many (clients show "99+" long before).
const UNREAD_CAP: usize = 1000;

/// A page of notifications.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPage {
    /// The notifications, newest first.
    pub notifications: Vec<Notification>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Priority notifications only (never, here).
    pub priority: bool,
    /// When the viewer last saw them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<String>,
}

/// One page of the viewer's notifications, `reasons` filtering them (empty: all), leaving out
/// accounts they block, are blocked by or muted.
pub fn list(
    state: &AppState,
    viewer: &str,
    reasons: &[String],
    cursor: Option<&str>,
    limit: usize,
) -> Result<NotificationPage> {
    let seen = state.store.seen_at(viewer)?;
    let page = state.store.notifications(viewer, cursor, limit)?;
    let views = Views::for_viewer(state, Some(viewer.to_string()));
    let prefs = super::notification_prefs::get(state, viewer)?;
    let items = views.each(&page.items, |n| {
        if !reasons.is_empty() && !reasons.iter().any(|r| r == n.reason.as_str()) {
            return Ok(None);
        }
        if views.hidden_from_viewer(&n.id.did)? {
            return Ok(None);
        }
        // The viewer's preferences: not listed, or only from accounts they follow.
        let (listed, follows_only) = prefs.listing(n.reason.as_str());
        let follows = || -> aerie_storage::Result<bool> {
            Ok(views
                .relationship(&n.id.did)?
                .is_some_and(|r| r.following.is_some()))
        };
        if !listed || (follows_only && !follows()?) {
            return Ok(None);
        }
        // Nothing from a thread the viewer muted.
        if let Some(root) = views.thread_root_of(&n.id)? {
            if views.viewer_has(kind::THREAD_MUTE, &root)? {
                return Ok(None);
            }
        }
        views.notification(n, seen)
    })?;
    Ok(NotificationPage {
        notifications: items.into_iter().flatten().collect(),
        cursor: page.cursor,
        priority: false,
        seen_at: seen.map(datetime::format_us),
    })
}

/// The viewer's notifications since their `seenAt` (the API's count and the nav badge).
pub fn unread(state: &AppState, viewer: &str) -> Result<u64> {
    let since = state.store.seen_at(viewer)?.unwrap_or(i64::MIN);
    Ok(state.store.unread_count(viewer, since, UNREAD_CAP)?)
}

/// Records that `viewer` saw their notifications up to `at_us`.
pub fn mark_seen(state: &AppState, viewer: &str, at_us: i64) -> Result<()> {
    Ok(crate::gate::own::seen(&*state.store, viewer, at_us)?)
}
