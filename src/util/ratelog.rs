//! Logging that cannot flood: at most one line per interval per kind, with a count of what
//! was suppressed in between.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A warn-level logger limited to one line per `every`.
pub struct RateLog {
    every: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLog {
    /// A limiter that lets one line through per `every`.
    pub const fn new(every: Duration) -> Self {
        RateLog {
            every,
            state: Mutex::new((None, 0)),
        }
    }

    /// Logs `msg` unless a line was logged less than `every` ago.
    pub fn warn(&self, what: &str, msg: &dyn std::fmt::Display) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        let now = Instant::now();
        if st.0.is_some_and(|t| now.duration_since(t) < self.every) {
            st.1 += 1;
            return;
        }
        let suppressed = std::mem::take(&mut st.1);
        st.0 = Some(now);
        tracing::warn!(suppressed, "{what}: {msg}");
    }
}
