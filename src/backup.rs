//! `aerie export` and `aerie import`: the whole store as one compressed stream (see the storage
//! crate's `kv/backup.rs` for the format). Export reads one consistent snapshot; the CLI needs
//! Aerie stopped (the store is locked while it runs; a running Aerie exports at `/admin/export`).
//! Import builds the store beside the data directory's (with PostgreSQL: in a staging schema)
//! and moves it into place only when complete, so a failed import leaves nothing half-done.

use crate::config::Config;
use aerie_storage::kv::postgres::{PostgresEngine, PostgresOptions};
use aerie_storage::Backend;
use std::io::Write;
use std::path::Path;

/// `aerie export <path|->`: writes the store; returns a summary for stderr.
pub fn export(cfg: &Config, path: &str) -> Result<String, String> {
    let store = crate::serve::open_store(cfg).map_err(|e| {
        format!("{e} (is Aerie running? Stop it first, or download /admin/export from it)")
    })?;
    let stats = if path == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        let s = store.export_to(&mut lock).map_err(|e| e.to_string())?;
        lock.flush().map_err(|e| e.to_string())?;
        s
    } else {
        let tmp = format!("{path}.partial");
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&tmp).map_err(|e| format!("{tmp}: {e}"))?,
        );
        let s = store.export_to(&mut file).map_err(|e| e.to_string())?;
        file.into_inner()
            .map_err(|e| e.to_string())?
            .sync_all()
            .map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{path}: {e}"))?;
        s
    };
    Ok(format!(
        "exported {} entries ({:.1} MB before compression) to {path}",
        stats.entries,
        stats.bytes as f64 / 1e6
    ))
}

/// `aerie import <path>`: fills an empty store from an export.
pub fn import(cfg: &Config, path: &str) -> Result<String, String> {
    match cfg.backend().map_err(|e| e.to_string())? {
        Backend::Postgres(opts) => import_postgres(cfg, opts, path),
        backend => import_dir(cfg, backend, path),
    }
}

/// Into the data directory's store: built beside it, moved into place when complete.
fn import_dir(cfg: &Config, backend: Backend, path: &str) -> Result<String, String> {
    let target = cfg.data_dir.join("store");
    if target.exists() && std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} already holds a store: import into a new data directory (AERIE_DATA_DIR=...)",
            target.display()
        ));
    }
    let staging = cfg.data_dir.join("store.importing");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    }
    match import_into(cfg, backend, &staging, path) {
        Ok(entries) => {
            if target.exists() {
                std::fs::remove_dir(&target).map_err(|e| format!("{}: {e}", target.display()))?;
            }
            std::fs::rename(&staging, &target).map_err(|e| format!("{}: {e}", target.display()))?;
            Ok(format!(
                "imported {entries} entries from {path} into {}",
                target.display()
            ))
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

/// Into PostgreSQL: built in the schema `<schema>_importing`, renamed when complete.
fn import_postgres(cfg: &Config, opts: PostgresOptions, path: &str) -> Result<String, String> {
    if PostgresEngine::schema_exists(&opts).map_err(|e| e.to_string())? {
        return Err(format!(
            "schema {:?} already exists in the database: import into a new schema \
             (storage.postgres_schema) or drop that one first",
            opts.schema
        ));
    }
    let staging = PostgresOptions {
        schema: format!("{}_importing", opts.schema),
        ..opts.clone()
    };
    let drop_staging = || PostgresEngine::drop_schema(&staging).map_err(|e| e.to_string());
    drop_staging()?;
    let result = import_into(cfg, Backend::Postgres(staging.clone()), Path::new(""), path)
        .and_then(|entries| {
            PostgresEngine::rename_schema(&staging, &opts.schema).map_err(|e| e.to_string())?;
            Ok(entries)
        });
    match result {
        Ok(entries) => Ok(format!(
            "imported {entries} entries from {path} into schema {:?}",
            opts.schema
        )),
        Err(e) => {
            let _ = drop_staging();
            Err(e)
        }
    }
}

/// Opens a new store of `backend` at `dir`, fills it from the export at `path` and closes it;
/// returns the number of entries.
fn import_into(cfg: &Config, backend: Backend, dir: &Path, path: &str) -> Result<u64, String> {
    let store =
        aerie_storage::open(backend, dir, cfg.storage.durability).map_err(|e| e.to_string())?;
    let mut file =
        std::io::BufReader::new(std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?);
    let stats = store.import_from(&mut file).map_err(|e| e.to_string())?;
    store.flush().map_err(|e| e.to_string())?;
    Ok(stats.entries)
}
