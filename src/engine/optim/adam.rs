//! torch.optim.Adam and torch.optim.AdamW (decoupled weight decay).

use super::kernels::{add, addcmul, lerp};
use super::state::{Observer, OptimState, Term, subtract_update};
use super::{OptimizerConfig, OptimizerKind};
use crate::engine::real::Real;

/// torch.optim.Adam, or torch.optim.AdamW when `decoupled`, with learning rate γ, β₁, β₂, ε, weight decay λ and
/// optional AMSGrad.
///
/// `m`, `v` and `vmax` start at 0. Each step t = 1, 2, …, for every parameter θ with gradient g:
///
/// ```text
/// if λ ≠ 0:
///     AdamW:  θ ← θ − γ·λ·θ            (decay the parameter first; g is left alone)
///     Adam:   g ← g + λ·θ
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// bc₁ ← 1 − β₁ᵗ,  bc₂ ← 1 − β₂ᵗ
/// if amsgrad:  vmax ← max(vmax, v);  v̂ ← vmax
/// else:        v̂ ← v
/// denom ← sqrt(v̂) / sqrt(bc₂) + ε      (ε added after dividing by sqrt(bc₂), as torch's implementation does)
/// θ ← θ − (γ / bc₁)·m / denom
/// ```
///
/// As in torch, the scalars `1 − β`, `γ / bc₁`, `sqrt(bc₂)` and AdamW's factor `1 − γ·λ` are computed in `f64`
/// (`βᵗ` with `powf`, and `sqrt(bc₂)` as `bc₂.powf(0.5)`, as torch 2.15's `bias_correction2 ** 0.5`; the two differ in
/// the last bit for a few t, such as t = 1270 with β₂ = 0.999) and rounded to `F`; AdamW's decay is applied as
/// `θ·(1 − γ·λ)` (torch's `param.mul_`), and the last line evaluates `((γ / bc₁)·m) / denom` (torch's `addcdiv`).
///
/// Where the code rounds differently from the formula: torch evaluates `g.add(θ, alpha=λ)`,
/// `m.lerp_(g, 1 − β₁)` and `v.mul_(β₂).addcmul_(g, g, value=1 − β₂)`, and its float32 CPU kernels fuse each final
/// multiply and add. So in `f32` Adam's weight decay rounds once, `m` is torch's `lerp`, `m + (1 − β₁)·(g − m)` with
/// the difference rounded and the rest fused (`g − (g − m)·β₁` when 1 − β₁ ≥ ½), and `v` is `(β₂·v) + ((1 − β₂)·g)·g`
/// with one rounding after `β₂·v` and `(1 − β₂)·g` are rounded: bit for bit as torch (tests/fixtures/f32). In `f64`
/// each operation rounds, as the formula reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<F> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    b1: F,
    one_minus_b1: F,
    b2: F,
    one_minus_b2: F,
    eps: F,
    weight_decay: F,
    use_weight_decay: bool,
    /// AdamW's per-step parameter factor `1 − γ·λ`.
    decay_factor: F,
    decoupled: bool,
    amsgrad: bool,
    /// First moment m per parameter.
    pub(super) exp_avg: [F; 2],
    /// Second moment v per parameter.
    pub(super) exp_avg_sq: [F; 2],
    /// Running maximum of v per parameter (AMSGrad).
    pub(super) max_exp_avg_sq: [F; 2],
    t: u64,
    /// `γ / bc₁` of the current step.
    step_size: F,
    /// `sqrt(bc₂)` of the current step.
    bc2_sqrt: F,
    /// Both bias corrections have reached exactly 1 in `f64`, and stay there: skip recomputing them.
    bias_settled: bool,
}

impl<F: Real> Adam<F> {
    /// A fresh optimizer (all moments 0) with the hyperparameters of `cfg`; AdamW if `cfg.kind` is
    /// [`OptimizerKind::Adamw`].
    pub fn new(cfg: &OptimizerConfig) -> Self {
        let mut adam = Adam {
            lr: 0.0,
            beta1: 0.0,
            beta2: 0.0,
            b1: F::ZERO,
            one_minus_b1: F::ONE,
            b2: F::ZERO,
            one_minus_b2: F::ONE,
            eps: F::ZERO,
            weight_decay: F::ZERO,
            use_weight_decay: false,
            decay_factor: F::ONE,
            decoupled: false,
            amsgrad: false,
            exp_avg: [F::ZERO; 2],
            exp_avg_sq: [F::ZERO; 2],
            max_exp_avg_sq: [F::ZERO; 2],
            t: 0,
            step_size: F::ZERO,
            bc2_sqrt: F::ONE,
            bias_settled: false,
        };
        adam.set_hyperparameters(cfg);
        adam
    }

