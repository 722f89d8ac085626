//! Service-auth tokens against a stand-in PLC directory on loopback that counts what it is
//! asked: a genuine token verifies (its issuer's document fetched once, then cached), and
//! floods of forged tokens — one issuer with a wrong key, one unresolvable issuer again and
//! again, a new random issuer each time — make a bounded number of fetches.

mod common;

use aerie::auth::issuers::{BURST, REFILL};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::Aerie;
use k256::ecdsa::signature::Signer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

const AUD: &str = "did:web:aerie.test";
const LXM: &str = "app.bsky.notification.getUnreadCount";

/// The stand-in directory: DID documents by DID (404 for the rest), and how many requests
/// it has answered.
struct Plc {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Plc {
    async fn start(docs: HashMap<String, Value>) -> Plc {
        use axum::extract::{Path, State};
        use axum::http::StatusCode;
        type Shared = (Arc<HashMap<String, Value>>, Arc<AtomicUsize>);
        async fn doc(
            State((docs, hits)): State<Shared>,
            Path(did): Path<String>,
        ) -> Result<axum::Json<Value>, StatusCode> {
            hits.fetch_add(1, Ordering::SeqCst);
            docs.get(&did)
                .cloned()
                .map(axum::Json)
                .ok_or(StatusCode::NOT_FOUND)
        }
        let hits = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new()
            .route("/{did}", axum::routing::get(doc))
            .with_state((Arc::new(docs), hits.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        // Stops with the test's runtime.
        tokio::spawn(async move { axum::serve(listener, app).await });
        Plc { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn key(seed: u8) -> k256::ecdsa::SigningKey {
    k256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("key")
}

/// A DID document whose `#atproto` key is `seed`'s.
fn doc(did: &str, seed: u8) -> Value {
    let point = key(seed).verifying_key().to_encoded_point(true);
    let multikey = [&[0xe7, 0x01][..], point.as_bytes()].concat();
    json!({
        "id": did,
        "alsoKnownAs": ["at://someone.test"],
        "verificationMethod": [{"id": format!("{did}#atproto"), "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multibase::encode(multibase::Base::Base58Btc, multikey)}],
    })
}

/// A service-auth token from `iss` for `LXM`, signed by `seed`'s key.
fn token(iss: &str, seed: u8) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 300;
    let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256K","typ":"JWT"}"#);
    let p =
        URL_SAFE_NO_PAD.encode(json!({"iss": iss, "aud": AUD, "exp": exp, "lxm": LXM}).to_string());
    let sig: k256::ecdsa::Signature = key(seed).sign(format!("{h}.{p}").as_bytes());
    format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// A `did:plc` no directory knows.
fn random_did() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let id: String = (0..24)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("did:plc:{id}")
}

/// The status of a call with `token`.
async fn call(client: &reqwest::Client, a: &Aerie, token: &str) -> u16 {
    client
        .get(format!("{}/xrpc/{LXM}", a.base()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tokens_cause_a_bounded_number_of_did_fetches() {
    let genuine = "did:plc:genuinegenuinegenuine222".to_string();
    let unresolvable = "did:plc:nobodynobodynobodynobody".to_string();
    let plc = Plc::start(HashMap::from([(genuine.clone(), doc(&genuine, 7))])).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Aerie::start(
        &dir.path().join("data"),
        "ws://127.0.0.1:9/unused",
        &[
            ("AERIE_SERVICE_DID", AUD),
            ("AERIE_IDENTITY__PLC_URL", &plc.url),
            ("AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES", "true"),
            // No labeler to look up: every document fetched is an issuer's.
            ("AERIE_LABELS__LABELERS", "[]"),
        ],
    );
    let client = reqwest::Client::new();
    let started = Instant::now();

    // A genuine token verifies; its issuer's document is fetched once, then cached.
    assert_eq!(call(&client, &a, &token(&genuine, 7)).await, 200);
    assert_eq!(call(&client, &a, &token(&genuine, 7)).await, 200);
    assert_eq!(plc.hits(), 1, "the genuine issuer's document, once");

    // The genuine issuer with a wrong key: refused; its document fetched anew once at most
    // (the key might have rotated), not once per token.
    for _ in 0..50 {
        assert_eq!(call(&client, &a, &token(&genuine, 8)).await, 401);
    }
    assert!(
        plc.hits() <= 2,
        "{} fetches for one forged issuer",
        plc.hits()
    );
    // The genuine token still verifies, from the cache.
    let before = plc.hits();
    assert_eq!(call(&client, &a, &token(&genuine, 7)).await, 200);
    assert_eq!(plc.hits(), before);

    // One issuer no directory knows, again and again: asked about once.
    for _ in 0..50 {
        assert_eq!(call(&client, &a, &token(&unresolvable, 7)).await, 401);
    }
    assert!(
        plc.hits() <= before + 1,
        "{} fetches for one unresolvable issuer",
        plc.hits() - before
    );

    // A new random issuer every time: refused, and the fetches stay within the allowance.
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for _ in 0..300 {
        *statuses
            .entry(call(&client, &a, &token(&random_did(), 7)).await)
            .or_default() += 1;
    }
    let elapsed = started.elapsed();
    let allowance = BURST as usize + (elapsed.as_secs_f64() / REFILL.as_secs_f64()).ceil() as usize;
    assert!(
        plc.hits() <= allowance,
        "{} fetches in {elapsed:?}; allowed {allowance}",
        plc.hits()
    );
    assert!(
        statuses.keys().all(|s| matches!(s, 401 | 429)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains_key(&429),
        "past the allowance the rest wait: {statuses:?}"
    );
}
