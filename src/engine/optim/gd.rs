//! Plain gradient descent as the notebook writes it: `W -= learning_rate * W.grad`.

use super::OptimizerConfig;
use super::state::{Observer, OptimState, Term, subtract_update};
use crate::engine::real::Real;

/// Plain gradient descent with learning rate γ, written as the notebook's two loops write it (descent's own rule, not
/// torch.optim's):
///
/// ```text
/// u = γ·g          # learning_rate * W.grad: the product, rounded in the run's precision
/// θ ← θ − u        # W -= …: the difference, rounded again
/// ```
///
/// Every operation rounds in the run's precision, as the notebook's lines do: in `f32` this is the notebook's torch
/// cell (`with torch.no_grad(): W -= (learning_rate * W.grad)`), two roundings per update, where torch.optim.SGD's
/// `p.add_(g, alpha=-γ)` fuses them into one (see [`super::Sgd`]); in `f64` it is the NumPy cell
/// (`W = W - gradient*learning_rate`). In `f64` the two rules round alike, so `gd` and `sgd` without momentum or
/// weight decay take the same steps there. The learning rate is the only hyperparameter and nothing carries over
/// between steps: the state is empty, as the notebook keeps none.
#[derive(Clone, Debug, PartialEq)]
pub struct Gd<F> {
    lr: F,
    t: u64,
}

impl<F: Real> Gd<F> {
    /// A fresh optimizer with the learning rate of `cfg`.
    pub fn new(cfg: &OptimizerConfig) -> Self {
        Gd { lr: F::from_f64(cfg.lr), t: 0 }
    }

    /// Takes the learning rate of `cfg` (a schedule's, between steps).
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        self.lr = F::from_f64(cfg.lr);
    }

    /// One update of `params` (length 1 or 2) from `grads`, in place, noting each value to `obs`.
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        for (i, (p, &g)) in params.iter_mut().zip(grads).enumerate() {
            obs.note(i, Term::Grad, g);
            subtract_update(obs, i, p, self.lr * g);
        }
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// Nothing: the notebook's loop carries no state between steps.
    pub fn state(&self) -> OptimState {
        OptimState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_the_product_then_the_difference() {
        // 1 − 0.1f32·13: the product 1.30000001937… rounds up to 1.30000007, so the difference is −0.30000007; one
        // fused rounding (torch.optim.SGD's p.add_(g, alpha=−lr) in float32) gives −0.30000001.
        let mut gd = Gd::<f32>::new(&OptimizerConfig::new(super::super::OptimizerKind::Gd, f64::from(0.1_f32)));
        let mut p = [1.0_f32];
        gd.step_observed(&mut p, &[13.0], &mut ());
        assert_eq!(p[0], 1.0_f32 - 0.1_f32 * 13.0_f32);
        assert_ne!(p[0], (-0.1_f32).mul_add(13.0, 1.0));
        assert_eq!(gd.steps_taken(), 1);
        assert!(gd.state().is_empty());
    }
}
