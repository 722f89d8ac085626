//! Compact bodies for the small, uniform records that make up most of the network: likes and
//! reposts (`{$type, createdAt, subject: strongRef, via?}`) and follows and blocks
//! (`{$type, createdAt, subject: did}`). A record is kept compactly only when it has exactly
//! that shape *and* re-encoding the rebuilt record as DAG-CBOR gives the CID the network sent,
//! so the record and its CID can always be rebuilt exactly; anything else is kept as JSON.

use super::row::{Body, Created, Ref};
use super::{did, keys, Ks, Source};
use crate::cbor::cid_of;
use crate::facts::nsid;
use crate::model::RecordId;
use crate::Result;
use serde::Serialize;
use serde_json::{json, Value};

/// A record recognised as compactable, borrowed from its JSON.
pub(super) enum Shape<'a> {
    /// Like or repost.
    Ref {
        created: &'a str,
        subject: (RecordId, Vec<u8>),
        via: Option<(RecordId, Vec<u8>)>,
    },
    /// Follow or block.
    Did { created: &'a str, subject: &'a str },
}

#[derive(Serialize)]
struct StrongRef<'a> {
    cid: &'a str,
    uri: &'a str,
}

#[derive(Serialize)]
struct RefRecord<'a> {
    #[serde(rename = "$type")]
    kind: &'a str,
    #[serde(rename = "createdAt")]
    created_at: &'a str,
    subject: StrongRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<StrongRef<'a>>,
}

#[derive(Serialize)]
struct DidRecord<'a> {
    #[serde(rename = "$type")]
    kind: &'a str,
    #[serde(rename = "createdAt")]
    created_at: &'a str,
    subject: &'a str,
}

/// A strong ref `{cid, uri}`, exactly those keys, both canonical.
struct Strong<'a> {
    id: RecordId,
    cid_text: &'a str,
    uri: &'a str,
    /// The CID parsed once here; the writer stores these bytes.
    cid: Vec<u8>,
}

fn strong_ref(v: &Value) -> Option<Strong<'_>> {
    let o = v.as_object()?;
    if o.len() != 2 {
        return None;
    }
    let uri = o.get("uri")?.as_str()?;
    let cid_text = o.get("cid")?.as_str()?;
    let id = RecordId::parse_uri(uri)?;
    let cid = cid::Cid::try_from(cid_text)
        .ok()
        .filter(|c| c.to_string() == cid_text)?;
    (id.uri() == uri && id.rkey.len() < 256 && id.collection.len() < 256).then(|| Strong {
        id,
        cid_text,
        uri,
        cid: cid.to_bytes(),
    })
}

/// Recognises a compactable record whose CID is `cid`.
pub(super) fn shape<'a>(collection: &str, v: &'a Value, cid: &[u8]) -> Option<Shape<'a>> {
    let o = v.as_object()?;
    if o.get("$type")?.as_str()? != collection {
        return None;
    }
    let created = o.get("createdAt")?.as_str().filter(|c| c.len() < 256)?;
    let (shape, rebuilt_cid) = match collection {
        nsid::LIKE | nsid::REPOST => {
            let via = o.get("via").map(strong_ref);
            if o.len() != 3 + usize::from(via.is_some()) {
                return None;
            }
            let via = via.map(|v| v.ok_or(())).transpose().ok()?;
            let subject = strong_ref(o.get("subject")?)?;
            let rebuilt = RefRecord {
                kind: collection,
                created_at: created,
                subject: StrongRef {
                    cid: subject.cid_text,
                    uri: subject.uri,
                },
                via: via.as_ref().map(|v| StrongRef {
                    cid: v.cid_text,
                    uri: v.uri,
                }),
            };
            let c = cid_of(&rebuilt);
            let subject = (subject.id, subject.cid);
            let via = via.map(|v| (v.id, v.cid));
            (
                Shape::Ref {
                    created,
                    subject,
                    via,
                },
                c,
            )
        }
        nsid::FOLLOW | nsid::BLOCK => {
            let subject = o
                .get("subject")?
                .as_str()
                .filter(|s| s.starts_with("did:") && s.len() < 256)?;
            if o.len() != 3 {
                return None;
            }
            (
                Shape::Did { created, subject },
                cid_of(&DidRecord {
                    kind: collection,
                    created_at: created,
                    subject,
                }),
            )
        }
        _ => return None,
    };
    (rebuilt_cid.as_deref() == Some(cid)).then_some(shape)
}

/// A compact ref back to `(uri, cid)` strings.
fn rebuild_ref(src: &impl Source, r: &Ref) -> Result<(String, String)> {
    let uri = format!("at://{}/{}/{}", did(src, r.aid)?, r.collection, r.rkey);
    let cid = match &r.cid {
        Some(c) => c.clone(),
        None => src
            .read(Ks::RefCids, &keys::subject(r.aid, &r.collection, &r.rkey))?
            .ok_or(crate::Error::Corrupt("ref_cid"))?,
    };
    let cid = cid::Cid::try_from(cid.as_slice()).map_err(|_| crate::Error::Corrupt("ref_cid"))?;
    Ok((uri, cid.to_string()))
}

