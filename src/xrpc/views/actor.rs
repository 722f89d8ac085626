//! Profile views: basic, plain and detailed.

use super::{blob_cid, datetime, text, Limit, Views};
use aerie_storage::facts::nsid;
use aerie_storage::RecordId;
use serde_json::{json, Map, Value};

/// Which profile view to build.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    /// `#profileViewBasic`.
    Basic,
    /// `#profileView` (adds description, indexedAt).
    Plain,
    /// `#profileViewDetailed` (adds banner and counts).
    Detailed,
}

impl Views<'_> {
    /// A profile view; handles that are unknown render as `handle.invalid`.
    pub fn profile(&self, did: &str, kind: ProfileKind) -> aerie_storage::Result<Value> {
        let key = (did.to_string(), kind);
        if let Some(v) = self.memo.profiles.get(&key) {
            return Ok(v);
        }
        let v = self.build_profile(did, kind)?;
        self.memo.profiles.put(key, v.clone());
        Ok(v)
    }

    fn build_profile(&self, did: &str, kind: ProfileKind) -> aerie_storage::Result<Value> {
        let store = &self.state.store;
        let handle = self
            .actor(did)?
            .and_then(|a| a.handle)
            .unwrap_or_else(|| "handle.invalid".into());
        let mut m = Map::new();
        m.insert("did".into(), json!(did));
        m.insert("handle".into(), json!(handle));
        let rec = store.record(&RecordId::new(did, nsid::PROFILE, "self"))?;
        let value: Value = rec
            .as_ref()
            .and_then(|r| serde_json::from_slice(&r.value).ok())
            .unwrap_or(Value::Null);
        if let Some(n) = text(
            &value,
            "displayName",
            Limit {
                bytes: 640,
                graphemes: 64,
            },
        ) {
            m.insert("displayName".into(), json!(n));
        }
        if let Some(c) = value.get("avatar").and_then(blob_cid) {
            m.insert("avatar".into(), json!(self.cdn("avatar", did, &c)));
        }
        if let Some(c) = datetime(&value, "createdAt") {
            m.insert("createdAt".into(), json!(c));
        }
        if kind != ProfileKind::Basic {
            if let Some(d) = text(
                &value,
                "description",
                Limit {
                    bytes: 2560,
                    graphemes: 256,
                },
            ) {
                m.insert("description".into(), json!(d));
            }
            if let Some(r) = &rec {
                m.insert(
                    "indexedAt".into(),
                    json!(aerie_storage::datetime::format_us(r.indexed_at_us)),
                );
            }
        }
        if kind == ProfileKind::Detailed {
            if let Some(c) = value.get("banner").and_then(blob_cid) {
                m.insert("banner".into(), json!(self.cdn("banner", did, &c)));
            }
            let counts = store.actor_counts(did)?;
            m.insert("followersCount".into(), json!(counts.followers));
            m.insert("followsCount".into(), json!(counts.follows));
            m.insert("postsCount".into(), json!(counts.posts));
        }
        if let Some(v) = self.actor_viewer(did)? {
            m.insert("viewer".into(), v);
        }
        m.insert("labels".into(), json!([]));
        Ok(Value::Object(m))
    }

    /// `#viewerState` of a profile: mutes, blocks both ways, follows both ways.
    fn actor_viewer(&self, did: &str) -> aerie_storage::Result<Option<Value>> {
        let Some(r) = self.relationship(did)? else {
            return Ok(None);
        };
        let mut v = json!({ "muted": r.muted, "blockedBy": r.blocked_by });
        if let Some(b) = &r.blocking {
            v["blocking"] = json!(b.uri());
        }
        if let Some(f) = &r.following {
            v["following"] = json!(f.uri());
        }
        if let Some(f) = &r.followed_by {
            v["followedBy"] = json!(f.uri());
        }
        Ok(Some(v))
    }
}
