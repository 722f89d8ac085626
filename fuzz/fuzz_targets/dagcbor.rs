//! DAG-CBOR as Aerie decodes it (`aerie_storage::cbor`): bytes → IPLD → record JSON, and back.
//! Decoding agrees with itself, the JSON text reads back as the same value, `$bytes` holds the
//! bytes, re-encoding is a fixpoint, and a canonical block whose JSON maps back hashes to the
//! same CID from its JSON (what storing a firehose record relies on).
#![no_main]

use aerie_storage::cbor;
use base64::Engine;
use ipld_core::ipld::Ipld;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Checks every `Ipld::Bytes` against its `{"$bytes"}` form; whether a float occurs.
fn walk(i: &Ipld, j: &Value) -> bool {
    match (i, j) {
        (Ipld::Bytes(b), Value::Object(o)) => {
            let text = o["$bytes"].as_str().expect("$bytes text");
            let back = base64::engine::general_purpose::STANDARD_NO_PAD.decode(text);
            assert_eq!(back.as_deref().ok(), Some(b.as_slice()), "$bytes {text}");
            false
        }
        (Ipld::Float(_), _) => true,
        (Ipld::List(l), Value::Array(a)) => l.iter().zip(a).fold(false, |f, (i, j)| walk(i, j) | f),
        (Ipld::Map(m), Value::Object(o)) => m.iter().fold(false, |f, (k, i)| walk(i, &o[k]) | f),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(ipld) = cbor::decode_ipld(data) else {
        return assert!(cbor::decode(data).is_none());
    };
    let json = cbor::to_json(&ipld);
    assert_eq!(cbor::decode(data).as_ref(), Some(&json));
    let floats = walk(&ipld, &json);
    let text = serde_json::to_string(&json).expect("JSON text");
    match serde_json::from_str::<Value>(&text) {
        Ok(back) => assert!(floats || back == json, "{text}"),
        Err(e) => assert!(e.to_string().contains("recursion limit"), "{e}: {text}"),
    }
    // Canonical re-encoding is a fixpoint.
    let bytes = serde_ipld_dagcbor::to_vec(&ipld).expect("decoded IPLD encodes");
    let again = cbor::decode_ipld(&bytes).expect("re-encoded bytes decode");
    assert_eq!(serde_ipld_dagcbor::to_vec(&again).ok(), Some(bytes.clone()));
    // JSON → IPLD → JSON settles after one round.
    if let Some(i2) = cbor::to_ipld(&json) {
        let j2 = cbor::to_json(&i2);
        let i3 = cbor::to_ipld(&j2).expect("settled JSON maps back");
        assert_eq!(cbor::to_json(&i3), j2);
        let encoded = cbor::encode(&j2).expect("settled JSON encodes");
        assert_eq!(cbor::record_cid(&j2), Some(cbor::cid_of_bytes(&encoded)));
        if bytes == data && i2 == ipld {
            assert_eq!(cbor::record_cid(&json), Some(cbor::cid_of_bytes(data)));
        }
    }
});
