//! The PostgreSQL engine: for people who want Aerie's data in a database they already run and
//! back up. The same ordered key-value layout as fjall (see `fjall.rs`), one table per
//! keyspace in one schema: `<schema>.<keyspace> (k bytea PRIMARY KEY, v bytea NOT NULL)`.
//! bytea compares bytewise, so key order is the same; a prefix scan is a primary-key range.
//! A batch is one transaction (`synchronous_commit = off` for `Durability::Buffer`: a server
//! crash can lose the last moments of batches, data and cursor together). One Aerie per
//! schema, enforced by a session advisory lock.

mod batch;
mod cache;
mod conn;
mod dump;
mod lock;
mod pool;

use super::{Engine, Ks, KvPair, KvWrite};
use crate::model::Durability;
use crate::{Error, Result};
use batch::{commit_on, each_write, group};
use conn::{pg, Connector, Query};
use std::collections::HashMap;
use std::str::FromStr;

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Bytes of point reads kept in memory (0 = none).
    pub cache_bytes: u64,
    /// `postgres://user:password@host:port/database` (or the key=value form).
    pub url: String,
    /// Schema holding Aerie's tables (created if missing).
    pub schema: String,
    /// Connections (each on its own thread).
    pub connections: usize,
    /// PEM file of the CA that signed the server's certificate (`sslmode=require`), if not a
    /// public one.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            cache_bytes: 64 << 20,
            url: String::new(),
            schema: "aerie".into(),
            connections: 4,
            ca_file: None,
        }
    }
}

/// Tables of one schema, reached through a small pool of connections.
pub struct PostgresEngine {
    pool: pool::Pool,
    cache: cache::ReadCache,
    schema: String,
    location: String,
}

/// Whether `s` is a plain lowercase SQL identifier (used unquoted in statements).
fn valid_schema(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 63
}

fn parse(opts: &PostgresOptions) -> Result<postgres::Config> {
    if !valid_schema(&opts.schema) {
        return Err(Error::Engine(format!(
            "postgres schema {:?}: use lowercase letters, digits and _",
            opts.schema
        )));
    }
    let mut config = postgres::Config::from_str(&opts.url)
        .map_err(|e| Error::Engine(format!("postgres url: {e}")))?;
    if config.get_application_name().is_none() {
        config.application_name("aerie");
    }
    Ok(config)
}

/// The URL without its password, for messages.
fn describe(config: &postgres::Config, schema: &str) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{} (schema {schema})",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

/// The first key after every key starting with `prefix`, if there is one.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut p = prefix.to_vec();
    while let Some(last) = p.pop() {
        if last < 0xFF {
            p.push(last + 1);
            return Some(p);
        }
    }
    None
}

impl PostgresEngine {
    /// Connects, creates the schema's tables if missing and takes the schema's lock.
    pub fn open(opts: &PostgresOptions) -> Result<Self> {
        let config = parse(opts)?;
        let location = describe(&config, &opts.schema);
        let connector = Connector::new(&config, opts.ca_file.as_deref())?;
        let pool = pool::Pool::start(connector, config, opts.schema.clone(), opts.connections)?;
        Ok(PostgresEngine {
            pool,
            cache: cache::ReadCache::new(opts.cache_bytes),
            schema: opts.schema.clone(),
            location,
        })
    }

