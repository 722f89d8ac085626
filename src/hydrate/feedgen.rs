//! Feed generator views (`#generatorView`) from a generator record — stored, or fetched from
//! its owner's PDS — with its creator, likes and the viewer's like.

use super::view::{GeneratorView, GeneratorViewerState};
use super::{blob_cid, text, Limit, Views};
use crate::util::syntax::{cid_string, is_did};
use aerie_storage::{datetime, Relation, StoredRecord};
use serde_json::Value;

/// `app.bsky.feed.generator`.
pub const GENERATOR: &str = "app.bsky.feed.generator";

/// The content modes the lexicon knows.
const CONTENT_MODES: [&str; 2] = [
    "app.bsky.feed.defs#contentModeUnspecified",
    "app.bsky.feed.defs#contentModeVideo",
];

impl Views<'_> {
    /// `#generatorView` of a generator record; `None` when it is not one (another collection,
    /// or no service DID) or its creator is hidden (inactive).
    pub fn generator(&self, rec: &StoredRecord) -> aerie_storage::Result<Option<GeneratorView>> {
        let id = &rec.id;
        if id.collection != GENERATOR || !self.active(&id.did)? {
            return Ok(None);
        }
        let Ok(value) = serde_json::from_slice::<Value>(&rec.value) else {
            return Ok(None);
        };
        let Some(did) = value
            .get("did")
            .and_then(Value::as_str)
            .filter(|d| is_did(d))
        else {
            return Ok(None);
        };
        let uri = id.uri();
        let viewer = match self.viewer() {
            Some(v) => Some(GeneratorViewerState {
                like: self
                    .store()
                    .relation(Relation::Like, v, &uri)?
                    .map(|l| l.uri()),
            }),
            None => None,
        };
        Ok(Some(GeneratorView {
            cid: cid_string(&rec.cid),
            did: did.to_string(),
            creator: self.profile(&id.did)?,
            display_name: text(&value, "displayName", NAME).unwrap_or_default(),
            description: text(&value, "description", DESCRIPTION),
            avatar: value
                .get("avatar")
                .and_then(blob_cid)
                .map(|c| self.cdn("avatar", &id.did, &c)),
            like_count: self.post_counts(id)?.likes,
            accepts_interactions: value
                .get("acceptsInteractions")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            labels: self.record_labels(rec)?,
            viewer,
            content_mode: value
                .get("contentMode")
                .and_then(Value::as_str)
                .filter(|m| CONTENT_MODES.contains(m))
                .map(String::from),
            indexed_at: datetime::format_us(rec.indexed_at_us),
            uri,
        }))
    }
}

/// The record's limits on `displayName` (24 graphemes) and `description` (300).
const NAME: Limit = Limit {
    bytes: 240,
    graphemes: 24,
};
const DESCRIPTION: Limit = Limit {
    bytes: 3000,
    graphemes: 300,
};
