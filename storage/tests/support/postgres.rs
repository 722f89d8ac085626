//! A throwaway PostgreSQL server for tests: Debian's server binaries (`postgresql`), a new
//! cluster in a temporary directory, listening on a free loopback port. It stops, and its
//! directory goes, when the test process ends: the shell around it waits on its stdin, which
//! closes with the process. Shared by the storage contract tests and the binary's tests.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The running server.
pub struct Postgres {
    _child: Mutex<Child>,
    /// Connection string (key=value form) of its `postgres` database.
    pub url: String,
    /// PEM of the private CA that signed the server's certificate (it also takes TLS).
    pub ca_file: PathBuf,
}

const SCRIPT: &str = r#"set -e
d=$1; port=$2; bin=$3
"$bin/initdb" -D "$d/data" -U aerie -A trust -E UTF8 --no-sync >"$d/initdb.log" 2>&1
"$bin/postgres" -D "$d/data" -h 127.0.0.1 -p "$port" -k "$d" -c fsync=off \
  -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file="$d/server.crt" \
  -c ssl_key_file="$d/server.key" >"$d/server.log" 2>&1 &
pid=$!
cat >/dev/null || true
kill -INT "$pid" 2>/dev/null || true
wait "$pid" || true
rm -rf "$d"
"#;

/// Where Debian keeps the server binaries (`AERIE_TEST_PG_BIN` overrides).
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("AERIE_TEST_PG_BIN") {
        return dir.into();
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!(
            "PostgreSQL server binaries not found: apt-get install postgresql (scripts/test does)"
        )
    })
}

fn id_of(flag: &str) -> u32 {
    let out = Command::new("id")
        .args([flag, "postgres"])
        .output()
        .expect("id");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("postgres user id")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn log(dir: &Path, name: &str) -> String {
    let mut s = String::new();
    let _ = std::fs::File::open(dir.join(name)).and_then(|mut f| f.read_to_string(&mut s));
    s
}

impl Postgres {
    fn start() -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("aerie-pg")
            .tempdir()
            .expect("tempdir")
            .keep();
        let port = free_port();
        let (ca, cert, key) = super::certs::ca_and_leaf("Aerie test database CA", &["127.0.0.1"]);
        let ca_file = dir.join("ca.pem");
        for (name, pem) in [("ca.pem", &ca), ("server.crt", &cert), ("server.key", &key)] {
            std::fs::write(dir.join(name), pem).expect("write certificate");
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("chmod");
        let args = [
            dir.to_str().expect("utf-8 path").to_string(),
            port.to_string(),
            bin.to_str().expect("utf-8 path").to_string(),
        ];
        // initdb refuses to run as root: the server runs as Debian's postgres user then.
        let mut cmd = if is_root() {
            for path in ["", "ca.pem", "server.crt", "server.key"] {
                std::os::unix::fs::chown(dir.join(path), Some(id_of("-u")), Some(id_of("-g")))
                    .expect("chown");
            }
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", SCRIPT, "sh"]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", SCRIPT, "sh"]);
            c
        };
        let mut child = cmd
            .args(&args)
            .stdin(Stdio::piped())
            .spawn()
            .expect("start postgres");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &args[1]])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                break;
            }
            let exited = child.try_wait().ok().flatten().is_some();
            assert!(
                !exited && Instant::now() < deadline,
                "postgres did not start:\n{}\n{}",
                log(&dir, "initdb.log"),
                log(&dir, "server.log")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Postgres {
            _child: Mutex::new(child),
            url: format!("host=127.0.0.1 port={port} user=aerie dbname=postgres"),
            ca_file,
        }
    }
}

impl Postgres {
    /// Options for a store in `schema` of this server.
    pub fn options(&self, schema: &str) -> aerie_storage::kv::postgres::PostgresOptions {
        aerie_storage::kv::postgres::PostgresOptions {
            url: self.url.clone(),
            schema: schema.into(),
            ..Default::default()
        }
    }

    /// Ends every session whose `application_name` is `app` (as a restart of the server
    /// would); returns how many there were.
    pub fn end_sessions(&self, app: &str) -> u32 {
        self.sql(&format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name = '{app}'"
        ))
        .parse()
        .expect("count")
    }

    /// Runs one SQL statement with psql; returns what it printed (unaligned, no headers).
    pub fn sql(&self, statement: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url,
                "-c",
                statement,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The test process's server, started on first use.
pub fn server() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(Postgres::start)
}

/// A schema name no other store of this process uses.
pub fn fresh_schema() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
