//! Small shared helpers: identifier syntax, rate-limited logging, time.

pub mod healthcheck;
pub mod ratelog;
pub mod syntax;

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}
