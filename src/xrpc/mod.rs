//! The XRPC API (`/xrpc/{nsid}`): one handler file per method, grouped by namespace; shared
//! parameter parsing, errors and hydration live beside them.

pub(crate) mod app_bsky;
pub(crate) mod com_atproto;
pub mod direct;
pub mod error;
pub mod labelers;
pub mod params;
pub mod pds;
pub mod thread;
pub mod viewer;

use crate::AppState;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// What handler files import.
pub(crate) mod prelude {
    pub use super::error::{XrpcError, XrpcResult};
    pub use super::params::{
        actor_param, input_str, input_uri, record_param, resolve_actor, resolve_uri, Params,
    };
    pub use super::viewer::{Authed, Viewer};
    pub use super::{known_active_actor, reply, respond, with_cursor};
    pub use crate::hydrate::{view, Views};
    pub use crate::service::{self, run};
    pub use crate::AppState;
    pub use aerie_storage::{datetime, Page, RecordId};
    pub use axum::extract::State;
    pub use axum::response::Response;
    pub use axum::Json;
    pub use serde_json::json;
    pub use std::sync::Arc;
}

use prelude::*;

/// Every XRPC route.
pub fn router() -> Router<Arc<AppState>> {
    use app_bsky::{actor, feed, graph, notification, unspecced};
    use axum::routing::post;
    use com_atproto::{identity, repo, server};
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            get(feed::get_author_feed::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getPostThread",
            get(feed::get_post_thread::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getPostThreadV2",
            get(unspecced::get_post_thread_v2::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getPostThreadOtherV2",
            get(unspecced::get_post_thread_other_v2::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getPosts",
            get(feed::get_posts::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getLikes",
            get(feed::get_likes::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getRepostedBy",
            get(feed::get_reposted_by::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getQuotes",
            get(feed::get_quotes::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getTimeline",
            get(feed::get_timeline::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.searchPosts",
            get(feed::search_posts::v1),
        )
        .route(
            "/xrpc/app.bsky.feed.searchPostsV2",
            get(feed::search_posts::v2),
        )
        .route(
            "/xrpc/app.bsky.actor.getProfile",
            get(actor::get_profile::handler),
        )
        .route(
            "/xrpc/app.bsky.actor.getProfiles",
            get(actor::get_profiles::handler),
        )
        .route(
            "/xrpc/app.bsky.actor.searchActors",
            get(actor::search_actors::full),
        )
        .route(
            "/xrpc/app.bsky.actor.searchActorsTypeahead",
            get(actor::search_actors::typeahead),
        )
        .route(
            "/xrpc/app.bsky.graph.searchStarterPacks",
            get(graph::search_starter_packs::v1),
        )
        .route(
            "/xrpc/app.bsky.graph.searchStarterPacksV2",
            get(graph::search_starter_packs::v2),
        )
        .route(
            "/xrpc/app.bsky.graph.getFollows",
            get(graph::get_follows::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getFollowers",
            get(graph::get_followers::handler),
        )
        .route(
            "/xrpc/com.atproto.repo.getRecord",
            get(repo::get_record::handler),
        )
        .route(
            "/xrpc/com.atproto.identity.resolveHandle",
            get(identity::resolve_handle::handler),
        )
        .route(
            "/xrpc/com.atproto.server.describeServer",
            get(server::describe_server::handler),
        )
        .route(
            "/xrpc/com.atproto.server.createSession",
            post(server::create_session::handler),
        )
        .route(
            "/xrpc/com.atproto.server.getSession",
            get(server::get_session::handler),
        )
        .route(
            "/xrpc/com.atproto.server.refreshSession",
            post(server::refresh_session::handler),
        )
        .route(
            "/xrpc/com.atproto.server.deleteSession",
            post(server::delete_session::handler),
        )
        .route(
            "/xrpc/com.atproto.repo.createRecord",
            post(repo::write::create_record),
        )
        .route(
            "/xrpc/com.atproto.repo.putRecord",
            post(repo::write::put_record),
        )
        .route(
            "/xrpc/com.atproto.repo.deleteRecord",
            post(repo::write::delete_record),
        )
        .route(
            "/xrpc/com.atproto.repo.applyWrites",
            post(repo::write::apply_writes),
        )
        .route(
            "/xrpc/com.atproto.repo.uploadBlob",
            post(repo::write::upload_blob).layer(axum::extract::DefaultBodyLimit::max(
                service::write::MAX_BYTES,
            )),
        )
        .route(
            "/xrpc/app.bsky.notification.listNotifications",
            get(notification::list_notifications::handler),
        )
        .route(
            "/xrpc/app.bsky.notification.getUnreadCount",
            get(notification::get_unread_count::handler),
        )
        .route(
            "/xrpc/app.bsky.notification.updateSeen",
            post(notification::update_seen::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getActorLikes",
            get(feed::get_actor_likes::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getKnownFollowers",
            get(graph::get_known_followers::handler),
        )
        .route("/xrpc/app.bsky.graph.muteActor", post(graph::mute::mute))
        .route(
            "/xrpc/app.bsky.graph.unmuteActor",
            post(graph::mute::unmute),
        )
        .route("/xrpc/app.bsky.graph.getMutes", get(graph::mute::list))
        .route(
            "/xrpc/app.bsky.graph.getBlocks",
            get(graph::get_blocks::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getRelationships",
            get(graph::get_relationships::handler),
        )
        .route(
            "/xrpc/app.bsky.actor.getPreferences",
            get(actor::preferences::get),
        )
        .route(
            "/xrpc/app.bsky.actor.putPreferences",
            post(actor::preferences::put),
        )
        .route("/xrpc/app.bsky.feed.getFeed", get(feed::get_feed::handler))
        .route(
            "/xrpc/app.bsky.feed.getFeedGenerator",
            get(feed::get_feed_generator::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getFeedGenerators",
            get(feed::get_feed_generators::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getActorFeeds",
            get(feed::get_actor_feeds::handler),
        )
        .route(
            "/xrpc/app.bsky.bookmark.createBookmark",
            post(app_bsky::bookmark::create_bookmark::handler),
        )
        .route(
            "/xrpc/app.bsky.bookmark.deleteBookmark",
            post(app_bsky::bookmark::delete_bookmark::handler),
        )
        .route(
            "/xrpc/app.bsky.bookmark.getBookmarks",
            get(app_bsky::bookmark::get_bookmarks::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getList",
            get(graph::get_list::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getStarterPack",
            get(graph::get_starter_pack::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getStarterPacks",
            get(graph::get_starter_packs::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getActorStarterPacks",
            get(graph::get_actor_starter_packs::handler),
        )
        .route(
            "/xrpc/app.bsky.feed.getListFeed",
            get(feed::get_list_feed::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getLists",
            get(graph::get_lists::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.muteActorList",
            post(graph::mute_list::mute),
        )
        .route(
            "/xrpc/app.bsky.graph.unmuteActorList",
            post(graph::mute_list::unmute),
        )
        .route(
            "/xrpc/app.bsky.graph.getListMutes",
            get(graph::mute_list::list),
        )
        .route(
            "/xrpc/app.bsky.graph.getListsWithMembership",
            get(graph::get_lists_with_membership::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getStarterPacksWithMembership",
            get(graph::get_starter_packs_with_membership::handler),
        )
        .route(
            "/xrpc/app.bsky.graph.getListBlocks",
            get(graph::mute_list::blocked),
        )
        .route(
            "/xrpc/app.bsky.draft.createDraft",
            post(app_bsky::draft::create),
        )
        .route(
            "/xrpc/app.bsky.draft.updateDraft",
            post(app_bsky::draft::update),
        )
        .route(
            "/xrpc/app.bsky.draft.deleteDraft",
            post(app_bsky::draft::delete),
        )
        .route("/xrpc/app.bsky.draft.getDrafts", get(app_bsky::draft::list))
        .route(
            "/xrpc/app.bsky.graph.muteThread",
            post(graph::mute_thread::mute),
        )
        .route(
            "/xrpc/app.bsky.graph.unmuteThread",
            post(graph::mute_thread::unmute),
        )
        .route(
            "/xrpc/app.bsky.notification.listActivitySubscriptions",
            get(notification::activity_subscriptions::list),
        )
        .route(
            "/xrpc/app.bsky.notification.putActivitySubscription",
            post(notification::activity_subscriptions::put),
        )
        .route(
            "/xrpc/app.bsky.notification.getPreferences",
            get(notification::preferences::get),
        )
        .route(
            "/xrpc/app.bsky.notification.putPreferencesV2",
            post(notification::preferences::put),
        )
        .route(
            "/xrpc/app.bsky.labeler.getServices",
            get(app_bsky::labeler::get_services::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getConfig",
            get(unspecced::get_config::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getTrends",
            get(unspecced::get_trends::handler),
        )
        .route(
            "/xrpc/app.bsky.ageassurance.getState",
            get(app_bsky::ageassurance::get_state::handler),
        );
    let router = unspecced::get_suggested_users::METHODS
        .iter()
        .fold(router, |r, m| {
            r.route(
                &format!("/xrpc/app.bsky.unspecced.{m}"),
                get(unspecced::get_suggested_users::handler),
            )
        })
        .route(
            "/xrpc/app.bsky.actor.getSuggestions",
            get(unspecced::get_suggested_users::paged),
        )
        .route(
            "/xrpc/app.bsky.graph.getSuggestedFollowsByActor",
            get(graph::get_suggested_follows_by_actor::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getSuggestedFeeds",
            get(unspecced::get_suggested_feeds::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getPopularFeedGenerators",
            get(unspecced::get_suggested_feeds::popular),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getSuggestedStarterPacks",
            get(unspecced::get_suggested_starter_packs::handler),
        )
        .route(
            "/xrpc/app.bsky.unspecced.getOnboardingSuggestedStarterPacks",
            get(unspecced::get_suggested_starter_packs::handler),
        );
    app_bsky::contact::METHODS
        .iter()
        .fold(router, |r, m| {
            r.route(
                &format!("/xrpc/app.bsky.contact.{m}"),
                axum::routing::any(app_bsky::contact::handler),
            )
        })
        .route("/xrpc/{method}", axum::routing::any(direct::fallback))
}

/// `out` with its `cursor` when there is a next page.
pub fn with_cursor(mut out: serde_json::Value, cursor: Option<String>) -> serde_json::Value {
    if let Some(c) = cursor {
        out["cursor"] = serde_json::json!(c);
    }
    out
}

/// A handler's output as JSON (for handlers that await other work than the store's).
pub fn reply<T: serde::Serialize>(out: T) -> error::XrpcResult {
    serde_json::to_value(out)
        .map(Json)
        .map_err(|e| XrpcError::internal(&e))
}

/// Runs a handler's work — its store reads and the serialization of its output — on the
/// blocking pool, and answers with the output as JSON or the error.
pub async fn respond<T: serde::Serialize>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, XrpcError> + Send + 'static,
) -> axum::response::Response {
    run(state, move |s| response(f(s))).await
}

/// A handler's result as its response: the output serialized as JSON, or the error. Called
/// inside store work, so a large output is serialized on the blocking pool, not on an async
/// worker (which also reads the ingest socket).
pub fn response<T: serde::Serialize>(r: Result<T, XrpcError>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match r {
        Ok(out) => Json(out).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The `actor` parameter resolved to a known, active account, or the reference's 400.
pub fn known_active_actor(state: &AppState, p: &Params) -> Result<String, XrpcError> {
    let did = p
        .actor(state, "actor")?
        .ok_or_else(|| XrpcError::invalid("Profile not found"))?;
    match state.store.actor(&did)? {
        Some(a) if a.active => Ok(did),
        _ => Err(XrpcError::invalid("Profile not found")),
    }
}
