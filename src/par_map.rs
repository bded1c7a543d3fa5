//! The map of independent items over every core with the results in item order ([`par_map_in_order`]), the flag
//! that stops it ([`Cancel`]), and the three maps built on it: the lr sweep's learning rates ([`run_plan`]), the fair
//! race's tunings ([`tune_all`]) and the basins' rows ([`map_rows`]), each item an engine function. The app's
//! background jobs (`app::jobs`) and the `sweep`, `race` and `basins` commands run the same maps. Threads stay above
//! the engine here (the engine's one exception, its passes over samples, is [`crate::engine::parallel`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::engine::basins::{BasinPlan, End, bands, rows};
use crate::engine::data::Dataset;
use crate::engine::settings::Settings;
use crate::engine::sweep::{SweepPlan, SweepPoint, TunePoint, point_at, tune_at, tune_lrs};

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

/// Computes `plan`'s rows on every core ([`par_map_in_order`] over batches of rows, [`bands`], each batch run by
/// [`rows`]: in lanes where they cover the settings), sending each (row index, ends) in row order as soon as it and
/// the rows before it are done; stops starting batches once `cancel` is set.
pub fn map_rows(
    data: &Dataset,
    settings: &Settings,
    plan: &BasinPlan,
    cancel: &Cancel,
    mut send: impl FnMut((usize, Vec<End>)) + Send,
) {
    let bands = bands(plan);
    par_map_in_order(
        &bands,
        cancel,
        |js| rows(data, settings, plan, js.clone()),
        |done| done.into_iter().for_each(&mut send),
    );
}

/// Runs the plan on every core ([`par_map_in_order`]), reporting each point to `on_point` in lr order as soon as it
/// and the points before it are done; stops early once `cancel` is set. Each point is an ordinary run, so the points
/// are the same whatever the threads' timing.
pub fn run_plan(
    data: &Dataset,
    settings: &Settings,
    plan: &SweepPlan,
    cancel: &Cancel,
    on_point: impl FnMut(SweepPoint) + Send,
) {
    par_map_in_order(&plan.lrs, cancel, |&lr| point_at(data, settings, plan, lr), on_point);
}

/// Tunes every run's settings over [`tune_lrs`] on every core (one item per run and lr, each [`tune_at`]), sending
/// (run index, point) in run and lr order as they are done.
pub fn tune_all(
    data: &Dataset,
    runs: &[Settings],
    (horizon, tolerance): (u64, f64),
    cancel: &Cancel,
    send: impl FnMut((usize, TunePoint)) + Send,
) {
    let lrs = tune_lrs();
    let items: Vec<(usize, f64)> = (0..runs.len()).flat_map(|k| lrs.iter().map(move |&lr| (k, lr))).collect();
    let tune = |&(k, lr): &(usize, f64)| (k, tune_at(data, &runs[k], lr, (horizon, tolerance)));
    par_map_in_order(&items, cancel, tune, send);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::model::Params;
    use crate::engine::sweep::{SWEEP_POINTS, fastest, plan};

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

    #[test]
    fn the_fastest_swept_lr_is_near_the_optimal_lr() {
        for bias in [false, true] {
            let data = Dataset::notebook();
            let s = Settings { bias, ..Settings::default() };
            let a = analyze(&data, &s, Params::default());
            let plan = plan(&data, &s, &a, Some(1e-6));
            let mut points = Vec::new();
            run_plan(&data, &s, &plan, &Cancel::default(), |p| points.push(p));
            assert_eq!(points.len(), SWEEP_POINTS);
            let best = fastest(&points).unwrap();
            let opt = a.optimal_lr.unwrap();
            assert!((best.lr / opt - 1.0).abs() < 0.05, "bias {bias}: fastest {} vs optimal {opt}", best.lr);
            assert!(points.iter().any(|p| p.diverged));
        }
    }

    #[test]
    fn the_sweep_on_several_threads_is_the_sweep_on_one_in_lr_order() {
        let data = Dataset::notebook();
        let s = Settings { bias: true, ..Settings::default() };
        let a = analyze(&data, &s, Params::default());
        let plan = plan(&data, &s, &a, Some(1e-6));
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let mut points = Vec::new();
            pool.install(|| run_plan(&data, &s, &plan, &Cancel::default(), |p| points.push(p)));
            // Bit for bit, NaN included: the points' debug text.
            points.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>()
        };
        let one = on(1);
        assert_eq!(one.len(), SWEEP_POINTS);
        assert_eq!(on(3), one);
        let lrs: Vec<String> = plan.lrs.iter().map(|lr| format!("lr: {lr:?},")).collect();
        assert!(one.iter().zip(&lrs).all(|(p, lr)| p.contains(lr.as_str())), "in the plan's lr order");
    }
}
