//! Records beyond the store, fetched on demand from their owner's PDS
//! (`com.atproto.repo.getRecord`, through the outbound guard, within a deadline), checked
//! against their CID and collection, and kept a few minutes in memory — absences too — so a
//! page that names the same record twice, or a client asking again, costs one fetch; and kept
//! in the store as visited content (`gate::visited`), which serves after a restart and when
//! the PDS is down, until retention prunes it. A fetch past the deadline goes on in the
//! background; requests per PDS host are bounded.

use crate::gate::visited;
use crate::identity::IdentityError;
use crate::outbound::{FetchError, Outbound};
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use quick_cache::sync::Cache;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a fetched record (or its absence) is served from memory.
const FRESH: Duration = Duration::from_secs(300);
/// How long a record kept as visited content is served before it is fetched again (an older
/// copy still serves when its PDS does not answer in time).
pub const REVISIT: Duration = Duration::from_secs(600);
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

/// Memory the cache of fetched records may hold (records are weighed by their size).
const CACHE_BYTES: u64 = 32 << 20;

/// A cached fetch: when, and the record (or its absence).
type Fetched = (Instant, Option<Arc<StoredRecord>>);

/// Weighs a cached fetch by the bytes it holds.
#[derive(Clone)]
struct BySize;

impl quick_cache::Weighter<String, Fetched> for BySize {
    fn weight(&self, key: &String, val: &Fetched) -> u64 {
        let record = val.1.as_ref().map_or(0, |r| r.value.len() + r.cid.len());
        (key.len() + record + 64) as u64
    }
}

/// Requests to one PDS host at once, at most.
const PER_HOST: usize = 4;
/// Hosts remembered for their bound (idle ones are forgotten past this).
const MAX_HOSTS: usize = 1024;

/// Fetched records, by URI, and the bound on requests per PDS host.
pub struct Remote {
    cache: Cache<String, Fetched, BySize>,
    hosts: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

impl Default for Remote {
    fn default() -> Self {
        Remote {
            cache: Cache::with_weighter(10_000, CACHE_BYTES, BySize),
            hosts: Default::default(),
        }
    }
}

#[derive(serde::Deserialize)]
struct ListRecords {
    records: Vec<GetRecord>,
    cursor: Option<String>,
}

#[derive(serde::Deserialize)]
struct GetRecord {
    uri: String,
    cid: Option<String>,
    value: serde_json::Value,
}

impl Remote {
    /// The record from its owner's PDS (`None` when the PDS says it does not exist). A copy
    /// fetched within [`REVISIT`] (kept in memory, else in the store as visited content)
    /// serves at once. Otherwise it is fetched, on its own: past the deadline the caller gets
    /// the older copy if there is one (else `Late`), and the fetch goes on and leaves its
    /// answer for the next request.
    pub async fn record(
        &self,
        state: &Arc<AppState>,
        id: &RecordId,
    ) -> Result<Option<Arc<StoredRecord>>, RemoteError> {
        let key = id.uri();
        if let Some((at, rec)) = self.cache.get(&key) {
            if at.elapsed() < FRESH {
                return Ok(rec);
            }
        }
        let kept = {
            let id = id.clone();
            super::run(state, move |s| visited::get(&*s.store, &id))
                .await
                .ok()
                .flatten()
        };
        if let Some((rec, at_us)) = &kept {
            if crate::util::now_us() - at_us < REVISIT.as_micros() as i64 {
                let rec = Some(Arc::new(rec.clone()));
                self.cache.insert(key, (Instant::now(), rec.clone()));
                return Ok(rec);
            }
        }
        let task = tokio::spawn({
            let (state, id, key) = (state.clone(), id.clone(), key.clone());
            async move {
                let rec = fetch(&state, &id).await?.map(Arc::new);
                state
                    .remote
                    .cache
                    .insert(key.clone(), (Instant::now(), rec.clone()));
                let (s, fetched) = (state.clone(), rec.clone());
                let _ = tokio::task::spawn_blocking(move || {
                    let at = crate::util::now_us();
                    if let Err(e) = visited::keep(&*s.store, &key, fetched.as_deref(), at) {
                        tracing::warn!("keeping {key}: {e}");
                    }
                })
                .await;
                Ok(rec)
            }
        });
        let answer = match tokio::time::timeout(DEADLINE, task).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) | Err(_) => Err(RemoteError::Late(key, DEADLINE)),
        };
        match (answer, kept) {
            (Err(e), Some((rec, _))) => {
                tracing::info!("{e}; serving the copy fetched before");
                Ok(Some(Arc::new(rec)))
            }
            (answer, _) => answer,
        }
    }

    /// A slot for one request to `url`'s host: at most [`PER_HOST`] at once.
    async fn slot(&self, url: &url::Url) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let host = format!("{}:{}", url.host_str()?, url.port_or_known_default()?);
        let sem = {
            let mut hosts = self.hosts.lock().ok()?;
            if hosts.len() >= MAX_HOSTS {
                hosts.retain(|_, s| s.available_permits() < PER_HOST);
            }
            hosts
                .entry(host)
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(PER_HOST)))
                .clone()
        };
        sem.acquire_owned().await.ok()
    }
}

