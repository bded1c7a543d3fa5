//! The engine's one use of threads: a long pass over the samples, split over the machine's cores.
//!
//! Everything else in the engine runs on its caller's thread. This is the exception because threads here change
//! nothing but the time a pass takes. A pass over at least [`PARALLEL_MIN`] samples is cut into fixed chunks of
//! [`CHUNK`] samples (the last one shorter), whatever the number of threads; each chunk is summed exactly as
//! [`sums`](super::sums) sums a slice of that length on its own (the [`LANES`](super::LANES)
//! interleaved accumulators, with AVX2 where the CPU has it), and the chunks' sums are then added pairwise in
//! chunk order. The threads decide only who sums which chunk, never what is summed or in which order, so a pass
//! gives the same bits on one core or on eight.
//!
//! The threads take the chunks one at a time, each the next one not yet taken (an atomic counter), so a core that
//! another program holds slows a pass down but never leaves it waiting on a fixed share. The caller's thread
//! always works too, and finishes alone whatever the others have not taken.
//!
//! The other threads are helpers (`Helpers`): one per further core, started with the first split pass and then
//! kept, each waiting for the next pass (spinning for [`SPIN`], as passes come back to back while a run trains,
//! then asleep).
//! Starting threads for every pass instead cost 50–100 µs on the 2-core development machine (a sleeping core
//! takes that long to wake), which is a quarter of a pass of 10⁶ samples and more than a pass of 10⁵ saves. A
//! helper borrows the pass only while the caller waits for it: the caller takes the pass back before it returns
//! (or unwinds), and then waits for the helpers still inside it, which are at most finishing one chunk. A pass
//! that finds the helpers busy with another pass (two runs training at once) runs on its caller's thread alone.
//! [`sums_chunked`] runs the same chunks on scoped threads started for the pass, any number of them: the tests
//! and benchmarks compare thread counts with it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use super::{Loss, Sums, chunk_sums};
use crate::engine::model::{Grad, Params};
use crate::engine::real::Real;

/// Passes over at least this many samples (2¹⁷ = 131,072, about 10⁵) are split into chunks and over the cores;
/// shorter ones run as a single sum on the caller's thread (a pass of 2¹⁷ takes about 55 µs on one core of the
/// development machine, 27 µs on two).
pub const PARALLEL_MIN: usize = 1 << 17;
/// Samples per chunk (2¹⁵ = 32,768, a multiple of [`LANES`](super::LANES)): fixed, so the sums do not
/// depend on the thread count. Each lane of a chunk adds 4,096 terms, against 125,000 in an unsplit pass of 10⁶.
pub const CHUNK: usize = 1 << 15;

// A chunk is whole lanes, and is summed as a pass of its own that does not split again.
const _: () = assert!(CHUNK.is_multiple_of(super::LANES) && CHUNK < PARALLEL_MIN);

/// At most this many threads share one pass: beyond it a pass of 10⁶ samples (31 chunks) gains little.
pub const MAX_THREADS: usize = 8;
/// How long a helper waits awake for the next pass before it sleeps.
pub const SPIN: Duration = Duration::from_millis(1);

/// The threads a pass uses on this machine: the cores this process may run on (`taskset` counts), at most
/// [`MAX_THREADS`]; asked once, since the answer costs system calls.
pub fn available_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS))
}

/// Σℓ, Σ∂ℓ/∂w and Σ∂ℓ/∂b over the samples in fixed chunks of [`CHUNK`], on the caller's thread and the kept
/// helper threads (one per further core). The result has the same bits as [`sums_chunked`] with any number of threads.
pub fn sums_parallel<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    split_pass(x, y, p, bias, loss, |work| match Helpers::get() {
        Some(helpers) => helpers.share(work),
        None => work(),
    })
}

/// The same sums as [`sums_parallel`], with rayon's `par_chunks` on rayon's current pool (the global one, or the
/// one a caller `install`s): the same chunks, added pairwise in chunk order, so the same bits.
pub fn sums_rayon<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    use rayon::prelude::*;
    let n = x.len().min(y.len());
    let parts: Vec<Sums<F>> = x[..n]
        .par_chunks(CHUNK)
        .zip(y[..n].par_chunks(CHUNK))
        .map(|(xc, yc)| chunk_sums(xc, yc, p, bias, loss))
        .collect();
    add_pairwise(&parts)
}

