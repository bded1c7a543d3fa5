//! Newton's method: the step to the minimum of the local quadratic model, damped by the learning rate.

use super::OptimizerConfig;
use super::state::{Observer, OptimState, Term, subtract_update};
use crate::engine::real::Real;

/// A 2×2 Hessian in the run's precision (the 1×1 case uses `[0][0]` only).
pub type Hessian<F> = [[F; 2]; 2];

/// Newton's method with learning rate γ (default 1; smaller damps it). torch has no Newton: descent's own rule.
///
/// The trainer sets H, the exact Hessian of the mean loss at the current point ([`Newton::set_hessian`]), before
/// each step; then, with g the update's gradient:
///
/// ```text
/// one parameter:   d = g / H                         (H = ∂²L/∂w²)
/// two parameters:  det = H_ww·H_bb − H_wb·H_wb
///                  d_w = (H_bb·g_w − H_wb·g_b) / det
///                  d_b = (H_ww·g_b − H_wb·g_w) / det   (d = H⁻¹g by Cramer's rule)
/// u = γ·d;  θ ← θ − u
/// ```
///
/// Every operation rounds in the run's precision, as written. On a quadratic loss the model is the loss, so at
/// γ = 1 the step lands on its stationary point at once (the minimum when H is positive definite, a saddle
/// otherwise); with γ < 1 the error shrinks by (1 − γ) each step. A singular H has no step ([`is_singular`]): the trainer stops the
/// run before the update, and a step with one leaves the parameters as they are. The state is empty: nothing carries over.
#[derive(Clone, Debug, PartialEq)]
pub struct Newton<F> {
    lr: F,
    hessian: Hessian<F>,
    t: u64,
}

impl<F: Real> Newton<F> {
    /// A fresh optimizer with the learning rate of `cfg`, and a zero Hessian until one is set.
    pub fn new(cfg: &OptimizerConfig) -> Self {
        Newton { lr: F::from_f64(cfg.lr), hessian: [[F::ZERO; 2]; 2], t: 0 }
    }

    /// Takes the learning rate of `cfg`.
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        self.lr = F::from_f64(cfg.lr);
    }

    /// The Hessian at the point of the next step.
    pub fn set_hessian(&mut self, h: Hessian<F>) {
        self.hessian = h;
    }

    /// One update of `params` (length 1 or 2) from `grads`, with the Hessian last set, noting each value to `obs`.
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        let n = params.len().min(grads.len()).min(2);
        let h = self.hessian;
        if n == 0 || is_singular(h, n) {
            // No step exists (the trainer stops the run before getting here).
            return;
        }
        let g = [grads[0], if n == 2 { grads[1] } else { F::ZERO }];
        let direction = if n == 1 {
            obs.note(0, Term::Grad, g[0]);
            obs.note(0, Term::Hessian, h[0][0]);
            [g[0] / h[0][0], F::ZERO]
        } else {
            let det = h[0][0] * h[1][1] - h[0][1] * h[0][1];
            for (i, &gi) in g.iter().enumerate() {
                obs.note(i, Term::Grad, gi);
                obs.note(i, Term::Hessian, h[i][i]);
                obs.note(i, Term::HessianCross, h[0][1]);
                obs.note(i, Term::Det, det);
            }
            [(h[1][1] * g[0] - h[0][1] * g[1]) / det, (h[0][0] * g[1] - h[0][1] * g[0]) / det]
        };
        for (i, (p, d)) in params.iter_mut().zip(direction).take(n).enumerate() {
            obs.note(i, Term::Direction, d);
            subtract_update(obs, i, p, self.lr * d);
        }
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// Nothing: Newton carries no state between steps.
    pub fn state(&self) -> OptimState {
        OptimState::default()
    }
}

/// True when `h` (of `n` parameters) has no usable inverse: not finite, zero, or (2×2) a determinant lost to
/// cancellation, |det| ≤ 4ε·(|H_ww·H_bb| + H_wb²) with ε the precision's machine epsilon.
pub fn is_singular<F: Real>(h: Hessian<F>, n: usize) -> bool {
    if n == 1 {
        return !(h[0][0].is_finite() && h[0][0] != F::ZERO);
    }
    let finite = h.iter().flatten().all(|v| v.is_finite());
    let det = h[0][0] * h[1][1] - h[0][1] * h[0][1];
    let scale = (h[0][0] * h[1][1]).abs() + h[0][1] * h[0][1];
    !finite || !det.is_finite() || det.abs() <= F::from_f64(4.0) * F::EPSILON * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lands_on_a_quadratics_minimum_and_detects_singular_matrices() {
        // L = (w − 1)² + 2(b + 3)² + (w − 1)(b + 3): g at 0 is (−2 + 3, 12 − 1), H = [[2, 1], [1, 4]].
        let mut n = Newton::<f64>::new(&OptimizerConfig::new(super::super::OptimizerKind::Newton, 1.0));
        n.set_hessian([[2.0, 1.0], [1.0, 4.0]]);
        let mut p = [0.0, 0.0];
        n.step_observed(&mut p, &[1.0, 11.0], &mut ());
        assert!((p[0] - 1.0).abs() < 1e-15 && (p[1] + 3.0).abs() < 1e-15, "{p:?}");
        assert!(is_singular([[1.0, 2.0], [2.0, 4.0]], 2));
        assert!(is_singular([[0.0, 0.0], [0.0, 0.0]], 1));
        assert!(!is_singular([[2.0, 0.0], [0.0, -2.0]], 2), "indefinite is allowed");
    }
}
