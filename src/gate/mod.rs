//! The write gate: the one way into the store. `scope` decides which operations are kept and
//! keeps the tracked set current in the same commit; `change` checks a record change from any
//! source and makes it an operation; `local` applies what a user's PDS accepted, at its commit
//! rev; `own` writes Aerie's own bookkeeping (sessions, caches, mutes, queue progress, gaps),
//! which no scope decides. Ingest, backfill, retention, auth, identity, the XRPC API and the
//! pages all write through here; nothing else calls the store's `apply` (ARCHITECTURE.md).

pub mod change;
pub mod labels;
pub mod local;
pub mod own;
pub mod scope;
pub mod visited;

pub use scope::{follows_of, Scope};
