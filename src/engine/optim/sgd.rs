//! torch.optim.SGD: plain, momentum, dampening, Nesterov, weight decay.

use super::OptimizerConfig;
use super::kernels::add;
use super::state::{Observer, OptimState, Term};
use crate::engine::real::Real;

/// torch.optim.SGD, with learning rate γ, momentum μ, dampening τ, weight decay λ and optional Nesterov.
///
/// Each step, for every parameter θ with gradient g (torch's documented algorithm):
///
/// ```text
/// if λ ≠ 0:  g ← g + λ·θ
/// if μ ≠ 0:
///     if this is the first step with momentum:  b ← g           (no dampening on the first step)
///     else:                                     b ← μ·b + (1 − τ)·g
///     if nesterov:  g ← g + μ·b
///     else:         g ← b
/// θ ← θ − γ·g
/// ```
///
/// Constants such as `1 − τ` are computed in `f64` and then rounded to `F`, as torch computes them in Python.
///
/// Where the code rounds differently from the formula: torch evaluates the lines as `g.add(θ, alpha=λ)`,
/// `b.mul_(μ).add_(g, alpha=1 − τ)`, `g.add(b, alpha=μ)` and `θ.add_(g, alpha=−γ)`, and its float32 CPU kernels
/// fuse each `x + α·y` into one rounding. So in `f32` the weight decay, the second half of the momentum update
/// (`(μ·b) + (1 − τ)·g`, after `μ·b` is rounded), the Nesterov look-ahead and the parameter update each round once,
/// bit for bit as torch (tests/fixtures/f32). In `f64` every multiply and add rounds, as the formula reads: without
/// momentum and weight decay the update is exactly `θ − γ·g`, one multiply and one subtract. The ledger's
/// `Update` is `γ·g` rounded; in `f32` the parameter is not `θ − Update` but the fused result.
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<F> {
    lr: F,
    momentum: F,
    one_minus_dampening: F,
    weight_decay: F,
    nesterov: bool,
    use_momentum: bool,
    use_weight_decay: bool,
    /// Momentum buffer b per parameter.
    pub(super) buf: [F; 2],
    /// Whether `buf` holds a value (torch creates it on the first step with momentum).
    has_buf: bool,
    t: u64,
}

impl<F: Real> Sgd<F> {
    /// A fresh optimizer (no momentum buffer yet) with the hyperparameters of `cfg`.
    pub fn new(cfg: &OptimizerConfig) -> Self {
        let mut sgd = Sgd {
            lr: F::ZERO,
            momentum: F::ZERO,
            one_minus_dampening: F::ONE,
            weight_decay: F::ZERO,
            nesterov: false,
            use_momentum: false,
            use_weight_decay: false,
            buf: [F::ZERO; 2],
            has_buf: false,
            t: 0,
        };
        sgd.set_hyperparameters(cfg);
        sgd
    }

    /// Takes the hyperparameters of `cfg`, keeping the momentum buffer and the step count.
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        let weight_decay = cfg.weight_decay();
        self.lr = F::from_f64(cfg.lr);
        self.momentum = F::from_f64(cfg.momentum);
        self.one_minus_dampening = F::from_f64(1.0 - cfg.dampening);
        self.weight_decay = F::from_f64(weight_decay);
        self.nesterov = cfg.nesterov;
        self.use_momentum = cfg.momentum != 0.0;
        self.use_weight_decay = weight_decay != 0.0;
    }

    /// One update of `params` (length 1 or 2) from `grads`, in place, noting each intermediate value to `obs` (`&mut ()`
    /// notes nothing: the ordinary step).
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        let lr = self.lr;
        if !self.use_momentum && !self.use_weight_decay {
            for (i, (p, &g)) in params.iter_mut().zip(grads).enumerate() {
                obs.note(i, Term::Grad, g);
                obs.note(i, Term::Update, lr * g);
                *p = add(*p, -lr, g);
                obs.note(i, Term::Param, *p);
            }
            return;
        }
        let first = !self.has_buf;
        for (i, ((p, &g), b)) in params.iter_mut().zip(grads).zip(self.buf.iter_mut()).enumerate() {
            let mut g = g;
            if self.use_weight_decay {
                g = add(g, self.weight_decay, *p);
            }
            obs.note(i, Term::Grad, g);
            if self.use_momentum {
                *b = if first { g } else { add(*b * self.momentum, self.one_minus_dampening, g) };
                obs.note(i, Term::MomentumBuffer, *b);
                g = if self.nesterov { add(g, self.momentum, *b) } else { *b };
                if self.nesterov {
                    obs.note(i, Term::Nesterov, g);
                }
            }
            obs.note(i, Term::Update, lr * g);
            *p = add(*p, -lr, g);
            obs.note(i, Term::Param, *p);
        }
        if self.use_momentum {
            self.has_buf = true;
        }
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// The momentum buffer b per parameter (`None` before the first step with momentum).
    pub fn momentum_buffer(&self) -> Option<[F; 2]> {
        self.has_buf.then_some(self.buf)
    }

    /// torch's `state[p]`: `momentum_buffer` once a step with momentum has been taken; SGD keeps no step count.
    pub fn state(&self) -> OptimState {
        let keys: &'static [&'static str] = if self.has_buf { &["momentum_buffer"] } else { &[] };
        OptimState::new(None, keys, [self.buf, [F::ZERO; 2], [F::ZERO; 2]])
    }

    /// Takes the state of `s` (see [`Sgd::state`]); the step count is not part of torch's SGD state and stays.
    pub fn restore(&mut self, s: &OptimState) {
        self.has_buf = s.get(0, "momentum_buffer").is_some();
        self.buf = s.pair("momentum_buffer");
    }
}
