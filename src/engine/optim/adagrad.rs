//! torch.optim.Adagrad.

use super::OptimizerConfig;
use super::kernels::{add, addcmul};
use super::state::{Observer, OptimState, Term, subtract_update};
use crate::engine::real::Real;

/// torch.optim.Adagrad, with learning rate γ, learning-rate decay η, weight decay λ, initial accumulator
/// value τ and ε (default 1e-10).
///
/// `sum` starts at τ. Each step t = 1, 2, …, for every parameter θ with gradient g:
///
/// ```text
/// γ̃ ← γ / (1 + (t − 1)·η)
/// if λ ≠ 0:  g ← g + λ·θ
/// sum ← sum + g²
/// θ ← θ − γ̃·g / (sqrt(sum) + ε)
/// ```
///
/// As in torch, γ̃ is computed in `f64` and rounded to `F`, and the last line evaluates `(γ̃·g) / (sqrt(sum) + ε)`
/// (torch's `addcdiv`).
///
/// Where the code rounds differently from the formula: torch evaluates `g.add(θ, alpha=λ)` and
/// `sum.addcmul_(g, g, value=1)`, whose float32 CPU kernels fuse the multiply and the add; so in `f32` the weight
/// decay and `sum + g²` each round once, bit for bit as torch (tests/fixtures/f32). In `f64` each operation rounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Adagrad<F> {
    lr: f64,
    lr_decay: f64,
    weight_decay: F,
    use_weight_decay: bool,
    eps: F,
    /// Sum of squared gradients per parameter.
    pub(super) sum: [F; 2],
    t: u64,
}

impl<F: Real> Adagrad<F> {
    /// A fresh optimizer (`sum` = initial accumulator value) with the hyperparameters of `cfg`.
    pub fn new(cfg: &OptimizerConfig) -> Self {
        let mut adagrad = Adagrad {
            lr: 0.0,
            lr_decay: 0.0,
            weight_decay: F::ZERO,
            use_weight_decay: false,
            eps: F::ZERO,
            sum: [F::from_f64(cfg.initial_accumulator_value); 2],
            t: 0,
        };
        adagrad.set_hyperparameters(cfg);
        adagrad
    }

    /// Takes the hyperparameters of `cfg`, keeping the accumulated sums and the step count
    /// (the initial accumulator value only matters to a fresh optimizer, as in torch).
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        let weight_decay = cfg.weight_decay();
        self.lr = cfg.lr;
        self.lr_decay = cfg.lr_decay;
        self.weight_decay = F::from_f64(weight_decay);
        self.use_weight_decay = weight_decay != 0.0;
        self.eps = F::from_f64(cfg.eps());
    }

    /// One update of `params` (length 1 or 2) from `grads`, in place, noting each intermediate value to `obs` (`&mut ()`
    /// notes nothing: the ordinary step).
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        let clr = F::from_f64(self.lr / (1.0 + (self.t - 1) as f64 * self.lr_decay));
        for (i, ((p, &g), s)) in params.iter_mut().zip(grads).zip(self.sum.iter_mut()).enumerate() {
            let mut g = g;
            if self.use_weight_decay {
                g = add(g, self.weight_decay, *p);
            }
            obs.note(i, Term::Grad, g);
            obs.note(i, Term::Clr, clr);
            *s = addcmul(*s, F::ONE, g, g);
            obs.note(i, Term::Sum, *s);
            let std = s.sqrt() + self.eps;
            obs.note(i, Term::Denom, std);
            subtract_update(obs, i, p, clr * g / std);
        }
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// The accumulated sum of squared gradients per parameter.
    pub fn sum(&self) -> [F; 2] {
        self.sum
    }

    /// torch's `state[p]`: `step` and `sum`, from construction on (torch creates them in `__init__`).
    pub fn state(&self) -> OptimState {
        OptimState::new(Some(self.t), &["sum"], [self.sum, [F::ZERO; 2], [F::ZERO; 2]])
    }

    /// Takes the state of `s` (see [`Adagrad::state`]).
    pub fn restore(&mut self, s: &OptimState) {
        self.t = s.step.unwrap_or(0);
        if s.get(0, "sum").is_some() {
            self.sum = s.pair("sum");
        }
    }
}
