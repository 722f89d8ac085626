//! The service layer: what the API and the pages both ask for (timelines, author feeds,
//! notifications, threads, lists of accounts), built from the store through hydration into
//! typed outputs, and the user's writes (`write`: their PDS, then the gate). XRPC handlers serialize them; pages render them. Store work is synchronous
//! and runs on tokio's blocking pool through [`run`], never on the async workers that also
//! carry sockets (ingest, the front door).

pub mod actors;
pub mod feed;
pub mod interactions;
pub mod notifications;
pub mod thread;
pub mod write;

use crate::AppState;
use std::sync::Arc;

/// Why a service refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] aerie_storage::Error),
    /// The user's session or their PDS failed (a write forwarded for them).
    #[error(transparent)]
    Session(#[from] crate::auth::session::SessionError),
    /// The request cannot be answered: a lexicon-named error and a message for the client.
    #[error("{message}")]
    Refused {
        /// The lexicon's error name (`InvalidRequest`, `NotFound`, `BlockedActor`, ...).
        name: &'static str,
        /// What to tell the client.
        message: String,
    },
}

impl Error {
    /// A refusal by name.
    pub fn refused(name: &'static str, message: impl Into<String>) -> Self {
        Error::Refused {
            name,
            message: message.into(),
        }
    }

    /// `InvalidRequest`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::refused("InvalidRequest", message)
    }
}

/// What services return.
pub type Result<T> = std::result::Result<T, Error>;

/// Runs store work on tokio's blocking pool and waits for it, so a slow read never holds an
/// async worker (which also serve the ingest socket and other connections). A panic in `f`
/// resumes in the caller, as it would have inline.
pub async fn run<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> T + Send + 'static,
) -> T {
    let state = state.clone();
    match tokio::task::spawn_blocking(move || f(&state)).await {
        Ok(v) => v,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled only when the runtime shuts down; nothing is waiting for the answer then.
        Err(e) => panic!("store work cancelled: {e}"),
    }
}
