//! Repositories as `com.atproto.sync.getRepo` serves them (CAR v1): the signed commit (first
//! root), the MST walked in key order, and every record checked against its CID and decoded from
//! DAG-CBOR to JSON — what backfill turns into the same operations as live events.

use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;
use std::collections::{HashMap, HashSet};

/// A repository's records at one commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Repo {
    /// The repository's DID, from the commit.
    pub did: String,
    /// The commit's revision (TID).
    pub rev: String,
    /// Records in MST key order.
    pub records: Vec<RepoRecord>,
}

/// One record of a repository.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoRecord {
    /// Collection NSID.
    pub collection: String,
    /// Record key.
    pub rkey: String,
    /// Binary CID.
    pub cid: Vec<u8>,
    /// The record as JSON (links as `{"$link"}`).
    pub value: serde_json::Value,
}

/// Why a CAR could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CarError {
    /// Not a CAR v1 stream.
    #[error("reading CAR: {0}")]
    Car(String),
    /// A block the commit or tree points at is absent.
    #[error("block {0} is missing from the CAR")]
    MissingBlock(String),
    /// A block's bytes do not hash to its CID.
    #[error("block {0} does not match its CID")]
    BadBlock(String),
    /// The commit or a tree node does not have the expected shape.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A tree node is linked from more than one place (a tree's nodes are reached once; a
    /// node shared by several links would be walked once per path, exponentially often).
    #[error("MST node {0} is linked more than once")]
    SharedNode(String),
}

/// Deepest MST accepted (real trees are a handful of levels; this bounds hostile input).
const MAX_DEPTH: usize = 64;

/// Longest MST key accepted: a repository path, `collection/rkey`, is at most 317 + 1 + 512
/// bytes. Keys are built by prefix, so unbounded ones grow quadratically with the entries.
const MAX_KEY: usize = 1024;

/// The blocks of a CAR v1 held in memory, by CID, and its first root.
pub struct Blocks {
    /// The first root (a commit).
    pub root: Cid,
    /// Every block.
    pub blocks: HashMap<Cid, Vec<u8>>,
}

impl Blocks {
    /// Reads a CAR from bytes. The reader works on memory, so every step is ready at once.
    pub fn read(bytes: &[u8]) -> Result<Blocks, CarError> {
        use futures_util::FutureExt;
        let not_ready = || CarError::Car("in-memory read was not ready".into());
        let mut reader = iroh_car::CarReader::new(bytes)
            .now_or_never()
            .ok_or_else(not_ready)?
            .map_err(|e| CarError::Car(e.to_string()))?;
        let root = *reader
            .header()
            .roots()
            .first()
            .ok_or(CarError::Malformed("CAR header: no root"))?;
        let mut blocks: HashMap<Cid, Vec<u8>> = HashMap::new();
        while let Some((cid, data)) = reader
            .next_block()
            .now_or_never()
            .ok_or_else(not_ready)?
            .map_err(|e| CarError::Car(e.to_string()))?
        {
            blocks.insert(cid, data);
        }
        Ok(Blocks { root, blocks })
    }

    /// A block, checked against its CID and decoded.
    pub fn decode(&self, cid: &Cid) -> Result<Ipld, CarError> {
        decode(&self.blocks, cid)
    }
}

/// One record of a repository's index: where it is and its CID, not yet decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Collection NSID.
    pub collection: String,
    /// Record key.
    pub rkey: String,
    /// The record block's CID.
    pub cid: Cid,
}

/// A repository read as far as its index: the commit's fields and every record's place in MST
/// key order. Records are decoded on demand (`record`), so decoding can run beside applying.
pub struct RepoIndex {
    /// The repository's DID, from the commit.
    pub did: String,
    /// The commit's revision (TID).
    pub rev: String,
    /// Every record, in key order.
    pub entries: Vec<Entry>,
    blocks: HashMap<Cid, Vec<u8>>,
}

impl RepoIndex {
    /// Reads the CAR, the commit (first root) and walks the MST.
    pub fn read(bytes: &[u8]) -> Result<RepoIndex, CarError> {
        let Blocks { root, blocks } = Blocks::read(bytes)?;
        let commit = decode(&blocks, &root)?;
        let field = |k: &str| match &commit {
            Ipld::Map(m) => m.get(k),
            _ => None,
        };
        let (Some(Ipld::String(did)), Some(Ipld::String(rev)), Some(Ipld::Link(data))) =
            (field("did"), field("rev"), field("data"))
        else {
            return Err(CarError::Malformed("commit"));
        };
        let mut keys = Vec::new();
        walk(&blocks, data, 0, &mut HashSet::new(), &mut keys)?;
        let mut entries = Vec::with_capacity(keys.len());
        for (key, cid) in keys {
            let path = String::from_utf8(key).map_err(|_| CarError::Malformed("MST key"))?;
            let (collection, rkey) = path.split_once('/').ok_or(CarError::Malformed("MST key"))?;
            entries.push(Entry {
                collection: collection.into(),
                rkey: rkey.into(),
                cid,
            });
        }
        Ok(RepoIndex {
            did: did.clone(),
            rev: rev.clone(),
            entries,
            blocks,
        })
    }

