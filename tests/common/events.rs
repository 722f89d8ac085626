//! Jetstream events built by hand for tests that feed the simulator particular records.

use jetsim::ids::{cid, tid};
use jetsim::SimEvent;
use serde_json::{json, Value};

/// A create commit of `record` at `time_us` (its CID a fixed fake derived from `n`).
pub fn commit_at(
    time_us: i64,
    n: u64,
    author: &str,
    coll: &str,
    rkey: &str,
    record: Value,
) -> SimEvent {
    let j = json!({"did": author, "time_us": time_us, "kind": "commit", "commit": {
        "rev": tid(time_us, 1), "operation": "create", "collection": coll, "rkey": rkey, "record": record, "cid": cid(n)}});
    SimEvent {
        time_us,
        did: author.into(),
        collection: Some(coll.into()),
        json: j.to_string(),
    }
}

/// An identity event giving `did` the handle `handle`.
pub fn identity_at(time_us: i64, seq: i64, did: &str, handle: &str) -> SimEvent {
    let j = json!({"did": did, "time_us": time_us, "kind": "identity", "identity": {
        "did": did, "handle": handle, "seq": seq, "time": "2026-07-04T14:38:08.999Z"}});
    SimEvent {
        time_us,
        did: did.into(),
        collection: None,
        json: j.to_string(),
    }
}
