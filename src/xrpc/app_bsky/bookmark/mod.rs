//! `app.bsky.bookmark.*`: private bookmarks, kept only in Aerie.

pub mod create_bookmark;
pub mod delete_bookmark;
pub mod get_bookmarks;
