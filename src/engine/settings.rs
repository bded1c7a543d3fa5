//! Everything that defines a run, shared by the command line, the app and session files.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::loss::LossKind;
use super::model::Params;
use super::objective::Objective;
use super::optim::{OptimizerConfig, OptimizerKind};
pub use super::real::Precision;
use super::schedule::ScheduleConfig;

/// Where the gradient that drives the update comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradientSource {
    /// The hand-derived gradient of the mean loss.
    #[default]
    Analytic,
    /// The notebook's hand-written gradient: per-sample gradients summed, not averaged (N × analytic).
    NotebookSum,
    /// Reverse-mode automatic differentiation of the loss expression (a tape, like torch's autograd).
    Autodiff,
    /// Central finite differences.
    Numeric,
}

impl GradientSource {
    /// Every source, in menu order.
    pub const ALL: [GradientSource; 4] =
        [GradientSource::Analytic, GradientSource::NotebookSum, GradientSource::Autodiff, GradientSource::Numeric];

    /// The name users see.
    pub fn label(self) -> &'static str {
        match self {
            GradientSource::Analytic => "analytic",
            GradientSource::NotebookSum => "notebook-sum",
            GradientSource::Autodiff => "autodiff",
            GradientSource::Numeric => "numeric",
        }
    }
}

/// The settings of one run: model, loss, gradient source, precision, optimizer, start point and batching.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Fit ŷ = w·x + b instead of ŷ = w·x.
    pub bias: bool,
    /// The loss.
    pub loss: LossKind,
    /// Huber's δ.
    pub huber_delta: f64,
    /// Where the gradient comes from.
    pub gradient: GradientSource,
    /// f32 or f64.
    pub precision: Precision,
    /// Optimizer and hyperparameters.
    pub optimizer: OptimizerConfig,
    /// The learning-rate schedule (torch.optim.lr_scheduler; absent from older session files: constant).
    pub schedule: ScheduleConfig,
    /// Initial weight.
    pub w0: f64,
    /// Initial bias.
    pub b0: f64,
    /// Mini-batch size; `None` is full batch.
    pub batch_size: Option<usize>,
    /// Seed of the mini-batch shuffle (and of the gradient noise).
    pub seed: u64,
    /// An objective f(w, b) to minimise instead of the loss over the data (`None`: the data's loss). It has both
    /// parameters, so `bias` is true with it; data, model and loss settings do not apply.
    pub objective: Option<Objective>,
    /// σ of the Gaussian noise added to each update's gradient (objectives only; 0: none), drawn from `seed`.
    pub noise: f64,
    /// Run the optimizer on standardized inputs (see [`super::scaling`]); data only.
    pub standardize: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bias: false,
            loss: LossKind::Mse,
            huber_delta: 1.0,
            gradient: GradientSource::Analytic,
            precision: Precision::F64,
            optimizer: OptimizerConfig::default(),
            schedule: ScheduleConfig::default(),
            w0: 0.0,
            b0: 0.0,
            batch_size: None,
            seed: 0,
            objective: None,
            noise: 0.0,
            standardize: false,
        }
    }
}

impl Settings {
    /// The name a run's settings give it: the optimizer ("GD", "SGD", "Adam", "SGD + momentum 0.9", "Nesterov 0.9"),
    /// the notebook's two loops by their code ("NumPy (hand-written sum)": GD on the summed gradient; "PyTorch
    /// autograd": GD on the tape's gradient in float32), another gradient source after a comma ("Adam, hand-written
    /// sum"), and gradient noise ("GD + noise 0.1").
    ///
    /// A run whose name is its settings' default name follows its settings: when they change, so does the name
    /// (the worker applies this on every settings change, `worker.rs`). Any other name, the user's own, is kept.
    pub fn default_name(&self) -> String {
        let s = self;
        let o = &s.optimizer;
        let mut name = match o.kind {
            OptimizerKind::Sgd if o.momentum > 0.0 && o.nesterov => {
                format!("Nesterov {}", crate::format::repr(o.momentum))
            }
            OptimizerKind::Sgd | OptimizerKind::Rmsprop if o.momentum > 0.0 => {
                format!("{} + momentum {}", o.kind.label(), crate::format::repr(o.momentum))
            }
            kind => kind.label().to_string(),
        };
        let gd = o.kind == OptimizerKind::Gd;
        match (s.gradient, s.precision) {
            (GradientSource::NotebookSum, _) if gd => name = "NumPy (hand-written sum)".into(),
            (GradientSource::Autodiff, Precision::F32) if gd => name = "PyTorch autograd".into(),
            (GradientSource::NotebookSum, _) => name.push_str(", hand-written sum"),
            (GradientSource::Autodiff, _) => name.push_str(", autograd"),
            (GradientSource::Numeric, _) => name.push_str(", numeric gradient"),
            (GradientSource::Analytic, _) => {}
        }
        if s.noise > 0.0 {
            name.push_str(" + noise ");
            name.push_str(&crate::format::repr(s.noise));
        }
        name
    }

