//! `app.bsky.actor.defs` profile views and the viewer's relationship to an account.

use serde::Serialize;

/// `com.atproto.label.defs#label`, as shown (its signature was checked when it arrived).
#[derive(Clone, Debug, Serialize)]
pub struct Label {
    /// The label format's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ver: Option<u8>,
    /// Who labelled.
    pub src: String,
    /// What is labelled.
    pub uri: String,
    /// The version of the record labelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// The value.
    pub val: String,
    /// When.
    pub cts: String,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<String>,
}

/// `#viewerState`: mutes, blocks both ways, follows both ways.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewerState {
    /// The viewer muted the account, or a list it is on.
    pub muted: bool,
    /// A list the viewer muted that the account is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted_by_list: Option<super::ListViewBasic>,
    /// The account blocks the viewer.
    pub blocked_by: bool,
    /// The viewer's block record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking: Option<String>,
    /// A list the viewer blocks that the account is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking_by_list: Option<super::ListViewBasic>,
    /// The viewer's follow record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    /// The account's follow record of the viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followed_by: Option<String>,
    /// The viewer's subscription to the account's activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_subscription: Option<ActivitySubscription>,
}

/// `app.bsky.notification.defs#activitySubscription`, as the store keeps it.
pub use aerie_storage::ActivitySubscription;

/// `#profileViewBasic`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewBasic {
    /// DID.
    pub did: String,
    /// Handle (`handle.invalid` when unknown).
    pub handle: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Avatar (CDN URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The viewer's relationship.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewer: Option<ViewerState>,
    /// Labels.
    pub labels: Vec<Label>,
    /// The profile record's `createdAt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `#profileView`: the basic view with the bio.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// The basic fields.
    #[serde(flatten)]
    pub basic: ProfileViewBasic,
    /// Bio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the profile record was indexed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_at: Option<String>,
}

/// `#profileViewDetailed`: with banner and counts.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewDetailed {
    /// The plain fields.
    #[serde(flatten)]
    pub profile: ProfileView,
    /// Banner (CDN URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Followers.
    pub followers_count: u64,
    /// Follows.
    pub follows_count: u64,
    /// Posts.
    pub posts_count: u64,
    /// What else the account has made (the app shows profile tabs by it).
    pub associated: ProfileAssociated,
}

/// `#profileAssociated`: the account's lists, feeds, starter packs, labeler and chat setting.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileAssociated {
    /// Lists.
    pub lists: u64,
    /// Feed generators.
    pub feedgens: u64,
    /// Starter packs.
    pub starter_packs: u64,
    /// It runs a labeler.
    pub labeler: bool,
    /// Who may start a chat with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat: Option<ProfileAssociatedChat>,
}

/// `#profileAssociatedChat`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileAssociatedChat {
    /// `all`, `none` or `following`.
    pub allow_incoming: String,
}

impl std::ops::Deref for ProfileView {
    type Target = ProfileViewBasic;
    fn deref(&self) -> &ProfileViewBasic {
        &self.basic
    }
}

impl std::ops::Deref for ProfileViewDetailed {
    type Target = ProfileView;
    fn deref(&self) -> &ProfileView {
        &self.profile
    }
}
