//! The map of independent items over every core with the results in item order ([`par_map_in_order`]), and the
//! flag that stops it ([`Cancel`]): the lr sweep's learning rates, the fair race's tunings and the basins' rows, in the
//! app's background jobs (`app::jobs`) and in the `sweep`, `race` and `basins` commands alike. (The engine's passes
//! over samples split over the cores in [`crate::engine::parallel`], by chunks of fixed size.)

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The flag a job's work polls to stop early.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// True once the job's owner has gone or cancelled it.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Asks the work to stop.
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Computes `work(item)` for every item on rayon's thread pool (every core) and hands the results to `sink` in item
/// order: each as soon as it and every result before it are done. `sink` sees the same results in the same order
/// as one thread going through the items, whatever the timing. Workers take the next item in turn (so results come
/// about in order, and progress streams); none starts an item once `cancel` is set.
pub fn par_map_in_order<T: Sync, R: Send>(
    items: &[T],
    cancel: &Cancel,
    work: impl Fn(&T) -> R + Sync,
    sink: impl FnMut(R) + Send,
) {
    struct Queue<R, S> {
        next: usize,
        done: BTreeMap<usize, R>,
        sink: S,
    }
    let queue = Mutex::new(Queue { next: 0, done: BTreeMap::new(), sink });
    let taken = AtomicUsize::new(0);
    let worker = || {
        while !cancel.is_set() {
            let i = taken.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return;
            };
            let result = work(item);
            // A worker that panicked while holding the lock poisons it: the rest of the results are dropped.
            let Ok(mut guard) = queue.lock() else {
                return;
            };
            let q = &mut *guard;
            q.done.insert(i, result);
            while let Some(r) = q.done.remove(&q.next) {
                q.next += 1;
                (q.sink)(r);
            }
        }
    };
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads().min(items.len()) {
            scope.spawn(|_| worker());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calls `sink` gets from [`par_map_in_order`] on a pool of `threads` threads.
    fn on_threads(threads: usize, items: &[u64], cancel: &Cancel) -> Vec<(u64, u64)> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let mut out = Vec::new();
        pool.install(|| {
            par_map_in_order(items, cancel, |&n| (n, collatz_steps(n)), |r| out.push(r));
        });
        out
    }

    /// Steps of the Collatz map from n to 1: uneven work per item, so that threads finish out of order.
    fn collatz_steps(mut n: u64) -> u64 {
        let mut steps = 0;
        while n > 1 {
            n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
            steps += 1;
        }
        steps
    }

    #[test]
    fn results_come_in_item_order_as_from_one_thread() {
        let items: Vec<u64> = (1..=2000).rev().collect();
        let one = on_threads(1, &items, &Cancel::default());
        assert_eq!(one.len(), items.len());
        assert_eq!(one[..3], [(2000, 112), (1999, 50), (1998, 50)]);
        for threads in [2, 3, 8] {
            assert_eq!(on_threads(threads, &items, &Cancel::default()), one, "{threads} threads");
        }
    }

    #[test]
    fn a_cancelled_map_starts_nothing() {
        let cancel = Cancel::default();
        cancel.set();
        assert!(on_threads(4, &[1, 2, 3], &cancel).is_empty());
        let mut seen = Vec::new();
        let stop = Cancel::default();
        par_map_in_order(
            &(1..=10_000).collect::<Vec<u64>>(),
            &stop,
            |&n| n,
            |n| {
                seen.push(n);
                if n == 5 {
                    stop.set();
                }
            },
        );
        assert!(seen.len() < 10_000 && seen[..5] == [1, 2, 3, 4, 5], "stopped after {} items", seen.len());
    }
}