    /// Checks every value, the optimizer's included.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.huber_delta.is_finite() && self.huber_delta > 0.0) {
            return Err(ConfigError::Invalid { name: "--huber-delta", value: self.huber_delta, reason: "must be > 0" });
        }
        for (name, value) in [("--w0", self.w0), ("--b0", self.b0)] {
            if !value.is_finite() {
                return Err(ConfigError::Invalid { name, value, reason: "must be finite" });
            }
        }
        if self.batch_size == Some(0) {
            return Err(ConfigError::Invalid { name: "--batch-size", value: 0.0, reason: "must be at least 1" });
        }
        self.validate_objective()?;
        self.optimizer.validate()?;
        self.validate_newton()?;
        self.schedule.validate(&self.optimizer)?;
        if self.optimizer.line_search == crate::engine::optim::LineSearch::Armijo
            && self.schedule.kind != crate::engine::schedule::ScheduleKind::Constant
        {
            return Err(ConfigError::Conflict("--line-search picks each step size itself: drop --schedule"));
        }
        self.check_precision()
    }

    /// An objective has both parameters (`bias`), takes its gradient by autodiff or numerically, and uses no
    /// mini-batches; noise is finite, ≥ 0, and for objectives only.
    fn validate_objective(&self) -> Result<(), ConfigError> {
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(ConfigError::Invalid {
                name: "--noise", value: self.noise, reason: "must be a finite σ ≥ 0"
            });
        }
        if self.objective.is_none() {
            return match self.noise {
                0.0 => Ok(()),
                _ => Err(ConfigError::Conflict("--noise applies to objectives only (give --objective)")),
            };
        }
        if !self.bias {
            return Err(ConfigError::Conflict("an objective has both parameters w and b: its settings need bias on"));
        }
        if !matches!(self.gradient, GradientSource::Autodiff | GradientSource::Numeric) {
            return Err(ConfigError::Conflict("an objective takes its gradient from autodiff or numeric"));
        }
        if self.batch_size.is_some() {
            return Err(ConfigError::Conflict("an objective has no samples to batch: drop --batch-size"));
        }
        Ok(())
    }

    /// Newton needs a Hessian that is not zero (MAE's is, almost everywhere); standardizing applies to data only.
    fn validate_newton(&self) -> Result<(), ConfigError> {
        if self.optimizer.kind == OptimizerKind::Newton && self.objective.is_none() && self.loss == LossKind::Mae {
            return Err(ConfigError::Conflict(
                "--optimizer newton needs curvature: MAE's Hessian is zero (use --loss mse or huber)",
            ));
        }
        if self.standardize && self.objective.is_some() {
            return Err(ConfigError::Conflict("--standardize scales data inputs: an objective has none"));
        }
        Ok(())
    }

    /// These settings with `objective` in force: both parameters, its gradient from autodiff (unless numeric), no
    /// mini-batches and, when `start` is set, its default start. `None` returns to the data's loss (without noise).
    pub fn set_objective(&mut self, objective: Option<Objective>, start: bool) {
        match &objective {
            Some(o) => {
                self.bias = true;
                if self.gradient != GradientSource::Numeric {
                    self.gradient = GradientSource::Autodiff;
                }
                self.batch_size = None;
                if start {
                    let p = o.default_start();
                    (self.w0, self.b0) = (p.w, p.b);
                }
            }
            None => self.noise = 0.0,
        }
        self.objective = objective;
    }

    /// In an f32 run, every value is rounded to f32 before use: refuses one that the rounding would turn into ±∞
    /// (beyond ±3.4028235e+38) or into 0 (below 1e-45 in magnitude), rather than run something else than was asked.
    fn check_precision(&self) -> Result<(), ConfigError> {
        if self.precision != Precision::F32 {
            return Ok(());
        }
        let o = &self.optimizer;
        let values = [
            ("--w0", self.w0),
            ("--b0", self.b0),
            ("--huber-delta", self.huber_delta),
            ("--noise", self.noise),
            ("--lr", o.lr),
            ("--momentum", o.momentum),
            ("--dampening", o.dampening),
            ("--weight-decay", o.weight_decay()),
            ("--lr-decay", o.lr_decay),
            ("--initial-accumulator-value", o.initial_accumulator_value),
            ("--alpha", o.alpha),
            ("--beta1", o.beta1),
            ("--beta2", o.beta2),
            ("--eps", o.eps()),
        ];
        let sc = &self.schedule;
        // The schedule's own values, and the values it starts the run with (lr × --start-factor, max_lr / div, …).
        let first = crate::engine::schedule::Scheduler::new(sc, o).current();
        let schedule = [
            ("--eta-min", sc.eta_min),
            ("--min-lr", sc.min_lr),
            ("--max-lr", sc.max_lr.unwrap_or(0.0)),
            ("--base-lr", sc.base_lr.unwrap_or(0.0)),
            ("--base-momentum", sc.base_momentum),
            ("--max-momentum", sc.max_momentum),
            ("the schedule's first lr", first.lr),
            ("the schedule's first momentum", first.momentum.unwrap_or(0.0)),
        ];
        for (name, value) in values.into_iter().chain(schedule) {
            if let Some(reason) = f32_rounding_problem(value) {
                return Err(ConfigError::Unrepresentable { name, value, reason });
            }
        }
        Ok(())
    }

    /// The start point (w₀, b₀), with b = 0 when the model has no bias.
    pub fn start(&self) -> Params<f64> {
        Params { w: self.w0, b: if self.bias { self.b0 } else { 0.0 } }
    }

    /// True when `other` poses a different problem: another model, loss, Huber δ, gradient source, precision, start
    /// point, batch size, seed, objective, noise or standardizing. A run's history means nothing under the new problem, so the run
    /// restarts; any other change (the learning rate, the optimizer and its hyperparameters, the schedule) is one the
    /// optimizer can absorb, and the run continues from its current state, under a marker that
    /// [`Settings::describe_change`] words.
    pub fn problem_differs(&self, other: &Settings) -> bool {
        let Settings {
            bias,
            loss,
            huber_delta,
            gradient,
            precision,
            optimizer: _,
            schedule: _,
            w0,
            b0,
            batch_size,
            seed,
            ..
        } = self;
        if (&self.objective, self.noise.to_bits(), self.standardize)
            != (&other.objective, other.noise.to_bits(), other.standardize)
        {
            return true;
        }
        (*bias, *loss, huber_delta.to_bits(), *gradient, *precision, w0.to_bits(), b0.to_bits(), *batch_size, *seed)
            != (
                other.bias,
                other.loss,
                other.huber_delta.to_bits(),
                other.gradient,
                other.precision,
                other.w0.to_bits(),
                other.b0.to_bits(),
                other.batch_size,
                other.seed,
            )
    }

    /// What a change to `new` that a run absorbs without a restart changed, in plain words, for the marker its
    /// history draws there ("lr 0.01 → 0.05, momentum 0 → 0.9", "schedule constant → step"). Those changes are the
    /// ones [`Settings::problem_differs`] leaves out: the optimizer and its hyperparameters (line search included),
    /// and the schedule with its parameters. The lr and the line search are always listed; the other
    /// hyperparameters when the optimizer stays the same, and a schedule's parameters when the schedule does (a new
    /// optimizer or schedule names itself). Empty when nothing in force changed (a weight decay or ε set to the
    /// optimizer's own default, for instance).
    pub fn describe_change(&self, new: &Settings) -> String {
        let mut changes = optimizer_changes(&self.optimizer, &new.optimizer);
        changes.extend(schedule_changes(&self.schedule, &new.schedule));
        changes.join(", ")
    }

    /// Number of trained parameters (1, or 2 with a bias).
    pub fn n_params(&self) -> usize {
        if self.bias { 2 } else { 1 }
    }
}

