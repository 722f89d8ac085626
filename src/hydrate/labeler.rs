//! Labeler views (`app.bsky.labeler.defs#labelerView` and `#labelerViewDetailed`) from a
//! labeler's service record — stored, or fetched from its PDS. The record is untrusted: its
//! policies are passed on only as far as they have the lexicon's shape.

use super::view::{LabelerDetail, LabelerView, LabelerViewerState};
use super::Views;
use crate::util::syntax::{cid_string, is_nsid};
use aerie_storage::{datetime, Relation, StoredRecord};
use serde_json::{json, Map, Value};

/// `app.bsky.labeler.service`.
pub const LABELER: &str = "app.bsky.labeler.service";

impl Views<'_> {
    /// The view of a labeler's service record; `None` when it is not one or its account is
    /// not shown.
    pub fn labeler(
        &self,
        rec: &StoredRecord,
        detailed: bool,
    ) -> aerie_storage::Result<Option<LabelerView>> {
        let id = &rec.id;
        if id.collection != LABELER || id.rkey != "self" || !self.active(&id.did)? {
            return Ok(None);
        }
        let Ok(value) = serde_json::from_slice::<Value>(&rec.value) else {
            return Ok(None);
        };
        let uri = id.uri();
        let viewer = match self.viewer() {
            Some(v) => Some(LabelerViewerState {
                like: self
                    .store()
                    .relation(Relation::Like, v, &uri)?
                    .map(|l| l.uri()),
            }),
            None => None,
        };
        let strings = |key: &str, ok: fn(&str) -> bool| -> Option<Vec<String>> {
            let items = value.get(key)?.as_array()?;
            Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|s| ok(s))
                    .map(String::from)
                    .collect(),
            )
        };
        let detail = detailed.then(|| LabelerDetail {
            policies: policies(value.get("policies")),
            reason_types: strings("reasonTypes", |s| s.len() <= 200),
            subject_types: strings("subjectTypes", |s| s.len() <= 200),
            subject_collections: strings("subjectCollections", is_nsid),
        });
        Ok(Some(LabelerView {
            ty: LabelerView::type_of(detailed),
            cid: cid_string(&rec.cid),
            creator: self.profile(&id.did)?,
            like_count: self.post_counts(id)?.likes,
            viewer,
            indexed_at: datetime::format_us(rec.indexed_at_us),
            labels: self.record_labels(rec)?,
            detail,
            uri,
        }))
    }
}

/// `#labelerPolicies` as far as the record has its shape: the label values (strings), and the
/// definitions that have every required field of the right type.
fn policies(p: Option<&Value>) -> Value {
    let values: Vec<&str> = p
        .and_then(|p| p.get("labelValues")?.as_array())
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let definitions: Vec<Value> = p
        .and_then(|p| p.get("labelValueDefinitions")?.as_array())
        .map(|a| a.iter().filter_map(definition).collect())
        .unwrap_or_default();
    json!({"labelValues": values, "labelValueDefinitions": definitions})
}

/// A `com.atproto.label.defs#labelValueDefinition` rebuilt from its checked fields.
fn definition(d: &Value) -> Option<Value> {
    let s = |key: &str| d.get(key)?.as_str();
    let identifier = s("identifier")?;
    let ok_id = identifier.len() <= 100
        && !identifier.is_empty()
        && identifier
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-');
    if !ok_id {
        return None;
    }
    let locales: Vec<Value> = d
        .get("locales")?
        .as_array()?
        .iter()
        .filter_map(|l| {
            let (lang, name, description) = (
                l.get("lang")?.as_str()?,
                l.get("name")?.as_str()?,
                l.get("description")?.as_str()?,
            );
            let ok = !lang.is_empty() && lang.len() <= 20 && name.len() <= 640;
            let ok = ok && description.len() <= 100_000;
            ok.then(|| json!({"lang": lang, "name": name, "description": description}))
        })
        .collect();
    let mut out = Map::new();
    out.insert("identifier".into(), json!(identifier));
    out.insert("severity".into(), json!(s("severity")?));
    out.insert("blurs".into(), json!(s("blurs")?));
    if let Some(setting) = s("defaultSetting") {
        out.insert("defaultSetting".into(), json!(setting));
    }
    if let Some(adult) = d.get("adultOnly").and_then(Value::as_bool) {
        out.insert("adultOnly".into(), json!(adult));
    }
    out.insert("locales".into(), Value::Array(locales));
    Some(Value::Object(out))
}
