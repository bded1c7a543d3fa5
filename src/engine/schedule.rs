//! Learning-rate schedules exactly as torch.optim.lr_scheduler runs them: `scheduler.step()` after each
//! `optimizer.step()`, without an epoch argument, so torch takes each class's chainable `get_lr` (the recursive form
//! that multiplies the param group's current lr), not its closed form. Everything is computed in `f64`, as Python
//! does, in the order of torch's source. Pure: no I/O.
//!
//! A [`Scheduler`] is built on an optimizer's configuration (torch's constructor, which runs the initial step at
//! `last_epoch = 0`), reports the [`Scheduled`] values the next update uses, and [`Scheduler::step`]s after each
//! update. `ReduceLROnPlateau` is stepped with the full-batch loss at the row whose gradient the update used. A
//! warm-up ([`ScheduleConfig::warmup_iters`]) runs `LinearLR` first, alone or as torch's `SequentialLR` before the
//! schedule.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::optim::{OptimizerConfig, OptimizerKind};

/// Which learning-rate schedule a run follows (`--schedule`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// No scheduler: the lr stays the optimizer's.
    #[default]
    Constant,
    /// torch.optim.lr_scheduler.StepLR.
    Step,
    /// torch.optim.lr_scheduler.ExponentialLR.
    Exponential,
    /// torch.optim.lr_scheduler.CosineAnnealingLR.
    Cosine,
    /// torch.optim.lr_scheduler.LinearLR.
    Linear,
    /// torch.optim.lr_scheduler.OneCycleLR.
    Onecycle,
    /// torch.optim.lr_scheduler.ReduceLROnPlateau (mode "min", on the loss).
    Plateau,
    /// torch.optim.lr_scheduler.MultiStepLR.
    Multistep,
    /// torch.optim.lr_scheduler.ConstantLR.
    Constantlr,
    /// torch.optim.lr_scheduler.PolynomialLR.
    Polynomial,
    /// torch.optim.lr_scheduler.MultiplicativeLR with a constant factor.
    Multiplicative,
    /// torch.optim.lr_scheduler.CyclicLR.
    Cyclic,
    /// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.
    #[serde(rename = "warm-restarts")]
    WarmRestarts,
}

impl ScheduleKind {
    /// Every kind, in menu order.
    pub const ALL: [ScheduleKind; 13] = [
        ScheduleKind::Constant,
        ScheduleKind::Step,
        ScheduleKind::Multistep,
        ScheduleKind::Exponential,
        ScheduleKind::Multiplicative,
        ScheduleKind::Cosine,
        ScheduleKind::WarmRestarts,
        ScheduleKind::Linear,
        ScheduleKind::Constantlr,
        ScheduleKind::Polynomial,
        ScheduleKind::Onecycle,
        ScheduleKind::Cyclic,
        ScheduleKind::Plateau,
    ];

    /// The name users see: the `--schedule` value.
    pub fn label(self) -> &'static str {
        match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::Step => "step",
            ScheduleKind::Exponential => "exponential",
            ScheduleKind::Cosine => "cosine",
            ScheduleKind::Linear => "linear",
            ScheduleKind::Onecycle => "onecycle",
            ScheduleKind::Plateau => "plateau",
            ScheduleKind::Multistep => "multistep",
            ScheduleKind::Constantlr => "constantlr",
            ScheduleKind::Polynomial => "polynomial",
            ScheduleKind::Multiplicative => "multiplicative",
            ScheduleKind::Cyclic => "cyclic",
            ScheduleKind::WarmRestarts => "warm-restarts",
        }
    }

    /// torch's class name ("CosineAnnealingLR"; "none" for [`ScheduleKind::Constant`]).
    pub fn torch_name(self) -> &'static str {
        match self {
            ScheduleKind::Constant => "none",
            ScheduleKind::Step => "StepLR",
            ScheduleKind::Exponential => "ExponentialLR",
            ScheduleKind::Cosine => "CosineAnnealingLR",
            ScheduleKind::Linear => "LinearLR",
            ScheduleKind::Onecycle => "OneCycleLR",
            ScheduleKind::Plateau => "ReduceLROnPlateau",
            ScheduleKind::Multistep => "MultiStepLR",
            ScheduleKind::Constantlr => "ConstantLR",
            ScheduleKind::Polynomial => "PolynomialLR",
            ScheduleKind::Multiplicative => "MultiplicativeLR",
            ScheduleKind::Cyclic => "CyclicLR",
            ScheduleKind::WarmRestarts => "CosineAnnealingWarmRestarts",
        }
    }
}

/// OneCycleLR's `anneal_strategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnealStrategy {
    /// `end + (start − end)/2·(cos(π·pct) + 1)`.
    #[default]
    Cos,
    /// `(end − start)·pct + start`.
    Linear,
}

/// CyclicLR's `mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CyclicMode {
    /// The amplitude stays `max_lr − base_lr`.
    #[default]
    #[serde(rename = "triangular")]
    Triangular,
    /// The amplitude halves each cycle: `1/2^(cycle − 1)`.
    #[serde(rename = "triangular2")]
    Triangular2,
    /// The amplitude shrinks by `γ^step`.
    #[serde(rename = "exp_range")]
    ExpRange,
}

impl CyclicMode {
    /// torch's name (the `--mode` value).
    pub fn label(self) -> &'static str {
        match self {
            CyclicMode::Triangular => "triangular",
            CyclicMode::Triangular2 => "triangular2",
            CyclicMode::ExpRange => "exp_range",
        }
    }
}

