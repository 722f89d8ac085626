//! `app.bsky.graph.getRelationships`: whether `actor` follows, and is followed by, each of
//! `others` (kept for local users, so `actor` is one of them).

use crate::xrpc::prelude::*;
use aerie_storage::Relation;

view::lex_type!(
    /// `$type` of a relationship.
    RelationshipType = "app.bsky.graph.defs#relationship"
);
view::lex_type!(
    /// `$type` of an unknown actor.
    NotFoundActorType = "app.bsky.graph.defs#notFoundActor"
);

/// `app.bsky.graph.defs#relationship` or `#notFoundActor`.
#[derive(serde::Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum Relationship {
    /// A known account.
    Found {
        #[serde(rename = "$type")]
        ty: RelationshipType,
        did: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        following: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        followed_by: Option<String>,
    },
    /// An unknown one.
    NotFound {
        #[serde(rename = "$type")]
        ty: NotFoundActorType,
        actor: String,
        not_found: bool,
    },
}

/// The method's output.
#[derive(serde::Serialize)]
pub struct Output {
    actor: String,
    relationships: Vec<Relationship>,
}

pub async fn handler(State(state): State<Arc<AppState>>, p: Params) -> Response {
    respond(&state, move |s| {
        let raw = p.required("actor")?;
        let actor = resolve_actor(s, raw)?
            .ok_or_else(|| XrpcError::named("ActorNotFound", "Actor not found"))?;
        let others = p.list("others", 30).unwrap_or_default();
        let mut relationships = Vec::with_capacity(others.len());
        for o in others {
            let Some(did) = resolve_actor(s, o)? else {
                relationships.push(Relationship::NotFound {
                    ty: NotFoundActorType,
                    actor: o.to_string(),
                    not_found: true,
                });
                continue;
            };
            relationships.push(Relationship::Found {
                ty: RelationshipType,
                following: s
                    .store
                    .relation(Relation::Follow, &actor, &did)?
                    .map(|f| f.uri()),
                followed_by: s
                    .store
                    .relation(Relation::Follow, &did, &actor)?
                    .map(|f| f.uri()),
                did,
            });
        }
        Ok(Output {
            actor,
            relationships,
        })
    })
    .await
}
