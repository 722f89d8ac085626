//! The lists each local user blocks (`app.bsky.graph.listblock`) and who is on them, as the
//! service last read them (the lists may live on other PDSes): hydration treats an account on
//! one of the viewer's blocked lists as blocked (`viewer.blockingByList`), as the reference does.

use aerie_storage::{RecordId, StoredRecord};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// `app.bsky.graph.listblock`.
pub const LIST_BLOCK: &str = "app.bsky.graph.listblock";

/// One viewer's blocked lists and their members.
#[derive(Default, Debug)]
pub struct Blocked {
    /// Each blocked list: the listblock record's URI and the list record.
    pub lists: Vec<(RecordId, Arc<StoredRecord>)>,
    /// Each member of a blocked list, and the first such list (an index into `lists`).
    pub members: HashMap<String, usize>,
}

impl Blocked {
    /// The blocked list `did` is on, if any.
    pub fn list_of(&self, did: &str) -> Option<&Arc<StoredRecord>> {
        self.members
            .get(did)
            .and_then(|i| self.lists.get(*i))
            .map(|(_, list)| list)
    }

    /// The viewer's listblock record of the list `uri`, if they block it.
    pub fn block_of(&self, uri: &str) -> Option<&RecordId> {
        self.lists
            .iter()
            .find(|(_, list)| list.id.uri() == uri)
            .map(|(block, _)| block)
    }
}

/// Every local user's blocked lists.
#[derive(Default)]
pub struct ListBlocks {
    by_viewer: RwLock<HashMap<String, Arc<Blocked>>>,
}

impl ListBlocks {
    /// `viewer`'s blocked lists (none known: `None`).
    pub fn of(&self, viewer: &str) -> Option<Arc<Blocked>> {
        self.by_viewer.read().ok()?.get(viewer).cloned()
    }

    /// Replaces `viewer`'s blocked lists.
    pub fn set(&self, viewer: &str, blocked: Blocked) {
        if let Ok(mut map) = self.by_viewer.write() {
            if blocked.lists.is_empty() {
                map.remove(viewer);
            } else {
                map.insert(viewer.to_string(), Arc::new(blocked));
            }
        }
    }
}
