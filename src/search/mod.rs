//! Search: a Tantivy index under `<data_dir>/search` kept as a view of the store. One writer
//! thread follows the store's change log (`indexer`) and commits, with the position it took
//! in, every `search.commit_interval_ms`; queries (`query`, `posts`, `actors`) read the last
//! commit. The index never holds text the store does not: documents carry terms and the
//! identifier, and answers are hydrated from the store.

pub mod actors;
pub mod analyze;
mod common;
pub mod doc;
mod indexer;
pub mod posts;
pub mod query;
pub mod schema;
mod segment;
mod segment_model;

pub use indexer::{Indexer, Progress};

use aerie_storage::Store;
use schema::Fields;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, Term};

/// What can go wrong opening or reading the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Tantivy failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be opened or made.
    #[error("search index directory: {0}")]
    Directory(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] aerie_storage::Error),
}

/// The version of what the index holds: bumped when documents are built differently, so an
/// index built by an older Aerie is rebuilt.
const INDEX_VERSION: u32 = 5;

/// The oldest and newest `sortAt` of each block of a segment's documents.
pub type Blocks = Vec<(i64, i64)>;

/// The open index, shared by every request.
pub struct Search {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// DIDs of hidden accounts, for the searcher generation they were read at.
    hidden: Mutex<(u64, Arc<Vec<String>>)>,
    /// The oldest and newest `sortAt` of each block of documents, by segment.
    blocks: Mutex<std::collections::HashMap<tantivy::index::SegmentId, Arc<Blocks>>>,
}

impl Search {
    /// Opens the index in `dir` (made when missing; a damaged or outdated one is moved aside
    /// and made anew, then rebuilt by the indexer), or in memory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => open_dir(dir, schema)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            // Nothing is stored: a doc-store cache would only hold memory.
            .doc_store_cache_num_blocks(0)
            .try_into()?;
        Ok(Search {
            index,
            reader,
            fields,
            hidden: Mutex::new((u64::MAX, Arc::default())),
            blocks: Mutex::default(),
        })
    }

    /// The index's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The last committed state.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The writer thread's half: follows `store`'s change log into this index.
    pub fn indexer(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        cfg: &crate::config::SearchConfig,
    ) -> Result<Indexer, SearchError> {
        Indexer::new(self.clone(), store, cfg)
    }

    /// DIDs of accounts that serve no content (deactivated, taken down), as of the last
    /// commit: left out of every answer.
    pub fn hidden(&self, searcher: &Searcher) -> Result<Arc<Vec<String>>, SearchError> {
        let generation = searcher.generation().generation_id();
        if let Ok(h) = self.hidden.lock() {
            if h.0 == generation {
                return Ok(h.1.clone());
            }
        }
        let q = TermQuery::new(
            Term::from_field_text(self.fields.hidden, "1"),
            IndexRecordOption::Basic,
        );
        let n = searcher.search(&q, &tantivy::collector::Count)?;
        let hits = searcher.search(&q, &TopDocs::with_limit(n.max(1)).order_by_score())?;
        let mut ids = Ids::new(searcher);
        let mut dids = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            dids.extend(ids.get(addr)?);
        }
        let dids = Arc::new(dids);
        if let Ok(mut h) = self.hidden.lock() {
            *h = (generation, dids.clone());
        }
        Ok(dids)
    }

    /// The oldest and newest `sortAt` of each block of `posts::BLOCK` documents of a segment
    /// (deleted ones included: bounds, not contents), read once per segment — segments never
    /// change — and forgotten with their segment.
    pub fn blocks(&self, reader: &tantivy::SegmentReader) -> Result<Arc<Blocks>, SearchError> {
        let id = reader.segment_id();
        if let Some(b) = self.blocks.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(b);
        }
        let column = reader
            .fast_fields()
            .i64("sort_at")?
            .first_or_default_col(i64::MIN);
        let max_doc = reader.max_doc();
        let mut out = Vec::with_capacity((max_doc / posts::BLOCK + 1) as usize);
        let mut values = vec![0i64; posts::BLOCK as usize];
        let mut start = 0;
        while start < max_doc {
            let end = (start + posts::BLOCK).min(max_doc);
            let chunk = &mut values[..(end - start) as usize];
            column.get_range(u64::from(start), chunk);
            let lo = chunk.iter().copied().min().unwrap_or(i64::MIN);
            let hi = chunk.iter().copied().max().unwrap_or(i64::MIN);
            out.push((lo, hi));
            start = end;
        }
        let out = Arc::new(out);
        if let Ok(mut m) = self.blocks.lock() {
            let live: std::collections::HashSet<tantivy::index::SegmentId> = self
                .searcher()
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect();
            m.retain(|k, _| live.contains(k));
            m.insert(id, out.clone());
        }
        Ok(out)
    }

    /// Reloads the reader (after a commit).
    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        Ok(())
    }
}

