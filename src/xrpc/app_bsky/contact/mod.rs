//! `app.bsky.contact.*` (finding contacts by phone number): not offered. Every method answers
//! the reference's refusal when it runs without a contact-matching service, by name and
//! message, as a client error (never a 5xx: nothing is wrong with Aerie), and is never
//! forwarded to the user's PDS.

use crate::xrpc::prelude::*;

/// The methods of the namespace, as routed.
pub const METHODS: [&str; 8] = [
    "dismissMatch",
    "getMatches",
    "getSyncStatus",
    "importContacts",
    "removeData",
    "sendNotification",
    "startPhoneVerification",
    "verifyPhone",
];

pub async fn handler() -> XrpcResult {
    Err(XrpcError::named(
        "MethodNotImplemented",
        "This service is not configured to support contact imports.",
    ))
}
