//! Identifier encoders for generated events: DIDs, TIDs and CIDs with the real syntax.

const B32_SORT: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A `did:plc:` with 24 base32 characters derived from `n`.
pub fn did(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xA5A5_5A5A_1234_5678;
    let mut s = String::with_capacity(32);
    s.push_str("did:plc:");
    for i in 0..24 {
        if i == 12 {
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ n;
        }
        s.push(B32[(x & 31) as usize] as char);
        x >>= 5;
    }
    s
}

/// A TID from microseconds and a clock id.
pub fn tid(time_us: i64, clock: u64) -> String {
    let mut v = ((time_us as u64) << 10) | (clock & 1023);
    v &= (1 << 63) - 1;
    let mut out = [0u8; 13];
    for slot in out.iter_mut().rev() {
        *slot = B32_SORT[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A CIDv1 (dag-cbor, sha2-256) string whose digest is derived from `seed`.
pub fn cid(seed: u64) -> String {
    let mut bytes = vec![0x01, 0x71, 0x12, 0x20];
    let mut x = seed ^ 0x5DEE_CE66_D1CE_4E5B;
    for _ in 0..32 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bytes.push((x >> 56) as u8);
    }
    let mut s = String::from("b");
    let mut buf: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            s.push(B32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        s.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    s
}
