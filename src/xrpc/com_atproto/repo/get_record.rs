//! `com.atproto.repo.getRecord`: one stored record as `{uri, cid, value}`.

use crate::util::syntax;
use crate::xrpc::prelude::*;

/// The method's output: the record as stored, not parsed again.
#[derive(serde::Serialize)]
pub struct Output {
    uri: String,
    cid: String,
    value: view::RawRecord,
}

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> Response {
    respond(&state, move |s| {
        let repo = p.required("repo")?;
        let collection = p.required("collection")?;
        let rkey = p.required("rkey")?;
        if !syntax::is_nsid(collection) || !syntax::is_rkey(rkey) {
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
        let did = resolve_actor(s, repo)?.ok_or_else(not_found)?;
        let id = RecordId::new(&did, collection, rkey);
        if !Views::new(s).active(&did)? {
            return Err(not_found());
        }
        let rec = s.store.record(&id)?.ok_or_else(not_found)?;
        let cid = syntax::cid_string(&rec.cid);
        if p.get("cid").is_some_and(|want| want != cid) {
            return Err(not_found());
        }
        let value = crate::hydrate::raw_record(rec.value)
            .ok_or_else(|| XrpcError::internal(&"a stored record is not JSON"))?;
        Ok(Output {
            uri: id.uri(),
            cid,
            value,
        })
    })
    .await
}
