//! Direct mode and the limits, on the real binary against a real PDS and PLC
//! (`@atproto/dev-env`): an app that logs in at Aerie as its "hosting provider" finds
//! `describeServer` (valid per the lexicon), gets a session without a `didDoc` whose tokens
//! are JWTs shaped like a PDS's (forged, misused and expired ones refused by the reference's
//! names), has its AppView calls answered by Aerie whatever AppView its proxy header names,
//! and its calls for the PDS and for other services forwarded to its PDS (the proxy header
//! kept); 200 quick calls of a logged-in user all pass while anonymous calls from the same
//! address are limited, a local user's service-auth token counts against her own budget and a
//! forged one against the address; refreshing rotates the tokens and logging out ends them.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::pds::Network;
use common::Aerie;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// The server secret the test gives Aerie (so it can sign a token that has expired).
const SECRET: [u8; 32] = [9; 32];

/// One XRPC call: its status and JSON body (`null` when the body is not JSON).
async fn call(
    base: &str,
    method: reqwest::Method,
    nsid_and_query: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, format!("{base}/xrpc/{nsid_and_query}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, nsid_and_query: &str, token: Option<&str>) -> (u16, Value) {
    call(base, reqwest::Method::GET, nsid_and_query, token, &[]).await
}

fn error_of(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or_default())
}

/// Makes anonymous calls until the address is limited; returns how many passed.
async fn limit_address(base: &str) -> usize {
    let anonymous = "com.atproto.identity.resolveHandle?handle=bob.test";
    for passed in 0..30 {
        if get(base, anonymous, None).await.0 == 429 {
            return passed;
        }
    }
    panic!("30 anonymous calls and no limit");
}

