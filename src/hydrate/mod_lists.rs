//! The moderation lists each local user blocks (`app.bsky.graph.listblock`) or mutes
//! (`muteActorList`, kept in Aerie) and who is on them, as the service last read them (the
//! lists may live on other PDSes): hydration treats an account on one of the viewer's blocked
//! lists as blocked (`viewer.blockingByList`) and one on a muted list as muted
//! (`viewer.mutedByList`), as the reference does.

use aerie_storage::{RecordId, StoredRecord};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// `app.bsky.graph.listblock`.
pub const LIST_BLOCK: &str = "app.bsky.graph.listblock";

/// One viewer's blocked (or muted) lists and their members.
#[derive(Default, Debug)]
pub struct OnLists {
    /// Each list: what makes the viewer block or mute it (the listblock record; for a mute,
    /// the list itself) and the list record.
    pub lists: Vec<(RecordId, Arc<StoredRecord>)>,
    /// Each member of one of the lists, and the first such list (an index into `lists`).
    pub members: HashMap<String, usize>,
}

impl OnLists {
    /// The list `did` is on, if any.
    pub fn list_of(&self, did: &str) -> Option<&Arc<StoredRecord>> {
        self.members
            .get(did)
            .and_then(|i| self.lists.get(*i))
            .map(|(_, list)| list)
    }

    /// What makes the viewer block or mute the list `uri` (the listblock record), if they do.
    pub fn entry_of(&self, uri: &str) -> Option<&RecordId> {
        self.lists
            .iter()
            .find(|(_, list)| list.id.uri() == uri)
            .map(|(entry, _)| entry)
    }
}

/// Every local user's blocked, or muted, lists.
#[derive(Default)]
pub struct ViewerLists {
    by_viewer: RwLock<HashMap<String, Arc<OnLists>>>,
}

impl ViewerLists {
    /// `viewer`'s lists (none known: `None`).
    pub fn of(&self, viewer: &str) -> Option<Arc<OnLists>> {
        self.by_viewer.read().ok()?.get(viewer).cloned()
    }

    /// Replaces `viewer`'s lists.
    pub fn set(&self, viewer: &str, lists: OnLists) {
        if let Ok(mut map) = self.by_viewer.write() {
            if lists.lists.is_empty() {
                map.remove(viewer);
            } else {
                map.insert(viewer.to_string(), Arc::new(lists));
            }
        }
    }
}