/// ReduceLROnPlateau's `threshold_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdMode {
    /// Better means `loss < best·(1 − threshold)`.
    #[default]
    Rel,
    /// Better means `loss < best − threshold`.
    Abs,
}

/// A schedule and every parameter of every scheduler, with torch's names and defaults; `None` where torch has no
/// default (the flag is then required by the schedules that use it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Which schedule.
    pub kind: ScheduleKind,
    /// StepLR's `step_size` (required).
    pub step_size: Option<u64>,
    /// StepLR's (default 0.1) and ExponentialLR's (required) `gamma`.
    pub gamma: Option<f64>,
    /// CosineAnnealingLR's `T_max` (required).
    pub t_max: Option<u64>,
    /// CosineAnnealingLR's `eta_min`.
    pub eta_min: f64,
    /// LinearLR's `start_factor`.
    pub start_factor: f64,
    /// LinearLR's `end_factor`.
    pub end_factor: f64,
    /// LinearLR's `total_iters`.
    pub total_iters: u64,
    /// OneCycleLR's `max_lr` (required).
    pub max_lr: Option<f64>,
    /// OneCycleLR's `total_steps` (required).
    pub total_steps: Option<u64>,
    /// OneCycleLR's `pct_start`.
    pub pct_start: f64,
    /// OneCycleLR's `anneal_strategy`.
    pub anneal_strategy: AnnealStrategy,
    /// OneCycleLR's `div_factor`.
    pub div_factor: f64,
    /// OneCycleLR's `final_div_factor`.
    pub final_div_factor: f64,
    /// OneCycleLR's `three_phase`.
    pub three_phase: bool,
    /// OneCycleLR's `cycle_momentum`.
    pub cycle_momentum: bool,
    /// OneCycleLR's `base_momentum`.
    pub base_momentum: f64,
    /// OneCycleLR's `max_momentum`.
    pub max_momentum: f64,
    /// ReduceLROnPlateau's `factor`.
    pub factor: f64,
    /// ReduceLROnPlateau's `patience`.
    pub patience: u64,
    /// ReduceLROnPlateau's `threshold`.
    pub threshold: f64,
    /// ReduceLROnPlateau's `threshold_mode`.
    pub threshold_mode: ThresholdMode,
    /// ReduceLROnPlateau's `cooldown`.
    pub cooldown: u64,
    /// ReduceLROnPlateau's `min_lr`.
    pub min_lr: f64,
    /// MultiStepLR's `milestones` (required: at least one, increasing).
    pub milestones: Vec<u64>,
    /// ConstantLR's `factor`.
    pub constant_factor: f64,
    /// PolynomialLR's `power`.
    pub power: f64,
    /// MultiplicativeLR's constant factor, `lr_lambda = lambda epoch: factor` (required).
    pub multiplicative_factor: Option<f64>,
    /// CyclicLR's `base_lr` (required; `max_lr` is shared with OneCycleLR).
    pub base_lr: Option<f64>,
    /// CyclicLR's `step_size_up`.
    pub step_size_up: u64,
    /// CyclicLR's `step_size_down` (`None`: as `step_size_up`).
    pub step_size_down: Option<u64>,
    /// CyclicLR's `mode`.
    pub mode: CyclicMode,
    /// CyclicLR's `base_momentum` (`cycle_momentum` is shared with OneCycleLR).
    pub cyclic_base_momentum: f64,
    /// CyclicLR's `max_momentum`.
    pub cyclic_max_momentum: f64,
    /// CosineAnnealingWarmRestarts's `T_0` (required; `eta_min` is shared with CosineAnnealingLR).
    pub t_0: Option<u64>,
    /// CosineAnnealingWarmRestarts's `T_mult`.
    pub t_mult: u64,
    /// Warm-up steps: `LinearLR(warmup_start_factor, 1, N)` alone, or before the schedule as
    /// `SequentialLR([LinearLR(…), schedule], milestones=[N])` (`None`: no warm-up).
    pub warmup_iters: Option<u64>,
    /// The warm-up's `start_factor`.
    pub warmup_start_factor: f64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            kind: ScheduleKind::Constant,
            step_size: None,
            gamma: None,
            t_max: None,
            eta_min: 0.0,
            start_factor: 1.0 / 3.0,
            end_factor: 1.0,
            total_iters: 5,
            max_lr: None,
            total_steps: None,
            pct_start: 0.3,
            anneal_strategy: AnnealStrategy::Cos,
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
            cycle_momentum: true,
            base_momentum: 0.85,
            max_momentum: 0.95,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: 0.0,
            milestones: Vec::new(),
            constant_factor: 1.0 / 3.0,
            power: 1.0,
            multiplicative_factor: None,
            base_lr: None,
            step_size_up: 2000,
            step_size_down: None,
            mode: CyclicMode::Triangular,
            cyclic_base_momentum: 0.8,
            cyclic_max_momentum: 0.9,
            t_0: None,
            t_mult: 1,
            warmup_iters: None,
            warmup_start_factor: 1.0 / 3.0,
        }
    }
}

/// StepLR's default `gamma`.
pub const STEP_GAMMA: f64 = 0.1;
/// ReduceLROnPlateau's `eps`: a reduction smaller than this is skipped.
pub const PLATEAU_EPS: f64 = 1e-8;

impl ScheduleConfig {
    /// A schedule of `kind` with torch's defaults.
    pub fn new(kind: ScheduleKind) -> Self {
        ScheduleConfig { kind, ..Self::default() }
    }

