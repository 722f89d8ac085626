//! `app.bsky.feed.defs#generatorView`: a feed generator as the feed lists and the app's tab bar
//! show it.

use super::{Label, ProfileView};
use serde::Serialize;

/// `#generatorView`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratorView {
    /// The generator record's URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The DID of the service that makes the feed.
    pub did: String,
    /// Who declared it.
    pub creator: ProfileView,
    /// Its name.
    pub display_name: String,
    /// What it shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its avatar (CDN URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Likes of the generator.
    pub like_count: u64,
    /// The generator takes interaction feedback (`sendInteractions`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accepts_interactions: bool,
    /// Labels.
    pub labels: Vec<Label>,
    /// The viewer's like.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewer: Option<GeneratorViewerState>,
    /// `app.bsky.feed.defs#contentModeUnspecified` or `#contentModeVideo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_mode: Option<String>,
    /// When Aerie indexed (or fetched) it.
    pub indexed_at: String,
}

/// `#generatorViewerState`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GeneratorViewerState {
    /// The viewer's like record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
}
