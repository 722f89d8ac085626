//! `app.bsky.graph.defs#starterPackView` and `#starterPackViewBasic`: a starter pack (a list of
//! accounts and up to three feeds, offered to newcomers).

use super::{GeneratorView, Label, ListItemView, ListViewBasic, ProfileViewBasic, RawRecord};
use serde::Serialize;

/// A starter pack; the basic view sets `list_item_count`, the full one `list`,
/// `list_items_sample` and `feeds`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StarterPackView {
    /// The starter pack record's URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The record as stored.
    pub record: RawRecord,
    /// Who made it.
    pub creator: ProfileViewBasic,
    /// Its list (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<ListViewBasic>,
    /// Up to 12 of its members (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_items_sample: Option<Vec<ListItemView>>,
    /// Its feeds (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feeds: Option<Vec<GeneratorView>>,
    /// Its list's members (basic view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_item_count: Option<u64>,
    /// Accounts that joined through it this week (Aerie sees no sign-ups: 0).
    pub joined_week_count: u64,
    /// Accounts that joined through it (0, as above).
    pub joined_all_time_count: u64,
    /// Labels.
    pub labels: Vec<Label>,
    /// When Aerie indexed (or fetched) it.
    pub indexed_at: String,
}