    /// True when OneCycleLR or CyclicLR sets the momentum (SGD, RMSprop) or β₁ (Adam, AdamW) of the optimizer.
    pub fn cycles_momentum(&self) -> bool {
        matches!(self.kind, ScheduleKind::Onecycle | ScheduleKind::Cyclic) && self.cycle_momentum
    }

    /// True when the lr changes at all: a schedule, or a warm-up alone.
    pub fn is_active(&self) -> bool {
        self.kind != ScheduleKind::Constant || self.warmup_iters.is_some()
    }

    /// The name users see: the schedule's label, after "warm-up + " when it warms up ("warm-up" alone).
    pub fn label(&self) -> String {
        match (self.warmup_iters, self.kind) {
            (None, kind) => kind.label().to_string(),
            (Some(_), ScheduleKind::Constant) => "warm-up".to_string(),
            (Some(_), kind) => format!("warm-up + {}", kind.label()),
        }
    }

    /// The gamma the schedule uses: StepLR's and MultiStepLR's default 0.1, CyclicLR's 1 (ExponentialLR requires
    /// one).
    pub fn gamma_or_default(&self) -> f64 {
        let default = if self.kind == ScheduleKind::Cyclic { 1.0 } else { STEP_GAMMA };
        self.gamma.unwrap_or(default)
    }

    /// The `(base_momentum, max_momentum)` of the cycling schedule (OneCycleLR's or CyclicLR's).
    pub fn momentum_range(&self) -> (f64, f64) {
        match self.kind {
            ScheduleKind::Cyclic => (self.cyclic_base_momentum, self.cyclic_max_momentum),
            _ => (self.base_momentum, self.max_momentum),
        }
    }

    /// Rejects what torch rejects (or where it would divide by zero), a missing required parameter, and
    /// non-finite values; only the parameters of the chosen schedule are checked. `optimizer` is the one the
    /// schedule drives (OneCycleLR and CyclicLR cannot cycle Adagrad's momentum: it has none).
    pub fn validate(&self, optimizer: &OptimizerConfig) -> Result<(), ConfigError> {
        match self.kind {
            ScheduleKind::Constant => Ok(()),
            ScheduleKind::Step => {
                let step_size = required(self.step_size, "--schedule step needs --step-size")?;
                positive_count("--step-size", step_size)?;
                non_negative("--gamma", self.gamma_or_default())
            }
            ScheduleKind::Exponential => {
                non_negative("--gamma", required(self.gamma, "--schedule exponential needs --gamma")?)
            }
            ScheduleKind::Cosine => {
                positive_count("--t-max", required(self.t_max, "--schedule cosine needs --t-max")?)?;
                non_negative("--eta-min", self.eta_min)
            }
            ScheduleKind::Linear => self.validate_linear(),
            ScheduleKind::Onecycle => self.validate_onecycle(optimizer),
            ScheduleKind::Plateau => self.validate_plateau(),
            ScheduleKind::Multistep => self.validate_multistep(),
            ScheduleKind::Constantlr => self.validate_constantlr(),
            ScheduleKind::Polynomial => self.validate_polynomial(),
            ScheduleKind::Multiplicative => non_negative(
                "--factor",
                required(self.multiplicative_factor, "--schedule multiplicative needs --factor")?,
            ),
            ScheduleKind::Cyclic => self.validate_cyclic(optimizer),
            ScheduleKind::WarmRestarts => self.validate_warm_restarts(),
        }?;
        self.validate_warmup()
    }

