//! One Aerie per schema: a session advisory lock, held by a connection of its own and checked
//! every `CHECK`. Every batch checks, inside its transaction, that this session still holds
//! it. Lost with its connection (the server restarted, or ended the session), it is taken
//! again while batches wait; if another Aerie took it meanwhile, this store stops committing
//! (the writer stops and Aerie exits) rather than write beside it.

use super::conn::{pg, Conn, Connector};
use crate::{Error, Result};
use postgres::Client;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Advisory-lock class of Aerie's per-schema lock (`'AERI'`).
const CLASS: i32 = 0x4145_5249;
/// How long taking the lock waits for a previous holder: a crashed Aerie's session can
/// outlive it for a moment, until the server sees the connection gone.
const WAIT: Duration = Duration::from_secs(15);
/// How often the holding connection is checked.
const CHECK: Duration = Duration::from_secs(2);

/// Takes the schema's lock, waiting up to `WAIT` for a previous holder to go; `false` if
/// another session still holds it then.
pub(super) fn take(client: &mut Client, schema: &str) -> Result<bool> {
    let deadline = Instant::now() + WAIT;
    loop {
        let locked: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1, hashtext($2))",
                &[&CLASS, &schema],
            )
            .map_err(pg("lock"))?
            .get(0);
        if locked || Instant::now() >= deadline {
            return Ok(locked);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The error of a schema another Aerie holds.
pub(super) fn taken(schema: &str) -> Error {
    Error::Engine(format!(
        "postgres: another Aerie is using schema {schema:?} of this database"
    ))
}

/// The holding session's backend pid (`None` while it is being taken again), or lost.
#[derive(Default)]
struct State {
    pid: Option<i32>,
    lost: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

fn set(shared: &Shared, change: impl FnOnce(&mut State)) {
    if let Ok(mut s) = shared.0.lock() {
        change(&mut s);
        shared.1.notify_all();
    }
}

/// The held lock; released when dropped (its thread ends and closes the connection).
pub(super) struct Lock {
    shared: Shared,
    schema: String,
    _stop: Sender<()>,
}

impl Lock {
    /// Keeps the lock `conn` took (its session is `pid`), on a thread of its own.
    pub fn keep(
        conn: Conn,
        pid: i32,
        connector: Connector,
        config: postgres::Config,
        schema: &str,
    ) -> Lock {
        let shared: Shared = Arc::new((
            Mutex::new(State {
                pid: Some(pid),
                lost: false,
            }),
            Condvar::new(),
        ));
        let (stop, stopped) = mpsc::channel::<()>();
        let (state, name) = (shared.clone(), schema.to_string());
        let spawned = std::thread::Builder::new()
            .name("aerie-pg-lock".into())
            .spawn(move || {
                let mut conn = Some(conn);
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECK) {
                    let alive = conn
                        .as_mut()
                        .is_some_and(|c| c.client.simple_query("SELECT 1").is_ok());
                    if alive {
                        continue;
                    }
                    conn = None;
                    set(&state, |s| s.pid = None);
                    match retake(&connector, &config, &name) {
                        Ok(Some((c, pid))) => {
                            tracing::info!(schema = %name, "postgres: schema lock taken again");
                            conn = Some(c);
                            set(&state, |s| s.pid = Some(pid));
                        }
                        Ok(None) => {
                            tracing::error!(schema = %name, "{}", taken(&name));
                            set(&state, |s| s.lost = true);
                            return;
                        }
                        Err(e) => tracing::warn!(error = %e, "postgres: schema lock connection"),
                    }
                }
            });
        if spawned.is_err() {
            set(&shared, |s| s.lost = true);
        }
        Lock {
            shared,
            schema: schema.to_string(),
            _stop: stop,
        }
    }

    /// The session holding the lock for this store, other than `stale` (one found not to
    /// hold it any more): waits while the lock is being taken again; an error once another
    /// Aerie has it, or when it could not be had in time.
    pub fn holder(&self, stale: Option<i32>) -> Result<i32> {
        let (state, changed) = &*self.shared;
        let deadline = Instant::now() + WAIT + CHECK * 3;
        let mut s = state.lock().map_err(|_| taken(&self.schema))?;
        loop {
            if s.lost {
                return Err(taken(&self.schema));
            }
            if let Some(pid) = s.pid.filter(|p| Some(*p) != stale) {
                return Ok(pid);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Engine(format!(
                    "postgres: the lock on schema {:?} could not be taken again",
                    self.schema
                )));
            }
            s = changed
                .wait_timeout(s, left.min(Duration::from_millis(200)))
                .map_err(|_| taken(&self.schema))?
                .0;
        }
    }
}

/// The backend pid of a connection's session.
pub(super) fn backend_pid(client: &mut Client) -> Result<i32> {
    Ok(client
        .query_one("SELECT pg_backend_pid()", &[])
        .map_err(pg("lock"))?
        .get(0))
}

/// Whether the session `pid` holds an advisory lock (the schema's: the lock's connection holds
/// no other), asked inside a batch's transaction.
pub(super) const HELD_BY: &str = "SELECT EXISTS (SELECT 1 FROM pg_locks \
     WHERE locktype = 'advisory' AND pid = $1 AND granted)";

/// A new connection holding the lock, and its session; `None` if another session holds it.
fn retake(
    connector: &Connector,
    config: &postgres::Config,
    schema: &str,
) -> Result<Option<(Conn, i32)>> {
    let mut conn = Conn::open(connector, config, schema, false)?;
    if !take(&mut conn.client, schema)? {
        return Ok(None);
    }
    let pid = backend_pid(&mut conn.client)?;
    Ok(Some((conn, pid)))
}
