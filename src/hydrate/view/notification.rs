//! `app.bsky.notification.listNotifications#notification`.

use super::{Label, ProfileView, RawRecord};
use serde::Serialize;

/// One notification.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The record that notified (a like, a reply, ...).
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// Who.
    pub author: ProfileView,
    /// `like`, `repost`, `follow`, `mention`, `reply`, `quote`.
    pub reason: &'static str,
    /// What it is about (the liked post, the parent replied to, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_subject: Option<String>,
    /// The record as stored.
    pub record: RawRecord,
    /// Seen already.
    pub is_read: bool,
    /// When indexed.
    pub indexed_at: String,
    /// Labels.
    pub labels: Vec<Label>,
}
