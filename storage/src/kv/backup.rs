//! Export and import of a whole store: every keyspace read from one snapshot (consistent while
//! the writer runs), written as a zstd stream:
//!
//! ```text
//! "AERIE-EXPORT\n"  u32 header length  header JSON {"format":1,"schema_version":N,"keyspaces":[names]}
//! entries: u8 keyspace index (into the header's list)  u32 key length  key  u32 value length  value
//! end:     u8 0xFF  u64 entry count
//! ```
//!
//! Keyspaces are named, not numbered, so an export survives keyspaces being reordered. Import
//! goes into an empty store only, in batches, and checks the count at the end.

use super::{Engine, Ks, KvStore, KvWrite, SCHEMA_VERSION};
use crate::model::Durability;
use crate::{Error, Result};
use std::io::{Read, Write};

const MAGIC: &[u8] = b"AERIE-EXPORT\n";
const FORMAT: u32 = 1;
const END: u8 = 0xFF;
/// Entries per import batch.
const BATCH: usize = 20_000;

/// What an export or import moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackupStats {
    /// Key/value entries.
    pub entries: u64,
    /// Bytes of keys and values (uncompressed).
    pub bytes: u64,
}

fn io(e: std::io::Error) -> Error {
    Error::Engine(format!("backup stream: {e}"))
}

fn bad(what: &str) -> Error {
    Error::Engine(format!("not an Aerie export, or a damaged one: {what}"))
}

impl<E: Engine> crate::Backup for KvStore<E> {
    fn export_to(&self, out: &mut dyn Write) -> Result<BackupStats> {
        let mut z = zstd::Encoder::new(out, 3).map_err(io)?;
        let names: Vec<&str> = Ks::ALL.iter().map(|k| k.name()).collect();
        let header = serde_json::json!({"format": FORMAT, "schema_version": SCHEMA_VERSION, "keyspaces": names}).to_string();
        z.write_all(MAGIC).map_err(io)?;
        z.write_all(&(header.len() as u32).to_be_bytes())
            .map_err(io)?;
        z.write_all(header.as_bytes()).map_err(io)?;
        let mut stats = BackupStats::default();
        self.engine.dump(&mut |ks, k, v| {
            let index = Ks::ALL.iter().position(|x| *x == ks).unwrap_or(0) as u8;
            z.write_all(&[index]).map_err(io)?;
            z.write_all(&(k.len() as u32).to_be_bytes()).map_err(io)?;
            z.write_all(k).map_err(io)?;
            z.write_all(&(v.len() as u32).to_be_bytes()).map_err(io)?;
            z.write_all(v).map_err(io)?;
            stats.entries += 1;
            stats.bytes += (k.len() + v.len()) as u64;
            Ok(())
        })?;
        z.write_all(&[END]).map_err(io)?;
        z.write_all(&stats.entries.to_be_bytes()).map_err(io)?;
        z.finish().map_err(io)?.flush().map_err(io)?;
        Ok(stats)
    }

    fn import_from(&self, input: &mut dyn Read) -> Result<BackupStats> {
        self.import(input)
    }
}

impl<E: Engine> KvStore<E> {
    /// Whether the store holds nothing but its schema version.
    fn is_empty(&self) -> Result<bool> {
        for ks in Ks::ALL {
            let rows = self.engine.scan_asc(ks, &[], None, 2)?;
            let only_schema =
                ks == Ks::Meta && rows.iter().all(|(k, _)| k == super::keys::META_SCHEMA);
            if !rows.is_empty() && !only_schema {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Reads an export into this store, which must be empty.
    fn import(&self, input: &mut dyn Read) -> Result<BackupStats> {
        if !self.is_empty()? {
            return Err(Error::Engine(format!(
                "{} is not empty: import into a new data directory",
                self.engine.location()
            )));
        }
        let mut z = zstd::Decoder::new(input).map_err(io)?;
        let mut magic = [0u8; MAGIC.len()];
        z.read_exact(&mut magic).map_err(|_| bad("no header"))?;
        if magic != MAGIC {
            return Err(bad("wrong magic"));
        }
        let header: serde_json::Value =
            serde_json::from_slice(&read_chunk(&mut z, 1 << 20)?).map_err(|_| bad("header"))?;
        let version = header["schema_version"]
            .as_u64()
            .ok_or_else(|| bad("schema version"))?;
        if version != u64::from(SCHEMA_VERSION)
            || header["format"].as_u64() != Some(u64::from(FORMAT))
        {
            return Err(Error::Engine(format!(
                "the export has schema version {version}; this Aerie imports version {SCHEMA_VERSION} \
                 (import it with the Aerie that made it, start that once on the new store to migrate, \
                 or export again with this one)"
            )));
        }
        let kss: Vec<Ks> = header["keyspaces"]
            .as_array()
            .ok_or_else(|| bad("keyspaces"))?
            .iter()
            .map(|n| {
                let n = n.as_str().unwrap_or_default();
                Ks::ALL
                    .iter()
                    .copied()
                    .find(|k| k.name() == n)
                    .ok_or_else(|| {
                        Error::Engine(format!(
                            "the export has a keyspace this Aerie does not know: {n}"
                        ))
                    })
            })
            .collect::<Result<_>>()?;
        let mut batch: Vec<KvWrite> = Vec::with_capacity(BATCH);
        let mut stats = BackupStats::default();
        loop {
            let mut tag = [0u8; 1];
            z.read_exact(&mut tag).map_err(|_| bad("truncated"))?;
            if tag[0] == END {
                let mut n = [0u8; 8];
                z.read_exact(&mut n).map_err(|_| bad("truncated end"))?;
                if u64::from_be_bytes(n) != stats.entries {
                    return Err(bad("entry count does not match"));
                }
                break;
            }
            let ks = *kss
                .get(usize::from(tag[0]))
                .ok_or_else(|| bad("keyspace index"))?;
            let key = read_chunk(&mut z, 1 << 20)?;
            let value = read_chunk(&mut z, 1 << 30)?;
            stats.entries += 1;
            stats.bytes += (key.len() + value.len()) as u64;
            batch.push((ks, key, Some(value)));
            if batch.len() >= BATCH {
                self.engine
                    .commit(std::mem::take(&mut batch), Durability::Buffer)?;
            }
        }
        self.engine.commit(batch, Durability::Buffer)?;
        self.engine.persist()?;
        Ok(stats)
    }
}

fn read_chunk(z: &mut dyn Read, max: usize) -> Result<Vec<u8>> {
    let mut len = [0u8; 4];
    z.read_exact(&mut len).map_err(|_| bad("truncated"))?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(bad("oversized entry"));
    }
    let mut buf = vec![0u8; len];
    z.read_exact(&mut buf).map_err(|_| bad("truncated entry"))?;
    Ok(buf)
}
