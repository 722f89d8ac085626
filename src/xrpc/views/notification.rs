//! `app.bsky.notification.listNotifications#notification` views.

use super::actor::ProfileKind;
use super::Views;
use aerie_storage::facts::{self, Facts};
use aerie_storage::{datetime, Notification, NotificationReason};
use serde_json::{json, Value};

impl Views<'_> {
    /// The view of one notification; `None` when its record or author is gone or hidden.
    pub fn notification(
        &self,
        n: &Notification,
        seen_at_us: Option<i64>,
    ) -> aerie_storage::Result<Option<Value>> {
        let Some((rec, value)) = self.live(&n.id)? else {
            return Ok(None);
        };
        let subject = match facts::derive(&n.id.collection, &value) {
            Facts::Like(s) | Facts::Repost(s) => Some(s.uri()),
            Facts::Post { reply, quote, .. } => match n.reason {
                NotificationReason::Reply => reply.map(|r| r.parent.uri()),
                NotificationReason::Quote => quote.map(|q| q.uri()),
                _ => None,
            },
            _ => None,
        };
        let mut v = json!({
            "uri": n.id.uri(),
            "cid": crate::util::syntax::cid_string(&rec.cid),
            "author": self.profile(&n.id.did, ProfileKind::Plain)?,
            "reason": n.reason.as_str(),
            "record": value,
            "isRead": seen_at_us.is_some_and(|s| n.indexed_at_us <= s),
            "indexedAt": datetime::format_us(n.indexed_at_us),
            "labels": [],
        });
        if let Some(s) = subject {
            v["reasonSubject"] = json!(s);
        }
        Ok(Some(v))
    }
}
