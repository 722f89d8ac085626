//! The `aerie` command: `serve` runs the AppView, `healthcheck` probes a running one, `backfill`
//! and `audit` fetch and compare accounts' repositories, `resolve` and `config` inspect.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// A personal AT Protocol (Bluesky) AppView in one binary.
#[derive(Parser)]
#[command(name = "aerie", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./config/aerie.toml when present). AERIE_* environment
    /// variables override it, with `__` between nesting levels (AERIE_JETSTREAM__URL).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Follow Jetstream into the store and serve the XRPC API and pages, until SIGINT/SIGTERM.
    Serve,
    /// Probe the server configured by the same config (GET /health); exit 0 when it answers.
    Healthcheck,
    /// Print the effective configuration (defaults, file and environment merged) as TOML.
    Config,
    /// Resolve a handle or DID (verified both ways) and print the identity as JSON.
    Resolve {
        /// A handle (alice.bsky.social) or a DID.
        actor: String,
    },
    /// Fetch one account's whole repository from its PDS into the store (a diff: records it
    /// no longer has are deleted), with progress on stderr and a JSON report on stdout.
    Backfill {
        /// A handle or a DID.
        actor: String,
    },
    /// Compare the store with each tracked account's repository on its PDS (missing, extra and
    /// stale records per collection), one JSON line per account. Exits 1 when differences are
    /// found, unless --repair fixes them.
    Audit {
        /// Fix what differs (fetch the repository again and apply it as a diff).
        #[arg(long)]
        repair: bool,
        /// Audit only this account (repeatable); default: every tracked account.
        #[arg(long = "did", value_name = "DID")]
        dids: Vec<String>,
    },
    /// Write the whole store, from one consistent snapshot, to a file ("-": stdout). Aerie must
    /// be stopped; a running one exports at /admin/export.
    Export {
        /// Where to write.
        path: String,
    },
    /// Fill an empty data directory's store from an export.
    Import {
        /// The export file.
        path: String,
    },
    /// Rebuild the search index (`<data_dir>/search`) from the store, with a progress bar.
    /// Aerie must be stopped; a running one rebuilds by itself whenever the index does not
    /// match the store.
    Reindex,
}

