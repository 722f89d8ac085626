//! One PostgreSQL connection of the engine: the schema's tables (one per keyspace, `k bytea`
//! primary key, `v bytea`), the statements prepared on it, and the store's single-writer lock.

use super::super::Ks;
use crate::{Error, Result};
use postgres::config::SslMode;
use postgres::{Client, NoTls, Statement};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::collections::HashMap;
use std::path::Path;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Which statement: a point read, a range scan (lower bound inclusive or not, an upper bound
/// or none, direction), or a batch write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Query {
    Get,
    GetMany,
    Range {
        after: bool,
        bounded: bool,
        desc: bool,
    },
    Delete,
    Upsert,
}

pub(super) struct Conn {
    pub client: Client,
    schema: String,
    prepared: HashMap<(Ks, Query), Statement>,
}

/// A PostgreSQL error with what was being done. The server out of room or failing its I/O
/// (SQLSTATE classes 53 and 58) is an `Error::Write`: the transaction was rolled back, and a
/// later one may succeed.
pub(super) fn pg(what: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
    move |e| {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        let message = format!("postgres: {what}: {detail}");
        let code = e.code().map(|c| c.code()).unwrap_or("");
        match code.starts_with("53") || code.starts_with("58") {
            true => Error::Write(message),
            false => Error::Engine(message),
        }
    }
}

/// How connections are made: plain, or (`sslmode=require`) TLS with the server's certificate
/// verified against the public roots and the configured CA file.
#[derive(Clone)]
pub(crate) enum Connector {
    Plain,
    Tls(MakeRustlsConnect),
}

impl Connector {
    pub fn new(config: &postgres::Config, ca_file: Option<&Path>) -> Result<Connector> {
        if config.get_ssl_mode() != SslMode::Require {
            return Ok(Connector::Plain);
        }
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = ca_file {
            let bad =
                |e: String| Error::Engine(format!("postgres CA file {}: {e}", path.display()));
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
                roots
                    .add(cert.map_err(|e| bad(e.to_string()))?)
                    .map_err(|e| bad(e.to_string()))?;
            }
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Engine(format!("postgres TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Connector::Tls(MakeRustlsConnect::new(tls)))
    }

    pub fn connect(&self, config: &postgres::Config) -> Result<Client> {
        match self {
            Connector::Plain => config.connect(NoTls),
            Connector::Tls(tls) => config.connect(tls.clone()),
        }
        .map_err(pg("connect"))
    }
}

impl Conn {
    /// Whether this connection is gone, asked after a job on it failed: closed, or (the
    /// server ending the session — a restart, `pg_terminate_backend` — answers the query in
    /// flight with an error before the client sees the socket close) no longer answering.
    pub fn lost(&mut self) -> bool {
        self.client.is_closed()
            || self
                .client
                .is_valid(std::time::Duration::from_secs(5))
                .is_err()
    }

    /// Connects; the first connection of a store also creates the tables and takes the lock.
    pub fn open(
        connector: &Connector,
        config: &postgres::Config,
        schema: &str,
        first: bool,
    ) -> Result<Conn> {
        let mut client = connector.connect(config)?;
        if first {
            if !super::lock::take(&mut client, schema)? {
                return Err(super::lock::taken(schema));
            }
            let mut ddl = format!("CREATE SCHEMA IF NOT EXISTS {schema};");
            for ks in Ks::ALL {
                ddl.push_str(&format!(
                    "CREATE TABLE IF NOT EXISTS {schema}.{} (k bytea PRIMARY KEY, v bytea NOT NULL);",
                    ks.name()
                ));
            }
            client.batch_execute(&ddl).map_err(pg("create tables"))?;
        }
        Ok(Conn {
            client,
            schema: schema.to_string(),
            prepared: HashMap::new(),
        })
    }

    /// The statement for `q` on keyspace `ks`, prepared once per connection.
    pub fn statement(&mut self, ks: Ks, q: Query) -> Result<Statement> {
        if let Some(s) = self.prepared.get(&(ks, q)) {
            return Ok(s.clone());
        }
        let t = format!("{}.{}", self.schema, ks.name());
        let sql = match q {
            Query::Get => format!("SELECT v FROM {t} WHERE k = $1"),
            Query::GetMany => format!("SELECT k, v FROM {t} WHERE k = ANY($1)"),
            Query::Range {
                after,
                bounded,
                desc,
            } => format!(
                "SELECT k, v FROM {t} WHERE k {} $1{} ORDER BY k{} LIMIT $3",
                if after { ">" } else { ">=" },
                if bounded {
                    " AND k < $2"
                } else {
                    " AND $2::bytea IS NULL"
                },
                if desc { " DESC" } else { "" },
            ),
            Query::Delete => format!("DELETE FROM {t} WHERE k = ANY($1)"),
            Query::Upsert => format!(
                "INSERT INTO {t} (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
                 ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
            ),
        };
        let s = self.client.prepare(&sql).map_err(pg("prepare"))?;
        self.prepared.insert((ks, q), s.clone());
        Ok(s)
    }
}
