//! What the fuzz targets share: DAG-CBOR blocks with real CIDs, CAR v1 files, repositories and
//! firehose frames built from fuzz input (structured inputs get past the CID checks that random
//! bytes never pass), and the checks every accepted ingest event must meet.

use aerie::ingest::event::Event;
use aerie::util::syntax;
use aerie_storage::{Op, QueueOp};
use arbitrary::{Result, Unstructured};
use futures_util::FutureExt;
use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;
use std::collections::BTreeMap;

/// DIDs the structured inputs pick from (valid ones, and near misses).
pub const DIDS: &[&str] = &[
    "did:plc:wq4aajammjtxdomz3e23667t",
    "did:web:alice.test",
    "did:plc:short",
    "did:PLC:wq4aajammjtxdomz3e23667t",
    "did:web:",
];

/// Collections the structured inputs pick from.
pub const COLLECTIONS: &[&str] = &[
    "app.bsky.feed.post",
    "app.bsky.feed.like",
    "app.bsky.feed.repost",
    "app.bsky.graph.follow",
    "app.bsky.actor.profile",
    "com.example.other",
    "app.bsky",
];

/// Record keys and revisions (TIDs) the structured inputs pick from.
pub const KEYS: &[&str] = &["3mptbypluud2a", "3mptbyplj5d2a", "self", "..", "a/b", ""];

/// The collections the targets' ingest filter keeps (Aerie's default set plus a prefix).
pub fn filter() -> aerie::gate::change::Filter {
    let mut wanted = aerie::config::JetstreamConfig::default().collections;
    wanted.push("app.bsky.graph.*".into());
    aerie::gate::change::Filter::new(&wanted, 1 << 16)
}

/// DAG-CBOR bytes and their CID (v1, dag-cbor, sha2-256), as a PDS writes a block.
pub fn block(value: &Ipld) -> Option<(Cid, Vec<u8>)> {
    let bytes = serde_ipld_dagcbor::to_vec(value).ok()?;
    Some((cid_of(&bytes), bytes))
}

/// The CID of DAG-CBOR bytes.
pub fn cid_of(bytes: &[u8]) -> Cid {
    Cid::try_from(aerie_storage::cbor::cid_of_bytes(bytes).as_slice()).expect("a CID")
}

/// A CAR v1 file with `roots` and `blocks`, written by the same library Aerie reads with.
pub fn car(roots: Vec<Cid>, blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let header = iroh_car::CarHeader::new_v1(roots);
    let mut w = iroh_car::CarWriter::new(header, Vec::new());
    for (cid, data) in blocks {
        w.write(*cid, data)
            .now_or_never()
            .expect("in memory")
            .expect("block written");
    }
    w.finish()
        .now_or_never()
        .expect("in memory")
        .expect("CAR finished")
}

/// One of `choices`, or (sometimes) any string.
pub fn pick(u: &mut Unstructured, choices: &[&str]) -> Result<String> {
    let i = u.choose_index(choices.len() + 1)?;
    Ok(match choices.get(i) {
        Some(s) => s.to_string(),
        None => u.arbitrary()?,
    })
}

/// Any IPLD value, at most `depth` levels deep.
pub fn ipld(u: &mut Unstructured, depth: u32) -> Result<Ipld> {
    let kinds = if depth == 0 { 6 } else { 8 };
    Ok(match u.int_in_range(0..=kinds)? {
        0 => Ipld::Null,
        1 => Ipld::Bool(u.arbitrary()?),
        2 => Ipld::Integer(i128::from(u.arbitrary::<i64>()?)),
        3 => Ipld::String(pick(u, &["app.bsky.feed.post", "$link", "$bytes", "blob"])?),
        4 => Ipld::Bytes(u.arbitrary()?),
        5 => Ipld::Link(cid_of(u.arbitrary::<&[u8]>()?)),
        6 => Ipld::Float(f64::from(u.arbitrary::<i32>()?) / 8.0),
        7 => Ipld::List(
            (0..u.int_in_range(0..=4)?)
                .map(|_| ipld(u, depth - 1))
                .collect::<Result<_>>()?,
        ),
        _ => Ipld::Map(map(u, depth - 1)?),
    })
}

fn map(u: &mut Unstructured, depth: u32) -> Result<BTreeMap<String, Ipld>> {
    let mut m = BTreeMap::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let k = pick(u, &["$type", "$link", "$bytes", "text", "subject", "ref"])?;
        m.insert(k, ipld(u, depth)?);
    }
    Ok(m)
}

