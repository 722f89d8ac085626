//! `app.bsky.actor.*`.

pub mod get_profile;
pub mod get_profiles;
pub mod preferences;
pub mod search_actors;