/// A JWT's decoded header or claims (`part` 0 or 1).
fn jwt_part(token: &str, part: usize) -> Value {
    let b64 = token.split('.').nth(part).expect("jwt part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).expect("base64url")).expect("json")
}

/// `token` with its claims replaced and signed with `key`.
fn resigned(token: &str, claims: &Value, key: &ring::hmac::Key) -> String {
    let header = token.split('.').next().expect("header");
    let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let tag = ring::hmac::sign(key, signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Validates `com.atproto.server.describeServer` with `@atproto/api` (tests/lexicon).
fn describe_server_is_lexicon_valid(base: &str, dir: &Path) {
    let lexdir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lexicon");
    assert!(
        lexdir.join("node_modules/@atproto/api").exists(),
        "@atproto/api is not installed: run `npm ci --prefix tests/lexicon` (.ci/run does)"
    );
    let plan = dir.join("plan.json");
    let steps =
        json!([{"nsid": "com.atproto.server.describeServer", "params": {}, "expect": "ok"}]);
    std::fs::write(&plan, steps.to_string()).expect("plan");
    let out = common::child::command("node")
        .arg(lexdir.join("validate.mjs"))
        .arg(base)
        .arg(&plan)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "describeServer: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_logged_in_at_aerie_is_served_forwarded_and_never_limited() {
    let port = common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let aerie_did = format!("did:web:127.0.0.1%3A{port}");
    // alice follows bob (the network's default), each with two posts.
    let mut net = Network::start_with(&["--posts=2"], &["alice.test", "bob.test"]);
    let (alice, bob) = (net.did("alice.test"), net.did("bob.test"));
    let app_password = net.app_password("alice.test");
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = STANDARD.encode(SECRET);
    let env = net.firehose_env(&[
        ("AERIE_SCOPE", "follows"),
        ("AERIE_PUBLIC_URL", base.as_str()),
        ("AERIE_AUTH__SECRET_KEY", secret.as_str()),
        // The defaults: 30 a minute with a burst of 20 per address, 600 and 300 per user.
        ("AERIE_RATE_LIMIT__ENABLED", "true"),
    ]);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = Aerie::start_at(
        port,
        &dir.path().join("data"),
        "ws://127.0.0.1:9/unused",
        &pairs,
    );

    // The login screen's first call (anonymous calls: 1 of 21).
    let (status, described) = get(&base, "com.atproto.server.describeServer", None).await;
    assert_eq!(status, 200, "{described}");
    assert_eq!(
        described,
        json!({"did": aerie_did, "availableUserDomains": [], "inviteCodeRequired": true})
    );
    describe_server_is_lexicon_valid(&base, dir.path()); // 2

    // Logging in (3): no didDoc (it would send the app to the PDS); JWTs shaped like a PDS's.
    let login = reqwest::Client::new()
        .post(format!("{base}/xrpc/com.atproto.server.createSession"))
        .json(&json!({"identifier": "alice.test", "password": app_password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let login: Value = login.json().await.expect("json");
    assert_eq!(login["did"], alice);
    assert!(login.get("didDoc").is_none(), "{login}");
    let access = login["accessJwt"].as_str().expect("accessJwt").to_string();
    let refresh = login["refreshJwt"]
        .as_str()
        .expect("refreshJwt")
        .to_string();
    assert_eq!(
        jwt_part(&access, 0),
        json!({"alg": "HS256", "typ": "at+jwt"})
    );
    assert_eq!(jwt_part(&refresh, 0)["typ"], "refresh+jwt");
    let claims = jwt_part(&access, 1);
    assert_eq!(claims["sub"], alice);
    assert_eq!(claims["aud"], aerie_did);
    assert_eq!(claims["scope"], "com.atproto.appPass");
    assert_eq!(jwt_part(&refresh, 1)["scope"], "com.atproto.refresh");
    let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
    assert_eq!(exp.zip(iat).map(|(e, i)| e - i), Some(7200), "{claims}");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // Refused by the reference's names (4-7): a refresh token as access, an access token as
    // refresh, a forged signature, an expired token signed with the right key.
    let session = "com.atproto.server.getSession";
    let answer = get(&base, session, Some(&refresh)).await;
    assert_eq!(error_of(&answer), (401, "InvalidToken"));
    assert_eq!(answer.1["message"], "Invalid token type");
    let refreshed_with_access = call(
        &base,
        reqwest::Method::POST,
        "com.atproto.server.refreshSession",
        Some(&access),
        &[],
    )
    .await;
    assert_eq!(error_of(&refreshed_with_access), (401, "InvalidToken"));
    let key_bytes = ring::digest::digest(
        &ring::digest::SHA256,
        &[&b"aerie session jwt key "[..], &SECRET].concat(),
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key_bytes.as_ref());
    let wrong_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[1; 32]);
    let forged = get(
        &base,
        session,
        Some(&resigned(&access, &claims, &wrong_key)),
    )
    .await;
    assert_eq!(error_of(&forged), (401, "InvalidToken"));
    let mut old = claims.clone();
    old["exp"] = json!(1_000_000_000);
    // (Expiry is checked after the signature: this one verified.)
    let expired = get(&base, session, Some(&resigned(&access, &old, &key))).await;
    assert_eq!(error_of(&expired), (400, "ExpiredToken"));
    // An ended session's token, on a method that would be forwarded: refresh, it says (8).
    let records =
        format!("com.atproto.repo.listRecords?repo={alice}&collection=app.bsky.feed.post");
    let ended = get(&base, &records, Some(&resigned(&access, &old, &key))).await;
    assert_eq!(error_of(&ended), (400, "ExpiredToken"));
    // Without a session nothing is forwarded (9).
    assert_eq!(
        error_of(&get(&base, &records, None).await),
        (404, "MethodNotImplemented")
    );

    // Refreshing rotates the tokens: the old ones are refused (10, 11).
    let post = |path: &'static str, token: String| {
        let base = base.clone();
        async move { call(&base, reqwest::Method::POST, path, Some(&token), &[]).await }
    };
    let refresh_session = "com.atproto.server.refreshSession";
    let renewed = post(refresh_session, refresh.clone()).await;
    assert_eq!(renewed.0, 200, "{}", renewed.1);
    assert!(renewed.1.get("didDoc").is_none());
    let old_access = access;
    let access = renewed.1["accessJwt"].as_str().expect("access").to_string();
    let refresh_before = refresh;
    let refresh = renewed.1["refreshJwt"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_eq!(get(&base, session, Some(&access)).await.0, 200);
    assert_eq!(
        error_of(&get(&base, session, Some(&old_access)).await),
        (401, "InvalidToken")
    );
    assert_eq!(
        error_of(&post(refresh_session, refresh_before).await),
        (401, "InvalidToken")
    );
    a.wait_for(Duration::from_secs(60), |r| {
        r["backfill"]["done"] == 2 && r["backfill"]["pending"] == 0
    })
    .await;

    // 200 quick calls of the logged-in app: none limited.
    let profile = format!("app.bsky.actor.getProfile?actor={alice}");
    let app_calls = [
        "app.bsky.feed.getTimeline?limit=30",
        "app.bsky.notification.listNotifications?limit=40",
        profile.as_str(),
        "com.atproto.server.getSession",
    ];
    for i in 0..200 {
        let (status, body) = get(&base, app_calls[i % app_calls.len()], Some(&access)).await;
        assert_eq!(status, 200, "call {i}: {body}");
    }
    let (_, timeline) = get(&base, app_calls[0], Some(&access)).await;
    assert_eq!(
        timeline["feed"].as_array().map(Vec::len),
        Some(4),
        "{timeline}"
    );

    // Anonymous calls from the same address still meet the anonymous limit.
    let passed = limit_address(&base).await;
    assert!(passed <= 21, "{passed} anonymous calls passed");
    assert_eq!(get(&base, app_calls[0], Some(&access)).await.0, 200);

    // A local user's service-auth token (her PDS proxying for her) has her budget; the same
    // token with its claims changed, and a valid one of a stranger, are the address's.
    let lxm = "app.bsky.feed.getTimeline";
    let mut service_token = |handle: &str| {
        net.cmd(json!({"cmd": "serviceauth", "as": handle, "aud": aerie_did, "lxm": lxm}))["token"]
            .as_str()
            .expect("token")
            .to_string()
    };
    let alices = service_token("alice.test");
    let bobs = service_token("bob.test");
    assert_eq!(get(&base, lxm, Some(&alices)).await.0, 200);
    let parts: Vec<&str> = alices.split('.').collect();
    let mut changed = jwt_part(&alices, 1);
    changed["exp"] = json!(changed["exp"].as_f64().unwrap_or_default() + 1.0);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.to_string()),
        parts[2]
    );
    limit_address(&base).await;
    assert_eq!(error_of(&get(&base, lxm, Some(&tampered)).await).0, 429);
    assert_eq!(error_of(&get(&base, lxm, Some(&bobs)).await).0, 429);

    // Direct mode. AppView calls are Aerie's, whichever AppView the header names.
    let stock = [("atproto-proxy", "did:web:api.bsky.app#bsky_appview")];
    let timeline = call(
        &base,
        reqwest::Method::GET,
        app_calls[0],
        Some(&access),
        &stock,
    )
    .await;
    assert_eq!(timeline.0, 200, "{}", timeline.1);
    let unknown = "app.bsky.unspecced.getTaggedSuggestions";
    let answer = call(&base, reqwest::Method::GET, unknown, Some(&access), &stock).await;
    assert_eq!(error_of(&answer), (404, "MethodNotImplemented"));
    // Calls for the PDS that Aerie does not implement go there with her PDS token.
    let (status, listed) = get(&base, &records, Some(&access)).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed["records"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
    let (status, minted) = get(
        &base,
        &format!("com.atproto.server.getServiceAuth?aud={bob}"),
        Some(&access),
    )
    .await;
    assert_eq!(status, 200, "{minted}");
    assert_eq!(
        jwt_part(minted["token"].as_str().expect("token"), 1)["iss"],
        alice
    );
    let (status, prefs) = get(&base, "app.bsky.actor.getPreferences", Some(&access)).await;
    assert_eq!(
        (status, prefs["preferences"].is_array()),
        (200, true),
        "{prefs}"
    );
    // Calls for another service go to the PDS with the header kept: the PDS resolves the DID
    // it names (bob's, on this network: he runs no chat service) and says so.
    let chat_header = format!("{bob}#bsky_chat");
    let chat = [("atproto-proxy", chat_header.as_str())];
    let convos = "chat.bsky.convo.listConvos";
    let answer = call(&base, reqwest::Method::GET, convos, Some(&access), &chat).await;
    assert_eq!(error_of(&answer), (400, "InvalidRequest"), "{}", answer.1);
    assert_eq!(
        answer.1["message"],
        "could not resolve proxy did service url"
    );

    // With the address limited, the user still refreshes (her refresh token is hers) and logs
    // out; her ended tokens are then the address's, and limited.
    let renewed = post(refresh_session, refresh).await;
    assert_eq!(renewed.0, 200, "{}", renewed.1);
    let access = renewed.1["accessJwt"].as_str().expect("access").to_string();
    let refresh = renewed.1["refreshJwt"]
        .as_str()
        .expect("refresh")
        .to_string();
    let logout = post("com.atproto.server.deleteSession", refresh.clone()).await;
    assert_eq!(logout.0, 200, "{}", logout.1);
    limit_address(&base).await;
    assert_eq!(error_of(&get(&base, session, Some(&access)).await).0, 429);
    assert_eq!(error_of(&post(refresh_session, refresh).await).0, 429);
}
