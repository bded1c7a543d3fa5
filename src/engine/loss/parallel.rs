//! The engine's one use of threads: a long pass over the samples, split over the machine's cores by rayon.
//!
//! Everything else in the engine runs on its caller's thread. This is the exception because threads here change
//! nothing but the time a pass takes. A pass over at least [`PARALLEL_MIN`] samples is cut into fixed chunks of
//! [`CHUNK`] samples (the last one shorter), whatever the number of threads; each chunk is summed exactly as
//! [`sums`](super::sums) sums a slice of that length on its own (the [`LANES`](super::LANES) interleaved
//! accumulators, with AVX2 where the CPU has it), and the chunks' sums are then added pairwise in chunk order.
//! The threads (rayon's `par_chunks` on its current pool: the global one, one per core, or one a caller
//! `install`s) decide only who sums which chunk, never what is summed or in which order, so a pass gives the same
//! bits on one core or on eight. [`sums_chunked`] runs the same pass on a pool of a given size: the tests compare
//! thread counts with it.
//!
//! rayon replaced a pool of kept helper threads of descent's own (with an `unsafe` lifetime erasure) after both
//! were timed in one run of `cargo bench --bench engine -- '^pass_(huber|mae)/'` on the 2-core development machine
//! (other builds running: load average 6.5 at the start, 6.2 at the end), one pass over 10⁶ samples, median:
//! Huber 0.88 ms with rayon against 1.80 ms with the kept helpers (0.97 ms on one thread), MAE 0.65 ms against
//! 0.83 ms (0.81 ms on one thread).

use rayon::prelude::*;

use super::{Loss, Sums, chunk_sums};
use crate::engine::model::{Grad, Params};
use crate::engine::real::Real;

/// Passes over at least this many samples (2¹⁷ = 131,072, about 10⁵) are split into chunks and over the cores;
/// shorter ones run as a single sum on the caller's thread (a pass of 2¹⁷ takes about 55 µs on one core of the
/// development machine, 27 µs on two).
pub const PARALLEL_MIN: usize = 1 << 17;
/// Samples per chunk (2¹⁵ = 32,768, a multiple of [`LANES`](super::LANES)): fixed, so the sums do not depend on
/// the thread count. Each lane of a chunk adds 4,096 terms, against 125,000 in an unsplit pass of 10⁶.
pub const CHUNK: usize = 1 << 15;

// A chunk is whole lanes, and is summed as a pass of its own that does not split again.
const _: () = assert!(CHUNK.is_multiple_of(super::LANES) && CHUNK < PARALLEL_MIN);

/// Σℓ, Σ∂ℓ/∂w and Σ∂ℓ/∂b over the samples in fixed chunks of [`CHUNK`], summed on rayon's current pool and added
/// pairwise in chunk order. The result has the same bits as [`sums_chunked`] with any number of threads.
pub fn sums_parallel<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    let n = x.len().min(y.len());
    let parts: Vec<Sums<F>> = x[..n]
        .par_chunks(CHUNK)
        .zip(y[..n].par_chunks(CHUNK))
        .map(|(xc, yc)| chunk_sums(xc, yc, p, bias, loss))
        .collect();
    add_pairwise(&parts)
}

/// The same sums as [`sums_parallel`], on a rayon pool of `threads` threads started for this pass (rayon's
/// default, one per core, for 0), or on the caller's thread alone if no pool can be started. The result has the
/// same bits for every `threads`.
pub fn sums_chunked<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>, threads: usize) -> Sums<F> {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| sums_parallel(x, y, p, bias, loss)),
        Err(_) => {
            let n = x.len().min(y.len());
            let chunks = x[..n].chunks(CHUNK).zip(y[..n].chunks(CHUNK));
            let parts: Vec<Sums<F>> = chunks.map(|(xc, yc)| chunk_sums(xc, yc, p, bias, loss)).collect();
            add_pairwise(&parts)
        }
    }
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
                    // The engine's own entry point takes that path above the threshold.
                    if n >= PARALLEL_MIN {
                        assert_eq!(bits(super::super::sums(&x, &y, p, bias, loss)), bits(one));
                    }
                }
            }
        }
    }

    /// Passes from several threads at once (sharing rayon's global pool): the same bits.
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
}
