//! Value encodings: record rows (JSON or compact bodies) and tombstones, actor rows, integers.
//!
//! A record row is `tag · rev(u64) · …`: tag 1 is a tombstone (nothing follows). Live rows
//! continue with `indexed_at` as a zigzag varint delta from the rev's timestamp, then:
//! - tag 0 (JSON): `sort_at` (zigzag delta from indexed_at) · len · CID · record JSON;
//! - tag 4 (DAG-CBOR): `sort_at` · the record's DAG-CBOR (its CID is the hash of these bytes);
//! - tag 2 (strong-ref record: like, repost): created · subject ref · optional `via` ref;
//! - tag 3 (DID-subject record: follow, block): created · subject aid (varint);
//! - tag 5 (pruned by retention): `sort_at` · the record's skeleton JSON (`facts::skeleton`),
//!   read as absent, un-indexed with counting when the record is deleted or replaced.
//!
//! `created` is `0 · zigzag delta from indexed_at` for canonical timestamps, `1 · len · text`
//! otherwise. A ref is `aid · coll · len · rkey · (0 = CID from the ref-CID table | 1 · len · CID)`,
//! the record key encoded as in keys (TIDs as 9 bytes).
//! Compact rows keep no CID: it is recomputed from the rebuilt record (see `compact.rs`).

use crate::Result;
use serde::{Deserialize, Serialize};

/// A record row: live or a tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub rev: u64,
    pub live: Option<Live>,
}

/// A live record's stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub indexed_at_us: i64,
    pub body: Body,
}

impl Live {
    /// `min(createdAt, indexedAt)`.
    pub fn sort_at_us(&self) -> i64 {
        match &self.body {
            Body::Json { sort_at_us, .. }
            | Body::Cbor { sort_at_us, .. }
            | Body::Pruned { sort_at_us, .. } => *sort_at_us,
            Body::Ref { created, .. } | Body::Did { created, .. } => {
                created.sort_at(self.indexed_at_us)
            }
        }
    }
}

/// How a record's content is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The record JSON, its sort time and CID.
    Json {
        sort_at_us: i64,
        cid: Vec<u8>,
        json: Vec<u8>,
    },
    /// The record as DAG-CBOR, exactly the bytes its CID hashes (so the CID is not kept).
    Cbor { sort_at_us: i64, cbor: Vec<u8> },
    /// `{$type, createdAt, subject: {cid, uri}, via?}`.
    Ref {
        created: Created,
        subject: Ref,
        via: Option<Ref>,
    },
    /// `{$type, createdAt, subject: did}`.
    Did { created: Created, subject_aid: u64 },
    /// A record pruned by retention: gone from every index and read, its counts kept; what
    /// is left is the skeleton its deletion needs to subtract them (`facts::skeleton`).
    Pruned { sort_at_us: i64, skeleton: Vec<u8> },
}

/// A `createdAt` value: canonical (millisecond `…Z` form) as µs, or the text as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Canonical(i64),
    Raw(String),
}

/// A strong reference inside a compact row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub aid: u64,
    pub collection: String,
    pub rkey: String,
    /// `None`: the CID is the one the ref-CID table holds for this record.
    pub cid: Option<Vec<u8>>,
}

const JSON: u8 = 0;
const TOMBSTONE: u8 = 1;
const REF: u8 = 2;
const DID: u8 = 3;
const CBOR: u8 = 4;
const PRUNED: u8 = 5;

fn rev_time(rev: u64) -> i64 {
    (rev >> 10) as i64
}

impl Row {
    /// The record as readers see it: live and not pruned.
    pub fn visible(self) -> Option<Live> {
        self.live.filter(|l| !matches!(l.body, Body::Pruned { .. }))
    }