/// The same sums as [`sums_parallel`], on the caller's thread and `threads − 1` scoped threads started for this
/// pass (at least 1 thread, at most one per chunk). The result has the same bits for every `threads`.
pub fn sums_chunked<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>, threads: usize) -> Sums<F> {
    let chunks = x.len().min(y.len()).div_ceil(CHUNK);
    split_pass(x, y, p, bias, loss, |work| {
        std::thread::scope(|scope| {
            let others: Vec<_> = (1..threads.clamp(1, chunks.max(1))).map(|_| scope.spawn(work)).collect();
            work();
            for other in others {
                if let Err(panic) = other.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        })
    })
}

/// The pass itself: `run` calls the work on as many threads as it likes (at least once on its own thread, and
/// not returning while a call is under way); each call sums chunks not yet taken until none is left.
fn split_pass<F: Real>(
    x: &[F],
    y: &[F],
    p: Params<F>,
    bias: bool,
    loss: Loss<F>,
    run: impl FnOnce(&(dyn Fn() + Sync)),
) -> Sums<F> {
    let n = x.len().min(y.len());
    let chunks = n.div_ceil(CHUNK);
    let chunk = |k: usize| {
        let range = k * CHUNK..n.min((k + 1) * CHUNK);
        chunk_sums(&x[range.clone()], &y[range], p, bias, loss)
    };
    let next = AtomicUsize::new(0);
    let parts = Mutex::new(vec![None; chunks]);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= chunks {
                break;
            }
            done.push((k, chunk(k)));
        }
        let mut parts = lock(&parts);
        for (k, s) in done {
            parts[k] = Some(s);
        }
    };
    run(&work);
    // A chunk is missing only if a helper failed inside it; its sum is the same from any thread.
    let parts: Vec<Sums<F>> = parts
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .enumerate()
        .map(|(k, s)| s.unwrap_or_else(|| chunk(k)))
        .collect();
    add_pairwise(&parts)
}

/// The helper threads, one per core beyond the caller's, and the pass lent to them.
struct Helpers {
    /// The pass lent now, if any, and how many passes have been lent.
    lent: Mutex<Lent>,
    /// Wakes the helpers that sleep.
    wake: Condvar,
    /// A copy of `Lent::generation`, which helpers read while they spin.
    posted: AtomicU64,
    /// Helpers inside the lent pass now.
    running: AtomicUsize,
    /// One pass at a time: a pass that finds it taken runs alone.
    turn: Mutex<()>,
}

struct Lent {
    work: Option<Work>,
    generation: u64,
}

/// A pass's work with its lifetime erased, valid while it is lent (see [`Helpers::share`]).
#[derive(Clone, Copy)]
struct Work(*const (dyn Fn() + Sync + 'static));

// SAFETY: the pointee is `Sync`, so it may be called from any thread; `Helpers::share` keeps it alive until every
// helper that took it has returned.
unsafe impl Send for Work {}

impl Helpers {
    /// The helpers, started on first use; `None` on one core (or if no thread could be started).
    fn get() -> Option<&'static Helpers> {
        static HELPERS: OnceLock<Option<&'static Helpers>> = OnceLock::new();
        *HELPERS.get_or_init(|| {
            let count = available_threads() - 1;
            if count == 0 {
                return None;
            }
            let helpers: &'static Helpers = Box::leak(Box::new(Helpers {
                lent: Mutex::new(Lent { work: None, generation: 0 }),
                wake: Condvar::new(),
                posted: AtomicU64::new(0),
                running: AtomicUsize::new(0),
                turn: Mutex::new(()),
            }));
            let started = (0..count)
                .filter(|i| {
                    let builder = std::thread::Builder::new().name(format!("descent-pass-{i}"));
                    builder.spawn(move || helpers.serve()).is_ok()
                })
                .count();
            (started > 0).then_some(helpers)
        })
    }

    /// Calls `work` on this thread while the helpers call it too, and returns when no helper is inside it.
    fn share(&self, work: &(dyn Fn() + Sync)) {
        let _turn = match self.turn.try_lock() {
            Ok(turn) => turn,
            Err(TryLockError::Poisoned(turn)) => turn.into_inner(),
            Err(TryLockError::WouldBlock) => return work(),
        };
        // SAFETY: only the lifetime is erased. `Lend`'s drop (which runs even if `work` panics) takes the work back
        // and waits until `running` is 0, so no helper calls it after this function returns.
        let erased: &'static (dyn Fn() + Sync) = unsafe { std::mem::transmute(work) };
        let _lend = Lend::new(self, Work(erased));
        work();
    }

    /// A helper's life: wait for a pass, take part in it, again.
    fn serve(&self) {
        let mut seen = 0;
        loop {
            let since = Instant::now();
            while self.posted.load(Ordering::Acquire) == seen && since.elapsed() < SPIN {
                std::hint::spin_loop();
            }
            let mut lent = lock(&self.lent);
            while lent.generation == seen {
                lent = self.wake.wait(lent).unwrap_or_else(PoisonError::into_inner);
            }
            seen = lent.generation;
            let Some(work) = lent.work else { continue };
            // Counted under the lock: the caller takes the work back under it, then waits for the count to fall.
            self.running.fetch_add(1, Ordering::AcqRel);
            drop(lent);
            // SAFETY: the work is still lent (`running` was raised before the caller took it back), see `share`.
            // A failure inside it leaves its chunks to the caller.
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe { (*work.0)() }));
            self.running.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// A pass lent to the helpers, taken back on drop.
