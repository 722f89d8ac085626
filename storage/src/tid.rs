//! TIDs (timestamp identifiers): 13 characters of base32-sortable, one 64-bit integer.

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// Decodes a TID to its integer; `None` if it is not a valid TID.
pub fn parse(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 13 {
        return None;
    }
    let mut v: u64 = 0;
    for (i, &c) in b.iter().enumerate() {
        let d = ALPHABET.iter().position(|&a| a == c)? as u64;
        // The first character carries only 4 bits: the top bit of a TID is always 0.
        if i == 0 && d > 15 {
            return None;
        }
        v = (v << 5) | d;
    }
    Some(v)
}

/// Encodes an integer as a TID.
pub fn format(mut v: u64) -> String {
    let mut out = [0u8; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_order() {
        let a = super::parse("3mptbypluud2a").expect("valid");
        let b = super::parse("3mptbypcq372f").expect("valid");
        assert_eq!(super::format(a), "3mptbypluud2a");
        assert!(a > b, "lexical order is numeric order");
        assert!(super::parse("3mptbyplu").is_none());
        assert!(super::parse("zzzzzzzzzzzzz").is_none());
        assert!(super::parse("3MPTBYPLUUD2A").is_none());
    }
}