/// `name old → new` for each value that differs, in the order they are given.
#[derive(Default)]
struct Changes(Vec<String>);

impl Changes {
    /// A number: 4 significant digits ([`crate::format::compact`]), all of them when that would hide the change.
    fn num(&mut self, name: &str, a: f64, b: f64) {
        if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
            let (mut ta, mut tb) = (crate::format::compact(a), crate::format::compact(b));
            if ta == tb {
                (ta, tb) = (crate::format::repr(a), crate::format::repr(b));
            }
            self.0.push(format!("{name} {ta} → {tb}"));
        }
    }

    fn text(&mut self, name: &str, a: &str, b: &str) {
        if a != b {
            self.0.push(format!("{name} {a} → {b}"));
        }
    }
}

/// The optimizer's part of [`Settings::describe_change`]. `new` is taken apart field by field, so that a field added
/// to [`OptimizerConfig`] does not compile until it is described here.
fn optimizer_changes(o: &OptimizerConfig, n: &OptimizerConfig) -> Vec<String> {
    let OptimizerConfig {
        kind,
        lr,
        momentum,
        dampening,
        nesterov,
        weight_decay: _,
        lr_decay,
        initial_accumulator_value,
        alpha,
        centered,
        beta1,
        beta2,
        eps: _,
        amsgrad,
        line_search,
        armijo_c,
        backtrack,
    } = n;
    let same = o.kind == *kind;
    let mut c = Changes::default();
    c.num("lr", o.lr, *lr);
    if same {
        c.num("momentum", o.momentum, *momentum);
        c.num("dampening", o.dampening, *dampening);
        c.num("weight decay", o.weight_decay(), n.weight_decay());
        c.num("lr decay", o.lr_decay, *lr_decay);
        c.num("initial accumulator", o.initial_accumulator_value, *initial_accumulator_value);
        c.num("α", o.alpha, *alpha);
        c.num("β₁", o.beta1, *beta1);
        c.num("β₂", o.beta2, *beta2);
        c.num("ε", o.eps(), n.eps());
    }
    c.text("optimizer", o.kind.label(), kind.label());
    if same {
        c.text("nesterov", &o.nesterov.to_string(), &nesterov.to_string());
        c.text("centered", &o.centered.to_string(), &centered.to_string());
        c.text("amsgrad", &o.amsgrad.to_string(), &amsgrad.to_string());
    }
    c.text("line search", &serde_name(&o.line_search), &serde_name(line_search));
    if same {
        c.num("Armijo c", o.armijo_c, *armijo_c);
        c.num("backtracking ρ", o.backtrack, *backtrack);
    }
    c.0
}

