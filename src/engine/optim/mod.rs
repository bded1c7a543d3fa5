//! Optimizers with torch.optim's exact update rules (one file each) and their shared configuration.
//!
//! Defaults are torch's, except the learning rate, whose default is the notebook's 0.01.

mod adagrad;
mod adam;
mod gd;
mod kernels;
mod newton;
mod rmsprop;
mod sgd;
mod state;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use gd::Gd;
pub use newton::{Hessian, Newton, is_singular};
pub use rmsprop::Rmsprop;
pub use sgd::Sgd;
pub use state::{Notes, Observer, OptimState, Term};

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::real::Real;

/// Which optimizer updates the parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Plain gradient descent as the notebook writes it, w ← w − lr·g with each operation rounded (see [`Gd`]).
    #[default]
    Gd,
    /// torch.optim.SGD (with optional momentum, dampening, Nesterov, weight decay).
    Sgd,
    /// torch.optim.Adagrad.
    Adagrad,
    /// torch.optim.RMSprop.
    Rmsprop,
    /// torch.optim.Adam.
    Adam,
    /// torch.optim.AdamW (decoupled weight decay).
    Adamw,
    /// Newton's method, p ← p − lr·H⁻¹∇L with the exact Hessian (descent's own; torch has none).
    Newton,
}

impl OptimizerKind {
    /// Every kind, in menu order.
    pub const ALL: [OptimizerKind; 7] = [
        OptimizerKind::Gd,
        OptimizerKind::Sgd,
        OptimizerKind::Adagrad,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
        OptimizerKind::Newton,
    ];

    /// The name users see ("SGD", "Adam", …).
    pub fn label(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "GD",
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Adagrad => "Adagrad",
            OptimizerKind::Rmsprop => "RMSprop",
            OptimizerKind::Adam => "Adam",
            OptimizerKind::Adamw => "AdamW",
            OptimizerKind::Newton => "Newton",
        }
    }
}

/// Every hyperparameter of every optimizer; each optimizer reads the ones that apply to it.
/// `weight_decay` and `eps` are `None` for "the optimizer's own default" (AdamW decays by 0.01, the others by 0;
/// Adagrad's eps is 1e-10, the others' 1e-8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Learning rate γ (default 0.01, the notebook's).
    pub lr: f64,
    /// SGD and RMSprop momentum μ.
    pub momentum: f64,
    /// SGD dampening τ.
    pub dampening: f64,
    /// SGD Nesterov momentum.
    pub nesterov: bool,
    /// Weight decay λ; `None` is the optimizer's default.
    pub weight_decay: Option<f64>,
    /// Adagrad learning-rate decay η.
    pub lr_decay: f64,
    /// Adagrad initial accumulator value τ.
    pub initial_accumulator_value: f64,
    /// RMSprop smoothing constant α.
    pub alpha: f64,
    /// RMSprop centered variant.
    pub centered: bool,
    /// Adam/AdamW β₁.
    pub beta1: f64,
    /// Adam/AdamW β₂.
    pub beta2: f64,
    /// ε added to the denominator; `None` is the optimizer's default.
    pub eps: Option<f64>,
    /// Adam/AdamW AMSGrad variant.
    pub amsgrad: bool,
    /// Backtracking line search (plain gradient descent only: `gd`, or `sgd` without momentum or weight decay).
    pub line_search: LineSearch,
    /// The Armijo constant c of the line search's sufficient-decrease test.
    pub armijo_c: f64,
    /// The line search's backtracking factor ρ (t ← ρ·t).
    pub backtrack: f64,
}

/// How plain gradient descent picks its step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineSearch {
    /// The learning rate as given.
    #[default]
    None,
    /// Backtracking from t = lr until the Armijo test holds (see [`crate::engine::line_search`]).
    Armijo,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig {
            kind: OptimizerKind::Gd,
            lr: 0.01,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            weight_decay: None,
            lr_decay: 0.0,
            initial_accumulator_value: 0.0,
            alpha: 0.99,
            centered: false,
            beta1: 0.9,
            beta2: 0.999,
            eps: None,
            amsgrad: false,
            line_search: LineSearch::None,
            armijo_c: 1e-4,
            backtrack: 0.5,
        }
    }
}

