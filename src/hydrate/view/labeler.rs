//! `app.bsky.labeler.defs` views: a labeler service as the app's moderation settings and label
//! definitions read it.

use super::{Label, ProfileView};
use serde::Serialize;
use serde_json::Value;

/// `#labelerView` or (with `detail`) `#labelerViewDetailed`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelerView {
    /// Which of the two.
    #[serde(rename = "$type")]
    pub ty: &'static str,
    /// The service record's URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The account that runs it.
    pub creator: ProfileView,
    /// Likes of the labeler.
    pub like_count: u64,
    /// The viewer's like.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewer: Option<LabelerViewerState>,
    /// When Aerie indexed (or fetched) it.
    pub indexed_at: String,
    /// Labels.
    pub labels: Vec<Label>,
    /// What the detailed view adds.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub detail: Option<LabelerDetail>,
}

/// The detailed view's fields: what the labeler publishes and which reports it takes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelerDetail {
    /// `#labelerPolicies`: label values and their definitions, checked field by field.
    pub policies: Value,
    /// Report reasons it reviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_types: Option<Vec<String>>,
    /// Subject types it takes reports on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_types: Option<Vec<String>>,
    /// Record collections it takes reports on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_collections: Option<Vec<String>>,
}

/// `#labelerViewerState`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LabelerViewerState {
    /// The viewer's like record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
}

impl LabelerView {
    /// The `$type` of a plain or detailed view.
    pub fn type_of(detailed: bool) -> &'static str {
        match detailed {
            true => "app.bsky.labeler.defs#labelerViewDetailed",
            false => "app.bsky.labeler.defs#labelerView",
        }
    }
}
