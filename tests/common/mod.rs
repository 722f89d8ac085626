//! Shared support for the integration tests: run the real `aerie` binary against a simulator
//! on loopback, talk to its HTTP API, and compute what it should answer (the oracle).

#![allow(dead_code)]

#[path = "../../storage/tests/support/certs.rs"]
pub mod certs;
pub mod child;
pub mod events;
pub mod oracle;
pub mod pds;
#[path = "../../storage/tests/support/postgres.rs"]
pub mod pg;

use child::Guarded;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A running `aerie serve`, stopped when dropped.
pub struct Aerie {
    child: Option<Guarded>,
    pub port: u16,
    pub data_dir: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
}

/// Environment for an Aerie keeping its data in a new schema of the test PostgreSQL server.
pub fn postgres_env(schema: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AERIE_STORAGE__BACKEND", "postgres".into()),
        ("AERIE_STORAGE__POSTGRES_URL", pg::server().url.clone()),
        ("AERIE_STORAGE__POSTGRES_SCHEMA", schema.into()),
    ]
}

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Aerie {
    /// Starts Aerie with its data in `data_dir`, following `jetstream_url`, plus `extra` env.
    pub fn start(data_dir: &Path, jetstream_url: &str, extra: &[(&str, &str)]) -> Aerie {
        Self::start_at(free_port(), data_dir, jetstream_url, extra)
    }

    /// The same, listening on `port`.
    pub fn start_at(
        port: u16,
        data_dir: &Path,
        jetstream_url: &str,
        extra: &[(&str, &str)],
    ) -> Aerie {
        let mut env: Vec<(String, String)> = vec![
            ("AERIE_DATA_DIR".into(), data_dir.display().to_string()),
            ("AERIE_LISTEN".into(), format!("127.0.0.1:{port}")),
            ("AERIE_JETSTREAM__URL".into(), jetstream_url.into()),
            ("AERIE_JETSTREAM__MAX_BACKOFF_SECS".into(), "1".into()),
            ("AERIE_INGEST__BATCH_MS".into(), "50".into()),
            ("AERIE_INGEST__BATCH_SIZE".into(), "500".into()),
            // The oracle models the whole stream; scope tests set "follows" themselves.
            ("AERIE_SCOPE".into(), "network".into()),
            // Tests call the API far faster than the default per-IP limits allow; the limits
            // have their own test.
            ("AERIE_RATE_LIMIT__ENABLED".into(), "false".into()),
            ("RUST_LOG".into(), "info".into()),
            // No test reaches the internet: identities are looked up nowhere unless a test
            // points them at its own PLC directory and PDS (refused at once: plain HTTP to a
            // loopback address without `allow_private_addresses`).
            (
                "AERIE_IDENTITY__PLC_URL".into(),
                "http://127.0.0.1:9".into(),
            ),
            (
                "AERIE_IDENTITY__HANDLE_RESOLVER".into(),
                "http://127.0.0.1:9".into(),
            ),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let log = data_dir.with_extension("log");
        let mut a = Aerie {
            child: None,
            port,
            data_dir: data_dir.into(),
            env,
            log,
        };
        a.spawn();
        a
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let mut cmd = aerie_command(
            &["serve"],
            &self.env,
            self.data_dir.parent().unwrap_or(Path::new("/")),
        );
        cmd.stdout(Stdio::null()).stderr(Stdio::from(log));
        self.child = Some(Guarded::spawn(&mut cmd).expect("spawn aerie"));
        self.wait_healthy();
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.child().try_wait() {
                    panic!(
                        "aerie exited early with {status}; log:\n{}",
                        self.log_text()
                    );
                }
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aerie did not start listening; log:\n{}", self.log_text());
    }

    /// The process's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`, then start again on the same data.
    pub fn kill9_and_restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// `kill -9`.
    pub fn kill9(&mut self) {
        drop(self.child.take());
    }

    /// The running process's id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Guarded::id)
    }

    /// Sends a signal (`TERM`, `HUP`, ...) to the running process.
    pub fn signal(&self, name: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .arg(format!("-{name}"))
                .arg(c.id().to_string())
                .status();
        }
    }

    /// SIGTERM and wait; returns whether it exited with status 0.
    pub fn terminate(&mut self) -> bool {
        self.signal("TERM");
        let Some(mut c) = self.child.take() else {
            return false;
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = c.child().try_wait() {
                return s.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Stops the running process (SIGTERM, as a service manager would) when there is one, and
    /// starts again on the same data.
    pub fn restart(&mut self) {
        if self.child.is_some() {
            assert!(
                self.terminate(),
                "aerie did not stop cleanly; log:\n{}",
                self.log_text()
            );
        }
        self.spawn();
    }

    /// Base URL.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET a path; returns status and JSON body.
    pub async fn get(&self, path_and_query: &str) -> (u16, serde_json::Value) {
        let resp = reqwest::get(format!("{}{path_and_query}", self.base()))
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// The committed cursor as `/ready` reports it.
    pub async fn cursor(&self) -> i64 {
        self.get("/ready").await.1["cursor"].as_i64().unwrap_or(0)
    }

    /// Waits until the committed cursor reaches `position`.
    /// Polls `/ready` until `done` holds for its body.
    pub async fn wait_for(&self, timeout: Duration, done: impl Fn(&serde_json::Value) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            let (_, ready) = self.get("/ready").await;
            if done(&ready) {
                return;
            }
            if Instant::now() > deadline {
                panic!("/ready never got there: {ready}; log:\n{}", self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn wait_for_cursor(&self, position: i64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.cursor().await >= position {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "cursor stuck at {} < {position}; log:\n{}",
                    self.cursor().await,
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The `aerie` binary with `args`, only `env` (and PATH) in its environment, run in `cwd`; it
/// dies with the thread that starts it.
pub fn aerie_command(args: &[&str], env: &[(String, String)], cwd: &Path) -> Command {
    let mut cmd = child::command(env!("CARGO_BIN_EXE_aerie"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    cmd
}

/// The DIDs with valid events in a generated corpus, sorted, once each.
pub fn corpus_dids(corpus: &[jetsim::corpus::GenEvent]) -> Vec<String> {
    let mut dids: Vec<String> = corpus
        .iter()
        .filter(|e| e.valid)
        .map(|e| e.did.clone())
        .collect();
    dids.sort();
    dids.dedup();
    dids
}

/// Asserts that a page's response keeps the browser on HTTPS: HSTS, and a Secure cookie.
pub fn assert_https_only(h: &reqwest::header::HeaderMap) {
    let hsts = h
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok());
    assert!(hsts.is_some_and(|v| v.starts_with("max-age=")), "{h:?}");
    let cookie = h.get("set-cookie").and_then(|v| v.to_str().ok());
    assert!(cookie.is_some_and(|v| v.contains("; Secure")), "{h:?}");
}

/// URL-encodes a query value.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
