//! torch.optim.RMSprop.

use super::OptimizerConfig;
use super::kernels::{add, addcmul, lerp};
use super::state::{Observer, OptimState, Term, subtract_update};
use crate::engine::real::Real;

/// torch.optim.RMSprop, with learning rate γ, smoothing constant α, ε, weight decay λ, momentum μ and optional
/// centering.
///
/// `v`, `gavg` and `buf` start at 0. Each step, for every parameter θ with gradient g:
///
/// ```text
/// if λ ≠ 0:  g ← g + λ·θ
/// v ← α·v + (1 − α)·g²
/// ṽ ← v
/// if centered:
///     gavg ← α·gavg + (1 − α)·g
///     ṽ ← v − gavg²
/// if μ > 0:
///     buf ← μ·buf + g / (sqrt(ṽ) + ε)
///     θ ← θ − γ·buf
/// else:
///     θ ← θ − γ·g / (sqrt(ṽ) + ε)
/// ```
///
/// `1 − α` is computed in `f64` and rounded to `F`; `γ·g / d` evaluates `(γ·g) / d` (torch's `addcdiv`).
///
/// Where the code rounds differently from the formula: torch evaluates `g.add(θ, alpha=λ)`,
/// `v.mul_(α).addcmul_(g, g, value=1 − α)`, `gavg.lerp_(g, 1 − α)`, `v.addcmul(gavg, gavg, value=−1)` and, with
/// momentum, `θ.add_(buf, alpha=−γ)`; their float32 CPU kernels fuse each final multiply and add. So in `f32` the
/// weight decay, `(α·v) + ((1 − α)·g)·g` (after `α·v` and `(1 − α)·g` are rounded), `v − gavg²` and `θ − γ·buf` each
/// round once; `gavg` is torch's `lerp`, `gavg + (1 − α)·(g − gavg)` with the difference rounded and the rest fused
/// (`g − (g − gavg)·α` when 1 − α ≥ ½). All bit for bit as torch (tests/fixtures/f32). In `f64` each operation
/// rounds, as the formula reads. The ledger's `Update` is `γ·buf` rounded, not fused.
#[derive(Clone, Debug, PartialEq)]
pub struct Rmsprop<F> {
    lr: F,
    alpha: F,
    one_minus_alpha: F,
    eps: F,
    weight_decay: F,
    use_weight_decay: bool,
    momentum: F,
    use_momentum: bool,
    centered: bool,
    /// Running average of squared gradients v per parameter.
    pub(super) square_avg: [F; 2],
    /// Running average of gradients (centered variant) per parameter.
    pub(super) grad_avg: [F; 2],
    /// Momentum buffer per parameter.
    pub(super) buf: [F; 2],
    t: u64,
}

impl<F: Real> Rmsprop<F> {
    /// A fresh optimizer (all state 0) with the hyperparameters of `cfg`.
    pub fn new(cfg: &OptimizerConfig) -> Self {
        let mut rmsprop = Rmsprop {
            lr: F::ZERO,
            alpha: F::ZERO,
            one_minus_alpha: F::ZERO,
            eps: F::ZERO,
            weight_decay: F::ZERO,
            use_weight_decay: false,
            momentum: F::ZERO,
            use_momentum: false,
            centered: false,
            square_avg: [F::ZERO; 2],
            grad_avg: [F::ZERO; 2],
            buf: [F::ZERO; 2],
            t: 0,
        };
        rmsprop.set_hyperparameters(cfg);
        rmsprop
    }