    pub fn encode(&self) -> Vec<u8> {
        let Some(l) = &self.live else {
            let mut v = Vec::with_capacity(9);
            v.push(TOMBSTONE);
            v.extend_from_slice(&self.rev.to_be_bytes());
            return v;
        };
        let mut v = Vec::with_capacity(64);
        v.push(match l.body {
            Body::Json { .. } => JSON,
            Body::Cbor { .. } => CBOR,
            Body::Ref { .. } => REF,
            Body::Did { .. } => DID,
            Body::Pruned { .. } => PRUNED,
        });
        v.extend_from_slice(&self.rev.to_be_bytes());
        put_zigzag(&mut v, l.indexed_at_us.wrapping_sub(rev_time(self.rev)));
        match &l.body {
            Body::Json {
                sort_at_us,
                cid,
                json,
            } => {
                put_zigzag(&mut v, sort_at_us.wrapping_sub(l.indexed_at_us));
                put_bytes(&mut v, cid);
                v.extend_from_slice(json);
            }
            Body::Cbor { sort_at_us, cbor } => {
                put_zigzag(&mut v, sort_at_us.wrapping_sub(l.indexed_at_us));
                v.extend_from_slice(cbor);
            }
            Body::Pruned {
                sort_at_us,
                skeleton,
            } => {
                put_zigzag(&mut v, sort_at_us.wrapping_sub(l.indexed_at_us));
                v.extend_from_slice(skeleton);
            }
            Body::Ref {
                created,
                subject,
                via,
            } => {
                put_created(&mut v, created, l.indexed_at_us);
                put_ref(&mut v, subject);
                if let Some(via) = via {
                    put_ref(&mut v, via);
                }
            }
            Body::Did {
                created,
                subject_aid,
            } => {
                put_created(&mut v, created, l.indexed_at_us);
                put_varint(&mut v, *subject_aid);
            }
        }
        v
    }

    pub fn decode(b: &[u8]) -> Result<Row> {
        Self::try_decode(b).ok_or(crate::Error::Corrupt("record row"))
    }

    fn try_decode(b: &[u8]) -> Option<Row> {
        let mut r = Reader(b);
        let tag = r.byte()?;
        let rev = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
        if tag == TOMBSTONE {
            return Some(Row { rev, live: None });
        }
        let indexed_at_us = rev_time(rev).wrapping_add(r.zigzag()?);
        let body = match tag {
            JSON => {
                let sort_at_us = indexed_at_us.wrapping_add(r.zigzag()?);
                let cid = r.bytes()?.to_vec();
                Body::Json {
                    sort_at_us,
                    cid,
                    json: r.0.to_vec(),
                }
            }
            CBOR => {
                let sort_at_us = indexed_at_us.wrapping_add(r.zigzag()?);
                Body::Cbor {
                    sort_at_us,
                    cbor: r.0.to_vec(),
                }
            }
            PRUNED => {
                let sort_at_us = indexed_at_us.wrapping_add(r.zigzag()?);
                Body::Pruned {
                    sort_at_us,
                    skeleton: r.0.to_vec(),
                }
            }
            REF => {
                let created = r.created(indexed_at_us)?;
                let subject = r.reference()?;
                let via = if r.0.is_empty() {
                    None
                } else {
                    Some(r.reference()?)
                };
                Body::Ref {
                    created,
                    subject,
                    via,
                }
            }
            DID => Body::Did {
                created: r.created(indexed_at_us)?,
                subject_aid: r.varint()?,
            },
            _ => return None,
        };
        Some(Row {
            rev,
            live: Some(Live {
                indexed_at_us,
                body,
            }),
        })
    }
}

impl Created {
    /// The timestamp in µs, when it parses.
    pub fn us(&self) -> Option<i64> {
        match self {
            Created::Canonical(us) => Some(*us),
            Created::Raw(s) => crate::datetime::parse_us(s),
        }
    }

    /// The text as the record had it.
    pub fn text(&self) -> String {
        match self {
            Created::Canonical(us) => crate::datetime::format_us(*us),
            Created::Raw(s) => s.clone(),
        }
    }

    /// The compact form of a `createdAt` text.
    pub fn from_text(s: &str) -> Created {
        match crate::datetime::parse_us(s) {
            Some(us) if crate::datetime::format_us(us) == s => Created::Canonical(us),
            _ => Created::Raw(s.to_string()),
        }
    }
}

fn put_created(v: &mut Vec<u8>, c: &Created, indexed_at_us: i64) {
    match c {
        Created::Canonical(us) => {
            v.push(0);
            put_zigzag(v, us.wrapping_sub(indexed_at_us));
        }
        Created::Raw(s) => {
            v.push(1);
            put_bytes(v, s.as_bytes());
        }
    }
}

