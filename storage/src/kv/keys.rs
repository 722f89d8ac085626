//! Key encodings of the KV backends (the layout is described at the top of `fjall.rs`).

use crate::facts::nsid;

pub const META_SCHEMA: &[u8] = b"schema_version";
pub const META_CURSOR: &[u8] = b"cursor";
pub const META_NEXT_AID: &[u8] = b"next_aid";
/// The change log: the next sequence number, and the store's id (see `ChangeLog`).
pub const META_CHANGE_NEXT: &[u8] = b"change_next";
pub const META_STORE_ID: &[u8] = b"store_id";
/// The lowest sequence number the change log may still hold: where the last trim stopped
/// (trims and the log's start are found without walking over what was trimmed).
pub const META_CHANGE_FIRST: &[u8] = b"change_first";
/// Prefix of per-connection cursors: `cursor/ · endpoint`.
pub const META_CONNECTION_CURSOR: &[u8] = b"cursor/";

/// Prefix of gap entries: `gap/ · from` (time as a sort key).
pub const META_GAP: &[u8] = b"gap/";

/// The meta key of a gap starting at `from_us`.
pub fn gap(from_us: i64) -> Vec<u8> {
    [META_GAP, &sort_key(from_us)].concat()
}

/// `account_state` prefixes: local users, repo states, the due-order queue index, identity
/// cache entries for DIDs and for handles, login sessions.
pub const STATE_USER: &[u8] = b"u/";
pub const STATE_REPO: &[u8] = b"r/";
pub const STATE_QUEUE: &[u8] = b"q/";
pub const STATE_IDENTITY_DID: &[u8] = b"i/d/";
pub const STATE_IDENTITY_HANDLE: &[u8] = b"i/h/";
pub const STATE_SESSION: &[u8] = b"s/";
pub const STATE_SEEN: &[u8] = b"n/";
pub const STATE_MUTE: &[u8] = b"m/";
pub const STATE_PRIVATE: &[u8] = b"p/";
pub const STATE_SUBSCRIBERS: &[u8] = b"as/";
pub const STATE_SUBSCRIPTIONS: &[u8] = b"av/";

/// `prefix · a · / · b`: a pair key of `account_state` (subscriptions both ways).
pub fn pair(prefix: &[u8], a: &str, b: &str) -> Vec<u8> {
    [prefix, a.as_bytes(), b"/", b.as_bytes()].concat()
}

/// A mute key: `m/ · viewer · / · subject`.
pub fn mute(viewer: &str, subject: &str) -> Vec<u8> {
    [STATE_MUTE, viewer.as_bytes(), b"/", subject.as_bytes()].concat()
}

/// A private key: `p/ · owner · / · kind · / · key`.
pub fn private(owner: &str, kind: &str, key: &str) -> Vec<u8> {
    [
        STATE_PRIVATE,
        owner.as_bytes(),
        b"/",
        kind.as_bytes(),
        b"/",
        key.as_bytes(),
    ]
    .concat()
}

/// `prefix · text`: the shape of every `account_state` key but the queue's.
pub fn state(prefix: &[u8], text: &str) -> Vec<u8> {
    [prefix, text.as_bytes()].concat()
}

/// The queue index key of a pending account: `q/ · not_before · did`.
pub fn queue(not_before_us: i64, did: &str) -> Vec<u8> {
    [STATE_QUEUE, &sort_key(not_before_us), did.as_bytes()].concat()
}

/// Counter kinds (first byte of a `counts` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Count {
    Likes = 1,
    Reposts = 2,
    Replies = 3,
    Quotes = 4,
    Followers = 5,
    Follows = 6,
    Posts = 7,
    LiveRecords = 8,
    /// Accounts by backfill status (target: the status's index in `RepoStatus::ALL`).
    Repos = 9,
}

/// Feed entry kinds.
pub const FEED_POST: u8 = 0;
pub const FEED_REPOST: u8 = 1;

/// One byte for the collections the store knows; `0` + NSID + `0` for any other.
pub fn push_collection(out: &mut Vec<u8>, collection: &str) {
    let tag = match collection {
        nsid::POST => 1,
        nsid::LIKE => 2,
        nsid::REPOST => 3,
        nsid::FOLLOW => 4,
        nsid::BLOCK => 5,
        nsid::PROFILE => 6,
        other => {
            out.push(0);
            out.extend_from_slice(other.as_bytes());
            out.push(0);
            return;
        }
    };
    out.push(tag);
}