/// A record block: mostly a map with a `$type`, sometimes any value.
pub fn record(u: &mut Unstructured) -> Result<(Cid, Vec<u8>)> {
    let value = match u.ratio(1, 8)? {
        true => ipld(u, 4)?,
        false => {
            let mut m = map(u, 3)?;
            m.insert("$type".into(), Ipld::String(pick(u, COLLECTIONS)?));
            Ipld::Map(m)
        }
    };
    // Values DAG-CBOR cannot hold (none are generated today) fall back to an empty map.
    Ok(block(&value).unwrap_or_else(|| block(&Ipld::Map(BTreeMap::new())).expect("encodes")))
}

/// An MST key: mostly `collection/rkey`, sometimes any bytes.
fn key(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(match u.ratio(1, 8)? {
        true => u.arbitrary()?,
        false => format!("{}/{}", pick(u, COLLECTIONS)?, pick(u, KEYS)?).into_bytes(),
    })
}

fn link_to(u: &mut Unstructured, cids: &[Cid]) -> Result<Ipld> {
    Ok(match cids.is_empty() || u.ratio(1, 16)? {
        true => Ipld::Link(cid_of(u.arbitrary::<&[u8]>()?)),
        false => Ipld::Link(*u.choose(cids)?),
    })
}

/// A repository CAR: a commit over an MST of up to 8 nodes (children may be shared or
/// missing, prefixes wrong, keys out of order) over up to 6 record blocks.
pub fn repo(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut blocks: Vec<(Cid, Vec<u8>)> = (0..u.int_in_range(1..=6)?)
        .map(|_| record(u))
        .collect::<Result<_>>()?;
    let records: Vec<Cid> = blocks.iter().map(|b| b.0).collect();
    // Built from the last node to the first, so a node links to nodes built before it.
    let mut nodes: Vec<Cid> = Vec::new();
    for _ in 0..u.int_in_range(1..=8)? {
        let mut n = BTreeMap::new();
        if !nodes.is_empty() && u.ratio(1, 3)? {
            n.insert("l".to_string(), link_to(u, &nodes)?);
        }
        let mut prev: Vec<u8> = Vec::new();
        let mut entries = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            let k = key(u)?;
            let common = prev.iter().zip(&k).take_while(|(a, b)| a == b).count();
            let p = match u.ratio(1, 16)? {
                true => u.arbitrary::<u8>()? as usize,
                false => common,
            };
            let mut e = BTreeMap::new();
            e.insert("p".to_string(), Ipld::Integer(p as i128));
            e.insert("k".to_string(), Ipld::Bytes(k[common..].to_vec()));
            e.insert("v".to_string(), link_to(u, &records)?);
            if !nodes.is_empty() && u.ratio(1, 3)? {
                e.insert("t".to_string(), link_to(u, &nodes)?);
            }
            entries.push(Ipld::Map(e));
            prev = k;
        }
        n.insert("e".to_string(), Ipld::List(entries));
        let (cid, bytes) = block(&Ipld::Map(n)).expect("an MST node encodes");
        nodes.push(cid);
        blocks.push((cid, bytes));
    }
    let mut commit = BTreeMap::new();
    commit.insert("did".to_string(), Ipld::String(pick(u, DIDS)?));
    commit.insert("rev".to_string(), Ipld::String(pick(u, KEYS)?));
    commit.insert("version".to_string(), Ipld::Integer(3));
    commit.insert("sig".to_string(), Ipld::Bytes(vec![0; 64]));
    let data = match u.ratio(1, 16)? {
        true => ipld(u, 1)?,
        false => Ipld::Link(*nodes.last().expect("a node")),
    };
    commit.insert("data".to_string(), data);
    let (root, bytes) = block(&Ipld::Map(commit)).expect("a commit encodes");
    blocks.push((root, bytes));
    if u.ratio(1, 8)? {
        let i = u.choose_index(blocks.len())?;
        blocks.remove(i);
    }
    Ok(car(vec![root], &blocks))
}

