//! `app.bsky.graph.defs` list views: a list (curation or moderation) and its members.

use super::{Label, ProfileView};
use serde::Serialize;

/// `#listViewBasic`: a list without its creator and description.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListViewBasic {
    /// The list record's URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// Its name (1–64 characters).
    pub name: String,
    /// `app.bsky.graph.defs#curatelist`, `#modlist` or `#referencelist`.
    pub purpose: String,
    /// Its avatar (CDN URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Members (when counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_item_count: Option<u64>,
    /// Labels.
    pub labels: Vec<Label>,
    /// The viewer's mute of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewer: Option<ListViewerState>,
    /// When Aerie indexed (or fetched) it.
    pub indexed_at: String,
}

/// `#listView`: the basic view with its creator and description.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListView {
    /// The basic fields.
    #[serde(flatten)]
    pub basic: ListViewBasic,
    /// Who made it.
    pub creator: ProfileView,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `#listViewerState`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ListViewerState {
    /// The viewer muted the list.
    pub muted: bool,
    /// The viewer's listblock record of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

/// `#listItemView`.
#[derive(Clone, Debug, Serialize)]
pub struct ListItemView {
    /// The listitem record's URI.
    pub uri: String,
    /// The member.
    pub subject: ProfileView,
}

impl From<ListView> for ListViewBasic {
    fn from(v: ListView) -> Self {
        v.basic
    }
}
