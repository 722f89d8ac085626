//! What a write the user's PDS accepted becomes in Aerie's own store, at once: the same
//! operations a live event would give, at the commit's rev, so the event that follows is a
//! no-op (no duplicate, no double count) and the user sees their write immediately. The XRPC
//! write methods and the pages' actions both end here, through the scope like any other write.

use super::change::{Change, Filter};
use super::Scope;
use aerie_storage::{Op, Store};
use serde_json::Value;

/// A write the user's PDS accepted: the method, what was sent and what the PDS answered.
pub struct Accepted<'a> {
    /// `com.atproto.repo.createRecord`, `putRecord`, `deleteRecord` or `applyWrites`.
    pub nsid: &'a str,
    /// The user whose repository was written.
    pub did: &'a str,
    /// The request body sent to the PDS.
    pub input: &'a Value,
    /// The PDS's answer (a success).
    pub output: &'a Value,
}

/// Applies an accepted write through the scope. A failure is logged, not returned: the PDS
/// has the write, and the live event brings it to the store anyway.
pub fn apply(scope: &Scope, store: &dyn Store, filter: &Filter, w: &Accepted<'_>) {
    let ops = match w.nsid {
        "com.atproto.repo.deleteRecord" => deleted(w, filter),
        "com.atproto.repo.applyWrites" => writes(w, filter),
        _ => record(w, filter),
    };
    if ops.is_empty() {
        return;
    }
    if let Err(e) = scope.apply(store, ops, None) {
        tracing::error!("applying a write locally: {e}");
    }
}

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

fn commit_rev(output: &Value) -> Option<&str> {
    output.get("commit")?.get("rev")?.as_str()
}

/// `createRecord` / `putRecord`.
fn record(a: &Accepted<'_>, filter: &Filter) -> Vec<Op> {
    let (Some(rev), Some(uri)) = (
        commit_rev(a.output),
        a.output.get("uri").and_then(Value::as_str),
    ) else {
        return Vec::new();
    };
    let w = Written {
        uri,
        cid: a.output.get("cid").and_then(Value::as_str),
        value: a.input.get("record"),
    };
    op(&w, a.did, rev, filter).into_iter().collect()
}

/// `deleteRecord`.
fn deleted(a: &Accepted<'_>, filter: &Filter) -> Vec<Op> {
    let Some(rev) = commit_rev(a.output) else {
        return Vec::new();
    };
    let text = |k: &str| a.input.get(k).and_then(Value::as_str).unwrap_or_default();
    let uri = format!("at://{}/{}/{}", a.did, text("collection"), text("rkey"));
    let w = Written {
        uri: &uri,
        cid: None,
        value: None,
    };
    op(&w, a.did, rev, filter).into_iter().collect()
}

/// `applyWrites`: each write with its result, in order.
fn writes(a: &Accepted<'_>, filter: &Filter) -> Vec<Op> {
    let Some(rev) = commit_rev(a.output) else {
        return Vec::new();
    };
    let (Some(writes), Some(results)) = (
        a.input.get("writes").and_then(Value::as_array),
        a.output.get("results").and_then(Value::as_array),
    ) else {
        return Vec::new();
    };
    let mut ops = Vec::with_capacity(writes.len());
    for (w, r) in writes.iter().zip(results) {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let uri = text(r, "uri").unwrap_or_else(|| {
            format!(
                "at://{}/{}/{}",
                a.did,
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
        ops.extend(op(&written, a.did, rev, filter));
    }
    ops
}
