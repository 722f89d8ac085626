//! Per-request memo of what hydration looks up repeatedly: accounts, the viewer's
//! relationship to each of them, and built profile views. One request only: nothing here is
//! shared between requests or viewers.

use super::{ProfileKind, Views};
use aerie_storage::{Actor, RecordId, Relation};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The lookups one request has already made.
#[derive(Default)]
pub(super) struct Memo {
    actors: RefCell<HashMap<String, Option<Actor>>>,
    relationships: RefCell<HashMap<String, Rc<Relationship>>>,
    pub(super) profiles: RefCell<HashMap<(String, ProfileKind), Value>>,
}

/// The viewer's relationship to one account (`app.bsky.actor.defs#viewerState`).
#[derive(Debug, Default)]
pub struct Relationship {
    /// The viewer muted the account (kept in Aerie).
    pub muted: bool,
    /// The viewer's block record of the account.
    pub blocking: Option<RecordId>,
    /// The account blocks the viewer.
    pub blocked_by: bool,
    /// The viewer's follow record of the account.
    pub following: Option<RecordId>,
    /// The account's follow record of the viewer.
    pub followed_by: Option<RecordId>,
}

impl Relationship {
    /// A block in either direction.
    pub fn blocks(&self) -> bool {
        self.blocking.is_some() || self.blocked_by
    }
}

impl Views<'_> {
    /// The stored account, looked up once per request.
    pub(super) fn actor(&self, did: &str) -> aerie_storage::Result<Option<Actor>> {
        if let Some(a) = self.memo.actors.borrow().get(did) {
            return Ok(a.clone());
        }
        let a = self.state.store.actor(did)?;
        self.memo
            .actors
            .borrow_mut()
            .insert(did.to_string(), a.clone());
        Ok(a)
    }

    /// The viewer's relationship to `did`, looked up once per request; `None` without a viewer.
    pub fn relationship(&self, did: &str) -> aerie_storage::Result<Option<Rc<Relationship>>> {
        let Some(viewer) = &self.viewer else {
            return Ok(None);
        };
        if let Some(r) = self.memo.relationships.borrow().get(did) {
            return Ok(Some(r.clone()));
        }
        let store = &self.state.store;
        let r = Rc::new(if viewer == did {
            Relationship::default()
        } else {
            Relationship {
                muted: store.muted(viewer, did)?,
                blocking: store.block_record(viewer, did)?,
                blocked_by: store.blocking(did, viewer)?,
                following: store.relation(Relation::Follow, viewer, did)?,
                followed_by: store.relation(Relation::Follow, did, viewer)?,
            }
        });
        self.memo
            .relationships
            .borrow_mut()
            .insert(did.to_string(), r.clone());
        Ok(Some(r))
    }
}
