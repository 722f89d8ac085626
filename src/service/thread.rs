//! A post's thread: its parents above and replies nested below (v1), or flat (V2); what the
//! store lacks of it fetched beforehand ([`super::beyond::thread`]).

use super::{Error, Result};
use crate::hydrate::thread_v2::{self, Shape, ThreadV2};
use crate::hydrate::view::{ThreadItem, ThreadViewPost};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::RecordId;

pub use super::beyond::Beyond;

/// The thread around `id` for `viewer`: `depth` levels of replies, `parent_height` parents;
/// `NotFound` when the post is missing or hidden.
pub fn post_thread(
    state: &AppState,
    viewer: Option<String>,
    id: &RecordId,
    depth: usize,
    parent_height: usize,
    beyond: Beyond,
) -> Result<ThreadViewPost> {
    let views = beyond.show(Views::for_viewer(state, viewer));
    crate::hydrate::thread(&views, id, depth, parent_height)?
        .ok_or_else(|| Error::refused("NotFound", format!("Post not found: {}", id.uri())))
}

/// The V2 thread around `id` for `viewer` (a missing anchor is a not-found item, not an error).
pub fn post_thread_v2(
    state: &AppState,
    viewer: Option<String>,
    id: &RecordId,
    shape: Shape,
    beyond: Beyond,
) -> Result<ThreadV2> {
    let views = beyond.show(Views::for_viewer(state, viewer));
    Ok(thread_v2::thread_v2(&views, id, shape)?)
}

/// The anchor's replies the V2 thread leaves out of its main list.
pub fn post_thread_other_v2(
    state: &AppState,
    viewer: Option<String>,
    id: &RecordId,
) -> Result<Vec<ThreadItem>> {
    let views = Views::for_viewer(state, viewer);
    Ok(thread_v2::thread_other_v2(&views, id)?)
}

/// Mutes (or unmutes) the thread whose root is `root` for `viewer`: its notifications stop and
/// its posts say `threadMuted`. Private, kept only in Aerie.
pub fn mute_thread(state: &AppState, viewer: &str, root: &RecordId, muted: bool) -> Result<()> {
    use crate::gate::own::{self, kind};
    Ok(own::flag(
        &*state.store,
        viewer,
        kind::THREAD_MUTE,
        root.uri(),
        muted,
    )?)
}