/// The schedule's part of [`Settings::describe_change`]: the schedule's name, then (same schedule only) each
/// parameter that changed, by its torch name as session files spell it. The parameters are read from the serialized
/// form, so a parameter added to [`ScheduleConfig`] is described without an edit here.
fn schedule_changes(o: &ScheduleConfig, n: &ScheduleConfig) -> Vec<String> {
    let mut c = Changes::default();
    c.text("schedule", o.kind.label(), n.kind.label());
    if o.kind == n.kind
        && o != n
        && let (Ok(a), Ok(b)) = (serde_json::to_value(o), serde_json::to_value(n))
    {
        value_changes("", &a, &b, &mut c);
    }
    c.0
}

/// Each leaf of `b` that differs from `a`'s, named by its path (`prefix` then the keys, joined by dots).
fn value_changes(prefix: &str, a: &serde_json::Value, b: &serde_json::Value, c: &mut Changes) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, vb) in b {
                let va = a.get(key).unwrap_or(&Value::Null);
                if va != vb {
                    value_changes(&format!("{prefix}{key}."), va, vb, c);
                }
            }
        }
        _ => {
            let name = prefix.trim_end_matches('.');
            match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) if !(a.is_u64() && b.is_u64()) => c.num(name, x, y),
                _ => c.text(name, &value_text(a), &value_text(b)),
            }
        }
    }
}

/// A serialized value as a user reads it: an unset option is "none", a string without its quotes.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The name a value has in session files (and on the command line): `armijo` for [`super::optim::LineSearch::Armijo`].
fn serde_name(v: &impl Serialize) -> String {
    serde_json::to_value(v).map_or_else(|_| "?".into(), |v| value_text(&v))
}

/// Why a finite f64 cannot stand for itself in f32: it rounds to ±∞ or, being non-zero, to 0. `None` when it can.
pub fn f32_rounding_problem(value: f64) -> Option<&'static str> {
    let rounded = value as f32;
    if rounded.is_infinite() {
        Some("exceeds the f32 range (its largest value is 3.4028235e+38)")
    } else if rounded == 0.0 && value != 0.0 {
        Some("rounds to 0 in f32 (its smallest positive value is 1e-45)")
    } else {
        None
    }
}

/// Issue 20: the names a run's settings give it, checked against what each setting is.
#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn a_default_name_says_the_optimizer_the_gradient_and_the_noise() {
        let mut s = Settings::default();
        s.optimizer.kind = OptimizerKind::Gd;
        assert_eq!(s.default_name(), "GD");
        s.gradient = GradientSource::NotebookSum;
        assert_eq!(s.default_name(), "NumPy (hand-written sum)");
        s.gradient = GradientSource::Autodiff;
        s.precision = Precision::F32;
        assert_eq!(s.default_name(), "PyTorch autograd");
        s.optimizer.kind = OptimizerKind::Adam;
        assert_eq!(s.default_name(), "Adam, autograd");
        s.gradient = GradientSource::Analytic;
        assert_eq!(s.default_name(), "Adam");
        s.optimizer.kind = OptimizerKind::Sgd;
        assert_eq!(s.default_name(), "SGD");
        s.optimizer.momentum = 0.9;
        assert_eq!(s.default_name(), "SGD + momentum 0.9");
        s.optimizer.nesterov = true;
        assert_eq!(s.default_name(), "Nesterov 0.9");
        s.noise = 0.1;
        assert_eq!(s.default_name(), "Nesterov 0.9 + noise 0.1");
    }
}