    /// Takes the hyperparameters of `cfg` (AdamW if `cfg.kind` is [`OptimizerKind::Adamw`]), keeping the moments
    /// and the step count. Switching AMSGrad on starts its running maximum from 0.
    pub fn set_hyperparameters(&mut self, cfg: &OptimizerConfig) {
        let weight_decay = cfg.weight_decay();
        if cfg.amsgrad && !self.amsgrad {
            self.max_exp_avg_sq = [F::ZERO; 2];
        }
        self.lr = cfg.lr;
        self.beta1 = cfg.beta1;
        self.beta2 = cfg.beta2;
        self.b1 = F::from_f64(cfg.beta1);
        self.one_minus_b1 = F::from_f64(1.0 - cfg.beta1);
        self.b2 = F::from_f64(cfg.beta2);
        self.one_minus_b2 = F::from_f64(1.0 - cfg.beta2);
        self.eps = F::from_f64(cfg.eps());
        self.weight_decay = F::from_f64(weight_decay);
        self.use_weight_decay = weight_decay != 0.0;
        self.decay_factor = F::from_f64(1.0 - cfg.lr * weight_decay);
        self.decoupled = cfg.kind == OptimizerKind::Adamw;
        self.amsgrad = cfg.amsgrad;
        self.bias_settled = false;
    }

    /// One update of `params` (length 1 or 2) from `grads`, in place, noting each intermediate value to `obs` (`&mut ()`
    /// notes nothing: the ordinary step).
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        self.t += 1;
        if !self.bias_settled {
            self.update_bias_correction();
        }
        let (step_size, bc2_sqrt) = (self.step_size, self.bc2_sqrt);
        let moments = self.exp_avg.iter_mut().zip(self.exp_avg_sq.iter_mut()).zip(self.max_exp_avg_sq.iter_mut());
        for (i, ((p, &g), ((m, v), vmax))) in params.iter_mut().zip(grads).zip(moments).enumerate() {
            let mut g = g;
            if self.use_weight_decay {
                if self.decoupled {
                    *p *= self.decay_factor;
                    obs.note(i, Term::Decayed, *p);
                } else {
                    g = add(g, self.weight_decay, *p);
                }
            }
            obs.note(i, Term::Grad, g);
            *m = if F::TORCH_KERNELS { lerp(*m, g, self.one_minus_b1) } else { self.b1 * *m + self.one_minus_b1 * g };
            obs.note(i, Term::ExpAvg, *m);
            *v = addcmul(*v * self.b2, self.one_minus_b2, g, g);
            obs.note(i, Term::ExpAvgSq, *v);
            let v_hat = if self.amsgrad {
                // torch.maximum: NaN propagates.
                if *v > *vmax || !v.is_finite() {
                    *vmax = *v;
                }
                obs.note(i, Term::MaxExpAvgSq, *vmax);
                *vmax
            } else {
                *v
            };
            obs.note(i, Term::StepSize, step_size);
            obs.note(i, Term::Bc2Sqrt, bc2_sqrt);
            let denom = v_hat.sqrt() / bc2_sqrt + self.eps;
            obs.note(i, Term::Denom, denom);
            subtract_update(obs, i, p, step_size * *m / denom);
        }
    }

    /// Computes `γ / bc₁` and `sqrt(bc₂)` for step `t` in `f64`, as torch does in Python (`bc₂ ** 0.5`).
    #[cold]
    fn update_bias_correction(&mut self) {
        let t = self.t as f64;
        let bc1 = 1.0 - self.beta1.powf(t);
        let bc2 = 1.0 - self.beta2.powf(t);
        self.step_size = F::from_f64(self.lr / bc1);
        self.bc2_sqrt = F::from_f64(bc2.powf(0.5));
        // βᵗ only shrinks as t grows, so once 1 − βᵗ rounds to 1 it stays 1.
        self.bias_settled = bc1 == 1.0 && bc2 == 1.0;
    }

    /// Steps taken since creation.
    pub fn steps_taken(&self) -> u64 {
        self.t
    }

    /// Whether this is AdamW (decoupled weight decay).
    pub fn decoupled(&self) -> bool {
        self.decoupled
    }

    /// The first moment m per parameter.
    pub fn exp_avg(&self) -> [F; 2] {
        self.exp_avg
    }

    /// The second moment v per parameter.
    pub fn exp_avg_sq(&self) -> [F; 2] {
        self.exp_avg_sq
    }

    /// The running maximum of v per parameter (AMSGrad; 0 otherwise).
    pub fn max_exp_avg_sq(&self) -> [F; 2] {
        self.max_exp_avg_sq
    }

    /// torch's `state[p]` after the first step: `step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with
    /// AMSGrad; nothing before it.
    pub fn state(&self) -> OptimState {
        if self.t == 0 {
            return OptimState::default();
        }
        let (m, v) = (self.exp_avg, self.exp_avg_sq);
        if self.amsgrad {
            OptimState::new(Some(self.t), &["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], [m, v, self.max_exp_avg_sq])
        } else {
            OptimState::new(Some(self.t), &["exp_avg", "exp_avg_sq"], [m, v, [F::ZERO; 2]])
        }
    }

    /// Takes the state of `s` (see [`Adam::state`]); the bias corrections follow its step count.
    pub fn restore(&mut self, s: &OptimState) {
        self.t = s.step.unwrap_or(0);
        self.exp_avg = s.pair("exp_avg");
        self.exp_avg_sq = s.pair("exp_avg_sq");
        self.max_exp_avg_sq = s.pair("max_exp_avg_sq");
        self.bias_settled = false;
    }
}
