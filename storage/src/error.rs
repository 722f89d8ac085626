//! The storage crate's error type.

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded engine failed (I/O, corruption, ...).
    #[error("storage engine: {0}")]
    Engine(String),
    /// A write could not be made for a reason outside the store that may pass: the disk is full,
    /// a device reported an I/O error, the database server ran out of space. The batch may be
    /// applied again (writes are gated by rev, so one that was kept after all changes nothing);
    /// the store takes writes again once the cause is gone.
    #[error("storage write failed: {0}")]
    Write(String),
    /// The store on disk was written by another schema version.
    #[error(
        "the store in {path} has schema version {found}, newer than this Aerie's {expected}: \
         run the Aerie release that wrote it (downgrades are not supported), or restore into a \
         new data directory a backup made with this release (aerie import)"
    )]
    SchemaMismatch {
        /// Where the store lives.
        path: String,
        /// Version found on disk.
        found: u32,
        /// Version this build writes.
        expected: u32,
    },
    /// A stored value could not be decoded.
    #[error("corrupt stored value in {0}")]
    Corrupt(&'static str),
    /// A caller passed a cursor this store did not produce.
    #[error("invalid pagination cursor")]
    BadCursor,
}

impl From<fjall::Error> for Error {
    fn from(e: fjall::Error) -> Self {
        Error::Engine(e.to_string())
    }
}

/// Result alias for the storage crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