    /// Takes the hyperparameters of `cfg`, keeping the running averages, the momentum buffer and the step count.
    /// Switching centering or momentum on starts that variant's state from 0 (torch has no state to keep there).
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        let weight_decay = cfg.weight_decay();
        let use_momentum = cfg.momentum > 0.0;
        if cfg.centered && !self.centered {
            self.grad_avg = [F::ZERO; 2];
        }
        if use_momentum && !self.use_momentum {
            self.buf = [F::ZERO; 2];
        }
        self.lr = F::from_f64(cfg.lr);
        self.alpha = F::from_f64(cfg.alpha);
        self.one_minus_alpha = F::from_f64(1.0 - cfg.alpha);
        self.eps = F::from_f64(cfg.eps());
        self.weight_decay = F::from_f64(weight_decay);
        self.use_weight_decay = weight_decay != 0.0;
        self.momentum = F::from_f64(cfg.momentum);
        self.use_momentum = use_momentum;
        self.centered = cfg.centered;
    }

    /// One update of `params` (length 1 or 2) from `grads`, in place, noting each intermediate value to `obs` (`&mut ()`
    /// notes nothing: the ordinary step).
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        let state = self.square_avg.iter_mut().zip(self.grad_avg.iter_mut()).zip(self.buf.iter_mut());
        for (i, ((p, &g), ((v, gavg), b))) in params.iter_mut().zip(grads).zip(state).enumerate() {
            let mut g = g;
            if self.use_weight_decay {
                g = add(g, self.weight_decay, *p);
            }
            obs.note(i, Term::Grad, g);
            *v = addcmul(*v * self.alpha, self.one_minus_alpha, g, g);
            obs.note(i, Term::SquareAvg, *v);
            let root = if self.centered {
                *gavg = if F::TORCH_KERNELS {
                    lerp(*gavg, g, self.one_minus_alpha)
                } else {
                    self.alpha * *gavg + self.one_minus_alpha * g
                };
                obs.note(i, Term::GradAvg, *gavg);
                addcmul(*v, -F::ONE, *gavg, *gavg).sqrt()
            } else {
                v.sqrt()
            };
            let denom = root + self.eps;
            obs.note(i, Term::Denom, denom);
            if self.use_momentum {
                *b = self.momentum * *b + g / denom;
                obs.note(i, Term::MomentumBuffer, *b);
                obs.note(i, Term::Update, self.lr * *b);
                *p = add(*p, -self.lr, *b);
                obs.note(i, Term::Param, *p);
            } else {
                subtract_update(obs, i, p, self.lr * g / denom);
            }
        }
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// The running average of squared gradients v per parameter.
    pub fn square_avg(&self) -> [F; 2] {
        self.square_avg
    }

    /// The running average of gradients per parameter (centered variant; 0 otherwise).
    pub fn grad_avg(&self) -> [F; 2] {
        self.grad_avg
    }

    /// The momentum buffer per parameter (0 without momentum).
    pub fn momentum_buffer(&self) -> [F; 2] {
        self.buf
    }

    /// torch's `state[p]` after the first step: `step`, `square_avg`, then `momentum_buffer` (momentum > 0) and
    /// `grad_avg` (centered); nothing before it.
    pub fn state(&self) -> OptimState {
        if self.t == 0 {
            return OptimState::default();
        }
        let z = [F::ZERO; 2];
        match (self.use_momentum, self.centered) {
            (false, false) => OptimState::new(Some(self.t), &["square_avg"], [self.square_avg, z, z]),
            (true, false) => {
                OptimState::new(Some(self.t), &["square_avg", "momentum_buffer"], [self.square_avg, self.buf, z])
            }
            (false, true) => {
                OptimState::new(Some(self.t), &["square_avg", "grad_avg"], [self.square_avg, self.grad_avg, z])
            }
            (true, true) => OptimState::new(
                Some(self.t),
                &["square_avg", "momentum_buffer", "grad_avg"],
                [self.square_avg, self.buf, self.grad_avg],
            ),
        }
    }

    /// Takes the state of `s` (see [`Rmsprop::state`]); absent entries are 0, as torch creates them.
    pub fn restore(&mut self, s: &OptimState) {
        self.t = s.step.unwrap_or(0);
        self.square_avg = s.pair("square_avg");
        self.grad_avg = s.pair("grad_avg");
        self.buf = s.pair("momentum_buffer");
    }
}
