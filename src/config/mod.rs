//! Configuration: built-in defaults, then `config/aerie.toml` (or `--config PATH`), then
//! `AERIE_*` environment variables (`__` separates nesting levels: `AERIE_JETSTREAM__URL`).
//! Unknown keys are reported so typos do not pass silently.

mod counts;
mod http;
mod labels;
mod load;
mod search;
mod tls;

pub use counts::{CountSource, CountsConfig};
pub use http::{HttpConfig, RateLimitConfig, RetentionConfig};
pub use labels::{LabelsConfig, BLUESKY_MODERATION};
pub use load::{load, ConfigError};
pub use search::SearchConfig;
pub use tls::{Challenge, TlsConfig, TlsMode};

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
    /// The public URL Aerie is reached at (its `did:web` document points PDSes here); unset =
    /// `http://<listen>`.
    pub public_url: Option<String>,
    /// Aerie's own DID, the audience service-auth tokens must name; unset =
    /// `did:web:<host of public_url>`.
    pub service_did: Option<String>,
    /// Local users (handles or DIDs): the people this Aerie serves.
    pub users: Vec<String>,
    /// What to keep: `follows` (local users, their follows, and what points at them) or
    /// `network` (everything the source sends).
    pub scope: Scope,
    /// Where live events come from: `jetstream` or `firehose`.
    pub source: SourceKind,
    /// The firehose source (`source = "firehose"`).
    pub firehose: FirehoseConfig,
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
    /// Logins and sessions.
    pub auth: AuthConfig,
    /// Log settings.
    pub log: LogConfig,
    /// Request limits and trusted proxies.
    pub http: HttpConfig,
    /// Per-IP rate limits.
    pub rate_limit: RateLimitConfig,
    /// DIDs of the people who may open `/admin`.
    pub admins: Vec<String>,
    /// HTTPS.
    pub tls: TlsConfig,
    /// Pruning old content outside the protected set.
    pub retention: RetentionConfig,
    /// The network's counts for what Aerie did not see.
    pub counts: CountsConfig,
    /// Labelers subscribed to.
    pub labels: LabelsConfig,
    /// The search index.
    pub search: SearchConfig,
}

/// Logins and sessions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// The server secret (32 bytes, base64) sealing users' PDS tokens; unset = made at first
    /// start and kept in `<data_dir>/secret.key`.
    pub secret_key: Option<String>,
    /// A user's PDS access token this close to expiry (seconds) is refreshed before use.
    pub pds_refresh_margin_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            secret_key: None,
            pds_refresh_margin_secs: 300,
        }
    }
}

/// What the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Local users, the accounts they follow, and every record pointing at them.
    #[default]
    Follows,
    /// Everything the source sends.
    Network,
}

/// Where live events come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Jetstream (JSON over WebSocket).
    #[default]
    Jetstream,
    /// `com.atproto.sync.subscribeRepos` of a relay or PDS (DAG-CBOR frames).
    Firehose,
}

/// The firehose source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FirehoseConfig {
    /// Base URL of a relay or PDS (`wss://bsky.network`); the XRPC path is appended.
    pub url: String,
}

impl FirehoseConfig {
    /// The XRPC path appended to `url`.
    pub const PATH: &'static str = "/xrpc/com.atproto.sync.subscribeRepos";

    /// The subscribe URL (what the cursor is stored with): `url` with the XRPC path appended.
    pub fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        match base.ends_with(Self::PATH) {
            true => base.to_string(),
            false => format!("{base}{}", Self::PATH),
        }
    }
}

impl Default for FirehoseConfig {
    fn default() -> Self {
        FirehoseConfig {
            url: "wss://bsky.network".into(),
        }
    }
}