    fn validate_multistep(&self) -> Result<(), ConfigError> {
        if self.milestones.is_empty() {
            return Err(ConfigError::Conflict("--schedule multistep needs --milestones"));
        }
        if self.milestones.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ConfigError::Conflict("--milestones must be increasing (MultiStepLR's milestones)"));
        }
        non_negative("--gamma", self.gamma_or_default())
    }

    fn validate_constantlr(&self) -> Result<(), ConfigError> {
        let f = self.constant_factor;
        if !(f > 0.0 && f <= 1.0) {
            return Err(ConfigError::Invalid {
                name: "--factor",
                value: f,
                reason: "must be in (0, 1] (torch rejects it outside [0, 1], and divides by it at --total-iters)",
            });
        }
        Ok(())
    }

    fn validate_polynomial(&self) -> Result<(), ConfigError> {
        if !(self.power.is_finite() && self.power >= 0.0) {
            return Err(ConfigError::Invalid {
                name: "--power",
                value: self.power,
                reason: "must be finite and ≥ 0 (torch raises 0 to a negative power at --total-iters)",
            });
        }
        Ok(())
    }

    fn validate_cyclic(&self, optimizer: &OptimizerConfig) -> Result<(), ConfigError> {
        non_negative("--base-lr", required(self.base_lr, "--schedule cyclic needs --base-lr")?)?;
        non_negative("--max-lr", required(self.max_lr, "--schedule cyclic needs --max-lr")?)?;
        positive_count("--step-size-up", self.step_size_up)?;
        let gamma = self.gamma_or_default();
        non_negative("--gamma", gamma)?;
        if self.mode == CyclicMode::ExpRange && gamma > 1.0 {
            return Err(ConfigError::Invalid {
                name: "--gamma",
                value: gamma,
                reason: "must be ≤ 1 with --mode exp_range (γ^step overflows to an infinite lr)",
            });
        }
        self.validate_cycled_momentum(optimizer, "cyclic")
    }

    fn validate_warm_restarts(&self) -> Result<(), ConfigError> {
        positive_count("--t-0", required(self.t_0, "--schedule warm-restarts needs --t-0")?)?;
        if self.t_mult == 0 {
            return Err(ConfigError::Invalid {
                name: "--t-mult",
                value: 0.0,
                reason: "must be at least 1 (torch rejects it)",
            });
        }
        non_negative("--eta-min", self.eta_min)
    }

    /// The warm-up: at least one step, a start factor LinearLR accepts, a schedule SequentialLR can follow, and
    /// none whose closed form at the switch divides by zero.
    fn validate_warmup(&self) -> Result<(), ConfigError> {
        let Some(n) = self.warmup_iters else { return Ok(()) };
        let refused = match self.kind {
            ScheduleKind::Onecycle => {
                Some("--warmup-iters does not combine with --schedule onecycle: it warms up itself")
            }
            ScheduleKind::Cyclic => {
                Some("--warmup-iters does not combine with --schedule cyclic: it sets the lr itself")
            }
            ScheduleKind::Plateau => Some(
                "--warmup-iters does not combine with --schedule plateau (torch's SequentialLR refuses ReduceLROnPlateau)",
            ),
            ScheduleKind::Linear | ScheduleKind::Polynomial if self.total_iters == 0 => {
                Some("--total-iters 0 after --warmup-iters: torch divides by it at the switch")
            }
            _ => None,
        };
        if let Some(message) = refused {
            return Err(ConfigError::Conflict(message));
        }
        if n == 0 {
            return Err(ConfigError::Invalid { name: "--warmup-iters", value: 0.0, reason: "must be at least 1" });
        }
        let f = self.warmup_start_factor;
        if !(f > 0.0 && f <= 1.0) {
            return Err(ConfigError::Invalid {
                name: "--warmup-start-factor",
                value: f,
                reason: "must be in (0, 1] (torch's LinearLR rejects it)",
            });
        }
        Ok(())
    }

    fn validate_linear(&self) -> Result<(), ConfigError> {
        let invalid = |name, value, reason| Err(ConfigError::Invalid { name, value, reason });
        if !(self.start_factor > 0.0 && self.start_factor <= 1.0) {
            return invalid("--start-factor", self.start_factor, "must be in (0, 1] (torch rejects it)");
        }
        if !(0.0..=1.0).contains(&self.end_factor) {
            return invalid("--end-factor", self.end_factor, "must be in [0, 1] (torch rejects it)");
        }
        Ok(())
    }

    fn validate_onecycle(&self, optimizer: &OptimizerConfig) -> Result<(), ConfigError> {
        let invalid = |name, value, reason| Err(ConfigError::Invalid { name, value, reason });
        non_negative("--max-lr", required(self.max_lr, "--schedule onecycle needs --max-lr")?)?;
        let total = required(self.total_steps, "--schedule onecycle needs --total-steps")?;
        positive_count("--total-steps", total)?;
        if !(0.0..=1.0).contains(&self.pct_start) {
            return invalid("--pct-start", self.pct_start, "must be in [0, 1] (torch rejects it)");
        }
        for (name, value) in [("--div-factor", self.div_factor), ("--final-div-factor", self.final_div_factor)] {
            if !(value.is_finite() && value > 0.0) {
                return invalid(name, value, "must be > 0");
            }
        }
        let mut start = 0.0;
        for phase in self.phases() {
            if phase.end_step == start {
                return Err(ConfigError::Conflict(
                    "--pct-start × --total-steps makes a phase of zero steps (torch divides by zero)",
                ));
            }
            start = phase.end_step;
        }
        self.validate_cycled_momentum(optimizer, "onecycle")
    }

    /// The momentum (β₁) that OneCycleLR or CyclicLR cycles: the optimizer must have one, and the range must suit
    /// it.
    fn validate_cycled_momentum(&self, optimizer: &OptimizerConfig, schedule: &str) -> Result<(), ConfigError> {
        if !self.cycle_momentum {
            return Ok(());
        }
        let onecycle = schedule == "onecycle";
        if optimizer.kind == OptimizerKind::Adagrad {
            return Err(ConfigError::Conflict(if onecycle {
                "--schedule onecycle cycles the momentum, which Adagrad has not: add --no-cycle-momentum"
            } else {
                "--schedule cyclic cycles the momentum, which Adagrad has not: add --no-cycle-momentum"
            }));
        }
        if optimizer.kind == OptimizerKind::Gd {
            return Err(ConfigError::Conflict(if onecycle {
                "--schedule onecycle cycles the momentum, which gd has not: add --no-cycle-momentum or use --optimizer sgd"
            } else {
                "--schedule cyclic cycles the momentum, which gd has not: add --no-cycle-momentum or use --optimizer sgd"
            }));
        }
        let (base, max) = self.momentum_range();
        for (name, value) in [("--base-momentum", base), ("--max-momentum", max)] {
            non_negative(name, value)?;
            if matches!(optimizer.kind, OptimizerKind::Adam | OptimizerKind::Adamw) && value >= 1.0 {
                return Err(ConfigError::Invalid {
                    name,
                    value,
                    reason: "is Adam's β₁ here: must be in [0, 1) (torch rejects it)",
                });
            }
        }
        Ok(())
    }

    fn validate_plateau(&self) -> Result<(), ConfigError> {
        if !(self.factor.is_finite() && (0.0..1.0).contains(&self.factor)) {
            return Err(ConfigError::Invalid {
                name: "--factor",
                value: self.factor,
                reason: "must be in [0, 1) (torch rejects a factor ≥ 1)",
            });
        }
        if !self.threshold.is_finite() {
            return Err(ConfigError::Invalid { name: "--threshold", value: self.threshold, reason: "must be finite" });
        }
        non_negative("--min-lr", self.min_lr)
    }

    /// OneCycleLR's `_schedule_phases`: each phase's last step (a float, as torch computes it) and what it anneals
    /// between.
    fn phases(&self) -> Vec<Phase> {
        use Anchor::{Initial, Max, Min};
        let total = self.total_steps.unwrap_or(1) as f64;
        let up = self.pct_start * total - 1.0;
        if self.three_phase {
            vec![
                Phase { end_step: up, lr: (Initial, Max), momentum: (true, false) },
                Phase { end_step: 2.0 * self.pct_start * total - 2.0, lr: (Max, Initial), momentum: (false, true) },
                Phase { end_step: total - 1.0, lr: (Initial, Min), momentum: (true, true) },
            ]
        } else {
            vec![
                Phase { end_step: up, lr: (Initial, Max), momentum: (true, false) },
                Phase { end_step: total - 1.0, lr: (Max, Min), momentum: (false, true) },
            ]
        }
    }
}

