//! Starter pack views from a starter pack record (stored, or fetched from its creator's PDS):
//! the parts every view has; the service adds the list, its sample and the feeds.

use super::view::StarterPackView;
use super::{raw_record, Views};
use crate::util::syntax::cid_string;
use aerie_storage::{datetime, RecordId, StoredRecord};
use serde_json::Value;

/// `app.bsky.graph.starterpack`.
pub const STARTER_PACK: &str = "app.bsky.graph.starterpack";

/// What a starter pack record names: its list and its feeds (at most three).
pub fn parts(rec: &StoredRecord) -> Option<(RecordId, Vec<RecordId>)> {
    let v: Value = serde_json::from_slice(&rec.value).ok()?;
    let list = RecordId::parse_uri(v.get("list")?.as_str()?)?;
    let feeds = v
        .get("feeds")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(|i| RecordId::parse_uri(i.get("uri")?.as_str()?))
                .take(3)
                .collect()
        })
        .unwrap_or_default();
    Some((list, feeds))
}

impl Views<'_> {
    /// The view of a starter pack record, without list, sample or feeds; `None` when it is
    /// not one (no name or list) or its creator is not shown.
    pub fn starter_pack(
        &self,
        rec: &StoredRecord,
        list_item_count: Option<u64>,
    ) -> aerie_storage::Result<Option<StarterPackView>> {
        let id = &rec.id;
        if id.collection != STARTER_PACK || !self.active(&id.did)? {
            return Ok(None);
        }
        let named = serde_json::from_slice::<Value>(&rec.value)
            .ok()
            .and_then(|v| Some(!v.get("name")?.as_str()?.is_empty()))
            .unwrap_or(false);
        if !named || parts(rec).is_none() {
            return Ok(None);
        }
        let Some(record) = raw_record(rec.value.clone()) else {
            return Ok(None);
        };
        Ok(Some(StarterPackView {
            uri: id.uri(),
            cid: cid_string(&rec.cid),
            record,
            creator: self.profile_basic(&id.did)?,
            list: None,
            list_items_sample: None,
            feeds: None,
            list_item_count,
            joined_week_count: 0,
            joined_all_time_count: 0,
            labels: self.record_labels(rec)?,
            indexed_at: datetime::format_us(rec.indexed_at_us),
        }))
    }
}