/// Backfill from each account's PDS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BackfillConfig {
    /// Largest repository fetched with `com.atproto.sync.getRepo`, in bytes.
    pub max_repo_bytes: usize,
    /// Keep posts, likes and reposts at most this many days old from a backfill (0 = all).
    pub max_age_days: u64,
    /// Repositories fetched at once, overall.
    pub concurrency: usize,
    /// Repositories fetched at once from one PDS host.
    pub per_host: usize,
    /// Longest wait before retrying a failed fetch, in seconds.
    pub max_backoff_secs: u64,
    /// Time limit of one repository download, in seconds.
    pub timeout_secs: u64,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        BackfillConfig {
            max_repo_bytes: 256 << 20,
            max_age_days: 0,
            concurrency: 8,
            per_host: 2,
            max_backoff_secs: 3600,
            timeout_secs: 300,
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
    /// How long a resolved DID document or handle is trusted, in seconds.
    pub cache_ttl_secs: u64,
    /// How long a failed lookup is remembered, in seconds.
    pub negative_ttl_secs: u64,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            plc_url: "https://plc.directory".into(),
            handle_resolver: None,
            allow_private_addresses: false,
            timeout_secs: 10,
            max_response_bytes: 1 << 20,
            cache_ttl_secs: 3600,
            negative_ttl_secs: 60,
        }
    }
}

/// Storage settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// `fjall` (default), `postgres`, or `memory` (nothing persists; for trials).
    pub backend: String,
    /// `buffer` (default) or `sync`; see `config/aerie.toml` for what each risks.
    pub durability: aerie_storage::Durability,
    /// PostgreSQL connection URL (backend `postgres`).
    pub postgres_url: Option<String>,
    /// Schema holding Aerie's tables (backend `postgres`).
    pub postgres_schema: String,
    /// Connections to PostgreSQL (backend `postgres`).
    pub postgres_connections: usize,
    /// CA certificate (PEM) of the database server, for `sslmode=require` (backend `postgres`).
    pub postgres_ca_file: Option<PathBuf>,
    /// Megabytes of point reads Aerie keeps in memory (backend `postgres`).
    pub postgres_cache_mb: u64,
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
    /// `full` (every event, filtered here: the default) or `filtered` (only tracked accounts'
    /// events, through `wantedDids`).
    pub mode: JetstreamMode,
}

/// How much of Jetstream to subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JetstreamMode {
    /// The whole stream of the configured collections; the scope is applied here.
    #[default]
    Full,
    /// Only events of tracked accounts (`wantedDids`); replies, likes and follows by untracked
    /// accounts are not seen.
    Filtered,
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
            public_url: None,
            service_did: None,
            users: Vec::new(),
            scope: Scope::Follows,
            source: SourceKind::Jetstream,
            firehose: FirehoseConfig::default(),
            storage: StorageConfig::default(),
            jetstream: JetstreamConfig::default(),
            ingest: IngestConfig::default(),
            identity: IdentityConfig::default(),
            backfill: BackfillConfig::default(),
            auth: AuthConfig::default(),
            log: LogConfig::default(),
            http: HttpConfig::default(),
            rate_limit: RateLimitConfig::default(),
            admins: Vec::new(),
            tls: TlsConfig::default(),
            retention: RetentionConfig::default(),
            counts: CountsConfig::default(),
            labels: LabelsConfig::default(),
            search: SearchConfig::default(),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: "fjall".into(),
            durability: aerie_storage::Durability::Buffer,
            postgres_url: None,
            postgres_schema: "aerie".into(),
            postgres_connections: 4,
            postgres_ca_file: None,
            postgres_cache_mb: 64,
        }
    }
}

