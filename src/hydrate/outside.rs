//! Counts from outside (`counts.source`): the network's numbers for posts, feeds, labelers and
//! profiles as the count source last gave them, and how they meet Aerie's live counts. When
//! the source answered `outside` while Aerie counted `then`, and Aerie counts `live` now, the
//! count shown is `max(live, outside + live − then)`: what Aerie saw since the answer is added
//! once, and what the answer already held is never added again. Hydration asks here for every
//! subject it shows (`combine`); what is missing or older than the TTL is queued for the
//! service's fetcher (`service::outside_counts`), which fills it in the background.

use aerie_storage::{RecordId, Store};
use quick_cache::sync::Cache;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A subject's four numbers: a post's (or feed's, or labeler's) likes, reposts, replies and
/// quotes; an account's followers, follows and posts (and 0).
pub type Numbers = [u64; 4];

/// Subjects remembered at most.
const CACHED: usize = 100_000;
/// Subjects waiting for the fetcher at most (more are asked for next time they are shown).
const MAX_WANTED: usize = 10_000;
/// A subject asked for is not asked for again sooner than this.
const ASK_AGAIN: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Entry {
    outside: Numbers,
    then: Numbers,
    at: Instant,
}

/// The answers of the count source, and the subjects waiting for one.
pub struct OutsideCounts {
    ttl: Option<Duration>,
    answers: Cache<String, Entry>,
    asked: Cache<String, Instant>,
    wanted: Mutex<HashSet<String>>,
    wake: tokio::sync::Notify,
}

impl Default for OutsideCounts {
    fn default() -> Self {
        Self::new(None)
    }
}

impl OutsideCounts {
    /// Counts from outside kept `ttl` (`None`: no count source, live counts only).
    pub fn new(ttl: Option<Duration>) -> Self {
        OutsideCounts {
            ttl,
            answers: Cache::new(if ttl.is_some() { CACHED } else { 1 }),
            asked: Cache::new(if ttl.is_some() { MAX_WANTED } else { 1 }),
            wanted: Mutex::default(),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The numbers to show for `key` (an AT-URI or a DID) whose live numbers are `live`; asks
    /// for an answer when there is none or it is older than the TTL.
    pub fn combine(&self, key: &str, live: Numbers) -> Numbers {
        let Some(ttl) = self.ttl else {
            return live;
        };
        let entry = self.answers.get(key);
        if entry.as_ref().is_none_or(|e| e.at.elapsed() >= ttl) {
            self.want(key);
        }
        match entry {
            Some(e) => combined(&e.outside, &e.then, &live),
            None => live,
        }
    }

    fn want(&self, key: &str) {
        if self
            .asked
            .get(key)
            .is_some_and(|at| at.elapsed() < ASK_AGAIN)
        {
            return;
        }
        let Ok(mut wanted) = self.wanted.lock() else {
            return;
        };
        if wanted.len() < MAX_WANTED && wanted.insert(key.to_string()) {
            self.asked.insert(key.to_string(), Instant::now());
            self.wake.notify_one();
        }
    }

    /// Waits until some subject is wanted.
    pub async fn wanted(&self) {
        self.wake.notified().await;
    }

    /// Up to `max` wanted subjects, no longer waiting.
    pub fn take(&self, max: usize) -> Vec<String> {
        let Ok(mut wanted) = self.wanted.lock() else {
            return Vec::new();
        };
        let keys: Vec<String> = wanted.iter().take(max).cloned().collect();
        for k in &keys {
            wanted.remove(k);
        }
        keys
    }

    /// The source's answer for `key` (`None` for a number it does not give: Aerie's own is
    /// used), given while Aerie counted `then`.
    pub fn record(&self, key: String, outside: [Option<u64>; 4], then: Numbers) {
        let outside = std::array::from_fn(|i| outside[i].unwrap_or(then[i]));
        let entry = Entry {
            outside,
            then,
            at: Instant::now(),
        };
        self.answers.insert(key, entry);
    }
}

/// `max(live, outside + live − then)`, each number.
fn combined(outside: &Numbers, then: &Numbers, live: &Numbers) -> Numbers {
    std::array::from_fn(|i| {
        let since = live[i] as i128 - then[i] as i128;
        let total = (outside[i] as i128 + since).max(live[i] as i128);
        total.clamp(0, u64::MAX as i128) as u64
    })
}

/// Aerie's own numbers for `key`: a post's (feed's, labeler's) counts for an AT-URI, an
/// account's for a DID.
pub fn live(store: &dyn Store, key: &str) -> aerie_storage::Result<Numbers> {
    if key.starts_with("did:") {
        let c = store.actor_counts(key)?;
        return Ok([c.followers, c.follows, c.posts, 0]);
    }
    match RecordId::parse_uri(key) {
        Some(id) => {
            let c = store.post_counts(&id)?;
            Ok([c.likes, c.reposts, c.replies, c.quotes])
        }
        None => Ok([0; 4]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_aerie_sees_after_the_answer_is_added_once() {
        // The network had 3 likes when Aerie, which had seen 2 of them, asked.
        let (outside, then) = ([3, 0, 0, 0], [2, 0, 0, 0]);
        assert_eq!(
            combined(&outside, &then, &[2, 0, 0, 0])[0],
            3,
            "nothing new"
        );
        assert_eq!(
            combined(&outside, &then, &[4, 0, 0, 0])[0],
            5,
            "two more seen since"
        );
        assert_eq!(
            combined(&outside, &then, &[1, 0, 0, 0])[0],
            2,
            "one unliked since"
        );
        // Never below what Aerie itself counts (a source that lags behind).
        assert_eq!(combined(&[0, 0, 0, 0], &[0; 4], &[7, 0, 0, 0])[0], 7);
    }

    #[test]
    fn subjects_are_asked_for_once_and_answered_subjects_combine() {
        let c = OutsideCounts::new(Some(Duration::from_secs(60)));
        assert_eq!(
            c.combine("at://did:plc:a/app.bsky.feed.post/1", [1, 0, 0, 0]),
            [1, 0, 0, 0]
        );
        c.combine("at://did:plc:a/app.bsky.feed.post/1", [1, 0, 0, 0]);
        let keys = c.take(10);
        assert_eq!(
            keys,
            vec!["at://did:plc:a/app.bsky.feed.post/1".to_string()]
        );
        c.combine("at://did:plc:a/app.bsky.feed.post/1", [1, 0, 0, 0]);
        assert!(c.take(10).is_empty(), "asked for moments ago");
        c.record(
            keys[0].clone(),
            [Some(10), Some(2), None, None],
            [1, 0, 0, 0],
        );
        assert_eq!(c.combine(&keys[0], [2, 0, 0, 0]), [11, 2, 0, 0]);
        // Off: live counts, nothing asked.
        let off = OutsideCounts::default();
        assert_eq!(off.combine("did:plc:a", [5, 1, 2, 0]), [5, 1, 2, 0]);
        assert!(off.take(10).is_empty());
    }
}
