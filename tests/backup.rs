//! Backup and restore by round trip: a store filled from the simulator is exported with
//! `aerie export` (Aerie stopped; a running one refuses the CLI and points at /admin/export),
//! imported with `aerie import` into a new data directory and into a PostgreSQL schema, and
//! the restored Aerie answers exactly as the original did on either. Importing over a store is
//! refused; a damaged export leaves nothing behind.

mod common;

use common::Aerie;
use jetsim::corpus::{generate, CorpusSpec};
use jetsim::{Sim, SimEvent, SimOptions};
use std::path::Path;
use std::time::Duration;

fn cli(args: &[&str], data: &Path) -> (bool, String) {
    cli_with(args, data, &[])
}

fn cli_with(args: &[&str], data: &Path, extra: &[(&str, String)]) -> (bool, String) {
    let mut env = vec![("AERIE_DATA_DIR".to_string(), data.display().to_string())];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let (ok, _, stderr) = common::pds::aerie(args, &env, data.parent().unwrap_or(Path::new("/")));
    (ok, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_gives_the_same_answers() {
    let corpus = generate(&CorpusSpec {
        events: 3000,
        accounts: 40,
        seed: 5,
        start_us: 1_780_000_000_000_000,
        ..Default::default()
    });
    let last = corpus.iter().map(|e| e.time_us).max().unwrap_or_default();
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(corpus.iter().map(SimEvent::from));
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    let mut a = Aerie::start(
        &old,
        &sim.url(),
        &[("AERIE_JETSTREAM__INITIAL_CURSOR", "0")],
    );
    a.wait_for_cursor(last, Duration::from_secs(60)).await;
    let dids = common::corpus_dids(&corpus);
    let paths: Vec<String> = dids
        .iter()
        .take(15)
        .flat_map(|d| {
            [
                format!("/xrpc/app.bsky.feed.getAuthorFeed?actor={d}&limit=100"),
                format!("/xrpc/app.bsky.actor.getProfile?actor={d}"),
                format!("/xrpc/app.bsky.graph.getFollowers?actor={d}"),
            ]
        })
        .collect();
    let mut before = Vec::new();
    for p in &paths {
        before.push(a.get(p).await);
    }

    // While it runs the store is locked: the CLI says so.
    let file = dir.path().join("aerie.export");
    let (ok, err) = cli(&["export", &file.display().to_string()], &old);
    assert!(!ok && err.contains("/admin/export"), "{err}");
    assert!(a.terminate());
    let (ok, err) = cli(&["export", &file.display().to_string()], &old);
    assert!(ok && err.contains("exported"), "{err}");

    // Restored into a new data directory, it answers the same.
    let (ok, err) = cli(&["import", &file.display().to_string()], &new);
    assert!(ok && err.contains("imported"), "{err}");
    let b = Aerie::start(&new, &sim.url(), &[("AERIE_INGEST__ENABLED", "false")]);
    for (p, want) in paths.iter().zip(&before) {
        assert_eq!(&b.get(p).await, want, "{p}");
    }
    drop(b);
    // The cursor came along (the restored Aerie resumes where the old one stopped).
    let restored = aerie_storage::open(
        aerie_storage::Backend::Fjall,
        &new.join("store"),
        aerie_storage::Durability::Buffer,
    )
    .expect("open");
    assert_eq!(
        restored.cursor().expect("cursor").map(|c| c.position),
        Some(last)
    );
    drop(restored);

    // Into PostgreSQL (moving from fjall to a database): the same answers; not over an
    // existing schema; a damaged export leaves no schema behind.
    let schema = common::pg::fresh_schema();
    let pg = common::postgres_env(&schema);
    let pg_dir = dir.path().join("pg");
    let (ok, err) = cli_with(&["import", &file.display().to_string()], &pg_dir, &pg);
    assert!(ok && err.contains("imported"), "{err}");
    let mut env: Vec<(&str, &str)> = pg.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(("AERIE_INGEST__ENABLED", "false"));
    let c = Aerie::start(&pg_dir, &sim.url(), &env);
    for (p, want) in paths.iter().zip(&before) {
        assert_eq!(&c.get(p).await, want, "{p} from postgres");
    }
    drop(c);
    let (ok, err) = cli_with(&["import", &file.display().to_string()], &pg_dir, &pg);
    assert!(!ok && err.contains("already exists"), "{err}");
    let cut_schema = common::pg::fresh_schema();
    let (ok, err) = cli_with(
        &["import", &cut_file(&file, dir.path()).display().to_string()],
        &pg_dir,
        &common::postgres_env(&cut_schema),
    );
    assert!(!ok, "{err}");
    for s in [cut_schema.clone(), format!("{cut_schema}_importing")] {
        let opts = common::pg::server().options(&s);
        assert!(!aerie_storage::kv::postgres::PostgresEngine::schema_exists(&opts).expect("ask"));
    }

    // Not over an existing store; a damaged export leaves nothing.
    let (ok, err) = cli(&["import", &file.display().to_string()], &new);
    assert!(!ok && err.contains("already holds a store"), "{err}");
    let cut = cut_file(&file, dir.path());
    let third = dir.path().join("third");
    let (ok, err) = cli(&["import", &cut.display().to_string()], &third);
    assert!(!ok, "{err}");
    assert!(!third.join("store").exists() && !third.join("store.importing").exists());
}

/// The first half of the export at `file`, written beside it.
fn cut_file(file: &Path, dir: &Path) -> std::path::PathBuf {
    let bytes = std::fs::read(file).expect("export");
    let cut = dir.join("cut.export");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    cut
}
