//! `com.atproto.repo.getRecord`: one stored record as `{uri, cid, value}`.

use crate::util::syntax;
use crate::xrpc::prelude::*;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
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
    let did = resolve_actor(&state, repo)?.ok_or_else(not_found)?;
    let id = RecordId::new(&did, collection, rkey);
    if !Views::new(&state).active(&did)? {
        return Err(not_found());
    }
    let rec = state.store.record(&id)?.ok_or_else(not_found)?;
    let cid = syntax::cid_string(&rec.cid);
    if p.get("cid").is_some_and(|want| want != cid) {
        return Err(not_found());
    }
    let value: serde_json::Value =
        serde_json::from_slice(&rec.value).map_err(|e| XrpcError::internal(&e))?;
    Ok(Json(json!({ "uri": id.uri(), "cid": cid, "value": value })))
}
