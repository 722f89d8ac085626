//! Identity resolution against a real PDS and PLC directory (`@atproto/dev-env`, pinned in
//! `tests/pds/package.json`; `.ci/run` installs it with `npm ci`), through `aerie resolve`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

struct Network {
    child: std::process::Child,
    info: serde_json::Value,
}

impl Network {
    fn start(handles: &[&str]) -> Network {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pds");
        assert!(
            dir.join("node_modules/@atproto/dev-env").exists(),
            "@atproto/dev-env is not installed: run `npm ci --prefix tests/pds` (.ci/run does)"
        );
        let mut child = Command::new("node")
            .arg("network.mjs")
            .args(handles)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (Node 20 is needed for the PDS tests)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("network line");
        let info = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("network did not start: {e}: {line:?}"));
        Network { child, info }
    }

    fn did(&self, handle: &str) -> String {
        let accounts = self.info["accounts"].as_array().expect("accounts");
        let a = accounts
            .iter()
            .find(|a| a["handle"] == handle)
            .expect("account");
        a["did"].as_str().expect("did").to_string()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Runs `aerie resolve` against the network; returns (success, stdout, stderr).
fn resolve(net: &Network, actor: &str, allow_private: bool) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_aerie"))
        .args(["resolve", actor])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "AERIE_IDENTITY__PLC_URL",
            net.info["plc"].as_str().expect("plc"),
        )
        .env(
            "AERIE_IDENTITY__HANDLE_RESOLVER",
            net.info["pds"].as_str().expect("pds"),
        )
        .env(
            "AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES",
            allow_private.to_string(),
        )
        .output()
        .expect("run aerie resolve");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
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