    /// Rows of `ks` with `lower <= k` (or `lower < k` when `after`), `k < upper` when given.
    fn range(
        &self,
        ks: Ks,
        lower: Vec<u8>,
        after: bool,
        upper: Option<Vec<u8>>,
        desc: bool,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        if limit == 0 || upper.as_ref().is_some_and(|u| *u <= lower) {
            return Ok(vec![]);
        }
        let q = Query::Range {
            after,
            bounded: upper.is_some(),
            desc,
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.pool.read(move |c| {
            let s = c.statement(ks, q)?;
            let rows = c
                .client
                .query(&s, &[&lower, &upper, &limit])
                .map_err(pg("scan"))?;
            Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    /// Drops a schema and everything in it (a failed import's staging schema).
    pub fn drop_schema(opts: &PostgresOptions) -> Result<()> {
        Self::admin(
            opts,
            format!("DROP SCHEMA IF EXISTS {} CASCADE", opts.schema),
        )
    }

    /// Renames the schema of `opts` to `to`, which must not exist (a finished import).
    pub fn rename_schema(opts: &PostgresOptions, to: &str) -> Result<()> {
        if !valid_schema(to) {
            return Err(Error::Engine(format!("postgres schema {to:?}: invalid")));
        }
        Self::admin(opts, format!("ALTER SCHEMA {} RENAME TO {to}", opts.schema))
    }

    /// Whether the schema of `opts` exists.
    pub fn schema_exists(opts: &PostgresOptions) -> Result<bool> {
        Self::with_client(opts, |c| {
            let row = c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                    &[&opts.schema],
                )
                .map_err(pg("schema"))?;
            Ok(row.get(0))
        })
    }

    fn admin(opts: &PostgresOptions, sql: String) -> Result<()> {
        Self::with_client(opts, |c| c.batch_execute(&sql).map_err(pg("schema")))
    }

    /// `f` on one connection outside any store (schema administration).
    fn with_client<T: Send>(
        opts: &PostgresOptions,
        f: impl FnOnce(&mut postgres::Client) -> Result<T> + Send,
    ) -> Result<T> {
        let config = parse(opts)?;
        let connector = Connector::new(&config, opts.ca_file.as_deref())?;
        pool::outside_runtime(|| f(&mut connector.connect(&config)?))
    }
}

impl Engine for PostgresEngine {
    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(hit) = self.cache.get(ks, key) {
            return Ok(hit);
        }
        let epoch = self.cache.epoch();
        let k = key.to_vec();
        let value = self.pool.read(move |c| {
            let s = c.statement(ks, Query::Get)?;
            let row = c.client.query_opt(&s, &[&k]).map_err(pg("read"))?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })?;
        self.cache.fill(epoch, ks, key.to_vec(), value.clone());
        Ok(value)
    }

    fn scan_desc(
        &self,
        ks: Ks,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        let upper = match (before, successor(prefix)) {
            (Some(b), Some(s)) => Some(b.min(&s).to_vec()),
            (Some(b), None) => Some(b.to_vec()),
            (None, s) => s,
        };
        self.range(ks, prefix.to_vec(), false, upper, true, limit)
    }

    fn scan_asc(
        &self,
        ks: Ks,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>> {
        let upper = successor(prefix);
        match after {
            Some(a) if a >= prefix => self.range(ks, a.to_vec(), true, upper, false, limit),
            _ => self.range(ks, prefix.to_vec(), false, upper, false, limit),
        }
    }

    fn commit(&self, writes: Vec<KvWrite>, durability: Durability) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let grouped = std::sync::Arc::new(group(writes));
        let mut holder = self.pool.lock_holder(None)?;
        // A batch finding the lock's session gone waits for it to be taken again, once.
        for _ in 0..2 {
            let batch = grouped.clone();
            match self
                .pool
                .retrying(move |c| commit_on(c, &batch, durability, holder))
            {
                Ok(true) => {
                    self.cache.committed(each_write(&grouped));
                    return Ok(());
                }
                Ok(false) => holder = self.pool.lock_holder(Some(holder))?,
                Err(e) => {
                    self.cache.forget_all();
                    return Err(e);
                }
            }
        }
        Err(Error::Engine(
            "postgres: the schema's lock keeps changing hands".into(),
        ))
    }

    fn persist(&self) -> Result<()> {
        // A synchronous commit that writes a commit record flushes the WAL of every earlier
        // asynchronous one.
        self.pool.read(|c| {
            let mut tx = c.client.transaction().map_err(pg("begin"))?;
            tx.query_one("SELECT txid_current()", &[])
                .map_err(pg("persist"))?;
            tx.commit().map_err(pg("persist"))
        })
    }

    fn disk_bytes(&self) -> u64 {
        let schema = self.schema.clone();
        self.pool
            .read(move |c| {
                let row = c
                    .client
                    .query_one(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 \
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                         WHERE n.nspname = $1 AND c.relkind = 'r'",
                        &[&schema],
                    )
                    .map_err(pg("size"))?;
                Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
            })
            .unwrap_or(0)
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn parallelism(&self) -> usize {
        self.pool.size()
    }

    fn round_trips(&self) -> bool {
        true
    }

    fn prefetch(&self, ks: Ks, mut keys: Vec<Vec<u8>>) -> Result<()> {
        if !self.cache.enabled() {
            return Ok(());
        }
        keys.retain(|k| !self.cache.has(ks, k));
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return Ok(());
        }
        let epoch = self.cache.epoch();
        let wanted = keys.clone();
        let mut found: HashMap<Vec<u8>, Vec<u8>> = self.pool.read(move |c| {
            let s = c.statement(ks, Query::GetMany)?;
            let rows = c.client.query(&s, &[&wanted]).map_err(pg("read"))?;
            Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
        })?;
        for k in keys {
            let v = found.remove(&k);
            self.cache.fill(epoch, ks, k, v);
        }
        Ok(())
    }

    fn dump(&self, f: &mut super::DumpSink<'_>) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Ks, Vec<KvPair>)>(4);
        let schema = self.schema.clone();
        let done = self.pool.submit(move |c| dump::dump_on(c, &schema, &tx))?;
        // Rows arrive while the connection reads them; the channel closes when it is done.
        for (ks, rows) in rx {
            for (k, v) in rows {
                // On an error here the receiver is dropped, which stops the reading side.
                f(ks, &k, &v)?;
            }
        }
        done.recv()
            .map_err(|_| Error::Engine("postgres: dump stopped".into()))?
    }
}
