//! The server secret: 32 random bytes made at first start and kept in `<data_dir>/secret.key`
//! (mode 0600), or given as `auth.secret_key` (base64). It seals what Aerie keeps for users —
//! their PDS tokens — with ChaCha20-Poly1305 (a random nonce per value), so a copied store
//! alone does not give them away. Two HMAC keys are derived from it: one for form tokens, one
//! that signs Aerie's session JWTs.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use std::path::Path;

/// Why the secret could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The configured or stored key is not 32 bytes of base64.
    #[error("the server secret must be 32 bytes (base64 in auth.secret_key)")]
    Invalid,
}

/// The key that seals stored secrets, and the MAC keys derived from it.
pub struct Secret {
    key: LessSafeKey,
    mac: ring::hmac::Key,
    jwt: ring::hmac::Key,
}

impl Secret {
    /// The configured key, else the one in the data directory, else a new one saved there.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        let bytes = match configured {
            Some(b64) => STANDARD
                .decode(b64.trim())
                .map_err(|_| SecretError::Invalid)?,
            None => read_or_create(&data_dir.join("secret.key"))?,
        };
        Self::from_bytes(&bytes)
    }

    /// From raw key bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).map_err(|_| SecretError::Invalid)?;
        let derive = |label: &[u8]| {
            let d = ring::digest::digest(&ring::digest::SHA256, &[label, bytes].concat());
            ring::hmac::Key::new(ring::hmac::HMAC_SHA256, d.as_ref())
        };
        Ok(Secret {
            key: LessSafeKey::new(key),
            mac: derive(b"aerie mac key "),
            jwt: derive(b"aerie session jwt key "),
        })
    }

    /// The HS256 key Aerie's session JWTs are signed with.
    pub fn jwt_key(&self) -> &ring::hmac::Key {
        &self.jwt
    }

    /// Seals `plain` (bound to `context`, e.g. the session id) as base64(nonce ‖ ciphertext).
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> String {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let mut buf = plain.to_vec();
        let nonce = Nonce::assume_unique_for_key(nonce_bytes);
        // Sealing only fails for inputs beyond the algorithm's limit (256 GiB).
        if self
            .key
            .seal_in_place_append_tag(nonce, Aad::from(context), &mut buf)
            .is_err()
        {
            return String::new();
        }
        STANDARD.encode([&nonce_bytes[..], &buf].concat())
    }

    /// An HMAC-SHA256 of `data` (base64url): a value only this server can make.
    pub fn mac(&self, data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(ring::hmac::sign(&self.mac, data).as_ref())
    }

    /// Whether `tag` is `mac(data)` (checked in constant time).
    pub fn verify_mac(&self, data: &[u8], tag: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(tag)
            .is_ok_and(|t| ring::hmac::verify(&self.mac, data, &t).is_ok())
    }

    /// Opens what `seal` made with the same context; `None` if it was altered or is another's.
    pub fn open(&self, context: &[u8], sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (n, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(n).ok()?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context), &mut buf)
            .ok()?;
        Some(plain.to_vec())
    }
}

fn read_or_create(path: &Path) -> Result<Vec<u8>, SecretError> {
    let io = |source| SecretError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read(path) {
        Ok(b) => return Ok(b),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let key: [u8; 32] = rand::random();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(io)?;
    std::io::Write::write_all(&mut f, &key).map_err(io)?;
    f.sync_all().map_err(io)?;
    tracing::info!(path = %path.display(), "server secret created");
    Ok(key.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = Secret::load(None, dir.path()).expect("created");
        let again = Secret::load(None, dir.path()).expect("read back");
        let sealed = a.seal(b"session-1", b"pds tokens");
        assert_eq!(
            again.open(b"session-1", &sealed).as_deref(),
            Some(&b"pds tokens"[..])
        );
        assert_eq!(a.open(b"session-2", &sealed), None, "bound to its context");
        assert_ne!(
            a.seal(b"session-1", b"pds tokens"),
            sealed,
            "a fresh nonce each time"
        );
        let other = Secret::from_bytes(&[7; 32]).expect("key");
        assert_eq!(other.open(b"session-1", &sealed), None);
        let configured = STANDARD.encode([7u8; 32]);
        let c = Secret::load(Some(&configured), dir.path()).expect("configured");
        assert!(c.open(b"x", &other.seal(b"x", b"y")).is_some());
        assert!(Secret::load(Some("short"), dir.path()).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
