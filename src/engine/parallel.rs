//! The engine's one use of threads: a long pass over the samples, split over the machine's cores.
//!
//! Everything else in the engine runs on its caller's thread. This is the exception because threads here change
//! nothing but the time a pass takes. A pass over at least [`PARALLEL_MIN`] samples is cut into fixed chunks of
//! [`CHUNK`] samples (the last one shorter), whatever the number of threads; each chunk is summed exactly as
//! [`sums`](super::loss::sums) sums a slice of that length on its own (the [`LANES`](super::loss::LANES)
//! interleaved accumulators, with AVX2 where the CPU has it), and the chunks' sums are then added pairwise in
//! chunk order. The threads decide only who sums which chunk, never what is summed or in which order, so a pass
//! gives the same bits on one core or on eight.
//!
//! The caller's thread and `threads − 1` scoped helpers take the chunks one at a time, each the next one not yet
//! taken (an atomic counter), so a core that another program holds only slows the pass, never stalls it on a
//! fixed share. They borrow the samples, return their chunks' sums by chunk index, share nothing else, and have
//! all ended when the pass returns. Starting them costs some tens of microseconds, against some hundreds for a
//! pass of 10⁶ samples.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::loss::{Loss, Sums, chunk_sums};
use super::model::{Grad, Params};
use super::real::Real;

/// Passes over at least this many samples (2¹⁷ = 131,072) are split into chunks and over the cores; shorter ones
/// run as a single sum on the caller's thread, where starting a thread would cost about what it saves.
pub const PARALLEL_MIN: usize = 1 << 17;
/// Samples per chunk (2¹⁵ = 32,768, a multiple of [`LANES`](super::loss::LANES)): fixed, so the sums do not
/// depend on the thread count. Each lane of a chunk adds 4,096 terms, against 125,000 in an unsplit pass of 10⁶.
pub const CHUNK: usize = 1 << 15;
// A chunk is whole lanes, and is summed as a pass of its own that does not split again.
const _: () = assert!(CHUNK.is_multiple_of(super::loss::LANES) && CHUNK < PARALLEL_MIN);

/// At most this many threads share one pass: beyond it a pass of 10⁶ samples (31 chunks) gains little.
pub const MAX_THREADS: usize = 8;

/// The threads a pass uses on this machine: the cores this process may run on (`taskset` counts), at most
/// [`MAX_THREADS`]; asked once, since the answer costs system calls.
pub fn available_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS))
}

/// Σℓ, Σ∂ℓ/∂w and Σ∂ℓ/∂b over the samples in fixed chunks of [`CHUNK`], summed by up to `threads` threads (at
/// least 1, at most one per chunk). The result has the same bits for every `threads`.
pub fn sums_chunked<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>, threads: usize) -> Sums<F> {
    let n = x.len().min(y.len());
    let chunks = n.div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    // Each thread takes the next chunk not yet taken until none is left, and returns its chunks' sums by index.
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(range) = (k < chunks).then(|| k * CHUNK..n.min((k + 1) * CHUNK)) else { return done };
            done.push((k, chunk_sums(&x[range.clone()], &y[range], p, bias, loss)));
        }
    };
    let mut parts = vec![Sums::default(); chunks];
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.clamp(1, chunks.max(1))).map(|_| scope.spawn(work)).collect();
        let mine = work();
        for done in helpers.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))) {
            for (k, s) in done {
                parts[k] = s;
            }
        }
        for (k, s) in mine {
            parts[k] = s;
        }
    });
    add_pairwise(&parts)
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
                    // The engine's own entry point takes the same path above the threshold.
                    if n >= PARALLEL_MIN {
                        assert_eq!(bits(super::super::loss::sums(&x, &y, p, bias, loss)), bits(one));
                    }
                }
            }
        }
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
