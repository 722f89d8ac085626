//! JSON from other services (a count source, another AppView's people search), fetched
//! through the outbound guard with Aerie's user agent and a time limit; a failure is logged
//! (rate-limited, by what was asked) and answered as `None`, never in a request's way.

use crate::outbound::Outbound;
use crate::util::ratelog::RateLog;
use crate::AppState;
use serde_json::Value;
use std::time::Duration;

/// The largest answer read.
const MAX_BYTES: usize = 4 << 20;

/// Failures, logged at most once a minute.
static FAILURES: RateLog = RateLog::new(Duration::from_secs(60));

/// GETs `url`; its JSON, or `None` (logged as a failure of `what`).
pub async fn get_json(state: &AppState, url: &str, what: &str, timeout: Duration) -> Option<Value> {
    let mut out = Outbound::get(url, MAX_BYTES);
    out.timeout = Some(timeout);
    out.headers.push((
        "user-agent",
        format!(
            "aerie/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            state.cfg.public_url()
        ),
    ));
    let body = match state.resolver().fetcher().send(out).await {
        Ok(resp) => resp.success(url).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match body.map(|b| serde_json::from_slice(&b)) {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            FAILURES.warn(what, &format!("{url}: not JSON: {e}"));
            None
        }
        Err(e) => {
            FAILURES.warn(what, &e);
            None
        }
    }
}
