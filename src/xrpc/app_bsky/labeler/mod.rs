//! `app.bsky.labeler.*` methods.

pub mod get_services;