    /// Decodes one record, checked against its CID.
    pub fn record(&self, e: &Entry) -> Result<RepoRecord, CarError> {
        Ok(RepoRecord {
            collection: e.collection.clone(),
            rkey: e.rkey.clone(),
            cid: e.cid.to_bytes(),
            value: aerie_storage::cbor::to_json(&decode(&self.blocks, &e.cid)?),
        })
    }
}

/// Reads a whole repository from CAR bytes.
pub fn read_repo(bytes: &[u8]) -> Result<Repo, CarError> {
    let index = RepoIndex::read(bytes)?;
    let records = index
        .entries
        .iter()
        .map(|e| index.record(e))
        .collect::<Result<_, _>>()?;
    Ok(Repo {
        did: index.did,
        rev: index.rev,
        records,
    })
}

/// A block, checked against its CID and decoded.
fn decode(blocks: &HashMap<Cid, Vec<u8>>, cid: &Cid) -> Result<Ipld, CarError> {
    let bytes = blocks
        .get(cid)
        .ok_or_else(|| CarError::MissingBlock(cid.to_string()))?;
    if cid.hash().code() == 0x12 && aerie_storage::cbor::cid_of_bytes(bytes) != cid.to_bytes() {
        return Err(CarError::BadBlock(cid.to_string()));
    }
    aerie_storage::cbor::decode_ipld(bytes).ok_or(CarError::Malformed("DAG-CBOR block"))
}

