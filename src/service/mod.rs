//! The service layer: what the API and the pages both ask for (timelines, author feeds,
//! notifications, threads, lists of accounts), built from the store through hydration into
//! typed outputs, and the user's writes (`write`: their PDS, then the gate). XRPC handlers
//! serialize them; pages render them; both tell a failure as [`Error::answer`] gives it. Store
//! work is synchronous and runs on tokio's blocking pool through [`run`], never on the async
//! workers that also carry sockets (ingest, the front door).

pub mod actors;
pub mod beyond;
pub mod bookmarks;
pub mod custom_feed;
pub mod drafts;
pub mod feed;
pub mod feedgen;
pub mod fetch_json;
pub mod interactions;
pub mod labelers;
pub mod lists;
pub mod mod_lists;
pub mod notification_prefs;
pub mod notifications;
pub mod outside_counts;
pub mod remote;
pub mod remote_feed;
pub mod search;
pub mod starter_packs;
pub mod subscriptions;
pub mod suggestions;
pub mod thread;
pub mod trends;
pub mod write;

use crate::auth::session::SessionError;
use crate::AppState;
use axum::http::StatusCode;
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
    /// Answered already: another service's answer passed on, or a status other than 400.
    #[error("{}", .0.message)]
    Answered(Answer),
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

    /// What the client is told: the status the reference AppView answers with, the lexicon's
    /// error name and a message. Internal causes are logged here and never told.
    pub fn answer(self) -> Answer {
        match self {
            Error::Store(aerie_storage::Error::BadCursor) => {
                Answer::new(StatusCode::BAD_REQUEST, "InvalidRequest", "invalid cursor")
            }
            Error::Store(e) => Answer::internal(&e),
            Error::Refused { name, message } => Answer::new(StatusCode::BAD_REQUEST, name, message),
            Error::Session(e) => session_answer(e),
            Error::Answered(a) => a,
        }
    }
}

/// An error as a client is told it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The lexicon's error name.
    pub name: String,
    /// What to tell the person or program.
    pub message: String,
}

impl Answer {
    /// An answer by status, name and message.
    pub fn new(status: StatusCode, name: &str, message: impl Into<String>) -> Self {
        Answer {
            status,
            name: name.into(),
            message: message.into(),
        }
    }

    /// 500, with the cause logged.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        Self::new(status, "InternalServerError", "Internal Server Error")
    }
}

/// A session's or its PDS's failure as the client is told it: the PDS's own refusal passed on
/// as it said it, Aerie's token checks as the reference PDS answers them.
pub fn session_answer(e: SessionError) -> Answer {
    match e {
        SessionError::Pds {
            status,
            error,
            message,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            Answer::new(status, &error, message)
        }
        SessionError::InvalidToken(why) => {
            Answer::new(StatusCode::UNAUTHORIZED, "InvalidToken", why)
        }
        SessionError::ExpiredToken => {
            Answer::new(StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired")
        }
        SessionError::Identifier(why) => {
            tracing::info!("login refused: {why}");
            Answer::new(
                StatusCode::UNAUTHORIZED,
                "AuthenticationRequired",
                "Invalid identifier or password",
            )
        }
        SessionError::Fetch(e) => {
            tracing::warn!("PDS unreachable: {e}");
            Answer::new(
                StatusCode::BAD_GATEWAY,
                "UpstreamFailure",
                "The account's PDS could not be reached",
            )
        }
        SessionError::Store(e) => Answer::internal(&e),
    }
}

/// What services return.
pub type Result<T> = std::result::Result<T, Error>;

/// Requests' store work running at once at most: enough to keep the cores and a PostgreSQL
/// server busy, few enough that a burst of requests neither starves the store's writer thread
/// (ingest lag) nor grows a thread, and an allocator heap, per waiting request. Requests over
/// it wait their turn without holding a thread.
pub fn work_slots() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (4 * cores).max(8)
}

/// Runs store work on tokio's blocking pool and waits for it, so a slow read never holds an
/// async worker (which also serve the ingest socket and other connections); at most
/// [`work_slots`] at once. A panic in `f` resumes in the caller, as it would have inline.
pub async fn run<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> T + Send + 'static,
) -> T {
    // The semaphore is never closed: a permit always comes.
    let permit = state.work.clone().acquire_owned().await.ok();
    let state = state.clone();
    let accepted = crate::hydrate::labels::current();
    let work = move || {
        let _permit = permit;
        crate::hydrate::labels::within(accepted, || f(&state))
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(v) => v,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled only when the runtime shuts down; nothing is waiting for the answer then.
        Err(e) => panic!("store work cancelled: {e}"),
    }
}
