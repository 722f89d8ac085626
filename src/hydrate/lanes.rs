//! Hydrating a list's items several at once, for stores where each read is a round trip
//! (PostgreSQL): a fixed pool of threads, sized once from the store's read parallelism, runs
//! a request's items in lanes. No request starts threads of its own; stores with local reads
//! (fjall) hydrate in order on the calling thread.

use rayon::prelude::*;
use std::sync::OnceLock;

/// The pool, built on first use.
static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

fn pool(parallelism: usize) -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(parallelism)
            .thread_name(|i| format!("aerie-hydrate-{i}"))
            .build()
            .map_err(|e| tracing::warn!("hydration pool: {e}; hydrating in order"))
            .ok()
    })
    .as_ref()
}

/// `f` for every item, in order, on up to `parallelism` lanes.
pub fn each<I: Sync, T: Send>(
    parallelism: usize,
    items: &[I],
    f: impl Fn(&I) -> aerie_storage::Result<T> + Sync + Send,
) -> aerie_storage::Result<Vec<T>> {
    let lanes = parallelism.min(items.len());
    match (lanes > 1).then(|| pool(parallelism)).flatten() {
        Some(pool) => {
            let chunk = items.len().div_ceil(lanes);
            pool.install(|| items.par_iter().with_min_len(chunk).map(&f).collect())
        }
        None => items.iter().map(&f).collect(),
    }
}
