//! Identity resolution against a real PDS and PLC directory (`@atproto/dev-env`, pinned in
//! `tests/pds/package.json`; `.ci/run` installs it with `npm ci`), through `aerie resolve`.

mod common;

use common::pds::{aerie, Network};

/// `aerie resolve` against the network; `allow_private` false turns the SSRF guard back on.
fn resolve(net: &Network, actor: &str, allow_private: bool) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = net.identity_env();
    env.retain(|(k, _)| k != "AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES");
    env.push((
        "AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES".into(),
        allow_private.to_string(),
    ));
    aerie(&["resolve", actor], &env, dir.path())
}

#[test]
fn handles_and_dids_resolve_both_ways_behind_the_ssrf_guard() {
    let net = Network::start(&["alice.test", "bob.test"]);
    let pds = net.info["pds"].as_str().expect("pds").to_string();

    let (ok, out, err) = resolve(&net, "alice.test", true);
    assert!(ok, "{err}");
    let id: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(id["did"], net.did("alice.test"));
    assert_eq!(id["handle"], "alice.test", "verified both ways: {id}");
    assert_eq!(
        id["pds"].as_str().map(|p| p.trim_end_matches('/')),
        Some(pds.trim_end_matches('/'))
    );
    assert!(
        id["signing_key"]
            .as_str()
            .is_some_and(|k| k.starts_with('z')),
        "{id}"
    );

    let (ok, out, err) = resolve(&net, &net.did("bob.test"), true);
    assert!(ok, "{err}");
    let id: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(id["handle"], "bob.test", "{id}");

    let (ok, _, err) = resolve(&net, "nobody.test", true);
    assert!(!ok, "an unknown handle is an error");
    assert!(err.contains("nobody.test"), "{err}");

    let (ok, _, err) = resolve(&net, "alice.test", false);
    assert!(!ok, "loopback is refused unless allowed");
    assert!(err.contains("refused"), "{err}");

    let (ok, _, err) = resolve(&net, "not a handle", true);
    assert!(!ok && err.contains("neither a DID nor a handle"), "{err}");
}