struct Lend<'a>(&'a Helpers);

impl<'a> Lend<'a> {
    fn new(helpers: &'a Helpers, work: Work) -> Self {
        let mut lent = lock(&helpers.lent);
        lent.generation += 1;
        lent.work = Some(work);
        helpers.posted.store(lent.generation, Ordering::Release);
        drop(lent);
        helpers.wake.notify_all();
        Lend(helpers)
    }
}

impl Drop for Lend<'_> {
    fn drop(&mut self) {
        lock(&self.0.lent).work = None;
        // The helpers still inside are finishing at most one chunk each (longer only if their core was taken).
        let mut spins = 0;
        while self.0.running.load(Ordering::Acquire) > 0 {
            if spins < 1 << 10 {
                spins += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// A mutex's guard, whether or not a thread panicked while holding it (the data are plain values).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The chunks' sums added pairwise in chunk order: the halves first (the left one the longer), then each other.
fn add_pairwise<F: Real>(parts: &[Sums<F>]) -> Sums<F> {
    match parts {
        [] => Sums::default(),
        [one] => *one,
        _ => {
            let (left, right) = parts.split_at(parts.len().div_ceil(2));
            let (l, r) = (add_pairwise(left), add_pairwise(right));
            Sums {
                loss: l.loss + r.loss,
                grad: Grad { w: l.grad.w + r.grad.w, b: l.grad.b + r.grad.b },
                count: l.count + r.count,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic scattered data: y = 3x + noise from a fixed linear congruential generator, with a few
    /// outliers so that Huber's both branches and MAE's both signs occur.
    fn data<F: Real>(n: usize) -> (Vec<F>, Vec<F>) {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64 + 0.1 * next()).collect();
        let y = x.iter().map(|&v| 3.0 * v + 0.5 * next() + if next() > 0.49 { 40.0 } else { 0.0 }).collect::<Vec<_>>();
        (x.into_iter().map(F::from_f64).collect(), y.into_iter().map(F::from_f64).collect())
    }

    fn losses<F: Real>() -> [Loss<F>; 3] {
        [Loss::Mse, Loss::Mae, Loss::Huber(F::from_f64(1.0))]
    }

    /// Lengths around and above the threshold: a multiple of the chunk, one sample past it, one short of it, and
    /// lengths whose last chunk is not a multiple of the lanes (and one below the threshold, where `sums` itself
    /// does not split).
    const LENGTHS: [usize; 6] = [100_000, PARALLEL_MIN, PARALLEL_MIN + 1, 9 * CHUNK - 1, 200_003, 300_000];

    fn bits<F: Real>(s: Sums<F>) -> [u64; 3] {
        [s.loss.to_f64().to_bits(), s.grad.w.to_f64().to_bits(), s.grad.b.to_f64().to_bits()]
    }

    fn same_bits_whatever_the_threads<F: Real>() {
        for n in LENGTHS {
            let (x, y) = data::<F>(n);
            let p = Params { w: F::from_f64(2.5), b: F::from_f64(0.75) };
            for loss in losses::<F>() {
                for bias in [false, true] {
                    let one = sums_chunked(&x, &y, p, bias, loss, 1);
                    assert_eq!(one.count, n);
                    for threads in [0, 2, 3, 7, 64] {
                        let s = sums_chunked(&x, &y, p, bias, loss, threads);
                        assert_eq!(bits(s), bits(one), "{} n={n} {loss:?} bias={bias} threads={threads}", F::NAME);
                        assert_eq!(s.count, n);
                    }
                    assert_eq!(bits(sums_parallel(&x, &y, p, bias, loss)), bits(one));
                    assert_eq!(bits(sums_rayon(&x, &y, p, bias, loss)), bits(one));
                    // The engine's own entry point takes that path above the threshold.
                    if n >= PARALLEL_MIN {
                        assert_eq!(bits(super::super::sums(&x, &y, p, bias, loss)), bits(one));
                    }
                }
            }
        }
    }

    /// Passes from several threads at once (the helpers serve one; the others run alone): the same bits.
    #[test]
    fn concurrent_passes_give_the_same_bits() {
        let (x, y) = data::<f64>(300_000);
        let p = Params { w: 2.5, b: 0.75 };
        let loss = Loss::Huber(1.0);
        let want = bits(sums_chunked(&x, &y, p, true, loss, 1));
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        assert_eq!(bits(sums_parallel(&x, &y, p, true, loss)), want);
                    }
                });
            }
        });
    }

    #[test]
    fn same_bits_whatever_the_threads_f64() {
        same_bits_whatever_the_threads::<f64>();
    }

    #[test]
    fn same_bits_whatever_the_threads_f32() {
        same_bits_whatever_the_threads::<f32>();
    }

    /// Neumaier's compensated sum in f64: the reference, exact to about 2 ulp of f64 here.
    fn compensated(terms: impl Iterator<Item = f64>) -> (f64, f64) {
        let (mut s, mut c, mut abs) = (0.0f64, 0.0f64, 0.0f64);
        for t in terms {
            let u = s + t;
            c += if s.abs() >= t.abs() { (s - u) + t } else { (t - u) + s };
            s = u;
            abs += t.abs();
        }
        (s + c, abs)
    }

    /// The chunked sum against the compensated sum of the same per-sample terms (each computed in `F` as the pass
    /// computes it): within 16 ε of Σ|term| (relative to Σ|term| since the gradient's sums cancel). The worst case
    /// of the order summed is about 4,100 ε; the errors seen are below 4 ε in both precisions.
    fn agrees_with_compensated_sum<F: Real>() {
        let tol = 16.0 * F::EPSILON.to_f64();
        for n in LENGTHS {
            let (x, y) = data::<F>(n);
            let p = Params { w: F::from_f64(2.5), b: F::from_f64(0.75) };
            for loss in losses::<F>() {
                let s = sums_chunked(&x, &y, p, true, loss, 2);
                let e = |i: usize| p.predict(x[i], true) - y[i];
                let terms: [Box<dyn Fn(usize) -> f64>; 3] = [
                    Box::new(|i| loss.value(e(i)).to_f64()),
                    Box::new(|i| (loss.derivative(e(i)) * x[i]).to_f64()),
                    Box::new(|i| loss.derivative(e(i)).to_f64()),
                ];
                for (got, term) in [s.loss, s.grad.w, s.grad.b].into_iter().zip(&terms) {
                    let (want, scale) = compensated((0..n).map(term));
                    let err = (got.to_f64() - want).abs() / scale;
                    assert!(err < tol, "{} n={n} {loss:?}: {got} vs {want}, error {err:e} of Σ|term|", F::NAME);
                }
            }
        }
    }

    #[test]
    fn agrees_with_a_compensated_sum_f64() {
        agrees_with_compensated_sum::<f64>();
    }

    #[test]
    fn agrees_with_a_compensated_sum_f32() {
        agrees_with_compensated_sum::<f32>();
    }

    #[test]
    fn threads_are_bounded() {
        assert!((1..=MAX_THREADS).contains(&available_threads()));
    }
}
