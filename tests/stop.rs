//! Stopping while starting: a SIGTERM that arrives as soon as `aerie serve` has begun (before
//! the store is open, the listener bound or ingest started) stops it cleanly — exit status 0
//! and the stop logged — instead of the signal's default, which kills the process mid-start.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

/// Starts Aerie, sends SIGTERM the moment its first log line appears, and waits for it to end.
fn term_while_starting(data: &std::path::Path) -> (std::process::ExitStatus, String) {
    let log_path = data.with_extension("log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let env: Vec<(String, String)> = vec![
        ("AERIE_DATA_DIR".into(), data.display().to_string()),
        (
            "AERIE_LISTEN".into(),
            format!("127.0.0.1:{}", common::free_port()),
        ),
        // Nothing listens there: the reader keeps retrying, which is fine for this test.
        (
            "AERIE_JETSTREAM__URL".into(),
            "ws://127.0.0.1:9/subscribe".into(),
        ),
        ("RUST_LOG".into(), "info".into()),
    ];
    let parent = data.parent().expect("a parent directory");
    let mut cmd = common::aerie_command(&["serve"], &env, parent);
    cmd.stdout(Stdio::null()).stderr(Stdio::from(log));
    let mut child = common::child::Guarded::spawn(&mut cmd).expect("spawn aerie");
    let read = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !read().contains("starting") {
        assert!(Instant::now() < deadline, "no start logged:\n{}", read());
        if let Ok(Some(s)) = child.child().try_wait() {
            panic!("aerie ended before it started ({s}):\n{}", read());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.child().try_wait() {
            return (status, read());
        }
        assert!(Instant::now() < deadline, "aerie did not stop:\n{}", read());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_while_starting_stops_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Several times: the window between the first log line and serving is short.
    for round in 0..5 {
        let data = dir.path().join(format!("data{round}"));
        std::fs::create_dir(&data).expect("data dir");
        let (status, log) = term_while_starting(&data);
        assert!(
            status.success(),
            "round {round}: ended with {status} (a signal's default?); log:\n{log}"
        );
        assert!(log.contains("stopping"), "round {round}: log:\n{log}");
    }
}