impl OptimizerConfig {
    /// A default configuration of `kind` with learning rate `lr`.
    pub fn new(kind: OptimizerKind, lr: f64) -> Self {
        OptimizerConfig { kind, lr, ..Self::default() }
    }

    /// The weight decay in force: the explicit value, or the optimizer's default.
    pub fn weight_decay(&self) -> f64 {
        self.weight_decay.unwrap_or(if self.kind == OptimizerKind::Adamw { 0.01 } else { 0.0 })
    }

    /// The ε in force: the explicit value, or the optimizer's default.
    pub fn eps(&self) -> f64 {
        self.eps.unwrap_or(if self.kind == OptimizerKind::Adagrad { 1e-10 } else { 1e-8 })
    }

    /// Rejects what torch.optim rejects, plus non-finite values. Every range is checked whatever the kind (a negative
    /// momentum is never valid); the Nesterov conflict only for SGD, the one optimizer that has Nesterov.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const FINITE: &str = "must be finite";
        const NON_NEGATIVE: &str = "must be ≥ 0 (torch rejects it)";
        const BETA: &str = "must be in [0, 1) (torch rejects it)";
        let invalid = |name, value, reason| Err(ConfigError::Invalid { name, value, reason });
        let checks = [
            ("--lr", self.lr, true),
            ("--momentum", self.momentum, true),
            ("--dampening", self.dampening, false),
            ("--weight-decay", self.weight_decay(), true),
            ("--lr-decay", self.lr_decay, true),
            ("--initial-accumulator-value", self.initial_accumulator_value, true),
            ("--alpha", self.alpha, true),
            ("--eps", self.eps(), true),
        ];
        for (name, value, non_negative) in checks {
            if !value.is_finite() {
                return invalid(name, value, FINITE);
            }
            if non_negative && value < 0.0 {
                return invalid(name, value, NON_NEGATIVE);
            }
        }
        for (name, value) in [("--beta1", self.beta1), ("--beta2", self.beta2)] {
            if !value.is_finite() {
                return invalid(name, value, FINITE);
            }
            if !(0.0..1.0).contains(&value) {
                return invalid(name, value, BETA);
            }
        }
        if self.kind == OptimizerKind::Sgd && self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(ConfigError::Conflict("--nesterov requires --momentum > 0 and --dampening 0"));
        }
        if self.kind == OptimizerKind::Gd
            && (self.momentum != 0.0 || self.dampening != 0.0 || self.nesterov || self.weight_decay() != 0.0)
        {
            return Err(ConfigError::Conflict(
                "--optimizer gd has no momentum, dampening, Nesterov or weight decay: use --optimizer sgd for those",
            ));
        }
        self.validate_line_search()
    }

    /// True for plain gradient descent, w ← w − lr·g: `gd`, or torch.optim.SGD without momentum or weight decay.
    pub fn is_plain_descent(&self) -> bool {
        match self.kind {
            OptimizerKind::Gd => true,
            OptimizerKind::Sgd => self.momentum == 0.0 && self.weight_decay() == 0.0,
            _ => false,
        }
    }

    /// True for the optimizers whose only rule is SGD's (`gd` and `sgd`): momentum, when set, is the heavy ball.
    pub fn is_sgd_family(&self) -> bool {
        matches!(self.kind, OptimizerKind::Gd | OptimizerKind::Sgd)
    }

    /// The line search is for plain gradient descent: `gd`, or SGD without momentum or weight decay; c and ρ in
    /// (0, 1).
    fn validate_line_search(&self) -> Result<(), ConfigError> {
        if self.line_search == LineSearch::None {
            return Ok(());
        }
        for (name, value) in [("--armijo-c", self.armijo_c), ("--backtrack", self.backtrack)] {
            if !(value > 0.0 && value < 1.0) {
                return Err(ConfigError::Invalid { name, value, reason: "must be in (0, 1)" });
            }
        }
        if !self.is_plain_descent() {
            return Err(ConfigError::Conflict(
                "--line-search is for plain gradient descent: --optimizer gd, or sgd without momentum or weight decay",
            ));
        }
        Ok(())
    }
}

