//! `com.atproto.repo.getRecord`: one record as `{uri, cid, value}` — the store's, else (beyond
//! the follows) the one its owner's PDS holds, fetched on demand. A PDS asks this for the feed
//! generator record before it proxies `getFeed`.

use crate::util::syntax;
use crate::xrpc::prelude::*;

/// The method's output: the record as stored, not parsed again.
#[derive(serde::Serialize)]
pub struct Output {
    uri: String,
    cid: String,
    value: view::RawRecord,
}

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    let repo = p.required("repo")?.to_string();
    let collection = p.required("collection")?.to_string();
    let rkey = p.required("rkey")?.to_string();
    if !syntax::is_nsid(&collection) || !syntax::is_rkey(&rkey) {
        return Err(XrpcError::invalid(
            "Error: collection must be an NSID and rkey a record key",
        ));
    }
    let not_found = || {
        XrpcError::named(
            "RecordNotFound",
            format!("Could not locate record: at://{repo}/{collection}/{rkey}"),
        )
    };
    let (r, c, k) = (repo.clone(), collection.clone(), rkey.clone());
    let id = run(&state, move |s| -> Result<Option<RecordId>, XrpcError> {
        let Some(did) = resolve_actor(s, &r)? else {
            return Ok(None);
        };
        Ok(Views::new(s)
            .active(&did)?
            .then(|| RecordId::new(&did, &c, &k)))
    })
    .await?
    .ok_or_else(not_found)?;
    let rec = service::remote::stored_or_fetched(&state, &id)
        .await?
        .ok_or_else(not_found)?;
    let rec = (*rec).clone();
    let cid = syntax::cid_string(&rec.cid);
    if p.get("cid").is_some_and(|want| want != cid) {
        return Err(not_found());
    }
    let value = crate::hydrate::raw_record(rec.value)
        .ok_or_else(|| XrpcError::internal(&"a stored record is not JSON"))?;
    let out = Output {
        uri: rec.id.uri(),
        cid,
        value,
    };
    reply(out)
}