/// Reads a collection tag back; returns the NSID and the bytes after it.
pub fn read_collection(b: &[u8]) -> Option<(String, &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let name = match tag {
        1 => nsid::POST,
        2 => nsid::LIKE,
        3 => nsid::REPOST,
        4 => nsid::FOLLOW,
        5 => nsid::BLOCK,
        6 => nsid::PROFILE,
        0 => {
            let end = rest.iter().position(|&c| c == 0)?;
            let name = std::str::from_utf8(&rest[..end]).ok()?;
            return Some((name.to_string(), &rest[end + 1..]));
        }
        _ => return None,
    };
    Some((name.to_string(), rest))
}

/// Marks a record key stored as its TID integer.
const RKEY_TID: u8 = 1;

/// A record key as stored: a TID as `0x01 · u64` (9 bytes instead of 13), any other key as its
/// text (whose characters are all above `0x01`).
pub fn rkey(rkey: &str) -> Vec<u8> {
    match crate::tid::parse(rkey) {
        Some(t) => [&[RKEY_TID][..], &t.to_be_bytes()].concat(),
        None => rkey.as_bytes().to_vec(),
    }
}

/// Inverse of `rkey`.
pub fn read_rkey(b: &[u8]) -> String {
    match b.split_first() {
        Some((&RKEY_TID, t)) if t.len() == 8 => crate::tid::format(read_aid(t).unwrap_or(0)),
        _ => String::from_utf8_lossy(b).into_owned(),
    }
}

/// `records` key: aid · collection · rkey.
pub fn record(aid: u64, collection: &str, rkey_text: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + 1 + 9);
    k.extend_from_slice(&aid.to_be_bytes());
    push_collection(&mut k, collection);
    k.extend_from_slice(&rkey(rkey_text));
    k
}

/// A reference to a subject record inside another key: aid · collection · len · rkey.
pub fn subject(aid: u64, collection: &str, rkey_text: &str) -> Vec<u8> {
    let r = rkey(rkey_text);
    let n = r.len().min(255);
    let mut k = Vec::with_capacity(8 + 2 + n);
    k.extend_from_slice(&aid.to_be_bytes());
    push_collection(&mut k, collection);
    k.push(n as u8);
    k.extend_from_slice(&r[..n]);
    k
}

/// `prefix · sort_at · aid · rkey`: the shape of every time-ordered index entry.
pub fn timed(prefix: &[u8], sort_at_us: i64, aid: u64, tail: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + 16 + tail.len());
    k.extend_from_slice(prefix);
    k.extend_from_slice(&sort_key(sort_at_us));
    k.extend_from_slice(&aid.to_be_bytes());
    k.extend_from_slice(tail);
    k
}

/// A feed key: aid · sort_at · kind · rkey.
pub fn feed(aid: u64, sort_at_us: i64, kind: u8, rkey_text: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(17 + 9);
    k.extend_from_slice(&aid.to_be_bytes());
    k.extend_from_slice(&sort_key(sort_at_us));
    k.push(kind);
    k.extend_from_slice(&rkey(rkey_text));
    k
}

/// The `time_feed` key of an `author_feed` key: the same entry, time first
/// (`sort_at · aid · kind · rkey`).
pub fn feed_by_time(feed_key: &[u8]) -> Option<Vec<u8>> {
    let (aid, rest) = (feed_key.get(..8)?, feed_key.get(8..)?);
    let (t, tail) = (rest.get(..8)?, rest.get(8..)?);
    Some([t, aid, tail].concat())
}

/// A counter key.
pub fn count(kind: Count, target: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + target.len());
    k.push(kind as u8);
    k.extend_from_slice(target);
    k
}

/// Times as order-preserving big-endian bytes (sign bit flipped so negatives sort first).
pub fn sort_key(us: i64) -> [u8; 8] {
    ((us as u64) ^ (1 << 63)).to_be_bytes()
}

/// Inverse of `sort_key`.
pub fn read_sort_key(b: &[u8]) -> Option<i64> {
    let arr: [u8; 8] = b.get(..8)?.try_into().ok()?;
    Some((u64::from_be_bytes(arr) ^ (1 << 63)) as i64)
}

/// Reads a big-endian u64 at the start of `b`.
pub fn read_aid(b: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?))
}
