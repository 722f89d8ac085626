//! `app.bsky.notification.listNotifications#notification` views.

use super::view::Notification;
use super::Views;
use aerie_storage::facts::{self, Facts};
use aerie_storage::{datetime, Notification as Stored, NotificationReason};
use serde_json::Value;

impl Views<'_> {
    /// The view of one notification; `None` when its record or author is gone or hidden.
    pub fn notification(
        &self,
        n: &Stored,
        seen_at_us: Option<i64>,
    ) -> aerie_storage::Result<Option<Notification>> {
        let Some(mut rec) = self.live_record(&n.id)? else {
            return Ok(None);
        };
        let Some(raw) = super::raw_record(std::mem::take(&mut rec.value)) else {
            return Ok(None);
        };
        let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        let reason_subject = match facts::derive(&n.id.collection, &value) {
            Facts::Like(s) | Facts::Repost(s) => Some(s.uri()),
            Facts::Post { reply, quote, .. } => match n.reason {
                NotificationReason::Reply => reply.map(|r| r.parent.uri()),
                NotificationReason::Quote => quote.map(|q| q.uri()),
                _ => None,
            },
            _ => None,
        };
        Ok(Some(Notification {
            uri: n.id.uri(),
            cid: crate::util::syntax::cid_string(&rec.cid),
            author: self.profile(&n.id.did)?,
            reason: n.reason.as_str(),
            reason_subject,
            record: raw,
            is_read: seen_at_us.is_some_and(|s| n.indexed_at_us <= s),
            indexed_at: datetime::format_us(n.indexed_at_us),
            labels: self.record_labels(&rec)?,
        }))
    }
}
