//! `/metrics` in the Prometheus text format: ingest (lag, events received, applied, skipped,
//! rate, connection state and reconnects), the backfill queue, gaps, store size, users, and
//! HTTP request latency by route (histograms) and by status class. The HTTP figures are
//! recorded by the front-door middleware.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// HTTP figures by (route, method) and status.
#[derive(Default)]
pub struct HttpMetrics {
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    statuses: Mutex<BTreeMap<(String, u16), u64>>,
}

impl HttpMetrics {
    /// Records one answered request: `route` is the matched path pattern (or "unmatched").
    pub fn record(&self, route: &str, method: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.latency.lock() {
            let h = m
                .entry((route.to_string(), method.to_string()))
                .or_default();
            h.count += 1;
            h.sum += secs;
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
        }
        if let Ok(mut m) = self.statuses.lock() {
            *m.entry((route.to_string(), status / 100 * 100))
                .or_default() += 1;
        }
    }

    fn render(&self, out: &mut String) {
        out.push_str("# HELP aerie_http_request_duration_seconds Time to answer HTTP requests, by route.\n# TYPE aerie_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for ((route, method), h) in m.iter() {
                let labels = format!("route=\"{}\",method=\"{}\"", esc(route), esc(method));
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "aerie_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "aerie_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "aerie_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "aerie_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP aerie_http_responses_total HTTP responses by route and status class.\n# TYPE aerie_http_responses_total counter\n");
        if let Ok(m) = self.statuses.lock() {
            for ((route, class), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "aerie_http_responses_total{{route=\"{}\",status=\"{}xx\"}} {n}",
                    esc(route),
                    class / 100
                );
            }
        }
    }
}

/// Escapes a label value.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
    );
}

/// `GET /metrics`, for the clients in `http.metrics_from`.
pub async fn handler(
    State(state): State<Arc<AppState>>,
    client: Option<axum::Extension<super::ClientIp>>,
) -> axum::response::Response {
    let allowed = client.is_some_and(|c| state.front.metrics_from.contains(c.0 .0));
    if !allowed {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let mut out = String::with_capacity(8192);
    let i = &state.ingest;
    let lag = i.lag_secs().unwrap_or(f64::NAN);
    metric(
        &mut out,
        "aerie_ingest_lag_seconds",
        "gauge",
        "Age of the newest event committed.",
        lag,
    );
    metric(
        &mut out,
        "aerie_ingest_connected",
        "gauge",
        "1 while the source socket is open.",
        u8::from(i.connected.load(Ordering::Relaxed)),
    );
    metric(
        &mut out,
        "aerie_ingest_events_received_total",
        "counter",
        "Events read from the source.",
        i.received.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_ingest_events_applied_total",
        "counter",
        "Events committed to the store.",
        i.applied.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_ingest_events_skipped_total",
        "counter",
        "Events skipped as malformed or out of scope.",
        i.skipped.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_ingest_events_per_second",
        "gauge",
        "Recent ingest rate.",
        i.rate(),
    );
    metric(
        &mut out,
        "aerie_ingest_connects_total",
        "counter",
        "Connections made to the source.",
        i.connects.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_ingest_cursor",
        "gauge",
        "The committed cursor (µs for Jetstream, seq for a firehose).",
        i.committed_position.load(Ordering::Relaxed),
    );
    let q = state.store.queue_stats().unwrap_or_default();
    let b = &state.backfill;
    metric(
        &mut out,
        "aerie_backfill_pending",
        "gauge",
        "Repositories waiting to be fetched.",
        q.pending,
    );
    metric(
        &mut out,
        "aerie_backfill_running",
        "gauge",
        "Repositories being fetched.",
        b.running.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_backfill_done",
        "gauge",
        "Repositories fetched and current.",
        q.done,
    );
    metric(
        &mut out,
        "aerie_backfill_unavailable",
        "gauge",
        "Repositories parked (taken down, deactivated, not found).",
        q.unavailable,
    );
    metric(
        &mut out,
        "aerie_backfill_fetched_total",
        "counter",
        "Repository fetches that succeeded.",
        b.fetched.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_backfill_failed_total",
        "counter",
        "Repository fetches that failed (retried later).",
        b.failed.load(Ordering::Relaxed),
    );
    metric(
        &mut out,
        "aerie_gaps",
        "gauge",
        "Recorded gaps in the event stream awaiting repair.",
        state.store.gaps().map(|g| g.len()).unwrap_or(0),
    );
    let (users, tracked) = state.scope.counts();
    metric(
        &mut out,
        "aerie_local_users",
        "gauge",
        "People this Aerie serves.",
        users,
    );
    metric(
        &mut out,
        "aerie_tracked_accounts",
        "gauge",
        "Accounts whose records are kept.",
        tracked,
    );
    let stats = state.store.stats().unwrap_or_default();
    metric(
        &mut out,
        "aerie_store_disk_bytes",
        "gauge",
        "Bytes the store takes on disk.",
        stats.disk_bytes,
    );
    metric(
        &mut out,
        "aerie_store_records",
        "gauge",
        "Live records in the store.",
        stats.records,
    );
    state.front.metrics.render(&mut out);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
