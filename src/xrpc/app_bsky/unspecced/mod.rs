//! `app.bsky.unspecced.*` methods.

pub mod get_config;
pub mod get_post_thread_other_v2;
pub mod get_post_thread_v2;
pub mod get_suggested_feeds;
pub mod get_suggested_starter_packs;
pub mod get_suggested_users;
pub mod get_trends;
