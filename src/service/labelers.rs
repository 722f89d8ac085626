//! Labeler services (`app.bsky.labeler.getServices`): each DID's `app.bsky.labeler.service`
//! record, from the store or its PDS, as plain or detailed views.

use super::{run, Result};
use crate::hydrate::labeler::LABELER;
use crate::hydrate::view::LabelerView;
use crate::hydrate::Views;
use crate::AppState;
use aerie_storage::RecordId;
use std::sync::Arc;

/// The views of the labelers among `dids` that can be found, in the order asked.
pub async fn services(
    state: &Arc<AppState>,
    viewer: Option<String>,
    dids: &[String],
    detailed: bool,
) -> Result<Vec<LabelerView>> {
    let ids: Vec<RecordId> = dids
        .iter()
        .map(|did| RecordId::new(did, LABELER, "self"))
        .collect();
    let found = futures_util::future::join_all(
        ids.iter()
            .map(|id| super::remote::stored_or_fetched(state, id)),
    )
    .await;
    let records = found
        .into_iter()
        .collect::<aerie_storage::Result<Vec<_>>>()?;
    run(state, move |s| {
        let views = Views::for_viewer(s, viewer);
        let mut out = Vec::new();
        for rec in records.iter().flatten() {
            out.extend(views.labeler(rec, detailed)?);
        }
        Ok(out)
    })
    .await
}
