//! Losses, with the per-sample value and derivative, and the fused single pass that evaluates a mean loss and
//! its gradient without temporaries.
//!
//! How a pass sums depends only on its length: left to right below [`SEQUENTIAL_SUM_MAX`] samples, [`LANES`]
//! interleaved accumulators up to [`PARALLEL_MIN`], and above that fixed chunks of [`CHUNK`](parallel::CHUNK)
//! samples, summed on the machine's cores and added pairwise ([`parallel`]: the same bits whatever the number of
//! threads).

use serde::{Deserialize, Serialize};

pub mod parallel;

use super::model::{Grad, Params};
use super::real::Real;
use parallel::PARALLEL_MIN;

/// Which loss the model is fitted with (all with mean reduction, as torch's default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// Mean squared error, mean((y−ŷ)²) — torch.nn.MSELoss.
    #[default]
    Mse,
    /// Mean absolute error, mean|y−ŷ|, subgradient 0 at a zero residual — torch.nn.L1Loss.
    Mae,
    /// Huber with threshold δ — torch.nn.HuberLoss.
    Huber,
}

impl LossKind {
    /// Short name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Mse => "mse",
            LossKind::Mae => "mae",
            LossKind::Huber => "huber",
        }
    }

    /// The name users see ("MSE", "MAE", "Huber").
    pub fn label(self) -> &'static str {
        match self {
            LossKind::Mse => "MSE",
            LossKind::Mae => "MAE",
            LossKind::Huber => "Huber",
        }
    }
}

/// A loss with its parameter resolved in the run's precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss<F> {
    /// ℓ(e) = e², with e = ŷ − y.
    Mse,
    /// ℓ(e) = |e|.
    Mae,
    /// ℓ(e) = ½e² for |e| < δ, δ(|e| − ½δ) otherwise.
    Huber(F),
}

impl<F: Real> Loss<F> {
    /// Resolves a kind and δ into the run's precision.
    pub fn new(kind: LossKind, huber_delta: f64) -> Self {
        match kind {
            LossKind::Mse => Loss::Mse,
            LossKind::Mae => Loss::Mae,
            LossKind::Huber => Loss::Huber(F::from_f64(huber_delta)),
        }
    }

    /// Per-sample loss of the error e = ŷ − y.
    #[inline(always)]
    pub fn value(self, e: F) -> F {
        match self {
            Loss::Mse => e * e,
            Loss::Mae => e.abs(),
            Loss::Huber(delta) => {
                let z = e.abs();
                if z < delta { F::from_f64(0.5) * z * z } else { delta * (z - F::from_f64(0.5) * delta) }
            }
        }
    }

    /// dℓ/dŷ at error e (torch's backward: 2e, sgn(e) with sgn(0) = 0, clamp(e, −δ, δ)).
    #[inline(always)]
    pub fn derivative(self, e: F) -> F {
        match self {
            Loss::Mse => e + e,
            Loss::Mae => e.sign0(),
            Loss::Huber(delta) => e.max(-delta).min(delta),
        }
    }

    /// d²ℓ/dŷ² at error e (0 at MAE's kink, by convention).
    pub fn curvature(self, e: F) -> F {
        match self {
            Loss::Mse => F::from_f64(2.0),
            Loss::Mae => F::ZERO,
            Loss::Huber(delta) => {
                if e.abs() < delta {
                    F::ONE
                } else {
                    F::ZERO
                }
            }
        }
    }
}

/// The summed (not yet averaged) loss and gradient of a pass over some samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums<F> {
    /// Σ ℓ(eᵢ).
    pub loss: F,
    /// Σ ∂ℓᵢ/∂(w, b).
    pub grad: Grad<F>,
    /// Number of samples summed.
    pub count: usize,
}

impl<F: Real> Sums<F> {
    /// The mean loss and the gradient of the mean loss.
    #[inline(always)]
    pub fn mean(&self) -> (F, Grad<F>) {
        let count = self.count.max(1);
        let n = F::from_usize(count);
        if count.is_power_of_two() && count < 1 << 60 {
            // Multiplying by the exact reciprocal 2^−k rounds identically to dividing, and is several times faster;
            // the reciprocal is built from its bits, so no division runs at all.
            let inv = F::from_f64(f64::from_bits((1023 - u64::from(count.trailing_zeros())) << 52));
            (self.loss * inv, Grad { w: self.grad.w * inv, b: self.grad.b * inv })
        } else {
            (self.loss / n, Grad { w: self.grad.w / n, b: self.grad.b / n })
        }
    }
}

/// Sums shorter than this run strictly left to right, the order NumPy's and torch's small reductions use, so the
/// notebook's printed digits are reproduced. Longer sums use [`LANES`] interleaved accumulators: as accurate as
/// a sequential sum or better, and several times faster because the additions no longer wait on each other.
pub const SEQUENTIAL_SUM_MAX: usize = 64;
/// Number of interleaved accumulators for long sums.
pub const LANES: usize = 8;

