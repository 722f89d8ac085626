//! Repository CARs (backfill): the CAR reader, the commit and the MST walk, either on raw
//! bytes (first byte even) or on a repository built from the input with real CIDs (first byte
//! odd: shared, missing or mis-keyed nodes). The index and the whole read agree, every record
//! is the block its CID names, and the work stays bounded by the input.
#![no_main]

use aerie::ingest::car::{self, Blocks, RepoIndex};
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = match mode % 2 {
        0 => rest.to_vec(),
        _ => match aerie_fuzz::repo(&mut Unstructured::new(rest)) {
            Ok(b) => b,
            Err(_) => return,
        },
    };
    if let Ok(blocks) = Blocks::read(&bytes) {
        assert!(blocks.blocks.len() <= bytes.len());
        for cid in blocks.blocks.keys() {
            let _ = blocks.decode(cid);
        }
    }
    let index = match RepoIndex::read(&bytes) {
        Ok(i) => i,
        Err(_) => return assert!(car::read_repo(&bytes).is_err()),
    };
    // Each entry costs its node some bytes: more entries than bytes means a node was walked twice.
    assert!(index.entries.len() <= bytes.len(), "{} entries", index.entries.len());
    let records: Vec<_> = index.entries.iter().map(|e| index.record(e)).collect();
    match car::read_repo(&bytes) {
        Ok(repo) => {
            assert_eq!((repo.did.as_str(), repo.rev.as_str()), (index.did.as_str(), index.rev.as_str()));
            assert_eq!(repo.records.len(), index.entries.len());
            for (r, e) in repo.records.iter().zip(&index.entries) {
                assert_eq!((&r.collection, &r.rkey), (&e.collection, &e.rkey));
                assert_eq!(r.cid, e.cid.to_bytes());
            }
        }
        Err(_) => assert!(records.iter().any(Result::is_err)),
    }
});
