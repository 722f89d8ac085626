//! `app.bsky.*` methods, one file per NSID.

pub mod actor;
pub mod feed;
pub mod graph;
pub mod notification;
