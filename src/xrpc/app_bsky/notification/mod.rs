//! `app.bsky.notification.*`: the viewer's notifications, kept by Aerie for local users.

pub mod activity_subscriptions;
pub mod get_unread_count;
pub mod list_notifications;
pub mod preferences;
pub mod update_seen;