/// One fused pass over paired samples: Σℓ, Σ∂ℓ/∂w and Σ∂ℓ/∂b, with no temporaries.
#[inline(always)]
pub fn sums<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    debug_assert_eq!(x.len(), y.len());
    if x.len() < SEQUENTIAL_SUM_MAX {
        // Small data (the notebook's four points): inlined into the trainer's step loop.
        dispatch(x, y, p, bias, loss)
    } else if x.len() < PARALLEL_MIN {
        long_sums(x, y, p, bias, loss)
    } else {
        parallel::sums_parallel(x, y, p, bias, loss)
    }
}

/// One chunk of a split pass, summed exactly as [`sums`] sums a slice of that length on its own (chunks are
/// shorter than [`PARALLEL_MIN`]).
pub(super) fn chunk_sums<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    if x.len() < SEQUENTIAL_SUM_MAX { dispatch(x, y, p, bias, loss) } else { long_sums(x, y, p, bias, loss) }
}

/// The long-sum pass, kept out of line so the small path stays small. On x86-64 machines with AVX2 the same code
/// is compiled a second time with 256-bit vectors; the results are bit-for-bit the same (no fused multiply-adds:
/// Rust never contracts a·b + c), only faster.
#[inline(never)]
fn long_sums<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2, the only requirement of `long_sums_avx2`.
        return unsafe { long_sums_avx2(x, y, p, bias, loss) };
    }
    dispatch(x, y, p, bias, loss)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn long_sums_avx2<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    dispatch(x, y, p, bias, loss)
}

/// One monomorphised loop per loss and model keeps every match out of the per-sample path.
#[inline(always)]
fn dispatch<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    // The per-sample closures are branch-free so that the long-sum loop vectorises.
    match (loss, bias) {
        (Loss::Mse, false) => sums_with::<F, false>(x, y, p, |e| (e * e, e + e)),
        (Loss::Mse, true) => sums_with::<F, true>(x, y, p, |e| (e * e, e + e)),
        (Loss::Mae, false) => sums_with::<F, false>(x, y, p, mae),
        (Loss::Mae, true) => sums_with::<F, true>(x, y, p, mae),
        (Loss::Huber(delta), false) => sums_with::<F, false>(x, y, p, |e| huber(e, delta)),
        (Loss::Huber(delta), true) => sums_with::<F, true>(x, y, p, |e| huber(e, delta)),
    }
}

/// MAE's value and subgradient, sgn(0) = 0, as a difference of two selects (which vectorise; a branch does not).
#[inline(always)]
fn mae<F: Real>(e: F) -> (F, F) {
    let pos = if e > F::ZERO { F::ONE } else { F::ZERO };
    let neg = if e < F::ZERO { F::ONE } else { F::ZERO };
    (e.abs(), pos - neg)
}

/// min and max as plain comparisons: one instruction each on x86 (`f64::min` also handles NaN, which costs
/// several; the values here are always finite).
#[inline(always)]
fn min_finite<F: Real>(a: F, b: F) -> F {
    if a < b { a } else { b }
}

/// Huber's value and derivative without a branch: with c = min(|e|, δ), ℓ = c·(|e| − c/2) equals ½e² inside δ and
/// δ(|e| − δ/2) outside, and ℓ' = clamp(e, −δ, δ) = c with the sign of e (bit operations, which vectorise).
#[inline(always)]
fn huber<F: Real>(e: F, delta: F) -> (F, F) {
    let z = e.abs();
    let c = min_finite(z, delta);
    (c * (z - F::from_f64(0.5) * c), c.copysign(e))
}

/// A pass over the samples at `indices` (a mini-batch).
pub fn sums_indexed<F: Real>(x: &[F], y: &[F], indices: &[usize], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    let mut s = Sums { count: indices.len(), ..Sums::default() };
    for &i in indices {
        let (xi, e) = (x[i], p.predict(x[i], bias) - y[i]);
        let d = loss.derivative(e);
        s.loss += loss.value(e);
        s.grad.w += d * xi;
        if bias {
            s.grad.b += d;
        }
    }
    s
}

#[inline(always)]
fn sums_with<F: Real, const BIAS: bool>(x: &[F], y: &[F], p: Params<F>, f: impl Fn(F) -> (F, F)) -> Sums<F> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut s = Sums { count: n, ..Sums::default() };
    if n < SEQUENTIAL_SUM_MAX {
        let Some((&x0, &y0)) = x.first().zip(y.first()) else { return s };
        // Left to right, starting from the first term rather than from 0 (one dependent addition fewer).
        let (l, d) = f(p.predict(x0, BIAS) - y0);
        (s.loss, s.grad.w, s.grad.b) = (l, d * x0, if BIAS { d } else { F::ZERO });
        for (&xi, &yi) in x[1..].iter().zip(&y[1..]) {
            let (l, d) = f(p.predict(xi, BIAS) - yi);
            s.loss += l;
            s.grad.w += d * xi;
            if BIAS {
                s.grad.b += d;
            }
        }
        return s;
    }
    let mut acc_l = [F::ZERO; LANES];
    let mut acc_w = [F::ZERO; LANES];
    let mut acc_b = [F::ZERO; LANES];
    let (xc, yc) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for k in 0..LANES {
            let (l, d) = f(p.predict(xs[k], BIAS) - ys[k]);
            acc_l[k] += l;
            acc_w[k] += d * xs[k];
            if BIAS {
                acc_b[k] += d;
            }
        }
    }
    finish_lanes::<F, BIAS>([acc_l, acc_w, acc_b], xr, yr, p, n, f)
}

