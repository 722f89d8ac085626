//! Aerie's store: domain-level traits (one atomic writer, readers per domain), the normalized
//! operations they take, and the backends that implement them (fjall by default, PostgreSQL,
//! in-memory for tests). Callers open a store with [`open`] and use it through [`Store`].

pub mod accounts;
pub mod cbor;
pub mod datetime;
mod error;
pub mod facts;
pub mod kv;
pub mod model;
pub mod tid;
mod traits;

pub use accounts::*;
pub use error::{Error, Result};
pub use model::*;
pub use traits::*;

use std::path::Path;
use std::sync::Arc;

/// Which backend to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// fjall in a directory (the default).
    Fjall,
    /// Process memory; nothing persists.
    Memory,
    /// Tables in a PostgreSQL schema.
    Postgres(kv::postgres::PostgresOptions),
}

/// Opens a store. `path` is the fjall directory (ignored by the others).
pub fn open(backend: Backend, path: &Path, durability: Durability) -> Result<Arc<dyn Store>> {
    Ok(match backend {
        Backend::Fjall => {
            let engine = kv::fjall::FjallEngine::open(path, kv::fjall::FjallOptions::default())?;
            Arc::new(kv::KvStore::new(engine, durability)?)
        }
        Backend::Memory => Arc::new(kv::KvStore::new(
            kv::memory::MemoryEngine::default(),
            durability,
        )?),
        Backend::Postgres(opts) => Arc::new(kv::KvStore::new(
            kv::postgres::PostgresEngine::open(&opts)?,
            durability,
        )?),
    })
}
