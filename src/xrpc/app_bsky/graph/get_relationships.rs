//! `app.bsky.graph.getRelationships`: whether `actor` follows, and is followed by, each of
//! `others` (kept for local users, so `actor` is one of them).

use crate::xrpc::prelude::*;
use aerie_storage::Relation;

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> XrpcResult {
    let raw = p.required("actor")?;
    let actor = resolve_actor(&state, raw)?
        .ok_or_else(|| XrpcError::named("ActorNotFound", "Actor not found"))?;
    let others = p.list("others", 30).unwrap_or_default();
    let mut out = Vec::with_capacity(others.len());
    for o in others {
        let Some(did) = resolve_actor(&state, o)? else {
            out.push(
                json!({"$type": "app.bsky.graph.defs#notFoundActor", "actor": o, "notFound": true}),
            );
            continue;
        };
        let mut r = json!({"$type": "app.bsky.graph.defs#relationship", "did": did});
        if let Some(f) = state.store.relation(Relation::Follow, &actor, &did)? {
            r["following"] = json!(f.uri());
        }
        if let Some(f) = state.store.relation(Relation::Follow, &did, &actor)? {
            r["followedBy"] = json!(f.uri());
        }
        out.push(r);
    }
    Ok(Json(json!({ "actor": actor, "relationships": out })))
}
