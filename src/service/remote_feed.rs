//! An author feed beyond the store: the posts of an account Aerie does not keep, read from its
//! PDS (`listRecords`, newest first, each record checked) and hydrated as the stored ones are,
//! the author's profile fetched beside them.

use super::feed::FeedPage;
use super::remote::{list_records, stored_or_fetched};
use super::{run, Error, Result};
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::facts::nsid;
use aerie_storage::{FeedFilter, RecordId, StoredRecord};
use serde_json::Value;
use std::sync::Arc;

/// Whether a post's record passes an author-feed filter.
fn passes(rec: &StoredRecord, did: &str, filter: FeedFilter) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(&rec.value) else {
        return false;
    };
    let parent = v.pointer("/reply/parent/uri").and_then(Value::as_str);
    let embed = v
        .pointer("/embed/$type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let media = v
        .pointer("/embed/media/$type")
        .and_then(Value::as_str)
        .unwrap_or(embed);
    match filter {
        FeedFilter::WithReplies => true,
        FeedFilter::NoReplies => parent.is_none(),
        FeedFilter::AuthorThreads => {
            parent.is_none_or(|p| RecordId::parse_uri(p).is_some_and(|p| p.did == did))
        }
        FeedFilter::WithMedia => {
            matches!(media, "app.bsky.embed.images" | "app.bsky.embed.video")
        }
        FeedFilter::WithVideo => media == "app.bsky.embed.video",
    }
}

/// One page of the posts of the account `identity` resolved to, from its PDS, newest first
/// (the PDS's cursor).
pub async fn author_feed(
    state: &Arc<AppState>,
    viewer: Option<String>,
    identity: crate::identity::Identity,
    filter: FeedFilter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<FeedPage> {
    let did = identity.did.clone();
    let (records, next) = list_records(state, &did, nsid::POST, cursor, limit)
        .await
        .map_err(|e| {
            tracing::info!("author feed of {did}: {e}");
            Error::invalid("Profile not found")
        })?;
    let full = records.len() == limit;
    let profile = stored_or_fetched(state, &RecordId::new(&did, nsid::PROFILE, "self")).await?;
    run(state, move |s| {
        let shown: Vec<RecordId> = records
            .iter()
            .filter(|r| passes(r, &did, filter))
            .map(|r| r.id.clone())
            .collect();
        let mut views = Views::for_viewer(s, viewer)
            .with_fetched(records.into_iter().map(Arc::new).chain(profile));
        if let Some(handle) = identity.handle {
            views = views.with_handle(&did, handle);
        }
        super::feed::refuse_blocked(&views, &did)?;
        let mut feed = Vec::new();
        for id in &shown {
            feed.extend(views.skeleton_item(id, None)?);
        }
        Ok(FeedPage {
            feed,
            cursor: next.filter(|_| full),
        })
    })
    .await
}