/// Any optimizer, with its state. One enum rather than a trait object keeps the step loop free of dynamic calls.
#[derive(Clone, Debug)]
pub enum Optimizer<F> {
    /// See [`Gd`].
    Gd(Gd<F>),
    /// See [`Sgd`].
    Sgd(Sgd<F>),
    /// See [`Adagrad`].
    Adagrad(Adagrad<F>),
    /// See [`Rmsprop`].
    Rmsprop(Rmsprop<F>),
    /// See [`Adam`] (also AdamW).
    Adam(Adam<F>),
    /// See [`Newton`].
    Newton(Newton<F>),
}

impl<F: Real> Optimizer<F> {
    /// A fresh optimizer for `cfg`, after validating it.
    pub fn new(cfg: &OptimizerConfig) -> Result<Self, ConfigError> {
        cfg.validate()?;
        Ok(Self::fresh(cfg))
    }

    /// A fresh optimizer for an already validated `cfg`.
    fn fresh(cfg: &OptimizerConfig) -> Self {
        match cfg.kind {
            OptimizerKind::Gd => Optimizer::Gd(Gd::new(cfg)),
            OptimizerKind::Sgd => Optimizer::Sgd(Sgd::new(cfg)),
            OptimizerKind::Adagrad => Optimizer::Adagrad(Adagrad::new(cfg)),
            OptimizerKind::Rmsprop => Optimizer::Rmsprop(Rmsprop::new(cfg)),
            OptimizerKind::Adam | OptimizerKind::Adamw => Optimizer::Adam(Adam::new(cfg)),
            OptimizerKind::Newton => Optimizer::Newton(Newton::new(cfg)),
        }
    }

    /// Takes the settings of `cfg` mid-run. The same kind keeps its state (momentum, moments, step count) and only
    /// changes hyperparameters; another kind, Adam ↔ AdamW included, starts fresh. An invalid `cfg` changes nothing.
    pub fn reconfigure(&mut self, cfg: &OptimizerConfig) -> Result<(), ConfigError> {
        cfg.validate()?;
        if cfg.kind != self.kind() {
            *self = Self::fresh(cfg);
            return Ok(());
        }
        self.set_scheduled(cfg);
        Ok(())
    }

    /// Takes the learning rate and momentum (or β₁) of `cfg` between steps, as a scheduler writes them into torch's
    /// param group: the state is kept and every constant derived from them (Adam's `γ / bc₁`, AdamW's `1 − γ·λ`) is
    /// recomputed at the next step. `cfg` is the run's validated configuration with the scheduled values in place
    /// (the same kind: the other hyperparameters do not change).
    pub fn set_scheduled(&mut self, cfg: &OptimizerConfig) {
        match self {
            Optimizer::Gd(o) => o.set_hyperparameters(cfg),
            Optimizer::Sgd(o) => o.set_hyperparameters(cfg),
            Optimizer::Adagrad(o) => o.set_hyperparameters(cfg),
            Optimizer::Rmsprop(o) => o.set_hyperparameters(cfg),
            Optimizer::Adam(o) => o.set_hyperparameters(cfg),
            Optimizer::Newton(o) => o.set_hyperparameters(cfg),
        }
    }

    /// A fresh optimizer for `cfg` that carries `state` (a row's [`Optimizer::state`]): its next step is the one
    /// the run took from that row, bit for bit, given the same parameters and gradient.
    pub fn restore(cfg: &OptimizerConfig, state: &OptimState) -> Result<Self, ConfigError> {
        let mut o = Self::new(cfg)?;
        match &mut o {
            Optimizer::Sgd(o) => o.restore(state),
            Optimizer::Adagrad(o) => o.restore(state),
            Optimizer::Rmsprop(o) => o.restore(state),
            Optimizer::Adam(o) => o.restore(state),
            Optimizer::Gd(_) | Optimizer::Newton(_) => {}
        }
        Ok(o)
    }