fn main() -> ExitCode {
    aerie::tune_allocator();
    let cli = Cli::parse();
    let (cfg, unknown) = match aerie::config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("aerie: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg.log);
    for key in &unknown {
        tracing::warn!("unknown configuration key {key:?} ignored");
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aerie: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve => rt
            .block_on(aerie::serve::run(cfg))
            .map_err(|e| e.to_string()),
        Command::Healthcheck => rt.block_on(aerie::util::healthcheck::probe(cfg.listen)),
        Command::Resolve { actor } => rt.block_on(resolve(cfg, &actor)),
        Command::Backfill { actor } => rt.block_on(backfill(cfg, &actor)),
        Command::Audit { repair, dids } => match rt.block_on(audit(cfg, repair, dids)) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Export { path } => aerie::backup::export(&cfg, &path).map(|s| eprintln!("{s}")),
        Command::Import { path } => aerie::backup::import(&cfg, &path).map(|s| eprintln!("{s}")),
        Command::Reindex => reindex(&cfg),
        Command::Config => toml::to_string_pretty(&cfg)
            .map(|s| print!("{s}"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("aerie: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn resolve(cfg: aerie::config::Config, actor: &str) -> Result<(), String> {
    let resolver = aerie::identity::Resolver::new(cfg.identity).map_err(|e| e.to_string())?;
    let id = resolver.resolve(actor).await.map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&id).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Draws a progress bar on stderr: `done` of `total` records.
fn progress_bar(done: u64, total: u64) {
    use std::io::Write;
    let width = 30;
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width) as usize;
    eprint!(
        "\r[{}{}] {done}/{total} records",
        "#".repeat(filled),
        " ".repeat(width as usize - filled)
    );
    let _ = std::io::stderr().flush();
}

/// `aerie reindex`.
fn reindex(cfg: &aerie::config::Config) -> Result<(), String> {
    let store = aerie::serve::open_store(cfg).map_err(|e| e.to_string())?;
    let services = aerie::serve::Services::open(cfg, store).map_err(|e| e.to_string())?;
    let search = services
        .search
        .ok_or("search is off (search.enabled = false), or its index cannot be opened")?;
    let mut indexer = search
        .indexer(services.store.clone(), &cfg.search)
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    indexer
        .rebuild(&mut progress_bar)
        .map_err(|e| e.to_string())?;
    eprintln!();
    eprintln!(
        "search index rebuilt in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn backfill(cfg: aerie::config::Config, actor: &str) -> Result<(), String> {
    let store = aerie::serve::open_store(&cfg).map_err(|e| e.to_string())?;
    let bf = aerie::serve::Services::open(&cfg, store.clone())
        .map_err(|e| e.to_string())?
        .backfiller(&cfg);
    let progress = |done: usize, total: usize| progress_bar(done as u64, total as u64);
    let report = bf
        .run_one(actor, None, progress)
        .await
        .map_err(|e| e.to_string())?;
    store.flush().map_err(|e| e.to_string())?;
    eprintln!();
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Audits (and repairs); returns whether the store matched (or was repaired).
async fn audit(
    cfg: aerie::config::Config,
    repair: bool,
    dids: Vec<String>,
) -> Result<bool, String> {
    let store = aerie::serve::open_store(&cfg).map_err(|e| e.to_string())?;
    let bf = aerie::serve::Services::open(&cfg, store.clone())
        .map_err(|e| e.to_string())?
        .backfiller(&cfg);
    let dids = if dids.is_empty() {
        bf.scope.tracked()
    } else {
        dids
    };
    let (mut differing, mut failed) = (0, 0);
    for did in &dids {
        let audit = match bf.audit_one(did).await {
            Ok(a) => a,
            Err(e) => {
                failed += 1;
                eprintln!("aerie: audit of {did}: {e}");
                continue;
            }
        };
        let clean = audit.clean();
        let mut line = serde_json::to_value(&audit).map_err(|e| e.to_string())?;
        if !clean {
            differing += 1;
            if repair {
                let report = bf
                    .run_one(did, None, |_, _| {})
                    .await
                    .map_err(|e| format!("repairing {did}: {e}"))?;
                line["repaired"] = serde_json::json!(report.applied);
            }
        }
        println!("{line}");
    }
    store.flush().map_err(|e| e.to_string())?;
    eprintln!(
        "audited {} accounts: {differing} differ{}, {failed} could not be fetched",
        dids.len(),
        if repair { " (repaired)" } else { "" }
    );
    Ok(failed == 0 && (differing == 0 || repair))
}

/// Dependencies whose INFO lines are internals (the store engine's flushes, compactions and
/// ingestion writers): warnings only, unless `RUST_LOG` or `log.level` names them.
const QUIET_DEPENDENCIES: &str = "fjall=warn,lsm_tree=warn";

/// The log filter: `RUST_LOG` when set, else `log.level`, after the quiet dependencies (a
/// directive for the same target given later wins).
fn log_filter(level: &str, env: Option<&str>) -> tracing_subscriber::EnvFilter {
    let wanted = env.filter(|e| !e.trim().is_empty()).unwrap_or(level);
    tracing_subscriber::EnvFilter::builder().parse_lossy(format!("{QUIET_DEPENDENCIES},{wanted}"))
}

fn init_logging(cfg: &aerie::config::LogConfig) {
    let env = std::env::var(tracing_subscriber::EnvFilter::DEFAULT_ENV).ok();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(log_filter(&cfg.level, env.as_deref()))
        .with_writer(std::io::stderr);
    if cfg.json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    /// What an INFO line from each target leaves in the log under `filter`.
    fn logged(filter: tracing_subscriber::EnvFilter) -> String {
        let out = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = out.clone();
        let writer = move || Sink(sink.clone());
        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(tracing_subscriber::fmt::layer().with_writer(writer));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "lsm_tree::tree::ingest", "Finished ingestion writer");
            tracing::info!(target: "fjall::keyspace", "fjall info");
            tracing::warn!(target: "fjall::keyspace", "fjall warning");
            tracing::info!(target: "aerie::serve", "listening");
        });
        let text = out.lock().map(|b| String::from_utf8_lossy(&b).into_owned());
        text.unwrap_or_default()
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_store_engine_logs_warnings_only_unless_asked() {
        for filter in [log_filter("info", None), log_filter("debug", Some("info"))] {
            let text = logged(filter);
            assert!(text.contains("listening"), "{text}");
            assert!(text.contains("fjall warning"), "{text}");
            assert!(!text.contains("Finished ingestion writer"), "{text}");
            assert!(!text.contains("fjall info"), "{text}");
        }
        let asked = logged(log_filter("info", Some("info,lsm_tree=info")));
        assert!(asked.contains("Finished ingestion writer"), "{asked}");
        let config_asked = logged(log_filter("info,fjall=info", None));
        assert!(config_asked.contains("fjall info"), "{config_asked}");
        assert!(!logged(log_filter("warn", None)).contains("listening"));
    }
}
