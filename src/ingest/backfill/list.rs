//! The fallback fetch for a PDS that does not serve `getRepo`: the collections from
//! `com.atproto.repo.describeRepo`, every record of the wanted ones paged through
//! `com.atproto.repo.listRecords`, and the rev from `com.atproto.sync.getLatestCommit` (taken
//! first, so the records are at least that new and rev gating stays sound).

use super::BackfillError;
use crate::gate::change::Filter;
use crate::ingest::car::{Repo, RepoRecord};
use crate::outbound::{FetchError, Fetcher};
use crate::util::syntax;
use serde::Deserialize;

#[derive(Deserialize)]
struct Latest {
    rev: String,
}

#[derive(Deserialize)]
struct Describe {
    #[serde(default)]
    collections: Vec<String>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    cursor: Option<String>,
    records: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    uri: String,
    cid: String,
    value: serde_json::Value,
}

/// Records per listRecords page (the lexicon's maximum).
const PAGE: usize = 100;

/// Builds the repository from listings.
pub(super) async fn fetch(
    http: &Fetcher,
    base: &str,
    did: &str,
    filter: &Filter,
) -> Result<Repo, BackfillError> {
    let latest: Latest = http
        .get_json(&format!(
            "{base}/xrpc/com.atproto.sync.getLatestCommit?did={did}"
        ))
        .await?;
    let describe: Describe = http
        .get_json(&format!(
            "{base}/xrpc/com.atproto.repo.describeRepo?repo={did}"
        ))
        .await?;
    let mut records = Vec::new();
    for collection in describe.collections.iter().filter(|c| filter.wants(c)) {
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!(
                "{base}/xrpc/com.atproto.repo.listRecords?repo={did}&collection={collection}&limit={PAGE}"
            );
            if let Some(c) = &cursor {
                url.push_str("&cursor=");
                url.push_str(
                    &url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>(),
                );
            }
            let page: Page = http.get_json(&url).await?;
            let n = page.records.len();
            for r in page.records {
                let Some(id) = syntax::record_uri(&r.uri) else {
                    continue;
                };
                let Some(cid) = syntax::cid_bytes(&r.cid) else {
                    continue;
                };
                if id.did != did || id.collection != *collection {
                    return Err(BackfillError::Fetch(FetchError::Body(
                        url,
                        format!("a listing of {did}/{collection} holds {}", r.uri),
                    )));
                }
                records.push(RepoRecord {
                    collection: id.collection,
                    rkey: id.rkey,
                    cid,
                    value: r.value,
                });
            }
            match page.cursor {
                Some(c) if n > 0 && cursor.as_ref() != Some(&c) => cursor = Some(c),
                _ => break,
            }
        }
    }
    Ok(Repo {
        did: did.to_string(),
        rev: latest.rev,
        records,
    })
}
