//! Web pages and probes served beside the XRPC API. The pages sit at the Bluesky web app's
//! paths (`/profile/{actor}`, `/profile/{actor}/post/{rkey}`, `/notifications`, ...) so a
//! link can swap the host; they are server-rendered (askama) from the same hydration as the
//! API, work without JavaScript, and act through the same write path.

pub mod actions;
pub mod assets;
pub mod card;
pub mod compose;
pub mod did;
pub mod embed;
pub mod facets;
pub mod feed;
pub mod found;
pub mod hashtag;
pub mod home;
pub mod listing;
pub mod login;
pub mod mention;
pub mod notifications;
pub mod operators;
pub mod page;
pub mod profile;
pub mod richtext;
pub mod search;
pub mod search_params;
pub mod status;
pub mod thread;
pub mod visitor;

pub use login::LoginForm;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

/// `?cursor=` of a paged list.
#[derive(Deserialize)]
pub struct Cursor {
    /// The API's cursor for the next page.
    pub cursor: Option<String>,
}

/// The DID a page's `{actor}` names: known here, else (a handle) resolved and verified through
/// the identity resolver, so that accounts nobody here follows yet can be found and followed.
pub async fn actor_did(state: &AppState, actor: &str) -> Option<String> {
    if let Ok(Some(did)) = crate::service::actors::resolve(state, actor) {
        return Some(did);
    }
    let handle = actor.strip_prefix('@').unwrap_or(actor);
    if !crate::util::syntax::is_handle(handle) {
        return None;
    }
    state.resolver().resolve_handle(handle).await.ok()
}

/// The pages, their form actions and the static assets.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", get(login::confirm).post(login::submit_logout))
        .route("/profile/{actor}", get(profile::page))
        .route("/profile/{actor}/post/{rkey}", get(thread::page))
        .route("/notifications", get(notifications::page))
        .route("/compose", get(compose::show).post(compose::submit))
        .route("/search", get(search::page))
        .route("/hashtag/{tag}", get(hashtag::page))
        .route("/search/mention", get(mention::suggest))
        .route("/action/{op}", post(actions::submit))
        .route("/static/{file}", get(assets::serve))
}
