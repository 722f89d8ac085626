//! Configuration of search (`[search]`): the Tantivy index under `<data_dir>/search`, its
//! writer's memory, and where people search looks beyond the store.

use serde::{Deserialize, Serialize};

/// `[search]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchConfig {
    /// Keep the index and answer the search methods (off: they answer nothing).
    pub enabled: bool,
    /// The index writer's memory budget (MiB, at least 15).
    pub writer_memory_mb: usize,
    /// Longest time between a change reaching the store and being searchable (ms, at most
    /// 500).
    pub commit_interval_ms: u64,
    /// An AppView whose `searchActorsTypeahead` people search asks when the local answer is
    /// thin (empty: never ask).
    pub people_appview_url: String,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            writer_memory_mb: 20,
            commit_interval_ms: 250,
            people_appview_url: "https://public.api.bsky.app".into(),
        }
    }
}

impl SearchConfig {
    /// The people AppView's base URL (`None`: not asked).
    pub fn people_url(&self) -> Option<&str> {
        let u = self.people_appview_url.trim().trim_end_matches('/');
        (!u.is_empty()).then_some(u)
    }
}
