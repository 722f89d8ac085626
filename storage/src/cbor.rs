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

/// The JSON form of IPLD data: links as `{"$link"}`, bytes as `{"$bytes"}` (base64, unpadded).
pub fn to_json(i: &Ipld) -> Value {
    match i {
        Ipld::Null => Value::Null,
        Ipld::Bool(b) => Value::Bool(*b),
        Ipld::Integer(n) => i64::try_from(*n).map_or(Value::Null, Value::from),
        Ipld::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Ipld::String(s) => Value::String(s.clone()),
        Ipld::Bytes(b) => serde_json::json!({ "$bytes": base64(b) }),
        Ipld::List(l) => Value::Array(l.iter().map(to_json).collect()),
        Ipld::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Ipld::Link(c) => serde_json::json!({ "$link": c.to_string() }),
    }
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// DAG-CBOR bytes of a record given as JSON.
pub fn encode(record: &Value) -> Option<Vec<u8>> {
    serde_ipld_dagcbor::to_vec(&to_ipld(record)?).ok()
}

/// DAG-CBOR bytes as IPLD data.
pub fn decode_ipld(bytes: &[u8]) -> Option<Ipld> {
    serde_ipld_dagcbor::from_slice::<Ipld>(bytes).ok()
}

/// A record's JSON back from its DAG-CBOR bytes.
pub fn decode(bytes: &[u8]) -> Option<Value> {
    decode_ipld(bytes).map(|i| to_json(&i))
}

/// CIDv1 (dag-cbor, sha2-256) of DAG-CBOR bytes.
pub fn cid_of_bytes(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    match cid::multihash::Multihash::<64>::wrap(0x12, digest.as_slice()) {
        Ok(mh) => cid::Cid::new_v1(0x71, mh).to_bytes(),
        Err(_) => Vec::new(),
    }
}

/// CIDv1 (dag-cbor, sha2-256) of any serializable record.
pub fn cid_of<T: serde::Serialize>(record: &T) -> Option<Vec<u8>> {
    serde_ipld_dagcbor::to_vec(record)
        .ok()
        .map(|b| cid_of_bytes(&b))
}

/// A binary CID as text (base32 for v1); `None` if the bytes are not a CID.
pub fn cid_text(bytes: &[u8]) -> Option<String> {
    cid::Cid::try_from(bytes).ok().map(|c| c.to_string())
}

/// The CID of a record given as JSON.
pub fn record_cid(record: &Value) -> Option<Vec<u8>> {
    encode(record).map(|b| cid_of_bytes(&b))
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
