//! `app.bsky.*` methods, one file per NSID.

pub mod actor;
pub mod ageassurance;
pub mod bookmark;
pub mod contact;
pub mod draft;
pub mod feed;
pub mod graph;
pub mod labeler;
pub mod notification;
pub mod unspecced;