/// One page of an account's records of `collection` from its PDS
/// (`com.atproto.repo.listRecords`), each checked as [`Remote::record`] checks one, and the
/// PDS's cursor for the next.
pub async fn list_records(
    state: &AppState,
    did: &str,
    collection: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<StoredRecord>, Option<String>), RemoteError> {
    let list = async {
        let mut url = xrpc_url(state, did, "com.atproto.repo.listRecords").await?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("repo", did)
                .append_pair("collection", collection)
                .append_pair("limit", &limit.min(100).to_string());
            if let Some(c) = cursor {
                q.append_pair("cursor", c);
            }
        }
        let _slot = state.remote.slot(&url).await;
        let resp = state
            .resolver()
            .fetcher()
            .send(Outbound::get(url.as_str(), 4 * MAX_BYTES))
            .await?;
        let body = resp.success(url.as_str())?;
        let page: ListRecords = serde_json::from_slice(&body)
            .map_err(|_| RemoteError::Invalid(did.to_string(), "not a page of records"))?;
        let records = page
            .records
            .into_iter()
            .filter_map(|got| {
                let id = RecordId::parse_uri(&got.uri)?;
                let ok = id.did == did && id.collection == collection;
                ok.then(|| checked(&id, got).ok()).flatten()
            })
            .collect();
        Ok((records, page.cursor))
    };
    tokio::time::timeout(DEADLINE, list)
        .await
        .map_err(|_| RemoteError::Late(did.to_string(), DEADLINE))?
}

/// The URL of method `nsid` at `did`'s PDS.
async fn xrpc_url(state: &AppState, did: &str, nsid: &str) -> Result<url::Url, RemoteError> {
    let doc = state.resolver().did_doc(did).await?;
    let pds = doc
        .pds()
        .ok_or_else(|| RemoteError::NoPds(did.to_string()))?;
    url::Url::parse(&format!("{pds}/xrpc/{nsid}")).map_err(|_| RemoteError::NoPds(did.to_string()))
}

async fn fetch(state: &AppState, id: &RecordId) -> Result<Option<StoredRecord>, RemoteError> {
    let mut url = xrpc_url(state, &id.did, "com.atproto.repo.getRecord").await?;
    url.query_pairs_mut()
        .append_pair("repo", &id.did)
        .append_pair("collection", &id.collection)
        .append_pair("rkey", &id.rkey);
    let _slot = state.remote.slot(&url).await;
    let resp = state
        .resolver()
        .fetcher()
        .send(Outbound::get(url.as_str(), MAX_BYTES))
        .await?;
    if resp.status == 400 && resp.error_name().as_deref() == Some("RecordNotFound") {
        return Ok(None);
    }
    let body = resp.success(url.as_str())?;
    let got: GetRecord = serde_json::from_slice(&body)
        .map_err(|_| RemoteError::Invalid(id.uri(), "not a record"))?;
    checked(id, got).map(Some)
}

/// A record a PDS gave for `id`, checked: its URI, its collection, its CID.
fn checked(id: &RecordId, got: GetRecord) -> Result<StoredRecord, RemoteError> {
    let invalid = |why| RemoteError::Invalid(id.uri(), why);
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
    Ok(StoredRecord {
        id: id.clone(),
        cid,
        rev: 0,
        indexed_at_us: now,
        sort_at_us: now,
        value: serde_json::to_vec(&got.value).map_err(|_| invalid("not JSON"))?,
    })
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
