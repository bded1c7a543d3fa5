//! Losses, with the per-sample value and derivative, and the fused single pass that evaluates a mean loss and
//! its gradient without temporaries.

use serde::{Deserialize, Serialize};

use super::model::{Grad, Params};
use super::real::Real;

/// Which loss the model is fitted with (all with mean reduction, as torch's default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
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
    pub fn mean(&self) -> (F, Grad<F>) {
        let n = F::from_usize(self.count.max(1));
        (self.loss / n, Grad { w: self.grad.w / n, b: self.grad.b / n })
    }
}

/// Sums shorter than this run strictly left to right, the order NumPy's and torch's small reductions use, so the
/// notebook's printed digits are reproduced. Longer sums use [`LANES`] interleaved accumulators: as accurate as
/// a sequential sum or better, and several times faster because the additions no longer wait on each other.
pub const SEQUENTIAL_SUM_MAX: usize = 64;
/// Number of interleaved accumulators for long sums.
pub const LANES: usize = 8;

/// One fused pass over paired samples: Σℓ, Σ∂ℓ/∂w and Σ∂ℓ/∂b, with no temporaries.
pub fn sums<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Sums<F> {
    debug_assert_eq!(x.len(), y.len());
    // One monomorphised loop per loss keeps the match out of the per-sample path.
    match loss {
        Loss::Mse => sums_with(x, y, p, bias, |e| (e * e, e + e)),
        Loss::Mae => sums_with(x, y, p, bias, |e| (e.abs(), e.sign0())),
        Loss::Huber(_) => sums_with(x, y, p, bias, |e| (loss.value(e), loss.derivative(e))),
    }
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
fn sums_with<F: Real>(x: &[F], y: &[F], p: Params<F>, bias: bool, f: impl Fn(F) -> (F, F)) -> Sums<F> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut s = Sums { count: n, ..Sums::default() };
    if n < SEQUENTIAL_SUM_MAX {
        for (&xi, &yi) in x.iter().zip(y) {
            let (l, d) = f(p.predict(xi, bias) - yi);
            s.loss += l;
            s.grad.w += d * xi;
            if bias {
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
            let (l, d) = f(p.predict(xs[k], bias) - ys[k]);
            acc_l[k] += l;
            acc_w[k] += d * xs[k];
            acc_b[k] += d;
        }
    }
    for (k, (&xi, &yi)) in xr.iter().zip(yr).enumerate() {
        let (l, d) = f(p.predict(xi, bias) - yi);
        acc_l[k] += l;
        acc_w[k] += d * xi;
        acc_b[k] += d;
    }
    s.loss = combine(acc_l);
    s.grad.w = combine(acc_w);
    s.grad.b = if bias { combine(acc_b) } else { F::ZERO };
    s
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