    /// One update of `params` (length 1 or 2: w, then b) from their gradients `grads`, in place.
    #[inline(always)]
    pub fn step(&mut self, params: &mut [F], grads: &[F]) {
        self.step_observed(params, grads, &mut ());
    }

    /// [`Optimizer::step`], noting each intermediate value to `obs` (the step ledger's source).
    #[inline(always)]
    pub fn step_observed(&mut self, params: &mut [F], grads: &[F], obs: &mut impl Observer<F>) {
        match self {
            Optimizer::Gd(o) => o.step_observed(params, grads, obs),
            Optimizer::Sgd(o) => o.step_observed(params, grads, obs),
            Optimizer::Adagrad(o) => o.step_observed(params, grads, obs),
            Optimizer::Rmsprop(o) => o.step_observed(params, grads, obs),
            Optimizer::Adam(o) => o.step_observed(params, grads, obs),
            Optimizer::Newton(o) => o.step_observed(params, grads, obs),
        }
    }

    /// Every value the optimizer carries is finite (an overflowing second moment can leave the parameters finite
    /// while the state is not: the run has diverged all the same).
    #[inline(always)]
    pub fn state_is_finite(&self) -> bool {
        let all = |v: &[F]| v.iter().all(|x| x.is_finite());
        match self {
            Optimizer::Sgd(o) => all(&o.buf),
            Optimizer::Adagrad(o) => all(&o.sum),
            Optimizer::Rmsprop(o) => all(&o.square_avg) && all(&o.grad_avg) && all(&o.buf),
            Optimizer::Adam(o) => all(&o.exp_avg) && all(&o.exp_avg_sq) && all(&o.max_exp_avg_sq),
            Optimizer::Gd(_) | Optimizer::Newton(_) => true,
        }
    }

    /// What torch's `optimizer.state[p]` holds now, per parameter.
    pub fn state(&self) -> OptimState {
        match self {
            Optimizer::Gd(o) => o.state(),
            Optimizer::Sgd(o) => o.state(),
            Optimizer::Adagrad(o) => o.state(),
            Optimizer::Rmsprop(o) => o.state(),
            Optimizer::Adam(o) => o.state(),
            Optimizer::Newton(o) => o.state(),
        }
    }

    /// Steps taken since the optimizer (or its state) was created.
    pub fn steps_taken(&self) -> u64 {
        match self {
            Optimizer::Gd(o) => o.steps_taken(),
            Optimizer::Sgd(o) => o.steps_taken(),
            Optimizer::Adagrad(o) => o.steps_taken(),
            Optimizer::Rmsprop(o) => o.steps_taken(),
            Optimizer::Adam(o) => o.steps_taken(),
            Optimizer::Newton(o) => o.steps_taken(),
        }
    }

    /// Which optimizer this is.
    pub fn kind(&self) -> OptimizerKind {
        match self {
            Optimizer::Gd(_) => OptimizerKind::Gd,
            Optimizer::Sgd(_) => OptimizerKind::Sgd,
            Optimizer::Adagrad(_) => OptimizerKind::Adagrad,
            Optimizer::Rmsprop(_) => OptimizerKind::Rmsprop,
            Optimizer::Adam(o) if o.decoupled() => OptimizerKind::Adamw,
            Optimizer::Adam(_) => OptimizerKind::Adam,
            Optimizer::Newton(_) => OptimizerKind::Newton,
        }
    }

    /// Gives Newton the Hessian at the point of its next step (other optimizers ignore it).
    pub fn set_hessian(&mut self, h: Hessian<F>) {
        if let Optimizer::Newton(o) = self {
            o.set_hessian(h);
        }
    }
}
