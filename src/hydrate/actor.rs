//! Profile views (basic, plain and detailed) and the viewer's state on them. An account's
//! profile record is read once per request; each view is assembled from that.

use super::labels::SelfLabels;
use super::view::{
    Label, ProfileAssociated, ProfileAssociatedChat, ProfileView, ProfileViewBasic,
    ProfileViewDetailed, ViewerState,
};
use super::{blob_cid, datetime, text, Limit, Views};
use crate::util::syntax::cid_string;
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use serde_json::Value;
use std::sync::Arc;

/// `chat.bsky.actor.declaration`.
pub const CHAT_DECLARATION: &str = "chat.bsky.actor.declaration";
/// Records of one kind counted at most for `associated`.
const MAX_COUNTED: usize = 1000;

/// What the profile views show of an account, read once per request.
pub(crate) struct ProfileRow {
    handle: String,
    display_name: Option<String>,
    avatar: Option<String>,
    created_at: Option<String>,
    description: Option<String>,
    indexed_at: Option<String>,
    banner: Option<String>,
    labels: Vec<Label>,
}

impl Views<'_> {
    /// `#profileViewBasic`; unknown handles render as `handle.invalid`.
    pub fn profile_basic(&self, did: &str) -> aerie_storage::Result<ProfileViewBasic> {
        let row = self.profile_row(did)?;
        Ok(ProfileViewBasic {
            did: did.to_string(),
            handle: row.handle.clone(),
            display_name: row.display_name.clone(),
            avatar: row.avatar.clone(),
            viewer: self.actor_viewer(did)?,
            labels: row.labels.clone(),
            created_at: row.created_at.clone(),
        })
    }

    /// `#profileView` (adds the bio).
    pub fn profile(&self, did: &str) -> aerie_storage::Result<ProfileView> {
        let row = self.profile_row(did)?;
        Ok(ProfileView {
            basic: self.profile_basic(did)?,
            description: row.description.clone(),
            indexed_at: row.indexed_at.clone(),
        })
    }

    /// `#profileViewDetailed` (adds the banner and counts).
    pub fn profile_detailed(&self, did: &str) -> aerie_storage::Result<ProfileViewDetailed> {
        let row = self.profile_row(did)?;
        let counts = self.actor_counts(did)?;
        Ok(ProfileViewDetailed {
            profile: self.profile(did)?,
            banner: row.banner.clone(),
            followers_count: counts.followers,
            follows_count: counts.follows,
            posts_count: counts.posts,
            associated: self.associated(did)?,
        })
    }

    /// `#profileAssociated`: counted from the account's records in the store (or fetched).
    fn associated(&self, did: &str) -> aerie_storage::Result<ProfileAssociated> {
        let count = |collection: &str| -> aerie_storage::Result<u64> {
            let page = self
                .store()
                .records_in(did, collection, None, MAX_COUNTED)?;
            Ok(page.items.len() as u64)
        };
        let declaration = self.record(&RecordId::new(did, CHAT_DECLARATION, "self"))?;
        let chat = declaration
            .and_then(|r| serde_json::from_slice::<Value>(&r.value).ok())
            .and_then(|v| v.get("allowIncoming")?.as_str().map(String::from))
            .filter(|a| ["all", "none", "following"].contains(&a.as_str()))
            .map(|allow_incoming| ProfileAssociatedChat { allow_incoming });
        Ok(ProfileAssociated {
            lists: count(super::list::LIST)?,
            feedgens: count(super::feedgen::GENERATOR)?,
            starter_packs: count(super::starter_pack::STARTER_PACK)?,
            labeler: self
                .record(&RecordId::new(did, super::labeler::LABELER, "self"))?
                .is_some(),
            chat,
        })
    }

    fn profile_row(&self, did: &str) -> aerie_storage::Result<Arc<ProfileRow>> {
        if let Some(r) = self.memo.profiles.get(did) {
            return Ok(r);
        }
        let handle = self
            .actor(did)?
            .and_then(|a| a.handle)
            .or_else(|| self.handles.get(did).cloned())
            .unwrap_or_else(|| "handle.invalid".into());
        let rec = self.record(&RecordId::new(did, nsid::PROFILE, "self"))?;
        let value: Value = rec
            .as_ref()
            .and_then(|r| serde_json::from_slice(&r.value).ok())
            .unwrap_or(Value::Null);
        let blob = |key: &str, kind: &str| {
            value
                .get(key)
                .and_then(blob_cid)
                .map(|c| self.cdn(kind, did, &c))
        };
        let profile_uri = RecordId::new(did, nsid::PROFILE, "self").uri();
        let cid = rec.as_ref().map(|r| cid_string(&r.cid));
        let created_at = datetime(&value, "createdAt");
        let own = super::content::self_labels(&value);
        let labels = self.labels(
            &[did, &profile_uri],
            Some(SelfLabels {
                author: did,
                uri: &profile_uri,
                cid: cid.as_deref(),
                values: &own,
                cts: created_at.as_deref(),
            }),
        )?;
        let row = Arc::new(ProfileRow {
            labels,
            handle,
            display_name: text(
                &value,
                "displayName",
                Limit {
                    bytes: 640,
                    graphemes: 64,
                },
            ),
            avatar: blob("avatar", "avatar"),
            created_at,
            description: text(
                &value,
                "description",
                Limit {
                    bytes: 2560,
                    graphemes: 256,
                },
            ),
            indexed_at: rec
                .as_ref()
                .map(|r| aerie_storage::datetime::format_us(r.indexed_at_us)),
            banner: blob("banner", "banner"),
        });
        self.memo.profiles.put(did.to_string(), row.clone());
        Ok(row)
    }

    /// `#viewerState` of a profile: mutes, blocks both ways, follows both ways.
    fn actor_viewer(&self, did: &str) -> aerie_storage::Result<Option<ViewerState>> {
        let Some(r) = self.relationship(did)? else {
            return Ok(None);
        };
        let blocking_by_list = match &r.blocking_by_list {
            Some(list) => self.list_basic(list)?,
            None => None,
        };
        let muted_by_list = match &r.muted_by_list {
            Some(list) => self.list_basic(list)?,
            None => None,
        };
        // As the reference: a block by list names the list in `blocking`, and follows are
        // not shown across a block.
        let blocked = r.blocks();
        Ok(Some(ViewerState {
            muted: r.mutes(),
            muted_by_list,
            blocked_by: r.blocked_by,
            blocking: r
                .blocking
                .as_ref()
                .or(r.blocking_by_list.as_ref().map(|l| &l.id))
                .map(RecordId::uri),
            blocking_by_list,
            following: r.following.as_ref().filter(|_| !blocked).map(RecordId::uri),
            followed_by: r
                .followed_by
                .as_ref()
                .filter(|_| !blocked)
                .map(RecordId::uri),
            activity_subscription: r.subscription,
        }))
    }
}
