//! Records as the network hashes them: a record's JSON (with `{"$link"}` for CID links) to
//! DAG-CBOR, and its CID (CIDv1, dag-cbor, sha2-256).

use ipld_core::ipld::Ipld;
use serde_json::Value;
use std::collections::BTreeMap;

/// The IPLD form of a record's JSON; `None` for what the data model forbids (floats) or this
/// conversion does not handle (`$bytes`).
pub fn to_ipld(v: &Value) -> Option<Ipld> {
    Some(match v {
        Value::Null => Ipld::Null,
        Value::Bool(b) => Ipld::Bool(*b),
        Value::Number(n) => Ipld::Integer(i128::from(n.as_i64()?)),
        Value::String(s) => Ipld::String(s.clone()),
        Value::Array(a) => Ipld::List(a.iter().map(to_ipld).collect::<Option<_>>()?),
        Value::Object(o) => {
            if let (1, Some(link)) = (o.len(), o.get("$link").and_then(Value::as_str)) {
                return cid::Cid::try_from(link).ok().map(Ipld::Link);
            }
            if o.contains_key("$bytes") && o.len() == 1 {
                return None;
            }
            Ipld::Map(
                o.iter()
                    .map(|(k, v)| Some((k.clone(), to_ipld(v)?)))
                    .collect::<Option<BTreeMap<_, _>>>()?,
            )
        }
    })
}

/// CIDv1 (dag-cbor, sha2-256) of any serializable record.
pub fn cid_of<T: serde::Serialize>(record: &T) -> Option<Vec<u8>> {
    use sha2::Digest;
    let bytes = serde_ipld_dagcbor::to_vec(record).ok()?;
    let digest = sha2::Sha256::digest(&bytes);
    let mh = cid::multihash::Multihash::<64>::wrap(0x12, digest.as_slice()).ok()?;
    Some(cid::Cid::new_v1(0x71, mh).to_bytes())
}

/// A binary CID as text (base32 for v1); `None` if the bytes are not a CID.
pub fn cid_text(bytes: &[u8]) -> Option<String> {
    cid::Cid::try_from(bytes).ok().map(|c| c.to_string())
}

/// The CID of a record given as JSON.
pub fn record_cid(record: &Value) -> Option<Vec<u8>> {
    cid_of(&to_ipld(record)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_real_post_with_a_blob_hashes_to_its_cid() {
        let post = r#"{"$type":"app.bsky.feed.post","createdAt":"2026-07-04T14:38:06.240Z","embed":{"$type":"app.bsky.embed.external","external":{"description":"YouTube video by Reuters","thumb":{"$type":"blob","ref":{"$link":"bafkreias7oxbr6swsuggccmtnqpoeami4jza5x4w3urltn6gzhqf4k6k2e"},"mimeType":"image/jpeg","size":119635},"title":"What does America's 250th anniversary mean to Native Americans?","uri":"https://www.youtube.com/watch?v=V5lDo-jw8mA"}},"facets":[{"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://www.youtube.com/watch?v=V5lDo-jw8mA"}],"index":{"byteEnd":31,"byteStart":0}}],"langs":["en"],"text":"www.youtube.com/watch?v=V5lD..."}"#;
        let v: serde_json::Value = serde_json::from_str(post).expect("json");
        let cid = super::record_cid(&v).expect("cid");
        let want =
            cid::Cid::try_from("bafyreiapzyf65cmq55jklpnrihiygze2jmmdqvvkwqeiomd72pbp2iazuu")
                .expect("cid");
        assert_eq!(cid, want.to_bytes());
    }
}
