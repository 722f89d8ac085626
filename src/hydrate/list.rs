//! List views (`app.bsky.graph.defs#listView`, `#listItemView`) from list and listitem records
//! — stored, or fetched from the creator's PDS.

use super::view::{ListItemView, ListView, ListViewBasic, ListViewerState};
use super::{blob_cid, text, Limit, Views};
use crate::gate::own::kind;
use crate::util::syntax::{cid_string, is_did};
use aerie_storage::{datetime, RecordId, StoredRecord};
use serde_json::Value;

/// `app.bsky.graph.list`.
pub const LIST: &str = "app.bsky.graph.list";
/// `app.bsky.graph.listitem`.
pub const LIST_ITEM: &str = "app.bsky.graph.listitem";

/// The purposes the lexicon knows.
const PURPOSES: [&str; 3] = [
    "app.bsky.graph.defs#modlist",
    "app.bsky.graph.defs#curatelist",
    "app.bsky.graph.defs#referencelist",
];

/// The record's purpose, when it is one the lexicon knows.
pub fn purpose(value: &Value) -> Option<&str> {
    value
        .get("purpose")
        .and_then(Value::as_str)
        .filter(|p| PURPOSES.contains(p))
}

/// The member a listitem record adds to `list`, if it does.
pub fn member_of(rec: &StoredRecord, list: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(&rec.value).ok()?;
    if v.get("list")?.as_str()? != list {
        return None;
    }
    v.get("subject")?
        .as_str()
        .filter(|s| is_did(s))
        .map(String::from)
}

impl Views<'_> {
    /// The view of a list record with `members` members (when counted); `None` when it is not a list (no
    /// name, an unknown purpose) or its creator is not shown.
    pub fn list(
        &self,
        rec: &StoredRecord,
        members: Option<u64>,
    ) -> aerie_storage::Result<Option<ListView>> {
        let Some(mut basic) = self.list_basic(rec)? else {
            return Ok(None);
        };
        basic.list_item_count = members;
        let description = serde_json::from_slice::<Value>(&rec.value)
            .ok()
            .and_then(|v| text(&v, "description", DESCRIPTION));
        Ok(Some(ListView {
            basic,
            creator: self.profile(&rec.id.did)?,
            description,
        }))
    }

    /// The basic view of a list record (no creator, members not counted); `None` as for
    /// [`Views::list`].
    pub fn list_basic(&self, rec: &StoredRecord) -> aerie_storage::Result<Option<ListViewBasic>> {
        let id = &rec.id;
        if id.collection != LIST || !self.active(&id.did)? {
            return Ok(None);
        }
        let Ok(value) = serde_json::from_slice::<Value>(&rec.value) else {
            return Ok(None);
        };
        let name = text(&value, "name", NAME).filter(|n| !n.is_empty());
        let (Some(name), Some(purpose)) = (name, purpose(&value)) else {
            return Ok(None);
        };
        let uri = id.uri();
        let viewer = match self.viewer() {
            Some(v) => Some(ListViewerState {
                muted: self.viewer_has(kind::LIST_MUTE, &uri)?,
                blocked: self
                    .state
                    .list_blocks
                    .of(v)
                    .and_then(|b| b.entry_of(&uri).map(RecordId::uri)),
            }),
            None => None,
        };
        Ok(Some(ListViewBasic {
            cid: cid_string(&rec.cid),
            name,
            purpose: purpose.to_string(),
            avatar: value
                .get("avatar")
                .and_then(blob_cid)
                .map(|c| self.cdn("avatar", &id.did, &c)),
            list_item_count: None,
            labels: self.record_labels(rec)?,
            viewer,
            indexed_at: datetime::format_us(rec.indexed_at_us),
            uri,
        }))
    }

    /// The view of one member (the listitem record's URI and the member's profile).
    pub fn list_item(&self, item: &RecordId, member: &str) -> aerie_storage::Result<ListItemView> {
        Ok(ListItemView {
            uri: item.uri(),
            subject: self.profile(member)?,
        })
    }
}

/// The record's limits on `name` (64 characters) and `description` (300 graphemes).
const NAME: Limit = Limit {
    bytes: 64,
    graphemes: 64,
};
const DESCRIPTION: Limit = Limit {
    bytes: 3000,
    graphemes: 300,
};