fn put_ref(v: &mut Vec<u8>, r: &Ref) {
    put_varint(v, r.aid);
    super::keys::push_collection(v, &r.collection);
    put_bytes(v, &super::keys::rkey(&r.rkey));
    match &r.cid {
        None => v.push(0),
        Some(c) => {
            v.push(1);
            put_bytes(v, c);
        }
    }
}

/// Length-prefixed (u8) bytes; callers keep them under 256 bytes.
fn put_bytes(v: &mut Vec<u8>, b: &[u8]) {
    let n = b.len().min(255);
    v.push(n as u8);
    v.extend_from_slice(&b[..n]);
}

fn put_varint(v: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        v.push((x as u8) | 0x80);
        x >>= 7;
    }
    v.push(x as u8);
}

fn put_zigzag(v: &mut Vec<u8>, x: i64) {
    put_varint(v, ((x << 1) ^ (x >> 63)) as u64);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.byte()? as usize;
        self.take(n)
    }

    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            x |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(x);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let u = self.varint()?;
        Some(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn created(&mut self, indexed_at_us: i64) -> Option<Created> {
        match self.byte()? {
            0 => Some(Created::Canonical(
                indexed_at_us.wrapping_add(self.zigzag()?),
            )),
            1 => Some(Created::Raw(self.text()?)),
            _ => None,
        }
    }

    fn reference(&mut self) -> Option<Ref> {
        let aid = self.varint()?;
        let (collection, rest) = super::keys::read_collection(self.0)?;
        self.0 = rest;
        let rkey = super::keys::read_rkey(self.bytes()?);
        let cid = match self.byte()? {
            0 => None,
            1 => Some(self.bytes()?.to_vec()),
            _ => return None,
        };
        Some(Ref {
            aid,
            collection,
            rkey,
            cid,
        })
    }
}

/// An actor's identity and status, each gated by its upstream sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActorRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default)]
    pub identity_seq: i64,
    #[serde(default)]
    pub inactive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub account_seq: i64,
}

impl ActorRow {
    pub fn decode(b: &[u8]) -> Result<ActorRow> {
        serde_json::from_slice(b).map_err(|_| crate::Error::Corrupt("actor row"))
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A LEB128 varint (counters: most fit in one or two bytes).
pub fn varint(x: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(10);
    put_varint(&mut v, x);
    v
}

/// Inverse of `varint`.
pub fn read_varint(b: &[u8]) -> Option<u64> {
    Reader(b).varint()
}

pub fn read_u64(b: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?))
}

pub fn read_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let rev = 0x0123_4567_89ab_cdef & ((1 << 63) - 1);
        let t = rev_time(rev);
        let subject = Ref {
            aid: 300,
            collection: "app.bsky.feed.post".into(),
            rkey: "3mptb".into(),
            cid: None,
        };
        let via = Ref {
            aid: 1,
            collection: "com.example.x".into(),
            rkey: "k".into(),
            cid: Some(vec![1, 2, 3]),
        };
        let rows = [
            Row { rev, live: None },
            Row {
                rev,
                live: Some(Live {
                    indexed_at_us: t + 5,
                    body: Body::Json {
                        sort_at_us: t - 9,
                        cid: vec![9; 36],
                        json: b"{}".to_vec(),
                    },
                }),
            },
            Row {
                rev,
                live: Some(Live {
                    indexed_at_us: t - 1000,
                    body: Body::Ref {
                        created: Created::Canonical(t - 2000),
                        subject: subject.clone(),
                        via: None,
                    },
                }),
            },
            Row {
                rev,
                live: Some(Live {
                    indexed_at_us: t,
                    body: Body::Ref {
                        created: Created::Raw("whenever".into()),
                        subject,
                        via: Some(via),
                    },
                }),
            },
            Row {
                rev,
                live: Some(Live {
                    indexed_at_us: t,
                    body: Body::Did {
                        created: Created::Canonical(t),
                        subject_aid: 1 << 40,
                    },
                }),
            },
        ];
        let cbor = Body::Cbor {
            sort_at_us: t - 1,
            cbor: vec![0xa0],
        };
        let cbor = Row {
            rev,
            live: Some(Live {
                indexed_at_us: t,
                body: cbor,
            }),
        };
        for row in rows.into_iter().chain([cbor]) {
            assert_eq!(Row::decode(&row.encode()).expect("decodes"), row);
        }
        assert!(Row::decode(&[9, 0, 0]).is_err());
    }
}
