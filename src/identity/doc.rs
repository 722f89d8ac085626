//! DID documents: the fields an AppView needs (handle, PDS endpoint, signing key, a feed
//! generator's or labeler's endpoint and a labeler's key).

use serde::{Deserialize, Serialize};

/// The parts of a DID document Aerie reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DidDoc {
    /// The DID it describes.
    pub id: String,
    #[serde(default, rename = "alsoKnownAs")]
    also_known_as: Vec<String>,
    #[serde(default, rename = "verificationMethod")]
    verification_method: Vec<Method>,
    #[serde(default)]
    service: Vec<Service>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Method {
    id: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default, rename = "publicKeyMultibase")]
    public_key_multibase: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Service {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "serviceEndpoint")]
    endpoint: serde_json::Value,
}

impl DidDoc {
    /// The first `at://` handle the document claims (lowercase).
    pub fn handle(&self) -> Option<String> {
        self.also_known_as
            .iter()
            .find_map(|a| a.strip_prefix("at://"))
            .filter(|h| crate::util::syntax::is_handle(h))
            .map(str::to_ascii_lowercase)
    }

    /// The PDS endpoint: the `#atproto_pds` service of type `AtprotoPersonalDataServer`.
    pub fn pds(&self) -> Option<String> {
        self.service_endpoint("#atproto_pds", "AtprotoPersonalDataServer")
    }

    /// A feed generator's endpoint: the `#bsky_fg` service of type `BskyFeedGenerator`.
    pub fn feed_generator(&self) -> Option<String> {
        self.service_endpoint("#bsky_fg", "BskyFeedGenerator")
    }

    /// A labeler's endpoint: the `#atproto_labeler` service of type `AtprotoLabeler`.
    pub fn labeler(&self) -> Option<String> {
        self.service_endpoint("#atproto_labeler", "AtprotoLabeler")
    }

    /// A labeler's `#atproto_label` key, which signs its labels (type and multibase).
    pub fn label_method(&self) -> Option<(String, String)> {
        self.method("#atproto_label")
    }

    /// The HTTP(S) endpoint of the service `fragment` (`#atproto_pds`) of type `kind`.
    fn service_endpoint(&self, fragment: &str, kind: &str) -> Option<String> {
        self.service
            .iter()
            .find(|s| s.id.ends_with(fragment) && s.kind == kind)
            .and_then(|s| s.endpoint.as_str())
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(|u| u.trim_end_matches('/').to_string())
    }

    /// The `#atproto` signing key (multibase).
    pub fn signing_key(&self) -> Option<String> {
        self.signing_method().map(|(_, k)| k)
    }

    /// The `#atproto` verification method: its type (`Multikey`, or a legacy
    /// `EcdsaSecp256k1VerificationKey2019` / `EcdsaSecp256r1VerificationKey2019` whose key has
    /// no multicodec prefix) and its multibase key.
    pub fn signing_method(&self) -> Option<(String, String)> {
        self.method("#atproto")
    }

    /// The verification method `fragment`: its type and multibase key.
    fn method(&self, fragment: &str) -> Option<(String, String)> {
        self.verification_method
            .iter()
            .find(|m| m.id.ends_with(fragment))
            .and_then(|m| Some((m.kind.clone(), m.public_key_multibase.clone()?)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_parts_that_matter() {
        let doc: super::DidDoc = serde_json::from_str(r##"{"@context":[],"id":"did:plc:abc","alsoKnownAs":["at://Alice.Test"],
            "verificationMethod":[{"id":"did:plc:abc#atproto","type":"Multikey","controller":"did:plc:abc","publicKeyMultibase":"zQ3sh"}],
            "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example"}]}"##).expect("doc");
        assert_eq!(doc.handle().as_deref(), Some("alice.test"));
        assert_eq!(doc.pds().as_deref(), Some("https://pds.example"));
        assert_eq!(doc.signing_key().as_deref(), Some("zQ3sh"));
    }
}