fn required<T>(value: Option<T>, message: &'static str) -> Result<T, ConfigError> {
    value.ok_or(ConfigError::Conflict(message))
}

fn positive_count(name: &'static str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::Invalid { name, value: 0.0, reason: "must be at least 1 (torch divides by it)" });
    }
    Ok(())
}

fn non_negative(name: &'static str, value: f64) -> Result<(), ConfigError> {
    if !value.is_finite() {
        return Err(ConfigError::Invalid { name, value, reason: "must be finite" });
    }
    if value < 0.0 {
        return Err(ConfigError::Invalid { name, value, reason: "must be ≥ 0 (a negative lr climbs the loss)" });
    }
    Ok(())
}

/// Which of a param group's OneCycleLR values a phase starts or ends at.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Anchor {
    /// `initial_lr = max_lr / div_factor`.
    Initial,
    /// `max_lr`.
    Max,
    /// `min_lr = initial_lr / final_div_factor`.
    Min,
}

/// One phase of OneCycleLR.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Phase {
    /// The phase's last step, `float(pct_start·total_steps) − 1` and so on.
    end_step: f64,
    /// The lr's start and end.
    lr: (Anchor, Anchor),
    /// The momentum's start and end: `true` for `max_momentum`, `false` for `base_momentum`.
    momentum: (bool, bool),
}

/// The values a scheduler sets on the optimizer for its next update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scheduled {
    /// The param group's `lr`, as torch reports it (Adagrad's lr decay and Adam's bias corrections not folded in).
    pub lr: f64,
    /// OneCycleLR's cycled momentum: SGD's and RMSprop's `momentum`, or Adam's and AdamW's β₁ (`None` when the
    /// schedule leaves it alone).
    pub momentum: Option<f64>,
}

impl Scheduled {
    /// Whether an update can use these values in precision `F`: each finite, and each non-zero one non-zero and
    /// finite once rounded to `F` (an lr of 1e-50 is 0 in f32, one of 1e39 is ∞).
    pub fn representable_in<F: crate::engine::real::Real>(&self) -> bool {
        let fits = |v: f64| {
            let r = F::from_f64(v);
            v.is_finite() && r.is_finite() && (v == 0.0 || r != F::ZERO)
        };
        fits(self.lr) && self.momentum.is_none_or(fits)
    }

    /// Whether the lr alone is one an update in `precision` can use (see [`Scheduled::representable_in`]).
    pub fn lr_fits(&self, precision: crate::engine::real::Precision) -> bool {
        let lr_only = Scheduled { lr: self.lr, momentum: None };
        match precision {
            crate::engine::real::Precision::F32 => lr_only.representable_in::<f32>(),
            crate::engine::real::Precision::F64 => lr_only.representable_in::<f64>(),
        }
    }

    /// `cfg` with these values in place of its lr and, when cycled, its momentum or β₁.
    pub fn apply_to(&self, cfg: &OptimizerConfig) -> OptimizerConfig {
        let mut out = OptimizerConfig { lr: self.lr, ..cfg.clone() };
        if let Some(m) = self.momentum {
            match cfg.kind {
                OptimizerKind::Adam | OptimizerKind::Adamw => out.beta1 = m,
                _ => out.momentum = m,
            }
        }
        out
    }
}

/// ReduceLROnPlateau's counters.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plateau {
    best: f64,
    num_bad_epochs: u64,
    cooldown_counter: u64,
}

/// CosineAnnealingWarmRestarts's counters: steps since the last restart, and the current period.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Restarts {
    t_cur: u64,
    t_i: u64,
}

