//! Small shared helpers: identifier syntax, rate-limited logging, time, backoff, `/health` and
//! its probe, background threads' priority.

pub mod healthcheck;
pub mod priority;
pub mod ratelog;
pub mod syntax;

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// An `http(s)` URL, normalized; `None` for anything else (`javascript:`, `data:`, junk).
pub fn http_url(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// Exponential backoff from `base`, capped at `cap` (at least 1 s), with full jitter on the
/// upper half.
pub fn backoff(
    attempt: u32,
    base: std::time::Duration,
    cap: std::time::Duration,
) -> std::time::Duration {
    let cap = cap.max(std::time::Duration::from_secs(1));
    let d = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    d.mul_f64(rand::random::<f64>() * 0.5 + 0.5)
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_grows_and_is_capped() {
        let ms = Duration::from_millis(250);
        assert!(backoff(0, ms, Duration::from_secs(60)) <= ms);
        assert!(backoff(3, ms, Duration::from_secs(60)) >= Duration::from_secs(1));
        assert!(backoff(30, ms, Duration::from_secs(5)) <= Duration::from_secs(5));
    }
}
