//! What tests start stops with them: an Aerie restarted while running leaves no process
//! behind, a panicking test's Aerie is gone when the panic has unwound, and a child whose
//! starting thread ends is killed by the kernel even when its guard never drops.

mod common;

use common::child::{alive, command, Guarded};
use common::Aerie;
use std::time::{Duration, Instant};

fn start(dir: &std::path::Path) -> Aerie {
    Aerie::start(
        dir,
        "ws://127.0.0.1:9/unused",
        &[("AERIE_INGEST__ENABLED", "false")],
    )
}

/// Waits (up to 10 s) until `pid` is no longer running.
fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    !alive(pid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_stop_with_their_test() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = start(&dir.path().join("a"));
    let first = a.pid().expect("running");
    // Serving (its port opens a moment before it handles SIGTERM).
    assert_eq!(a.get("/health").await.0, 200);
    a.restart();
    let second = a.pid().expect("running");
    assert_ne!(first, second);
    assert!(
        !alive(first),
        "the restarted Aerie's old process is still running"
    );
    assert!(alive(second));

    // A failing test: its Aerie stops while the panic unwinds.
    let mut pid = None;
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let b = start(&dir.path().join("b"));
        pid = b.pid();
        panic!("a failing test (expected)");
    }));
    assert!(failed.is_err());
    assert!(
        !alive(pid.expect("started")),
        "a panicking test left Aerie running"
    );

    // A guard that never drops (a test process killed outright): the child dies with the
    // thread that started it.
    let leaked = std::thread::spawn(|| {
        let g = Guarded::spawn(command("sleep").arg("600")).expect("sleep");
        let pid = g.id();
        // Once `sleep` runs, `setpriv` has asked for the signal.
        let comm = format!("/proc/{pid}/comm");
        while std::fs::read_to_string(&comm).unwrap_or_default().trim() != "sleep" {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::mem::forget(g);
        pid
    })
    .join()
    .expect("thread");
    assert!(
        gone(leaked),
        "the child outlived the thread that started it"
    );

    drop(a);
    assert!(!alive(second));
}
