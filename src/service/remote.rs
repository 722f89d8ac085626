//! Records beyond the store, fetched on demand from their owner's PDS
//! (`com.atproto.repo.getRecord`, through the outbound guard, within a deadline), checked
//! against their CID and collection, and kept a few minutes in memory — absences too — so a
//! page that names the same record twice, or a client asking again, costs one fetch.

use crate::identity::IdentityError;
use crate::outbound::{FetchError, Outbound};
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use quick_cache::sync::Cache;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a fetched record (or its absence) is served from memory.
const FRESH: Duration = Duration::from_secs(300);
/// How long one fetch may take, DID document included.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// The largest record response accepted.
const MAX_BYTES: usize = 256 * 1024;

/// Why a record could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The owner's DID or PDS could not be found.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The DID document names no PDS.
    #[error("{0} has no PDS")]
    NoPds(String),
    /// The PDS could not be reached or refused.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The PDS answered something that is not the record asked for.
    #[error("{0}: {1}")]
    Invalid(String, &'static str),
    /// Not within the deadline.
    #[error("{0}: no answer within {1:?}")]
    Late(String, Duration),
}

/// Fetched records, by URI.
pub struct Remote {
    cache: Cache<String, (Instant, Option<Arc<StoredRecord>>)>,
}

impl Default for Remote {
    fn default() -> Self {
        Remote {
            cache: Cache::new(10_000),
        }
    }
}

#[derive(serde::Deserialize)]
struct GetRecord {
    uri: String,
    cid: Option<String>,
    value: serde_json::Value,
}

impl Remote {
    /// The record from its owner's PDS (`None` when the PDS says it does not exist).
    pub async fn record(
        &self,
        state: &AppState,
        id: &RecordId,
    ) -> Result<Option<Arc<StoredRecord>>, RemoteError> {
        let key = id.uri();
        if let Some((at, rec)) = self.cache.get(&key) {
            if at.elapsed() < FRESH {
                return Ok(rec);
            }
        }
        let rec = tokio::time::timeout(DEADLINE, fetch(state, id))
            .await
            .map_err(|_| RemoteError::Late(key.clone(), DEADLINE))??
            .map(Arc::new);
        self.cache.insert(key, (Instant::now(), rec.clone()));
        Ok(rec)
    }
}

async fn fetch(state: &AppState, id: &RecordId) -> Result<Option<StoredRecord>, RemoteError> {
    let resolver = state.resolver();
    let doc = resolver.did_doc(&id.did).await?;
    let pds = doc
        .pds()
        .ok_or_else(|| RemoteError::NoPds(id.did.clone()))?;
    let mut url = url::Url::parse(&format!("{pds}/xrpc/com.atproto.repo.getRecord"))
        .map_err(|_| RemoteError::NoPds(id.did.clone()))?;
    url.query_pairs_mut()
        .append_pair("repo", &id.did)
        .append_pair("collection", &id.collection)
        .append_pair("rkey", &id.rkey);
    let resp = resolver
        .fetcher()
        .send(Outbound::get(url.as_str(), MAX_BYTES))
        .await?;
    if resp.status == 400 && resp.error_name().as_deref() == Some("RecordNotFound") {
        return Ok(None);
    }
    let body = resp.success(url.as_str())?;
    let invalid = |why| RemoteError::Invalid(id.uri(), why);
    let got: GetRecord = serde_json::from_slice(&body).map_err(|_| invalid("not a record"))?;
    if got.uri != id.uri() {
        return Err(invalid("another record's URI"));
    }
    if got.value.get("$type").and_then(|t| t.as_str()) != Some(id.collection.as_str()) {
        return Err(invalid("another collection's record"));
    }
    let cid = aerie_storage::cbor::record_cid(&got.value).ok_or(invalid("not DAG-CBOR"))?;
    let claimed = got.cid.as_deref().and_then(crate::util::syntax::cid_bytes);
    if claimed.as_deref() != Some(cid.as_slice()) {
        return Err(invalid("its CID does not match"));
    }
    let now = crate::util::now_us();
    Ok(Some(StoredRecord {
        id: id.clone(),
        cid,
        rev: 0,
        indexed_at_us: now,
        sort_at_us: now,
        value: serde_json::to_vec(&got.value).map_err(|_| invalid("not JSON"))?,
    }))
}

/// A record as the store holds it, else as its owner's PDS does (`None` when neither has it or
/// the PDS cannot be reached in time — logged).
pub async fn stored_or_fetched(
    state: &Arc<AppState>,
    id: &RecordId,
) -> aerie_storage::Result<Option<Arc<StoredRecord>>> {
    let key = id.clone();
    let stored = super::run(state, move |s| s.store.record(&key)).await?;
    if let Some(r) = stored {
        return Ok(Some(Arc::new(r)));
    }
    match state.remote.record(state, id).await {
        Ok(r) => Ok(r),
        Err(e) => {
            tracing::info!("fetching {}: {e}", id.uri());
            Ok(None)
        }
    }
}