/// The last samples (fewer than [`LANES`]) added to the first lanes, and the lanes combined. Kept out of line:
/// inlined, this code after the lane loop steers LLVM into vectorising the loop with the lanes shuffled across
/// registers, which made Huber's pass about twice as slow (the arithmetic, and so every bit, is the same).
#[inline(never)]
fn finish_lanes<F: Real, const BIAS: bool>(
    [mut acc_l, mut acc_w, mut acc_b]: [[F; LANES]; 3],
    xr: &[F],
    yr: &[F],
    p: Params<F>,
    count: usize,
    f: impl Fn(F) -> (F, F),
) -> Sums<F> {
    for (k, (&xi, &yi)) in xr.iter().zip(yr).enumerate() {
        let (l, d) = f(p.predict(xi, BIAS) - yi);
        acc_l[k] += l;
        acc_w[k] += d * xi;
        if BIAS {
            acc_b[k] += d;
        }
    }
    let grad = Grad { w: combine(acc_w), b: if BIAS { combine(acc_b) } else { F::ZERO } };
    Sums { loss: combine(acc_l), grad, count }
}

/// Pairwise combination of the lanes.
#[inline(always)]
fn combine<F: Real>(mut a: [F; LANES]) -> F {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            a[k] += a[k + width];
        }
    }
    a[0]
}

/// Mean loss alone (used by the numeric gradient and the landscape plots).
pub fn mean_loss<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> F {
    sums(x, y, p, bias, loss).mean().0
}

/// Sum of a slice in the engine's order: left to right below [`SEQUENTIAL_SUM_MAX`] terms, interleaved lanes above.
pub fn sum_slice<F: Real>(v: &[F]) -> F {
    if v.len() < SEQUENTIAL_SUM_MAX {
        return v.iter().fold(F::ZERO, |s, &t| s + t);
    }
    let mut acc = [F::ZERO; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            acc[k] += c[k];
        }
    }
    for (k, &t) in rest.iter().enumerate() {
        acc[k] += t;
    }
    combine(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented order written out plainly: sample i goes to lane i mod [`LANES`], each lane adds left to
    /// right from 0, and the lanes are combined pairwise (lane k with lane k + 4, then k + 2, then k + 1).
    fn lanes_reference<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> [F; 3] {
        let mut acc = [[F::ZERO; LANES]; 3];
        for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
            let e = p.predict(xi, bias) - yi;
            let d = loss.derivative(e);
            acc[0][i % LANES] += loss.value(e);
            acc[1][i % LANES] += d * xi;
            acc[2][i % LANES] += if bias { d } else { F::ZERO };
        }
        acc.map(combine)
    }

    /// The lane pass gives exactly the reference's bits, for every loss, with and without bias, in both
    /// precisions, for lengths from the first long sum to the last unsplit one (the vectorised loop and its tail).
    fn lane_pass_follows_the_documented_order<F: Real>() {
        for n in [SEQUENTIAL_SUM_MAX, 65, 71, 1_000, 4_099, PARALLEL_MIN - 1] {
            let x: Vec<F> = (0..n).map(|i| F::from_f64((i as f64 * 0.618_034).fract() * 4.0 - 1.0)).collect();
            let y: Vec<F> = x.iter().enumerate().map(|(i, &v)| v * F::from_f64(3.0 - (i % 7) as f64)).collect();
            let p = Params { w: F::from_f64(1.25), b: F::from_f64(-0.5) };
            for loss in [Loss::Mse, Loss::Mae, Loss::Huber(F::from_f64(0.7))] {
                for bias in [false, true] {
                    let s = sums(&x, &y, p, bias, loss);
                    let want = lanes_reference(&x, &y, p, bias, loss);
                    let got = [s.loss, s.grad.w, s.grad.b];
                    let bits = |v: [F; 3]| v.map(|t| t.to_f64().to_bits());
                    assert_eq!(bits(got), bits(want), "{} n={n} {loss:?} bias={bias}", F::NAME);
                }
            }
        }
    }

    #[test]
    fn lane_pass_follows_the_documented_order_f64() {
        lane_pass_follows_the_documented_order::<f64>();
    }

    #[test]
    fn lane_pass_follows_the_documented_order_f32() {
        lane_pass_follows_the_documented_order::<f32>();
    }
}
