//! What a write the PDS accepted becomes in Aerie's own store, at once: the same operations a
//! live event would give, at the commit's rev, so the event that follows is a no-op (no
//! duplicate, no double count) and the user sees their write immediately.

use crate::ingest::event::{Change, Filter};
use crate::xrpc::prelude::*;
use aerie_storage::Op;
use serde_json::Value;

/// One accepted change: the record's URI, its CID (none for deletes) and its value.
struct Written<'a> {
    uri: &'a str,
    cid: Option<&'a str>,
    value: Option<&'a Value>,
}

fn op(w: &Written<'_>, did: &str, rev: &str, filter: &Filter) -> Option<Op> {
    let id = crate::util::syntax::record_uri(w.uri).filter(|id| id.did == did)?;
    let body = match (w.value, w.cid) {
        (Some(v), Some(c)) => Some((v.to_string(), crate::util::syntax::cid_bytes(c)?)),
        _ => None,
    };
    let action = if body.is_some() { "create" } else { "delete" };
    let change = Change {
        did,
        collection: &id.collection,
        rkey: &id.rkey,
        rev,
        action,
    };
    let body = body.as_ref().map(|(j, c)| (j.as_str(), c.clone()));
    change.into_op(body, crate::util::now_us(), filter).ok()
}

fn apply(state: &AppState, ops: Vec<Op>) {
    if ops.is_empty() {
        return;
    }
    if let Err(e) = state.scope.apply(&*state.store, ops, None) {
        tracing::error!("applying a write locally: {e}");
    }
}

fn commit_rev(output: &Value) -> Option<&str> {
    output.get("commit")?.get("rev")?.as_str()
}

fn filter(state: &AppState) -> Filter {
    Filter::from_config(&state.cfg.jetstream)
}

/// After `createRecord` / `putRecord`.
pub fn record(state: &AppState, did: &str, input: &Value, output: &Value) {
    let (Some(rev), Some(uri)) = (
        commit_rev(output),
        output.get("uri").and_then(Value::as_str),
    ) else {
        return;
    };
    let w = Written {
        uri,
        cid: output.get("cid").and_then(Value::as_str),
        value: input.get("record"),
    };
    apply(
        state,
        op(&w, did, rev, &filter(state)).into_iter().collect(),
    );
}

/// After `deleteRecord`.
pub fn deleted(state: &AppState, did: &str, input: &Value, output: &Value) {
    let Some(rev) = commit_rev(output) else {
        return;
    };
    let text = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or_default();
    let uri = format!("at://{did}/{}/{}", text("collection"), text("rkey"));
    let w = Written {
        uri: &uri,
        cid: None,
        value: None,
    };
    apply(
        state,
        op(&w, did, rev, &filter(state)).into_iter().collect(),
    );
}

/// After `applyWrites`: each write with its result, in order.
pub fn writes(state: &AppState, did: &str, input: &Value, output: &Value) {
    let Some(rev) = commit_rev(output) else {
        return;
    };
    let (Some(writes), Some(results)) = (
        input.get("writes").and_then(Value::as_array),
        output.get("results").and_then(Value::as_array),
    ) else {
        return;
    };
    let f = filter(state);
    let mut ops = Vec::with_capacity(writes.len());
    for (w, r) in writes.iter().zip(results) {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let uri = text(r, "uri").unwrap_or_else(|| {
            format!(
                "at://{did}/{}/{}",
                text(w, "collection").unwrap_or_default(),
                text(w, "rkey").unwrap_or_default()
            )
        });
        let is_delete = text(w, "$type").is_some_and(|t| t.ends_with("#delete"));
        let cid = text(r, "cid");
        let written = Written {
            uri: &uri,
            cid: cid.as_deref().filter(|_| !is_delete),
            value: w.get("value").filter(|_| !is_delete),
        };
        ops.extend(op(&written, did, rev, &f));
    }
    apply(state, ops);
}
