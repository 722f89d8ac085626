//! One PostgreSQL connection of the engine: the schema's tables (one per keyspace, `k bytea`
//! primary key, `v bytea`), the statements prepared on it, and the store's single-writer lock.

use super::super::Ks;
use crate::{Error, Result};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;

/// Advisory-lock class of Aerie's per-schema lock (`'AERI'`).
const LOCK_CLASS: i32 = 0x4145_5249;

/// Which statement: a point read, a range scan (lower bound inclusive or not, an upper bound
/// or none, direction), or a batch write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Query {
    Get,
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

/// A PostgreSQL error with what was being done.
pub(super) fn pg(what: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
    move |e| {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| e.to_string());
        Error::Engine(format!("postgres: {what}: {detail}"))
    }
}

impl Conn {
    /// Connects; the first connection of a store also creates the tables and takes the lock.
    pub fn open(config: &postgres::Config, schema: &str, first: bool) -> Result<Conn> {
        let mut client = config.connect(NoTls).map_err(pg("connect"))?;
        if first {
            let locked: bool = client
                .query_one(
                    "SELECT pg_try_advisory_lock($1, hashtext($2))",
                    &[&LOCK_CLASS, &schema],
                )
                .map_err(pg("lock"))?
                .get(0);
            if !locked {
                return Err(Error::Engine(format!(
                    "postgres: another Aerie is using schema {schema:?} of this database"
                )));
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