/// Reads hits' identifiers from the `id` column, opening each segment's column once.
pub struct Ids<'a> {
    searcher: &'a Searcher,
    columns: Vec<Option<Option<tantivy::columnar::StrColumn>>>,
}

impl<'a> Ids<'a> {
    /// A reader for hits of `searcher`.
    pub fn new(searcher: &'a Searcher) -> Self {
        Ids {
            searcher,
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    /// The identifier of a hit.
    pub fn get(&mut self, addr: tantivy::DocAddress) -> Result<Option<String>, SearchError> {
        let ord = addr.segment_ord as usize;
        let Some(slot) = self.columns.get_mut(ord) else {
            return Ok(None);
        };
        if slot.is_none() {
            let reader = self.searcher.segment_reader(addr.segment_ord);
            *slot = Some(reader.fast_fields().str("id")?);
        }
        let Some(Some(column)) = slot.as_ref() else {
            return Ok(None);
        };
        let Some(ord) = column.term_ords(addr.doc_id).next() else {
            return Ok(None);
        };
        let mut id = String::new();
        let found = column
            .ord_to_str(ord, &mut id)
            .map_err(|e| SearchError::Index(e.into()))?;
        Ok(found.then_some(id))
    }
}

/// Opens the index in `dir`, or makes it. A directory that is not a readable index of this
/// schema is moved aside (`search.damaged-<time>`, so nothing is destroyed) and a new one made.
fn open_dir(dir: &Path, schema: tantivy::schema::Schema) -> Result<Index, SearchError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
    let opened = tantivy::directory::MmapDirectory::open(dir)
        .map_err(|e| SearchError::Directory(e.to_string()))
        .and_then(|d| Index::open_or_create(d, schema.clone()).map_err(SearchError::from));
    match opened {
        Ok(index) => Ok(index),
        Err(e) => {
            let aside = dir.with_file_name(format!(
                "search.damaged-{}",
                crate::util::now_us() / 1_000_000
            ));
            tracing::warn!(error = %e, moved_to = %aside.display(), "the search index cannot be opened; it is set aside and rebuilt");
            std::fs::rename(dir, &aside)
                .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
            std::fs::create_dir_all(dir)
                .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
            let d = tantivy::directory::MmapDirectory::open(dir)
                .map_err(|e| SearchError::Directory(e.to_string()))?;
            Ok(Index::open_or_create(d, schema)?)
        }
    }
}

/// What the search module's tests share: an index in memory over a memory store, its writer
/// started, and posts to write.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Indexer, Search};
    use aerie_storage::{Backend, Durability, Op, RecordId, Store};
    use std::sync::Arc;

    /// A memory store, an index over it, and its started writer.
    pub fn fixture() -> (Arc<dyn Store>, Arc<Search>, Indexer) {
        let store =
            aerie_storage::open(Backend::Memory, "".as_ref(), Durability::Buffer).expect("store");
        let search = Arc::new(Search::open(None).expect("index"));
        let mut indexer = search
            .indexer(store.clone(), &crate::config::SearchConfig::default())
            .expect("indexer");
        indexer.start(&mut |_, _| {}).expect("start");
        (store, search, indexer)
    }

    /// A post `p{n}` by `did` at `t` (µs) saying `text`, at rev `rev`.
    pub fn post(did: &str, n: i64, rev: u64, t: i64, text: &str) -> Op {
        let record = serde_json::json!({"$type": "app.bsky.feed.post", "text": text,
            "createdAt": aerie_storage::datetime::format_us(t)});
        Op::Put {
            id: RecordId::new(did, "app.bsky.feed.post", &format!("p{n}")),
            rev,
            cid: aerie_storage::cbor::record_cid(&record).unwrap_or_default(),
            record: record.to_string().into_bytes(),
            time_us: t,
        }
    }
}