/// A firehose frame (header and body, DAG-CBOR): a commit with a CAR of records and ops over
/// them, or a sync, identity, account, info, error or unknown frame.
pub fn frame(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut header = BTreeMap::new();
    let op = if u.ratio(1, 16)? { -1 } else { 1 };
    header.insert("op".to_string(), Ipld::Integer(op));
    let kinds = ["#commit", "#sync", "#identity", "#account", "#info"];
    header.insert("t".to_string(), Ipld::String(pick(u, &kinds)?));
    let mut body = BTreeMap::new();
    let text = |u: &mut Unstructured, choices: &[&str]| pick(u, choices).map(Ipld::String);
    body.insert("seq".to_string(), Ipld::Integer(u.arbitrary::<i64>()?.into()));
    body.insert("repo".to_string(), text(u, DIDS)?);
    body.insert("did".to_string(), text(u, DIDS)?);
    body.insert("rev".to_string(), text(u, KEYS)?);
    let times = ["2026-07-04T14:38:08.999Z", "2026-07-04T14:38:08+02:00"];
    body.insert("time".to_string(), text(u, &times)?);
    body.insert("handle".to_string(), text(u, &["alice.test", "Bad Handle"])?);
    body.insert("active".to_string(), Ipld::Bool(u.arbitrary()?));
    body.insert("status".to_string(), text(u, &["deactivated"])?);
    body.insert("name".to_string(), text(u, &["OutdatedCursor"])?);
    body.insert("tooBig".to_string(), Ipld::Bool(u.ratio(1, 16)?));
    let records: Vec<(Cid, Vec<u8>)> = (0..u.int_in_range(0..=4)?)
        .map(|_| record(u))
        .collect::<Result<_>>()?;
    let cids: Vec<Cid> = records.iter().map(|r| r.0).collect();
    let mut ops = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let mut o = BTreeMap::new();
        let actions = ["create", "update", "delete"];
        o.insert("action".to_string(), text(u, &actions)?);
        let path = format!("{}/{}", pick(u, COLLECTIONS)?, pick(u, KEYS)?);
        o.insert("path".to_string(), Ipld::String(path));
        if u.ratio(3, 4)? {
            o.insert("cid".to_string(), link_to(u, &cids)?);
        }
        ops.push(Ipld::Map(o));
    }
    body.insert("ops".to_string(), Ipld::List(ops));
    let root = cids.first().copied().unwrap_or_else(|| cid_of(b"root"));
    body.insert("blocks".to_string(), Ipld::Bytes(car(vec![root], &records)));
    // Drop a few fields to reach the "frame without ..." paths.
    for _ in 0..u.int_in_range(0..=2)? {
        let k: Vec<String> = body.keys().cloned().collect();
        body.remove(u.choose(&k)?);
    }
    let mut out = serde_ipld_dagcbor::to_vec(&Ipld::Map(header)).expect("header encodes");
    out.extend(serde_ipld_dagcbor::to_vec(&Ipld::Map(body)).expect("body encodes"));
    Ok(out)
}

/// What every accepted event must meet whatever the source: checked identifiers, records that
/// are JSON objects within the size limit, binary CIDs that parse.
pub fn check_event(e: &Event, max_record_bytes: usize) {
    let id_ok = |id: &aerie_storage::RecordId| {
        syntax::is_did(&id.did) && syntax::is_nsid(&id.collection) && syntax::is_rkey(&id.rkey)
    };
    match &e.op {
        Some(Op::Put {
            id, cid, record, ..
        }) => {
            assert!(id_ok(id), "{id:?}");
            assert!(record.len() <= max_record_bytes, "{} bytes", record.len());
            assert!(record.starts_with(b"{"), "record not an object");
            if let Err(err) = serde_json::from_slice::<serde_json::Value>(record) {
                // Nesting beyond serde_json's default limit is the only reason allowed.
                assert!(err.to_string().contains("recursion limit"), "{err}");
            }
            assert!(Cid::try_from(cid.as_slice()).is_ok(), "binary CID");
        }
        Some(Op::Delete { id, .. }) => assert!(id_ok(id), "{id:?}"),
        Some(Op::Identity { did, handle, .. }) => {
            assert!(syntax::is_did(did), "{did}");
            assert!(handle.as_deref().is_none_or(syntax::is_handle), "{handle:?}");
        }
        Some(Op::Account { did, .. }) => assert!(syntax::is_did(did), "{did}"),
        Some(Op::Queue(QueueOp::Request { did, .. })) => assert!(syntax::is_did(did), "{did}"),
        _ => {}
    }
}

/// Longest skip reason accepted: reasons are logged, so input must not make them unbounded.
pub const MAX_REASON: usize = 1024;
