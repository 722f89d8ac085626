//! Public keys as atproto writes them: multibase (base58btc) with a multicodec prefix —
//! `0xe7 0x01` secp256k1 (ES256K), `0x80 0x24` P-256 (ES256) — in DID documents
//! (`publicKeyMultibase`) and `did:key:` identifiers; and ECDSA verification of compact
//! (r‖s) signatures over SHA-256, accepting high-S as the reference does.

use k256::ecdsa::signature::Verifier;

/// A verifying key of one of the two curves atproto uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// secp256k1 (`ES256K`).
    K256(k256::ecdsa::VerifyingKey),
    /// NIST P-256 (`ES256`).
    P256(p256::ecdsa::VerifyingKey),
}

/// Why a key or signature could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not multibase, or an unknown multicodec.
    #[error("unsupported key encoding")]
    Encoding,
    /// The point is not on the curve.
    #[error("invalid public key")]
    Point,
    /// The algorithm does not fit the key, or the signature is malformed.
    #[error("signature does not fit the key")]
    Signature,
}

impl PublicKey {
    /// From a `publicKeyMultibase` value.
    pub fn from_multibase(s: &str) -> Result<Self, KeyError> {
        let (_, bytes) = multibase::decode(s).map_err(|_| KeyError::Encoding)?;
        match bytes.as_slice() {
            [0xe7, 0x01, key @ ..] => k256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map(PublicKey::K256)
                .map_err(|_| KeyError::Point),
            [0x80, 0x24, key @ ..] => p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map(PublicKey::P256)
                .map_err(|_| KeyError::Point),
            _ => Err(KeyError::Encoding),
        }
    }

    /// From a DID document's verification method: `Multikey` (multicodec-prefixed), or the
    /// legacy types whose multibase holds the bare SEC1 point (compressed or not).
    pub fn from_method(kind: &str, multibase_key: &str) -> Result<Self, KeyError> {
        let bare = |curve_k256: bool| -> Result<Self, KeyError> {
            let (_, bytes) = multibase::decode(multibase_key).map_err(|_| KeyError::Encoding)?;
            if curve_k256 {
                k256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes)
                    .map(PublicKey::K256)
                    .map_err(|_| KeyError::Point)
            } else {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes)
                    .map(PublicKey::P256)
                    .map_err(|_| KeyError::Point)
            }
        };
        match kind {
            "EcdsaSecp256k1VerificationKey2019" => bare(true),
            "EcdsaSecp256r1VerificationKey2019" => bare(false),
            _ => Self::from_multibase(multibase_key),
        }
    }

    /// From a `did:key:` identifier.
    pub fn from_did_key(s: &str) -> Result<Self, KeyError> {
        Self::from_multibase(s.strip_prefix("did:key:").ok_or(KeyError::Encoding)?)
    }

    /// Whether `sig` (compact r‖s) signs `msg` under `alg` (`ES256K` or `ES256`).
    pub fn verify(&self, alg: &str, msg: &[u8], sig: &[u8]) -> Result<bool, KeyError> {
        match (self, alg) {
            (PublicKey::K256(k), "ES256K") => {
                let s = k256::ecdsa::Signature::from_slice(sig).map_err(|_| KeyError::Signature)?;
                let s = s.normalize_s().unwrap_or(s);
                Ok(k.verify(msg, &s).is_ok())
            }
            (PublicKey::P256(k), "ES256") => {
                let s = p256::ecdsa::Signature::from_slice(sig).map_err(|_| KeyError::Signature)?;
                let s = s.normalize_s().unwrap_or(s);
                Ok(k.verify(msg, &s).is_ok())
            }
            _ => Err(KeyError::Signature),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;

    fn k256_key(seed: u8) -> k256::ecdsa::SigningKey {
        k256::ecdsa::SigningKey::from_slice(&[seed.max(1); 32]).expect("key")
    }

    fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&[seed.max(1); 32]).expect("key")
    }

    /// The `did:key` of a test key.
    pub fn did_key(alg: &str, seed: u8) -> String {
        let (prefix, point) = match alg {
            "ES256K" => (
                [0xe7, 0x01],
                k256_key(seed)
                    .verifying_key()
                    .to_encoded_point(true)
                    .as_bytes()
                    .to_vec(),
            ),
            _ => (
                [0x80, 0x24],
                p256_key(seed)
                    .verifying_key()
                    .to_encoded_point(true)
                    .as_bytes()
                    .to_vec(),
            ),
        };
        let bytes = [&prefix[..], &point].concat();
        format!(
            "did:key:{}",
            multibase::encode(multibase::Base::Base58Btc, bytes)
        )
    }

    /// A compact ES256K signature by a test key.
    pub fn sign_es256k(seed: u8, msg: &[u8]) -> Vec<u8> {
        let s: k256::ecdsa::Signature = k256_key(seed).sign(msg);
        s.to_bytes().to_vec()
    }

    /// A compact ES256 signature by a test key.
    pub fn sign_es256(seed: u8, msg: &[u8]) -> Vec<u8> {
        let s: p256::ecdsa::Signature = p256_key(seed).sign(msg);
        s.to_bytes().to_vec()
    }

    #[test]
    fn real_multikeys_decode() {
        // The signing key of a real did:plc document and a P-256 did:key from the atproto docs.
        let k = "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF";
        assert!(matches!(
            PublicKey::from_multibase(k),
            Ok(PublicKey::K256(_))
        ));
        let p = "did:key:zDnaembgSGUhZULN2Caob4HLJPaxBh92N7rtH21TErzqf8HQo";
        assert!(matches!(PublicKey::from_did_key(p), Ok(PublicKey::P256(_))));
        assert_eq!(PublicKey::from_multibase("zz"), Err(KeyError::Encoding));
        // A legacy method from a PLC directory: the bare uncompressed point.
        let legacy = "zPWwjFEwGXoWR5x3SCJdp3btGRy6kMncYuScG2jbcE3sZCYZ73W1nSRBEERv2qBWKPCwj6mufeJZfAg7i5NWJPFf7";
        assert!(matches!(
            PublicKey::from_method("EcdsaSecp256k1VerificationKey2019", legacy),
            Ok(PublicKey::K256(_))
        ));
        assert!(PublicKey::from_method("Multikey", legacy).is_err());
    }

    #[test]
    fn high_s_signatures_are_accepted_and_algorithms_must_fit() {
        let msg = b"message";
        let key = PublicKey::from_did_key(&did_key("ES256K", 3)).expect("key");
        let sig = k256::ecdsa::Signature::from_slice(&sign_es256k(3, msg)).expect("sig");
        // The same signature with s' = n - s (the malleable twin).
        let (r, s) = sig.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r, -*s).expect("twin");
        assert_eq!(key.verify("ES256K", msg, &high.to_bytes()), Ok(true));
        assert_eq!(
            key.verify("ES256", msg, &sig.to_bytes()),
            Err(KeyError::Signature)
        );
        assert_eq!(key.verify("ES256K", b"other", &sig.to_bytes()), Ok(false));
    }
}
