//! The engine's connections, each owned by its own thread. The synchronous client runs a
//! runtime of its own, which must not be entered from an async task, so callers hand work to
//! these threads and wait for the answer; a lost connection is opened again for the next job.

use super::conn::{Conn, Connector};
use super::lock::Lock;
use crate::{Error, Result};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce(Result<&mut Conn>) + Send>;

/// What a job that may run again answered.
pub(super) enum Outcome<T> {
    /// Its answer.
    Done(Result<T>),
    /// The connection was lost before the job had any effect: worth running on a new one.
    Again(Error),
}

/// Threads holding the connections, fed by one queue.
pub(super) struct Pool {
    jobs: Sender<Job>,
    size: usize,
    lock: Lock,
}

fn gone() -> Error {
    Error::Engine("postgres: the connection threads have stopped".into())
}

impl Pool {
    /// Opens the first connection here (so a bad URL, a missing server or a second Aerie on
    /// the schema fails the open), which keeps the schema's lock, and starts `size` threads
    /// whose connections open on first use.
    pub fn start(
        connector: Connector,
        config: postgres::Config,
        schema: String,
        size: usize,
    ) -> Result<Pool> {
        let (first, pid) = outside_runtime(|| {
            let mut c = Conn::open(&connector, &config, &schema, true)?;
            let pid = super::lock::backend_pid(&mut c.client)?;
            Ok((c, pid))
        })?;
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let lock = Lock::keep(first, pid, connector.clone(), config.clone(), &schema);
        for i in 0..size.max(1) {
            let (config, schema, rx) = (config.clone(), schema.clone(), rx.clone());
            let connector = connector.clone();
            std::thread::Builder::new()
                .name(format!("aerie-pg-{i}"))
                .spawn(move || serve(&connector, &config, &schema, &rx))
                .map_err(|e| Error::Engine(format!("postgres: thread: {e}")))?;
        }
        Ok(Pool {
            jobs: tx,
            size: size.max(1),
            lock,
        })
    }

    /// Connections (one per thread).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The session holding this store's schema lock (see `Lock::holder`).
    pub fn lock_holder(&self, stale: Option<i32>) -> Result<i32> {
        self.lock.holder(stale)
    }

    /// Runs `f` on a connection and waits for its answer.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.submit(f)?.recv().map_err(|_| gone())?
    }

    /// Runs a read (`f` has no effect but its answer), again on a new connection when the
    /// one it ran on was found lost (the server restarted, or ended the session): readers see
    /// no error for it.
    pub fn read<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Conn) -> Result<T> + Send + Sync + 'static,
    ) -> Result<T> {
        self.retrying(move |c| match f(c) {
            Err(e) if c.lost() => Outcome::Again(e),
            other => Outcome::Done(other),
        })
    }

    /// Runs `f`, again (once per connection at most) while it answers `Again`.
    pub fn retrying<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Conn) -> Outcome<T> + Send + Sync + 'static,
    ) -> Result<T> {
        let f = Arc::new(f);
        let mut lost = 0;
        loop {
            let g = f.clone();
            let answer = self.run(move |c| match g(c) {
                Outcome::Done(r) => r.map(Ok),
                Outcome::Again(e) => Ok(Err(e)),
            })?;
            match answer {
                Ok(v) => return Ok(v),
                Err(e) if lost < self.size => {
                    lost += 1;
                    tracing::warn!(error = %e, "postgres connection lost; trying again");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Queues `f` for a connection; its answer arrives on the returned channel.
    pub fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    ) -> Result<Receiver<Result<T>>> {
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(conn.and_then(f));
        });
        self.jobs.send(job).map_err(|_| gone())?;
        Ok(rx)
    }
}

/// Runs `f` on a thread of its own and waits for it: the synchronous client may be used from
/// a caller that is itself an async task.
pub(super) fn outside_runtime<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|_| Err(Error::Engine("postgres: connection thread panicked".into())))
    })
}

/// One connection's thread: takes jobs until the pool is dropped.
fn serve(
    connector: &Connector,
    config: &postgres::Config,
    schema: &str,
    jobs: &Mutex<Receiver<Job>>,
) {
    let mut conn: Option<Conn> = None;
    loop {
        let job = match jobs.lock() {
            Ok(rx) => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        if conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            conn = None;
            match Conn::open(connector, config, schema, false) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "postgres connection");
                    job(Err(e));
                    continue;
                }
            }
        }
        match conn.as_mut() {
            Some(c) => job(Ok(c)),
            None => job(Err(gone())),
        }
    }
}
