//! `app.bsky.ageassurance.*` methods.

pub mod get_state;
