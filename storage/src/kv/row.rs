//! Value encodings: record rows and tombstones, actor rows, small integers.

use crate::Result;
use serde::{Deserialize, Serialize};

/// A record row: live (with content) or a tombstone (rev only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub rev: u64,
    pub live: Option<Live>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub indexed_at_us: i64,
    pub sort_at_us: i64,
    pub cid: Vec<u8>,
    pub body: Vec<u8>,
}

const LIVE: u8 = 0;
const TOMBSTONE: u8 = 1;

impl Row {
    // Layout: tag u8 · rev u64 · [indexed_at i64 · sort_at i64 · cid_len u8 · cid · body]
    pub fn encode(&self) -> Vec<u8> {
        match &self.live {
            None => {
                let mut v = Vec::with_capacity(9);
                v.push(TOMBSTONE);
                v.extend_from_slice(&self.rev.to_be_bytes());
                v
            }
            Some(l) => {
                let mut v = Vec::with_capacity(26 + l.cid.len() + l.body.len());
                v.push(LIVE);
                v.extend_from_slice(&self.rev.to_be_bytes());
                v.extend_from_slice(&l.indexed_at_us.to_be_bytes());
                v.extend_from_slice(&l.sort_at_us.to_be_bytes());
                v.push(l.cid.len().min(255) as u8);
                v.extend_from_slice(&l.cid[..l.cid.len().min(255)]);
                v.extend_from_slice(&l.body);
                v
            }
        }
    }

    pub fn decode(b: &[u8]) -> Result<Row> {
        Self::try_decode(b).ok_or(crate::Error::Corrupt("record row"))
    }

    fn try_decode(b: &[u8]) -> Option<Row> {
        let (&tag, rest) = b.split_first()?;
        let rev = read_u64(rest)?;
        let live = match tag {
            TOMBSTONE => None,
            LIVE => {
                let rest = rest.get(8..)?;
                let indexed_at_us = read_u64(rest)? as i64;
                let sort_at_us = read_u64(rest.get(8..)?)? as i64;
                let cid_len = *rest.get(16)? as usize;
                let cid = rest.get(17..17 + cid_len)?.to_vec();
                let body = rest.get(17 + cid_len..)?.to_vec();
                Some(Live {
                    indexed_at_us,
                    sort_at_us,
                    cid,
                    body,
                })
            }
            _ => return None,
        };
        Some(Row { rev, live })
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

pub fn read_u64(b: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?))
}

pub fn read_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}
