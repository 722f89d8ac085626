//! `aerie export` and `aerie import`: the whole store as one compressed stream (see the storage
//! crate's `kv/backup.rs` for the format). Export reads one consistent snapshot; the CLI needs
//! Aerie stopped (the store is locked while it runs; a running Aerie exports at `/admin/export`).
//! Import builds the store beside the data directory's and moves it into place only when
//! complete, so a failed import leaves nothing half-done.

use crate::config::Config;
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

/// `aerie import <path>`: fills an empty data directory's store from an export.
pub fn import(cfg: &Config, path: &str) -> Result<String, String> {
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
    let result = import_into(cfg, &staging, path);
    match result {
        Ok(summary) => {
            if target.exists() {
                std::fs::remove_dir(&target).map_err(|e| format!("{}: {e}", target.display()))?;
            }
            std::fs::rename(&staging, &target).map_err(|e| format!("{}: {e}", target.display()))?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn import_into(cfg: &Config, dir: &Path, path: &str) -> Result<String, String> {
    let backend = cfg.backend().map_err(|e| e.to_string())?;
    let store =
        aerie_storage::open(backend, dir, cfg.storage.durability).map_err(|e| e.to_string())?;
    let mut file =
        std::io::BufReader::new(std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?);
    let stats = store.import_from(&mut file).map_err(|e| e.to_string())?;
    store.flush().map_err(|e| e.to_string())?;
    Ok(format!(
        "imported {} entries from {path} into {}",
        stats.entries,
        cfg.data_dir.join("store").display()
    ))
}
