//! `app.bsky.graph.*`.

pub mod get_blocks;
pub mod get_followers;
pub mod get_follows;
pub mod get_known_followers;
pub mod get_relationships;
pub mod mute;

use crate::xrpc::prelude::*;
use aerie_storage::{Edge, Store};

/// Which side of the follow graph a list shows.
type EdgePage = fn(&dyn Store, &str, Option<&str>, usize) -> aerie_storage::Result<Page<Edge>>;

/// `{subject, <field>: [profileView], cursor?}` for an actor's follows or followers.
fn follow_list(
    state: &AppState,
    viewer: Option<String>,
    p: &Params,
    field: &str,
    edges: EdgePage,
) -> XrpcResult {
    let limit = p.limit(50, 100)?;
    let did = known_active_actor(state, p)?;
    let page = edges(&*state.store, &did, p.cursor(), limit)?;
    let views = Views::for_viewer(state, viewer);
    let subject = views.profile(&did, ProfileKind::Plain)?;
    let mut out = json!({ "subject": subject });
    out[field] = json!(profiles_of(&views, &page.items)?);
    Ok(with_cursor(out, page.cursor))
}
