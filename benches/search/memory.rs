//! The memory search adds to a running Aerie: the real binary served read-only over the
//! bench's data twice, with search off and on, each after the same store reads (a running
//! server's store cache is full whatever search does) and the same searches; the difference in
//! anonymous and file-backed resident memory is what search costs.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Resident memory of a process: (anonymous, file-backed), kB.
fn rss_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("RssAnon:"), field("RssFile:"))
}

/// A served Aerie, stopped when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `data` read-only with search on or off, on `port`.
fn serve(data: &Path, search: bool, port: u16) -> Served {
    let child = Command::new(env!("CARGO_BIN_EXE_aerie"))
        .arg("serve")
        .env("AERIE_DATA_DIR", data)
        .env("AERIE_SCOPE", "network")
        .env("AERIE_INGEST__ENABLED", "false")
        .env("AERIE_SEARCH__ENABLED", search.to_string())
        .env("AERIE_SEARCH__PEOPLE_APPVIEW_URL", "")
        .env("AERIE_LISTEN", format!("127.0.0.1:{port}"))
        .env("AERIE_RATE_LIMIT__ENABLED", "false")
        .env("AERIE_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aerie serve");
    Served(child)
}

/// Anonymous and file-backed memory (kB) of a server with search on or off, after reading
/// `authors`' feeds and running `queries`.
async fn measure(data: &Path, search: bool, authors: &[String], queries: &[String]) -> (u64, u64) {
    let port = 18_000 + (std::process::id() % 1000) as u16 + u16::from(search);
    let served = serve(data, search, port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    while client
        .get(format!("{base}/xrpc/_health"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "aerie serve did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Whatever search does at start (resume, trim) is done by then.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let get = |url: String| {
        let client = client.clone();
        async move {
            if let Ok(r) = client.get(url).send().await {
                let _ = r.bytes().await;
            }
        }
    };
    for pass in 0..2 {
        for chunk in authors.chunks(8) {
            let reads = chunk.iter().map(|a| {
                get(format!(
                    "{base}/xrpc/app.bsky.feed.getAuthorFeed?actor={a}&limit=50"
                ))
            });
            futures_util::future::join_all(reads).await;
        }
        if pass == 0 {
            for q in queries {
                for sort in ["latest", "top"] {
                    get(format!(
                        "{base}/xrpc/app.bsky.feed.searchPosts?q={q}&sort={sort}&limit=25"
                    ))
                    .await;
                }
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    rss_kb(served.0.id())
}

/// Prints the memory search adds: `authors` (DIDs) are read to fill the store's cache,
/// `queries` (URL-encoded) are searched.
pub async fn report(data: &Path, authors: &[String], queries: &[String]) {
    let off = measure(data, false, authors, queries).await;
    let on = measure(data, true, authors, queries).await;
    println!(
        "memory added by search (aerie serve, search on vs off, same reads and {} searches): {:.0} MB anonymous, {:.0} MB of index pages mapped in (file-backed, reclaimable)",
        queries.len() * 2,
        on.0 as f64 / 1024.0 - off.0 as f64 / 1024.0,
        on.1 as f64 / 1024.0 - off.1 as f64 / 1024.0,
    );
}
