//! Syntax checks for AT Protocol identifiers (DIDs, handles, NSIDs, record keys, AT-URIs,
//! CIDs), following the atproto specs. Anything that fails here never reaches the store.

/// `did:method:identifier`, at most 2 KB, the restricted character set of the spec.
pub fn is_did(s: &str) -> bool {
    if s.len() > 2048 {
        return false;
    }
    let Some(rest) = s.strip_prefix("did:") else {
        return false;
    };
    let Some((method, id)) = rest.split_once(':') else {
        return false;
    };
    if method.is_empty() || !method.bytes().all(|c| c.is_ascii_lowercase()) || id.is_empty() {
        return false;
    }
    if id.ends_with(':') || id.ends_with('%') {
        return false;
    }
    if !id
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'%' | b'-'))
    {
        return false;
    }
    match method {
        "plc" => id.len() == 24 && id.bytes().all(|c| matches!(c, b'a'..=b'z' | b'2'..=b'7')),
        _ => true,
    }
}

/// A DNS label: 1–63 of `[A-Za-z0-9-]`, not starting or ending with `-`.
fn is_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

fn starts_alphabetic(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
}

/// A domain-name handle: 2+ labels, the last not starting with a digit, at most 253 characters.
pub fn is_handle(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| is_label(l))
        && labels.last().is_some_and(|l| starts_alphabetic(l))
}

/// An NSID: a reversed domain authority (2+ labels, the first not starting with a digit) and
/// an alphanumeric name, at most 317 characters.
pub fn is_nsid(s: &str) -> bool {
    let segs: Vec<&str> = s.split('.').collect();
    let Some((name, authority)) = segs.split_last() else {
        return false;
    };
    s.len() <= 317
        && authority.len() >= 2
        && name.len() <= 63
        && starts_alphabetic(name)
        && name.bytes().all(|c| c.is_ascii_alphanumeric())
        && authority.iter().all(|l| is_label(l))
        && authority.first().is_some_and(|l| starts_alphabetic(l))
}

/// A record key: 1–512 characters of `[A-Za-z0-9._:~-]`, not `.` or `..`.
pub fn is_rkey(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 512
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'~' | b'-'))
}

/// An AT-URI naming a record: `at://<did>/<nsid>/<rkey>`.
pub fn record_uri(s: &str) -> Option<aerie_storage::RecordId> {
    let id = aerie_storage::RecordId::parse_uri(s)?;
    (is_did(&id.did) && is_nsid(&id.collection) && is_rkey(&id.rkey)).then_some(id)
}

/// Parses a CID string to its binary form.
pub fn cid_bytes(s: &str) -> Option<Vec<u8>> {
    cid::Cid::try_from(s).ok().map(|c| c.to_bytes())
}

/// Renders a binary CID as its canonical string (base32 for v1).
pub fn cid_string(b: &[u8]) -> String {
    cid::Cid::try_from(b)
        .map(|c| c.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_did("did:plc:wq4aajammjtxdomz3e23667t"));
        assert!(is_did("did:web:example.com"));
        assert!(!is_did("did:plc:short"));
        assert!(!is_did("did:PLC:wq4aajammjtxdomz3e23667t"));
        assert!(!is_did("did:web:"));
        assert!(!is_did("plc:abc"));
        assert!(is_handle("alice.bsky.social"));
        assert!(!is_handle("alice"));
        assert!(!is_handle("alice.123"));
        assert!(!is_handle("-a.com"));
        assert!(is_nsid("app.bsky.feed.post"));
        assert!(!is_nsid("app.bsky"));
        assert!(!is_nsid("app.bsky.fo*"));
        assert!(is_rkey("3mptbypluud2a") && is_rkey("self"));
        assert!(!is_rkey("..") && !is_rkey("a/b"));
        assert!(record_uri(
            "at://did:plc:wq4aajammjtxdomz3e23667t/app.bsky.feed.post/3mptbypluud2a"
        )
        .is_some());
        assert!(record_uri("at://alice.test/app.bsky.feed.post/x").is_none());
        let cid = "bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i";
        let b = cid_bytes(cid).expect("cid");
        assert_eq!(cid_string(&b), cid);
        assert!(cid_bytes("bafy-not-a-cid").is_none());
    }
}
