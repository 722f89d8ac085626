//! `app.bsky.graph.*`.

pub mod get_followers;
pub mod get_follows;