/// In-order walk of an MST node: left subtree, then each entry followed by its right subtree.
/// Keys are prefix-compressed against the previous key in the node. `seen` holds the nodes
/// walked so far: each is walked once.
fn walk(
    blocks: &HashMap<Cid, Vec<u8>>,
    node: &Cid,
    depth: usize,
    seen: &mut HashSet<Cid>,
    out: &mut Vec<(Vec<u8>, Cid)>,
) -> Result<(), CarError> {
    if depth > MAX_DEPTH {
        return Err(CarError::Malformed("MST: too deep"));
    }
    if !seen.insert(*node) {
        return Err(CarError::SharedNode(node.to_string()));
    }
    let Ipld::Map(n) = decode(blocks, node)? else {
        return Err(CarError::Malformed("MST node"));
    };
    if let Some(Ipld::Link(left)) = n.get("l") {
        walk(blocks, left, depth + 1, seen, out)?;
    }
    let Some(Ipld::List(entries)) = n.get("e") else {
        return Err(CarError::Malformed("MST node"));
    };
    let mut prev: Vec<u8> = Vec::new();
    for e in entries {
        let Ipld::Map(e) = e else {
            return Err(CarError::Malformed("MST entry"));
        };
        let (Some(Ipld::Integer(p)), Some(Ipld::Bytes(k)), Some(Ipld::Link(v))) =
            (e.get("p"), e.get("k"), e.get("v"))
        else {
            return Err(CarError::Malformed("MST entry"));
        };
        let p = usize::try_from(*p)
            .ok()
            .filter(|p| *p <= prev.len())
            .ok_or(CarError::Malformed("MST prefix"))?;
        if p + k.len() > MAX_KEY {
            return Err(CarError::Malformed("MST key longer than a repository path"));
        }
        let mut key = prev[..p].to_vec();
        key.extend_from_slice(k);
        out.push((key.clone(), *v));
        if let Some(Ipld::Link(right)) = e.get("t") {
            walk(blocks, right, depth + 1, seen, out)?;
        }
        prev = key;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The real repository next to the project: every record the MST names, with its CID.
    #[tokio::test]
    async fn the_real_repo_reads_completely() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/jetstream-capture");
        let (Ok(car), Ok(tsv)) = (
            std::fs::read(dir.join("repo.car")),
            std::fs::read_to_string(dir.join("car_expected_records.tsv")),
        ) else {
            println!(
                "notice: {} is absent; skipping the CAR reader test",
                dir.display()
            );
            return;
        };
        let repo = super::read_repo(&car).expect("reads");
        assert!(repo.did.starts_with("did:"), "{}", repo.did);
        assert!(
            aerie_storage::tid::parse(&repo.rev).is_some(),
            "{}",
            repo.rev
        );
        let got: Vec<String> = repo
            .records
            .iter()
            .map(|r| {
                format!(
                    "{}/{}\t{}",
                    r.collection,
                    r.rkey,
                    aerie_storage::cbor::cid_text(&r.cid).unwrap_or_default()
                )
            })
            .collect();
        let want: Vec<String> = tsv.lines().map(str::to_string).collect();
        assert_eq!(got, want, "every record, in key order, with its CID");
        for r in &repo.records {
            assert_eq!(r.value["$type"], r.collection.as_str());
            // Decoding and re-encoding gives the same CID: the JSON is exactly the record.
            assert_eq!(
                aerie_storage::cbor::record_cid(&r.value),
                Some(r.cid.clone())
            );
        }
    }

    #[tokio::test]
    async fn garbage_is_refused_with_a_clear_error() {
        assert!(super::read_repo(b"not a car").is_err());
        assert!(super::read_repo(&[]).is_err());
    }

    use ipld_core::cid::Cid;
    use ipld_core::ipld::Ipld;

    /// A block as a PDS writes it: DAG-CBOR and its CID.
    fn block(value: Ipld) -> (Cid, Vec<u8>) {
        let bytes = serde_ipld_dagcbor::to_vec(&value).expect("encodes");
        let cid = aerie_storage::cbor::cid_of_bytes(&bytes);
        (Cid::try_from(cid.as_slice()).expect("cid"), bytes)
    }

    fn map(fields: Vec<(&str, Ipld)>) -> Ipld {
        Ipld::Map(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A repository CAR: a commit over `root`, and `blocks`.
    fn car(root: Cid, mut blocks: Vec<(Cid, Vec<u8>)>) -> Vec<u8> {
        use futures_util::FutureExt;
        let commit = map(vec![
            ("did", Ipld::String("did:web:alice.test".into())),
            ("rev", Ipld::String("3mptbypluud2a".into())),
            ("data", Ipld::Link(root)),
        ]);
        let (cid, bytes) = block(commit);
        blocks.push((cid, bytes));
        let header = iroh_car::CarHeader::new_v1(vec![cid]);
        let mut w = iroh_car::CarWriter::new(header, Vec::new());
        for (cid, data) in blocks {
            w.write(cid, data)
                .now_or_never()
                .expect("ready")
                .expect("written");
        }
        w.finish().now_or_never().expect("ready").expect("finished")
    }

    fn entry(p: usize, k: &[u8], v: Cid, t: Option<Cid>) -> Ipld {
        let mut e = vec![
            ("p", Ipld::Integer(p as i128)),
            ("k", Ipld::Bytes(k.to_vec())),
            ("v", Ipld::Link(v)),
        ];
        e.extend(t.map(|t| ("t", Ipld::Link(t))));
        map(e)
    }

    /// A tree whose nodes link to the same subtree twice (the `car_repo` fuzz target builds
    /// such trees): walking every path is 2^40 visits; it is refused at once instead.
    #[test]
    fn a_node_linked_twice_is_refused() {
        let (record, bytes) = block(map(vec![("$type", Ipld::String("x".into()))]));
        let mut blocks = vec![(record, bytes)];
        let mut node = None;
        for _ in 0..40 {
            let e = entry(0, b"app.bsky.feed.post/a", record, node);
            let mut n = vec![("e", Ipld::List(vec![e]))];
            n.extend(node.map(|l| ("l", Ipld::Link(l))));
            let (cid, bytes) = block(map(n));
            blocks.push((cid, bytes));
            node = Some(cid);
        }
        let bytes = car(node.expect("a root"), blocks);
        let err = super::RepoIndex::read(&bytes).err().expect("refused");
        assert!(err.to_string().contains("more than once"), "{err}");
    }

    /// Keys grow by their prefix: 20,000 entries each one byte longer than the last would be
    /// 200 MB of keys from a 1 MB node. Keys longer than a repository path can be are refused.
    #[test]
    fn a_key_longer_than_a_path_is_refused() {
        let (record, bytes) = block(map(vec![]));
        let first = entry(0, b"app.bsky.feed.post/a", record, None);
        let longer = (19..2000).map(|p| entry(p, b"a", record, None));
        let entries = std::iter::once(first).chain(longer).collect();
        let (node, node_bytes) = block(map(vec![("e", Ipld::List(entries))]));
        let bytes = car(node, vec![(record, bytes), (node, node_bytes)]);
        let err = super::RepoIndex::read(&bytes).err().expect("refused");
        assert!(err.to_string().contains("MST key longer"), "{err}");
    }
}
