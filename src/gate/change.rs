//! One record change, whichever way it came (a Jetstream event, a firehose commit, a fetched
//! repository, a write the user's PDS accepted), checked field by field and turned into a store
//! operation; the filter of wanted collections and record sizes every source applies.

use crate::util::syntax;
use aerie_storage::{Op, RecordId};

/// Why an event was skipped.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Skip {
    /// Not JSON of the expected shape.
    #[error("malformed event: {0}")]
    Malformed(String),
    /// A field failed its syntax check.
    #[error("invalid {field}: {value:?}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// The value, truncated.
        value: String,
    },
    /// A collection outside the configured ones.
    #[error("unwanted collection {0}")]
    Collection(String),
    /// A record above the size limit.
    #[error("record of {0} bytes is above the limit")]
    Oversized(usize),
}

/// Which collections are wanted and how big a record may be.
#[derive(Debug, Clone)]
pub struct Filter {
    exact: Vec<String>,
    prefixes: Vec<String>,
    max_record_bytes: usize,
}

impl Filter {
    /// Builds a filter from configured collections (NSIDs or `prefix.*`).
    pub fn new(collections: &[String], max_record_bytes: usize) -> Self {
        let (prefixes, exact): (Vec<_>, Vec<_>) =
            collections.iter().cloned().partition(|c| c.ends_with(".*"));
        let prefixes = prefixes
            .into_iter()
            .map(|p| p.trim_end_matches('*').to_string())
            .collect();
        Filter {
            exact,
            prefixes,
            max_record_bytes,
        }
    }

    /// The filter of a Jetstream section (its collections and record size limit).
    pub fn from_config(cfg: &crate::config::JetstreamConfig) -> Self {
        Self::new(&cfg.collections, cfg.max_record_bytes)
    }

    /// Whether records of `collection` are kept.
    pub fn wants(&self, collection: &str) -> bool {
        self.exact.iter().any(|c| c == collection)
            || self
                .prefixes
                .iter()
                .any(|p| collection.starts_with(p.as_str()))
    }
}

/// A field that failed its check.
pub fn invalid(field: &'static str, value: &str) -> Skip {
    Skip::Invalid {
        field,
        value: value.chars().take(80).collect(),
    }
}

/// One record change of a commit, as any source carries it.
pub struct Change<'a> {
    /// Repository DID (already checked).
    pub did: &'a str,
    /// Collection NSID.
    pub collection: &'a str,
    /// Record key.
    pub rkey: &'a str,
    /// Commit rev (a TID).
    pub rev: &'a str,
    /// `create`, `update` or `delete`.
    pub action: &'a str,
}

impl Change<'_> {
    /// Checks every field and builds the operation; `body` is the record as JSON and its CID.
    pub fn into_op(
        self,
        body: Option<(&str, Vec<u8>)>,
        time_us: i64,
        filter: &Filter,
    ) -> Result<Op, Skip> {
        if !syntax::is_nsid(self.collection) {
            return Err(invalid("collection", self.collection));
        }
        if !filter.wants(self.collection) {
            return Err(Skip::Collection(self.collection.to_string()));
        }
        if !syntax::is_rkey(self.rkey) {
            return Err(invalid("rkey", self.rkey));
        }
        let rev = aerie_storage::tid::parse(self.rev).ok_or_else(|| invalid("rev", self.rev))?;
        let id = RecordId::new(self.did, self.collection, self.rkey);
        match self.action {
            "delete" => Ok(Op::Delete { id, rev }),
            "create" | "update" => {
                let (json, cid) =
                    body.ok_or_else(|| Skip::Malformed("create without record".into()))?;
                if json.len() > filter.max_record_bytes {
                    return Err(Skip::Oversized(json.len()));
                }
                if !json.starts_with('{') || unreadable(json) {
                    return Err(invalid("record", json));
                }
                Ok(Op::Put {
                    id,
                    rev,
                    cid,
                    record: json.as_bytes().to_vec(),
                    time_us,
                })
            }
            other => Err(invalid("operation", other)),
        }
    }
}

/// Whether a record's JSON is one the frame parser passes but no JSON reader downstream
/// accepts: escaped UTF-16 surrogates that do not pair up (`\ud800` alone), or a number out of
/// a double's range (`1e999`, or more digits than one holds). Only records that escape a
/// surrogate or write such a number at all are parsed again (Jetstream writes plain UTF-8 and
/// ordinary numbers).
fn unreadable(json: &str) -> bool {
    let suspect = json.contains("\\ud") || json.contains("\\uD") || odd_number(json);
    suspect
        && serde_json::from_str::<serde_json::Value>(json)
            .is_err_and(|e| !e.to_string().contains("recursion limit"))
}

/// Whether `json` has a number with an exponent, or a very long one: a run of digits that
/// starts where a number can (after `:`, `,`, `[`, `-` or a space) and ends in `e`/`E` or goes
/// on past 300 digits.
fn odd_number(json: &str) -> bool {
    let mut run: Option<usize> = None;
    let mut prev = b' ';
    for &c in json.as_bytes() {
        run = match (c.is_ascii_digit(), run) {
            (true, Some(n)) if n >= 300 => return true,
            (true, Some(n)) => Some(n + 1),
            (true, None)
                if matches!(prev, b':' | b',' | b'[' | b'-' | b'.')
                    || prev.is_ascii_whitespace() =>
            {
                Some(1)
            }
            (false, Some(_)) if c == b'e' || c == b'E' => return true,
            (false, Some(_)) if c == b'.' => Some(0),
            _ => None,
        };
        prev = c;
    }
    false
}

#[cfg(test)]
mod surrogate_tests {
    #[test]
    fn unpaired_escaped_surrogates_are_refused_and_pairs_kept() {
        assert!(super::unreadable(r#"{"a":"\udadd\udadc"}"#));
        assert!(super::unreadable(r#"{"\uDADDx":1}"#));
        assert!(!super::unreadable(r#"{"a":"\ud83d\ude00"}"#));
        assert!(!super::unreadable(r#"{"a":"plain"}"#));
    }

    #[test]
    fn numbers_out_of_range_are_refused_and_ordinary_ones_kept() {
        assert!(super::unreadable(r#"{"a":1e999}"#));
        assert!(super::unreadable(r#"{"a":[-2.5E+400]}"#));
        assert!(super::unreadable(&format!(
            r#"{{"a":{}}}"#,
            "9".repeat(400)
        )));
        assert!(!super::unreadable(r#"{"a":1e5,"b":-0.25e-3,"c":12345}"#));
        // Digits inside strings (CIDs, text) are not numbers: no second parse.
        assert!(!super::odd_number(
            r#"{"cid":"bafyreie5737gdxlw5i64e","text":"h2e"}"#
        ));
    }
}
