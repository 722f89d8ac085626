//! `app.bsky.graph.*`.

pub mod get_actor_starter_packs;
pub mod get_blocks;
pub mod get_followers;
pub mod get_follows;
pub mod get_known_followers;
pub mod get_list;
pub mod get_lists;
pub mod get_lists_with_membership;
pub mod get_relationships;
pub mod get_starter_pack;
pub mod get_starter_packs;
pub mod get_starter_packs_with_membership;
pub mod get_suggested_follows_by_actor;
pub mod mute;
pub mod mute_list;
pub mod mute_thread;
pub mod search_starter_packs;

use crate::service::actors::profiles_of;
use crate::service::interactions::Paged;
use crate::xrpc::prelude::*;
use aerie_storage::{Edge, Store};

/// Which side of the follow graph a list shows.
type EdgePage = fn(&dyn Store, &str, Option<&str>, usize) -> aerie_storage::Result<Page<Edge>>;

/// The subject and one page of an actor's follows or followers.
fn follow_list(
    state: &AppState,
    viewer: Option<String>,
    p: &Params,
    edges: EdgePage,
) -> Result<(view::ProfileView, Paged<view::ProfileView>), XrpcError> {
    let limit = p.limit(50, 100)?;
    let did = known_active_actor(state, p)?;
    let page = edges(&*state.store, &did, p.cursor(), limit)?;
    let views = Views::for_viewer(state, viewer);
    let subject = views.profile(&did)?;
    let items = profiles_of(&views, &page.items)?;
    Ok((
        subject,
        Paged {
            items,
            cursor: page.cursor,
        },
    ))
}

/// The `purposes` parameter of the list methods (at most 10).
fn purposes(p: &Params) -> Result<Vec<String>, XrpcError> {
    Ok(p.optional_list("purposes", 10)?
        .into_iter()
        .map(String::from)
        .collect())
}

/// Sets or clears one of the viewer's private flags on the record the input property `field`
/// names (`muteThread`'s root, `muteActorList`'s list) through `apply`; answers `{}`.
async fn set_flag(
    state: Arc<AppState>,
    viewer: String,
    body: Option<Json<serde_json::Value>>,
    field: &'static str,
    on: bool,
    apply: fn(&AppState, &str, &RecordId, bool) -> service::Result<()>,
) -> Response {
    respond(&state, move |s| {
        let id = input_uri(&body, field)?;
        apply(s, &viewer, &id, on)?;
        Ok(json!({}))
    })
    .await
}