/// A running scheduler: torch's scheduler object and the param group's `lr` (and cycled momentum) it writes.
///
/// The rules, per `step()` (`e` = `last_epoch` after incrementing it, `lr` the group's current lr, `base` its
/// initial lr; the constructor runs the initial step, `e = 0`, which changes nothing except where shown):
///
/// ```text
/// StepLR             lr ← lr·γ            if e > 0 and e mod step_size = 0
/// MultiStepLR        lr ← lr·γ            if e is a milestone (e = 0 included)
/// ExponentialLR      lr ← lr·γ            if e > 0
/// MultiplicativeLR   lr ← lr·factor       if e > 0
/// CosineAnnealingLR  if (e − 1 − T) mod 2T = 0:  lr ← lr + (base − η_min)·(1 − cos(π/T))/2
///                    else:  lr ← (1 + cos(π·e/T)) / (1 + cos(π·(e − 1)/T))·(lr − η_min) + η_min     (e > 0)
/// WarmRestarts       T_cur ← T_cur + 1; if T_cur ≥ T_i: T_cur ← T_cur mod T_i, T_i ← T_i·T_mult   (e > 0)
///                    lr ← η_min + (base − η_min)·(1 + cos(π·T_cur/T_i))/2       (e = 0 too, with T_cur = 0)
/// LinearLR           e = 0:  lr ← lr·start;   0 < e ≤ total_iters:
///                    lr ← lr·(1 + (end − start)/(total_iters·start + (e − 1)·(end − start)))
/// ConstantLR         e = 0:  lr ← lr·factor;  e = total_iters:  lr ← lr·(1/factor)
/// PolynomialLR       0 < e ≤ total_iters:  lr ← lr·((1 − e/total_iters)/(1 − (e − 1)/total_iters))^power
/// OneCycleLR         phase i with e ≤ its end_step (or the last): pct = (e − start_step)/(end_step − start_step)
///                    lr ← anneal(phase's start, phase's end, pct); momentum ← anneal(…, pct) likewise
///                    cos: end + (start − end)/2·(cos(π·pct) + 1);  linear: (end − start)·pct + start
/// CyclicLR           cycle = ⌊1 + e/(up + down)⌋, x = 1 + e/(up + down) − cycle, r = up/(up + down)
///                    s = x/r if x ≤ r else (x − 1)/(r − 1);  k = 1, 1/2^(cycle − 1) or γ^e (by mode)
///                    lr ← base_lr + (max_lr − base_lr)·s·k;  momentum ← max_m − (max_m − base_m)·s·k
///                    (at e = 0 too)
/// ReduceLROnPlateau  better: loss < best·(1 − threshold) (rel) or loss < best − threshold (abs)
///                    better: best ← loss, bad ← 0; else bad ← bad + 1
///                    in cooldown: cooldown ← cooldown − 1, bad ← 0
///                    bad > patience: new = max(lr·factor, min_lr); if lr − new > 1e-8: lr ← new;
///                                    cooldown ← cooldown steps, bad ← 0
/// ```
///
/// A warm-up of N steps alone is LinearLR(F, 1, N). Before a schedule it is SequentialLR([LinearLR(F, 1, N),
/// schedule], milestones=[N]): the lr starts at base·F and follows LinearLR for steps 1…N − 1; at step N the
/// schedule restarts at `last_epoch = 0` through torch's `_update_lr(0)`, which takes the class's closed form there
/// (base·γ^0, base·start_factor, η_min + (base − η_min)·(1 + cos 0)/2, …), or for MultiplicativeLR, which has
/// none, its chainable `get_lr`: lr ← lr·factor. From step N + 1 on, the schedule steps as above from there.
///
/// Each line is evaluated in `f64` in the order of torch's source, so the lr sequence is torch's bit for bit. Where
/// descent departs: torch's OneCycleLR raises once stepped beyond `total_steps`; descent then keeps the last lr and
/// momentum (the command line refuses `--steps` beyond `--total-steps`, so it never gets there). WarmRestarts's
/// T_i saturates at 2⁶⁴ − 1 where Python's integers grow on.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduler {
    cfg: ScheduleConfig,
    /// The group's `initial_lr` (`base_lrs`).
    base_lr: f64,
    now: Scheduled,
    /// The schedule's own `last_epoch` (0 through the warm-up, then counting from the switch).
    last_epoch: u64,
    /// The warm-up's `last_epoch` (SequentialLR's, until the switch).
    warm_epoch: u64,
    plateau: Plateau,
    restarts: Restarts,
}

impl Scheduler {
    /// torch's constructor on an optimizer configured as `optimizer`, with its initial step (`last_epoch = 0`).
    /// `cfg` must be valid for it ([`ScheduleConfig::validate`]).
    pub fn new(cfg: &ScheduleConfig, optimizer: &OptimizerConfig) -> Self {
        let momentum = match optimizer.kind {
            OptimizerKind::Adam | OptimizerKind::Adamw => optimizer.beta1,
            _ => optimizer.momentum,
        };
        let mut s = Scheduler {
            cfg: cfg.clone(),
            base_lr: optimizer.lr,
            now: Scheduled { lr: optimizer.lr, momentum: None },
            last_epoch: 0,
            warm_epoch: 0,
            plateau: Plateau { best: f64::INFINITY, num_bad_epochs: 0, cooldown_counter: 0 },
            restarts: Restarts { t_cur: 0, t_i: cfg.t_0.unwrap_or(1).max(1) },
        };
        match cfg.kind {
            ScheduleKind::Linear => s.now.lr *= cfg.start_factor,
            ScheduleKind::Constantlr => s.now.lr *= cfg.constant_factor,
            ScheduleKind::Multistep if cfg.milestones.contains(&0) => s.now.lr *= cfg.gamma_or_default(),
            ScheduleKind::WarmRestarts => s.now.lr = s.restart_lr(),
            ScheduleKind::Onecycle => {
                s.base_lr = cfg.max_lr.unwrap_or(optimizer.lr) / cfg.div_factor;
                s.now.momentum = cfg.cycle_momentum.then_some(momentum);
                s.onecycle();
            }
            ScheduleKind::Cyclic => {
                s.base_lr = cfg.base_lr.unwrap_or(optimizer.lr);
                s.now.momentum = cfg.cycle_momentum.then_some(momentum);
                s.cyclic();
            }
            _ => {}
        }
        if cfg.warmup_iters.is_some() {
            // SequentialLR resets the lr to initial_lr, then runs the warm-up's initial step.
            s.now.lr = optimizer.lr * cfg.warmup_start_factor;
        }
        s
    }

