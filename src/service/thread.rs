//! A post's thread: its parents above and replies nested below.

use super::{Error, Result};
use crate::hydrate::view::ThreadViewPost;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::RecordId;

/// The thread around `id` for `viewer`: `depth` levels of replies, `parent_height` parents;
/// `NotFound` when the post is missing or hidden.
pub fn post_thread(
    state: &AppState,
    viewer: Option<String>,
    id: &RecordId,
    depth: usize,
    parent_height: usize,
) -> Result<ThreadViewPost> {
    let views = Views::for_viewer(state, viewer);
    crate::hydrate::thread(&views, id, depth, parent_height)?
        .ok_or_else(|| Error::refused("NotFound", format!("Post not found: {}", id.uri())))
}
