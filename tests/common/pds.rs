//! A real PDS and PLC directory for tests (`tests/pds/network.mjs`, `@atproto/dev-env`), stopped
//! when dropped (asked to, by closing its stdin; killed if it does not).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Where an Aerie that a network's PDS proxies to listens: a free port, its URL and did:web.
pub struct AppView {
    /// The port.
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// `did:web:127.0.0.1%3A<port>`.
    pub did: String,
}

impl AppView {
    /// On a free port.
    pub fn new() -> AppView {
        let port = super::free_port();
        AppView {
            port,
            url: format!("http://127.0.0.1:{port}"),
            did: format!("did:web:127.0.0.1%3A{port}"),
        }
    }
}

/// The running network and what it created.
pub struct Network {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    /// `{"plc", "pds", "jetstream"?, "accounts": [{"handle", "did", "password"}]}`.
    pub info: serde_json::Value,
}

impl Network {
    /// Starts the network with one account per handle (three posts each; the first follows the
    /// others).
    pub fn start(handles: &[&str]) -> Network {
        Self::start_with(&[], handles)
    }

    /// Starts the network with `network.mjs` flags (`--posts=N`, `--no-follows`,
    /// `--jetstream=SECS`).
    pub fn start_with(flags: &[&str], handles: &[&str]) -> Network {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pds");
        assert!(
            dir.join("node_modules/@atproto/dev-env").exists(),
            "@atproto/dev-env is not installed: run `npm ci --prefix tests/pds` (.ci/run does)"
        );
        let mut child = super::child::command("node")
            .arg("network.mjs")
            .args(flags)
            .args(handles)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (Node 20 is needed for the PDS tests)");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("network line");
        let info = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("network did not start: {e}: {line:?}"));
        Network { child, out, info }
    }

    /// Runs one command of `network.mjs` and returns its answer (panics on an error answer).
    pub fn cmd(&mut self, command: serde_json::Value) -> serde_json::Value {
        let v = self.call(command.clone());
        assert!(v.get("error").is_none(), "{command} failed: {v}");
        v
    }

    /// Runs one command of `network.mjs` and returns its answer, an error answer too.
    #[allow(dead_code)]
    pub fn call(&mut self, command: serde_json::Value) -> serde_json::Value {
        let stdin = self.child.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{command}").expect("send command");
        let mut line = String::new();
        self.out.read_line(&mut line).expect("answer");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("bad answer to {command}: {e}: {line:?}"))
    }

    /// The DID of a created account.
    pub fn did(&self, handle: &str) -> String {
        let accounts = self.info["accounts"].as_array().expect("accounts");
        let a = accounts
            .iter()
            .find(|a| a["handle"] == handle)
            .expect("account");
        a["did"].as_str().expect("did").to_string()
    }

    /// A new app password for `handle`.
    pub fn app_password(&mut self, handle: &str) -> String {
        self.cmd(serde_json::json!({"cmd": "apppassword", "as": handle}))["password"]
            .as_str()
            .expect("password")
            .to_string()
    }

    /// Starts the network with its PDS proxying its users' app.bsky calls to `appview` (with
    /// service auth), and `flags`.
    pub fn proxying_to(appview: &AppView, flags: &[&str], handles: &[&str]) -> Network {
        let url = format!("--appview={}", appview.url);
        let did = format!("--appview-did={}", appview.did);
        let mut all = vec![url.as_str(), did.as_str()];
        all.extend_from_slice(flags);
        Self::start_with(&all, handles)
    }

    /// Aerie where the PDS proxies to (`appview`), following the PDS's firehose, data in
    /// `data_dir`, plus `extra` env.
    pub fn appview_aerie(
        &self,
        appview: &AppView,
        data_dir: &Path,
        extra: &[(&str, &str)],
    ) -> super::Aerie {
        let mut with_url = vec![("AERIE_PUBLIC_URL", appview.url.as_str())];
        with_url.extend_from_slice(extra);
        let env = self.firehose_env(&with_url);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        super::Aerie::start_at(appview.port, data_dir, "ws://127.0.0.1:9/unused", &pairs)
    }

    /// Aerie following this PDS's firehose with `scope = "follows"`, data in `data_dir`, plus
    /// `extra` env.
    pub fn aerie(&self, data_dir: &Path, extra: &[(&str, &str)]) -> super::Aerie {
        let mut with_scope = vec![("AERIE_SCOPE", "follows")];
        with_scope.extend_from_slice(extra);
        let env = self.firehose_env(&with_scope);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        super::Aerie::start(data_dir, "ws://127.0.0.1:9/unused", &pairs)
    }

    /// Environment for an Aerie that follows this PDS's firehose and resolves identities on this
    /// network, plus `extra`.
    pub fn firehose_env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let pds_ws = self.info["pds"]
            .as_str()
            .expect("pds")
            .replace("http", "ws");
        let mut env = self.identity_env();
        env.push(("AERIE_SOURCE".into(), "firehose".into()));
        env.push(("AERIE_FIREHOSE__URL".into(), pds_ws));
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    }

    /// Environment that points Aerie's identity resolution at this network.
    pub fn identity_env(&self) -> Vec<(String, String)> {
        vec![
            (
                "AERIE_IDENTITY__PLC_URL".into(),
                self.info["plc"].as_str().expect("plc").into(),
            ),
            (
                "AERIE_IDENTITY__HANDLE_RESOLVER".into(),
                self.info["pds"].as_str().expect("pds").into(),
            ),
            (
                "AERIE_IDENTITY__ALLOW_PRIVATE_ADDRESSES".into(),
                "true".into(),
            ),
        ]
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Closing stdin asks it to stop and remove its data directories.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        super::child::stop(&mut self.child);
    }
}

/// Runs an `aerie` subcommand with `env`; returns (success, stdout, stderr).
pub fn aerie(args: &[&str], env: &[(String, String)], cwd: &Path) -> (bool, String, String) {
    let out = super::aerie_command(args, env, cwd)
        .output()
        .expect("run aerie");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