    /// The values the next update uses.
    pub fn current(&self) -> Scheduled {
        self.now
    }

    /// The schedule.
    pub fn config(&self) -> &ScheduleConfig {
        &self.cfg
    }

    /// Puts back the values in force before the last [`Scheduler::step`] (a run whose schedule left the range it can
    /// use ends there, and its last row shows the last values it could use).
    pub fn hold(&mut self, now: Scheduled) {
        self.now = now;
    }

    /// `scheduler.step()` after an update; `loss` is the full-batch loss at the row whose gradient the update used
    /// (only ReduceLROnPlateau reads it).
    pub fn step(&mut self, loss: f64) {
        if self.warmup_step() {
            return;
        }
        let c = &self.cfg;
        if c.kind == ScheduleKind::Constant {
            return;
        }
        if c.kind == ScheduleKind::Onecycle && self.last_epoch >= c.total_steps.unwrap_or(0) {
            return;
        }
        self.last_epoch += 1;
        let (e, lr) = (self.last_epoch, self.now.lr);
        self.now.lr = match c.kind {
            ScheduleKind::Constant => lr,
            ScheduleKind::Step => {
                let step_size = c.step_size.unwrap_or(1).max(1);
                if e % step_size == 0 { lr * c.gamma_or_default() } else { lr }
            }
            ScheduleKind::Multistep => {
                // Milestones are increasing, so each appears once: γ ** 1.
                if c.milestones.contains(&e) { lr * c.gamma_or_default() } else { lr }
            }
            ScheduleKind::Exponential => lr * c.gamma.unwrap_or(1.0),
            ScheduleKind::Multiplicative => lr * c.multiplicative_factor.unwrap_or(1.0),
            ScheduleKind::Cosine => self.cosine(e, lr),
            ScheduleKind::WarmRestarts => {
                let r = &mut self.restarts;
                r.t_cur += 1;
                if r.t_cur >= r.t_i {
                    r.t_cur %= r.t_i;
                    r.t_i = r.t_i.saturating_mul(c.t_mult);
                }
                self.restart_lr()
            }
            ScheduleKind::Linear => linear(e, lr, (c.start_factor, c.end_factor, c.total_iters)),
            ScheduleKind::Constantlr => {
                if e == c.total_iters {
                    lr * (1.0 / c.constant_factor)
                } else {
                    lr
                }
            }
            ScheduleKind::Polynomial => self.polynomial(e, lr),
            ScheduleKind::Onecycle => return self.onecycle(),
            ScheduleKind::Cyclic => return self.cyclic(),
            ScheduleKind::Plateau => return self.plateau(loss),
        };
    }

    /// The warm-up's step, while it lasts (SequentialLR's `step()` before and at its milestone); false after it.
    fn warmup_step(&mut self) -> bool {
        let Some(n) = self.cfg.warmup_iters else { return false };
        if self.warm_epoch >= n {
            return false;
        }
        self.warm_epoch += 1;
        let lr = self.now.lr;
        self.now.lr = if self.warm_epoch < n || self.cfg.kind == ScheduleKind::Constant {
            linear(self.warm_epoch, lr, (self.cfg.warmup_start_factor, 1.0, n))
        } else {
            self.at_switch(lr)
        };
        true
    }

    /// The schedule's lr at SequentialLR's milestone: torch's `_update_lr(0)`, the class's `_get_closed_form_lr` at
    /// `last_epoch = 0` (MultiplicativeLR and CosineAnnealingWarmRestarts have none: their `get_lr`).
    fn at_switch(&self, lr: f64) -> f64 {
        let (c, base) = (&self.cfg, self.base_lr);
        match c.kind {
            // base·γ^0, base·γ^0, base·(1 − 0/T)^power: Python's float ** 0 and 1.0 ** p are 1.0.
            ScheduleKind::Step | ScheduleKind::Exponential | ScheduleKind::Polynomial => base,
            ScheduleKind::Multistep => base * if c.milestones.contains(&0) { c.gamma_or_default() } else { 1.0 },
            ScheduleKind::Constantlr => {
                let f = c.constant_factor;
                base * (f + if c.total_iters == 0 { 1.0 - f } else { 0.0 })
            }
            // base·(start + (end − start)·0/T): start + ±0 is start.
            ScheduleKind::Linear => base * c.start_factor,
            // η_min + (base − η_min)·(1 + cos(π·0/T))/2, cos 0 = 1.
            ScheduleKind::Cosine => c.eta_min + (base - c.eta_min) * 2.0 / 2.0,
            ScheduleKind::Multiplicative => lr * c.multiplicative_factor.unwrap_or(1.0),
            ScheduleKind::WarmRestarts => self.restart_lr(),
            // Refused with a warm-up (ScheduleConfig::validate); none changes here.
            ScheduleKind::Constant | ScheduleKind::Onecycle | ScheduleKind::Cyclic | ScheduleKind::Plateau => lr,
        }
    }

