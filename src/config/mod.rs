//! Configuration: built-in defaults, then `config/aerie.toml` (or `--config PATH`), then
//! `AERIE_*` environment variables (`__` separates nesting levels: `AERIE_JETSTREAM__URL`).
//! Unknown keys are reported so typos do not pass silently.

mod load;

pub use load::{load, ConfigError};

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything Aerie can be configured with. `config/aerie.toml` documents every key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// Base URL of the image CDN used in views.
    pub cdn_base: String,
    /// Storage settings.
    pub storage: StorageConfig,
    /// Jetstream subscription.
    pub jetstream: JetstreamConfig,
    /// Ingest pipeline tuning.
    pub ingest: IngestConfig,
    /// Identity resolution.
    pub identity: IdentityConfig,
    /// Backfill from each account's PDS.
    pub backfill: BackfillConfig,
    /// Log settings.
    pub log: LogConfig,
}

/// Backfill from each account's PDS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BackfillConfig {
    /// Largest repository fetched with `com.atproto.sync.getRepo`, in bytes.
    pub max_repo_bytes: usize,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        BackfillConfig {
            max_repo_bytes: 256 << 20,
        }
    }
}

/// Identity resolution (DIDs and handles).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityConfig {
    /// PLC directory for `did:plc`.
    pub plc_url: String,
    /// An XRPC service answering `com.atproto.identity.resolveHandle`, used instead of DNS and
    /// `.well-known` (for networks whose handles do not resolve publicly).
    pub handle_resolver: Option<String>,
    /// Allow fetches to private, loopback and link-local addresses, and plain http (tests).
    pub allow_private_addresses: bool,
    /// Time limit of one fetch, in seconds.
    pub timeout_secs: u64,
    /// Size limit of one response, in bytes.
    pub max_response_bytes: usize,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            plc_url: "https://plc.directory".into(),
            handle_resolver: None,
            allow_private_addresses: false,
            timeout_secs: 10,
            max_response_bytes: 1 << 20,
        }
    }
}

/// Storage settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// `fjall` (default) or `memory` (nothing persists; for trials).
    pub backend: String,
    /// `buffer` (default) or `sync`; see `config/aerie.toml` for what each risks.
    pub durability: aerie_storage::Durability,
}

/// Jetstream subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct JetstreamConfig {
    /// WebSocket URL of the `/subscribe` endpoint.
    pub url: String,
    /// Collections to subscribe to (NSIDs, or prefixes ending in `.*`).
    pub collections: Vec<String>,
    /// Ask for zstd-compressed frames (needs `zstd_dictionary`).
    pub compress: bool,
    /// Path of the Jetstream zstd dictionary file.
    pub zstd_dictionary: Option<PathBuf>,
    /// Where to start when the store has no cursor: unset = now, `0` = oldest kept, else µs.
    pub initial_cursor: Option<i64>,
    /// Seconds to rewind from the committed cursor when (re)connecting.
    pub rewind_secs: u64,
    /// Reconnect when nothing arrives for this many seconds.
    pub liveness_timeout_secs: u64,
    /// Longest wait between reconnect attempts, in seconds.
    pub max_backoff_secs: u64,
    /// Largest accepted record, in bytes of JSON.
    pub max_record_bytes: usize,
    /// How long the source keeps events; a saved cursor older than this is a gap.
    pub retention_secs: u64,
    /// A first event this many seconds past the cursor asked for is a gap (a clamped cursor).
    pub gap_threshold_secs: u64,
}

/// Ingest pipeline tuning.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestConfig {
    /// Run the Jetstream consumer in `serve` (false = read-only server).
    pub enabled: bool,
    /// Commit after this many events...
    pub batch_size: usize,
    /// ...or after this many milliseconds, whichever comes first.
    pub batch_ms: u64,
    /// Capacity of the reader → writer channel, in events.
    pub channel_capacity: usize,
}

/// Log settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// Filter when `RUST_LOG` is unset.
    pub level: String,
    /// Emit JSON lines instead of text.
    pub json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cdn_base: "https://cdn.bsky.app".into(),
            storage: StorageConfig::default(),
            jetstream: JetstreamConfig::default(),
            ingest: IngestConfig::default(),
            identity: IdentityConfig::default(),
            backfill: BackfillConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: "fjall".into(),
            durability: aerie_storage::Durability::Buffer,
        }
    }
}

/// The collections Aerie indexes by default.
pub const DEFAULT_COLLECTIONS: [&str; 6] = [
    "app.bsky.feed.post",
    "app.bsky.feed.like",
    "app.bsky.feed.repost",
    "app.bsky.graph.follow",
    "app.bsky.graph.block",
    "app.bsky.actor.profile",
];

impl Default for JetstreamConfig {
    fn default() -> Self {
        JetstreamConfig {
            url: "wss://jetstream2.us-east.bsky.network/subscribe".into(),
            collections: DEFAULT_COLLECTIONS.iter().map(|s| s.to_string()).collect(),
            compress: false,
            zstd_dictionary: None,
            initial_cursor: None,
            rewind_secs: 5,
            liveness_timeout_secs: 60,
            max_backoff_secs: 60,
            max_record_bytes: 64 * 1024,
            retention_secs: 86_400,
            gap_threshold_secs: 60,
        }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            enabled: true,
            batch_size: 2000,
            batch_ms: 200,
            channel_capacity: 20_000,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            json: false,
        }
    }
}

impl Config {
    /// The storage backend named in the config.
    pub fn backend(&self) -> Result<aerie_storage::Backend, ConfigError> {
        match self.storage.backend.as_str() {
            "fjall" => Ok(aerie_storage::Backend::Fjall),
            "memory" => Ok(aerie_storage::Backend::Memory),
            other => Err(ConfigError::Invalid(format!(
                "storage.backend: unknown backend {other:?} (fjall, memory)"
            ))),
        }
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.backend()?;
        if self.jetstream.compress && self.jetstream.zstd_dictionary.is_none() {
            return Err(ConfigError::Invalid(
                "jetstream.compress needs jetstream.zstd_dictionary".into(),
            ));
        }
        if self.jetstream.collections.len() > 100 {
            return Err(ConfigError::Invalid(
                "jetstream.collections: at most 100 entries".into(),
            ));
        }
        for c in &self.jetstream.collections {
            let name = c.strip_suffix(".*").unwrap_or(c);
            let prefix_ok = c.ends_with(".*") && !name.is_empty() && !name.contains('*');
            if !(crate::util::syntax::is_nsid(name) || prefix_ok) {
                return Err(ConfigError::Invalid(format!(
                    "jetstream.collections: {c:?} is not an NSID or NSID prefix"
                )));
            }
        }
        if self.ingest.batch_size == 0 || self.ingest.channel_capacity == 0 {
            return Err(ConfigError::Invalid(
                "ingest.batch_size and ingest.channel_capacity must be positive".into(),
            ));
        }
        Ok(())
    }
}
