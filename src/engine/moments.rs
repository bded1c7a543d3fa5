//! Sufficient statistics for full-batch MSE on a linear model.
//!
//! The mean squared error of ŷ = w·x + b depends on the data only through n, Σx, Σx², Σy, Σxy (and the residual at
//! the optimum), so after one pass every evaluation costs O(1), whatever N is. The loss is written around the
//! optimum, L = L* + (1/n)[Σx²·dw² + 2Σx·dw·db + n·db²] with dw = w − w*, db = b − b*, so it keeps full relative
//! precision as the run approaches the minimum instead of cancelling Σy² against 2wΣxy.

use super::loss::{Loss, Sums, sum_slice};
use super::model::{Grad, Params};
use super::real::Real;

/// The statistics, with the optimum and the summed loss there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments<F> {
    n: F,
    count: usize,
    sx: F,
    sxx: F,
    optimum: Params<F>,
    min_loss_sum: F,
    bias: bool,
}

impl<F: Real> Moments<F> {
    /// Computes the statistics, or `None` when the optimum is not unique (all x equal with a bias, or all x zero).
    pub fn new(x: &[F], y: &[F], bias: bool) -> Option<Self> {
        let count = x.len();
        let n = F::from_usize(count);
        let sx = sum_slice(x);
        let sy = sum_slice(y);
        let sxx = sum_slice(&x.iter().map(|&v| v * v).collect::<Vec<_>>());
        let sxy = sum_slice(&x.iter().zip(y).map(|(&a, &b)| a * b).collect::<Vec<_>>());
        let optimum = if bias {
            let det = n * sxx - sx * sx;
            if det <= F::ZERO || !det.is_finite() {
                return None;
            }
            Params { w: (n * sxy - sx * sy) / det, b: (sxx * sy - sx * sxy) / det }
        } else {
            if sxx <= F::ZERO || !sxx.is_finite() {
                return None;
            }
            Params { w: sxy / sxx, b: F::ZERO }
        };
        let min_loss_sum = super::loss::sums(x, y, optimum, bias, Loss::Mse).loss;
        let m = Moments { n, count, sx, sxx, optimum, min_loss_sum, bias };
        m.optimum.is_finite().then_some(m)
    }

    /// Σℓ and Σ∂ℓ at `p`, in O(1).
    #[inline(always)]
    pub fn sums(&self, p: Params<F>) -> Sums<F> {
        let two = F::from_f64(2.0);
        let dw = p.w - self.optimum.w;
        if self.bias {
            let db = p.b - self.optimum.b;
            let gw = self.sxx * dw + self.sx * db;
            let gb = self.sx * dw + self.n * db;
            Sums {
                loss: self.min_loss_sum + dw * gw + db * gb,
                grad: Grad { w: two * gw, b: two * gb },
                count: self.count,
            }
        } else {
            let gw = self.sxx * dw;
            Sums { loss: self.min_loss_sum + dw * gw, grad: Grad { w: two * gw, b: F::ZERO }, count: self.count }
        }
    }
}