    fn cosine(&self, e: u64, lr: f64) -> f64 {
        let pi = std::f64::consts::PI;
        let (t, eta_min) = (self.cfg.t_max.unwrap_or(1).max(1), self.cfg.eta_min);
        let tf = t as f64;
        // Python's `%` of a possibly negative left side is non-negative; e − 1 − T ≡ e − 1 + T (mod 2T).
        if (e - 1 + t).is_multiple_of(2 * t) {
            lr + (self.base_lr - eta_min) * (1.0 - (pi / tf).cos()) / 2.0
        } else {
            (1.0 + (pi * e as f64 / tf).cos()) / (1.0 + (pi * (e - 1) as f64 / tf).cos()) * (lr - eta_min) + eta_min
        }
    }

    /// CosineAnnealingWarmRestarts's `get_lr` at the current `T_cur` and `T_i`.
    fn restart_lr(&self) -> f64 {
        let (eta_min, r) = (self.cfg.eta_min, self.restarts);
        let cos = (std::f64::consts::PI * r.t_cur as f64 / r.t_i as f64).cos();
        eta_min + (self.base_lr - eta_min) * (1.0 + cos) / 2.0
    }

    /// PolynomialLR's chainable `get_lr` at `e > 0`.
    fn polynomial(&self, e: u64, lr: f64) -> f64 {
        let total = self.cfg.total_iters;
        if e > total {
            return lr;
        }
        let t = total as f64;
        let decay = ((1.0 - e as f64 / t) / (1.0 - (e - 1) as f64 / t)).powf(self.cfg.power);
        lr * decay
    }

    /// OneCycleLR's `get_lr` at `last_epoch`, with its side effect on the momentum.
    fn onecycle(&mut self) {
        let c = &self.cfg;
        let max_lr = c.max_lr.unwrap_or(self.base_lr);
        let initial = self.base_lr;
        let min = initial / c.final_div_factor;
        let lr_of = |a: Anchor| match a {
            Anchor::Initial => initial,
            Anchor::Max => max_lr,
            Anchor::Min => min,
        };
        let m_of = |max: bool| if max { c.max_momentum } else { c.base_momentum };
        let anneal = |start: f64, end: f64, pct: f64| match c.anneal_strategy {
            AnnealStrategy::Cos => end + (start - end) / 2.0 * ((std::f64::consts::PI * pct).cos() + 1.0),
            AnnealStrategy::Linear => (end - start) * pct + start,
        };
        let step = self.last_epoch as f64;
        let phases = c.phases();
        let mut start_step = 0.0;
        for (i, phase) in phases.iter().enumerate() {
            if step <= phase.end_step || i == phases.len() - 1 {
                let pct = (step - start_step) / (phase.end_step - start_step);
                self.now.lr = anneal(lr_of(phase.lr.0), lr_of(phase.lr.1), pct);
                if self.now.momentum.is_some() {
                    self.now.momentum = Some(anneal(m_of(phase.momentum.0), m_of(phase.momentum.1), pct));
                }
                return;
            }
            start_step = phase.end_step;
        }
    }

    /// CyclicLR's `get_lr` at `last_epoch`, with its side effect on the momentum.
    fn cyclic(&mut self) {
        let c = &self.cfg;
        let up = c.step_size_up as f64;
        let down = c.step_size_down.map_or(up, |d| d as f64);
        let total_size = up + down;
        let step_ratio = up / total_size;
        let e = self.last_epoch as f64;
        let cycle = (1.0 + e / total_size).floor();
        let x = 1.0 + e / total_size - cycle;
        let scale_factor = if x <= step_ratio { x / step_ratio } else { (x - 1.0) / (step_ratio - 1.0) };
        let scale = match c.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / 2.0f64.powf(cycle - 1.0),
            CyclicMode::ExpRange => c.gamma_or_default().powf(e),
        };
        let (base_lr, max_lr) = (self.base_lr, c.max_lr.unwrap_or(self.base_lr));
        let base_height = (max_lr - base_lr) * scale_factor;
        self.now.lr = base_lr + base_height * scale;
        if self.now.momentum.is_some() {
            let (base_m, max_m) = c.momentum_range();
            let base_height = (max_m - base_m) * scale_factor;
            self.now.momentum = Some(max_m - base_height * scale);
        }
    }

    /// ReduceLROnPlateau's `step(metrics)` in mode "min".
    fn plateau(&mut self, loss: f64) {
        let c = &self.cfg;
        let p = &mut self.plateau;
        let better = match c.threshold_mode {
            ThresholdMode::Rel => loss < p.best * (1.0 - c.threshold),
            ThresholdMode::Abs => loss < p.best - c.threshold,
        };
        if better {
            p.best = loss;
            p.num_bad_epochs = 0;
        } else {
            p.num_bad_epochs += 1;
        }
        if p.cooldown_counter > 0 {
            p.cooldown_counter -= 1;
            p.num_bad_epochs = 0;
        }
        if p.num_bad_epochs > c.patience {
            let old = self.now.lr;
            let new = (old * c.factor).max(c.min_lr);
            if old - new > PLATEAU_EPS {
                self.now.lr = new;
            }
            p.cooldown_counter = c.cooldown;
            p.num_bad_epochs = 0;
        }
    }
}

/// LinearLR's chainable `get_lr` at `e > 0`, for `(start_factor, end_factor, total_iters)`.
fn linear(e: u64, lr: f64, (start, end, total): (f64, f64, u64)) -> f64 {
    if e > total {
        return lr;
    }
    lr * (1.0 + (end - start) / (total as f64 * start + (e - 1) as f64 * (end - start)))
}