/// The collections Aerie indexes by default.
pub const DEFAULT_COLLECTIONS: [&str; 15] = [
    "app.bsky.feed.post",
    "app.bsky.feed.like",
    "app.bsky.feed.repost",
    "app.bsky.graph.follow",
    "app.bsky.graph.block",
    "app.bsky.actor.profile",
    "app.bsky.feed.generator",
    "app.bsky.feed.threadgate",
    "app.bsky.feed.postgate",
    "app.bsky.graph.list",
    "app.bsky.graph.listitem",
    "app.bsky.graph.listblock",
    "app.bsky.graph.starterpack",
    "app.bsky.labeler.service",
    "chat.bsky.actor.declaration",
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
            mode: JetstreamMode::Full,
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
            "postgres" => {
                let s = &self.storage;
                let url = s.postgres_url.clone().ok_or_else(|| {
                    ConfigError::Invalid(
                        "storage.backend = \"postgres\" needs storage.postgres_url \
                         (AERIE_STORAGE__POSTGRES_URL)"
                            .into(),
                    )
                })?;
                Ok(aerie_storage::Backend::Postgres(
                    aerie_storage::kv::postgres::PostgresOptions {
                        url,
                        schema: s.postgres_schema.clone(),
                        connections: s.postgres_connections.max(1),
                        ca_file: s.postgres_ca_file.clone(),
                        cache_bytes: s.postgres_cache_mb << 20,
                    },
                ))
            }
            other => Err(ConfigError::Invalid(format!(
                "storage.backend: unknown backend {other:?} (fjall, postgres, memory)"
            ))),
        }
    }

    /// The public URL (no trailing slash): `public_url`, else `https://<first tls.domains>` when
    /// TLS is on, else `http://<listen>`.
    pub fn public_url(&self) -> String {
        match (&self.public_url, self.tls.mode, self.tls.domains.first()) {
            (Some(u), _, _) => u.trim_end_matches('/').to_string(),
            (None, TlsMode::Acme | TlsMode::Files, Some(domain)) => match self.tls.listen.port() {
                443 => format!("https://{domain}"),
                port => format!("https://{domain}:{port}"),
            },
            (None, _, _) => format!("http://{}", self.listen),
        }
    }

    /// Aerie's DID: `service_did`, else `did:web:` + the public URL's host (a port, as on test
    /// networks, encoded as `%3A`).
    pub fn service_did(&self) -> String {
        if let Some(d) = &self.service_did {
            return d.clone();
        }
        let url = self.public_url();
        let host = url::Url::parse(&url)
            .ok()
            .and_then(|u| {
                let h = u.host_str()?.to_string();
                Some(match u.port() {
                    Some(p) => format!("{h}%3A{p}"),
                    None => h,
                })
            })
            .unwrap_or_else(|| "localhost".into());
        format!("did:web:{host}")
    }

    /// The endpoint of the configured source, stored beside the cursor.
    pub fn endpoint(&self) -> String {
        match self.source {
            SourceKind::Jetstream => self.jetstream.url.clone(),
            SourceKind::Firehose => self.firehose.endpoint(),
        }
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.backend()?;
        if let Some(bad) = self
            .labels
            .labelers
            .iter()
            .find(|d| !crate::util::syntax::is_did(d))
        {
            return Err(ConfigError::Invalid(format!(
                "labels.labelers: {bad:?} is not a DID"
            )));
        }
        if let Some(url) = self.counts.url() {
            if url::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError::Invalid(format!(
                    "counts: {url:?} is not an http(s) URL"
                )));
            }
        }
        if let Some(url) = self.search.people_url() {
            if url::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError::Invalid(format!(
                    "search.people_appview_url: {url:?} is not an http(s) URL"
                )));
            }
        }
        if self.search.writer_memory_mb < 15 {
            return Err(ConfigError::Invalid(
                "search.writer_memory_mb: at least 15".into(),
            ));
        }
        if !(10..=500).contains(&self.search.commit_interval_ms) {
            return Err(ConfigError::Invalid(
                "search.commit_interval_ms: between 10 and 500".into(),
            ));
        }
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
        if self.backfill.concurrency == 0 || self.backfill.per_host == 0 {
            return Err(ConfigError::Invalid(
                "backfill.concurrency and backfill.per_host must be positive".into(),
            ));
        }
        for u in &self.users {
            let u = u.strip_prefix('@').unwrap_or(u);
            if !(crate::util::syntax::is_did(u) || crate::util::syntax::is_handle(u)) {
                return Err(ConfigError::Invalid(format!(
                    "users: {u:?} is neither a handle nor a DID"
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