/// Rebuilds a record's JSON and CID from its body (whatever its form).
pub(super) fn rebuild(
    src: &impl Source,
    collection: &str,
    body: &Body,
) -> Result<(Value, Vec<u8>)> {
    let corrupt = || crate::Error::Corrupt("compact record");
    match body {
        Body::Json { cid, json, .. } => Ok((
            serde_json::from_slice(json).unwrap_or(Value::Null),
            cid.clone(),
        )),
        Body::Cbor { cbor, .. } => {
            let value = crate::cbor::decode(cbor).ok_or_else(corrupt)?;
            Ok((value, crate::cbor::cid_of_bytes(cbor)))
        }
        // Only the skeleton is left (and no CID): enough to un-index it.
        Body::Pruned { skeleton, .. } => Ok((
            serde_json::from_slice(skeleton).unwrap_or(Value::Null),
            Vec::new(),
        )),
        Body::Ref {
            created,
            subject,
            via,
        } => {
            let created = created.text();
            let (s_uri, s_cid) = rebuild_ref(src, subject)?;
            let via = via.as_ref().map(|v| rebuild_ref(src, v)).transpose()?;
            let record = RefRecord {
                kind: collection,
                created_at: &created,
                subject: StrongRef {
                    cid: &s_cid,
                    uri: &s_uri,
                },
                via: via.as_ref().map(|(u, c)| StrongRef { cid: c, uri: u }),
            };
            let cid = cid_of(&record).ok_or_else(corrupt)?;
            let mut v = json!({"$type": collection, "createdAt": created, "subject": {"cid": s_cid, "uri": s_uri}});
            if let Some((u, c)) = &via {
                v["via"] = json!({"cid": c, "uri": u});
            }
            Ok((v, cid))
        }
        Body::Did {
            created,
            subject_aid,
        } => {
            let created = created.text();
            let subject = did(src, *subject_aid)?;
            let cid = cid_of(&DidRecord {
                kind: collection,
                created_at: &created,
                subject: &subject,
            })
            .ok_or_else(corrupt)?;
            Ok((
                json!({"$type": collection, "createdAt": created, "subject": subject}),
                cid,
            ))
        }
    }
}

impl Created {
    /// Sort time of a compact record: `min(createdAt, indexedAt)`.
    pub fn sort_at(&self, indexed_at_us: i64) -> i64 {
        self.us().map_or(indexed_at_us, |c| c.min(indexed_at_us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cid(s: &str) -> Vec<u8> {
        cid::Cid::try_from(s).expect("cid").to_bytes()
    }

    /// Real records from the network (the capture in shared/data): their CIDs must be rebuilt.
    #[test]
    fn real_records_are_recognised_by_their_cids() {
        let cases = [
            (
                nsid::LIKE,
                r#"{"$type":"app.bsky.feed.like","createdAt":"2026-07-04T14:38:08.999Z","subject":{"cid":"bafyreiftot7eltsc3f6g4qktykmbv6jcmdmhcx5osscan6jpdxkpqcmcza","uri":"at://did:plc:r2zybk6op3ymzpz6jhqpkoy5/app.bsky.feed.post/3mpsjbtci2c2o"}}"#,
                "bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i",
            ),
            (
                nsid::REPOST,
                r#"{"$type":"app.bsky.feed.repost","createdAt":"2026-07-04T14:38:07.594Z","subject":{"cid":"bafyreig7t4btqz2izpbcxm6olbbzrvjqhmccx5xnn54avbv3y2kerbpyea","uri":"at://did:plc:lthsfxxeghkgg44eummxtvbe/app.bsky.feed.post/3mpt6c57uy22u"},"via":{"cid":"bafyreia2vne3hmtdczormlmj6aecizdwv32343z6opxovizuq4zervu46a","uri":"at://did:plc:mc4ihv54ep37qtc6xtq5ab2f/app.bsky.feed.repost/3mpta65gqot2j"}}"#,
                "bafyreiaqbcvimtcgaen4ntpmyxaqyliad7e4ins6jvv4jnrhqjwns4qneq",
            ),
            (
                nsid::FOLLOW,
                r#"{"$type":"app.bsky.graph.follow","createdAt":"2026-07-04T14:38:07.396Z","subject":"did:plc:mlbpil2fwz43vfn6uuysxtqa"}"#,
                "bafyreigc2ugr6hueiqc6zbuofxlgvmmyu5ba43mxc7tygjd44uoga5fjky",
            ),
            (
                nsid::BLOCK,
                r#"{"$type":"app.bsky.graph.block","createdAt":"2026-07-04T14:38:07.255Z","subject":"did:plc:wmv3rxaywejtjg4kmrq7bhsy"}"#,
                "bafyreifj3qijiqikdc22vyfgfsv6lhw3lghhzaz6yzuvemw5yztgj6ok6i",
            ),
        ];
        for (coll, json, c) in cases {
            let v: Value = serde_json::from_str(json).expect("json");
            assert!(
                shape(coll, &v, &cid(c)).is_some(),
                "{coll}: rebuilt CID matches"
            );
            let mut extra = v.clone();
            extra["note"] = json!("x");
            assert!(
                shape(coll, &extra, &cid(c)).is_none(),
                "{coll}: an extra field keeps it JSON"
            );
            assert!(
                shape(
                    coll,
                    &v,
                    &cid("bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i")
                )
                .is_none()
                    || coll == nsid::LIKE
            );
        }
    }
}
