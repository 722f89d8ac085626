//! Feed generators: their views (the stored record, else the one its creator's PDS holds),
//! whether the service behind one can be reached (its DID document names a `#bsky_fg`
//! endpoint: how the reference decides `isOnline` and `isValid`), and an account's generators.

use super::{run, Error, Result};
use crate::hydrate::feedgen::GENERATOR;
use crate::hydrate::view::GeneratorView;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::{RecordId, StoredRecord};
use serde::Serialize;
use std::sync::Arc;

/// A page of generators and where the next one starts.
#[derive(Debug, Serialize)]
pub struct GeneratorPage {
    /// The generators.
    pub feeds: Vec<GeneratorView>,
    /// The next page's cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One generator with what `getFeedGenerator` adds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratorDetail {
    /// The generator.
    pub view: GeneratorView,
    /// Its service can be found.
    pub is_online: bool,
    /// Its service can be found (the reference does not ask the service either).
    pub is_valid: bool,
}

/// A generator record: the store's, else its creator's PDS's (`None` when neither has it, or
/// the PDS cannot be reached — logged).
pub async fn record(state: &Arc<AppState>, id: &RecordId) -> Result<Option<Arc<StoredRecord>>> {
    if id.collection != GENERATOR {
        return Ok(None);
    }
    Ok(super::remote::stored_or_fetched(state, id).await?)
}

/// The views of the generators that can be found, in the order asked.
pub async fn generators(
    state: &Arc<AppState>,
    viewer: Option<String>,
    ids: &[RecordId],
) -> Result<Vec<GeneratorView>> {
    let found = futures_util::future::join_all(ids.iter().map(|id| record(state, id))).await;
    let records = found.into_iter().collect::<Result<Vec<_>>>()?;
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let mut out = Vec::new();
        for rec in records.iter().flatten() {
            out.extend(views.generator(rec)?);
        }
        Ok(out)
    })
    .await
}

/// One generator, and whether its service can be found; `NotFound` without it.
pub async fn generator(
    state: &Arc<AppState>,
    viewer: Option<String>,
    id: &RecordId,
) -> Result<GeneratorDetail> {
    let view = generators(state, viewer, std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| Error::invalid("could not find feed"))?;
    let online = endpoint(state, &view.did).await.is_some();
    Ok(GeneratorDetail {
        view,
        is_online: online,
        is_valid: online,
    })
}

/// The feed generator endpoint of the service `did` (`None` when its DID document cannot be
/// found within the deadline or names none).
pub async fn endpoint(state: &AppState, did: &str) -> Option<String> {
    let doc = tokio::time::timeout(super::remote::DEADLINE, state.resolver().did_doc(did)).await;
    match doc {
        Ok(Ok(doc)) => doc.feed_generator(),
        Ok(Err(e)) => {
            tracing::info!("feed generator service {did}: {e}");
            None
        }
        Err(_) => None,
    }
}

/// An account's generators, newest first.
pub fn actor_feeds(
    state: &AppState,
    viewer: Option<String>,
    did: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<GeneratorPage> {
    let page = state.store.records_in(did, GENERATOR, cursor, limit)?;
    let views = Views::for_viewer(state, viewer);
    let mut feeds = Vec::new();
    for id in &page.items {
        if let Some(rec) = state.store.record(id)? {
            feeds.extend(views.generator(&rec)?);
        }
    }
    Ok(GeneratorPage {
        feeds,
        cursor: page.cursor,
    })
}
