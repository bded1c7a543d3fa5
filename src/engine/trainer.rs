//! The trainer: steps an optimizer over a problem, records each state, and decides when a run has converged
//! or diverged. Settings may change between steps without losing the optimizer's state.

use serde::{Deserialize, Serialize};

use super::batch::Batcher;
use super::data::Dataset;
use super::error::ConfigError;
use super::gaussian::Gaussian;
use super::gradient::{Evaluation, Problem};
use super::line_search::{Search, armijo};
use super::model::{Grad, Params};
use super::optim::{LineSearch, Observer, OptimState, Optimizer, OptimizerConfig, OptimizerKind, is_singular};
use super::real::Real;
use super::scaling::Scaling;
use super::schedule::{Scheduled, Scheduler};
use super::settings::{Precision, Settings};

/// One row of a trajectory: the parameters after `step` updates, with the loss and the raw gradient of the
/// chosen source there (over all samples, without the weight-decay term).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record<F> {
    /// Updates applied so far.
    pub step: u64,
    /// w and b.
    pub params: Params<F>,
    /// Mean loss over all samples.
    pub loss: F,
    /// Gradient of the chosen source over all samples.
    pub grad: Grad<F>,
}

impl<F: Real> Record<F> {
    /// Widened to f64.
    pub fn to_f64(&self) -> Record<f64> {
        Record { step: self.step, params: self.params.to_f64(), loss: self.loss.to_f64(), grad: self.grad.to_f64() }
    }
}

/// A record with what the update leaving it needs: the gradient that update uses (the full one, or its
/// mini-batch's) and the optimizer's state (torch's names). The history keeps one per step, so the step ledger can
/// re-run any step with the optimizer's own code, and the inner-state plots can draw what the optimizer carries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Row {
    /// The state after `record.step` updates.
    pub record: Record<f64>,
    /// The gradient the next update uses (equal to `record.grad` without mini-batches).
    pub update_grad: Grad<f64>,
    /// What torch's `optimizer.state[p]` holds after `record.step` updates.
    pub state: OptimState,
    /// The lr (and cycled momentum or β₁) the next update uses: the param group's values after `record.step`
    /// scheduler steps (the optimizer's own lr without a schedule).
    pub scheduled: Scheduled,
}

impl From<Record<f64>> for Row {
    /// A row without optimizer state, whose next update would use the full gradient; its lr is unknown (0).
    fn from(record: Record<f64>) -> Self {
        Row { record, update_grad: record.grad, state: OptimState::default(), scheduled: Scheduled::default() }
    }
}

impl std::ops::Deref for Row {
    type Target = Record<f64>;

    fn deref(&self) -> &Record<f64> {
        &self.record
    }
}

/// Why a run diverged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Divergence {
    /// A parameter, the loss or the gradient would have become NaN or infinite; the run kept the last finite state.
    NonFinite,
    /// The loss grew past [`DIVERGENCE_FACTOR`] × max(|initial loss|, 1).
    LossExploded,
    /// An objective's value fell below [`OBJECTIVE_FLOOR`]: it is unbounded below along the path.
    Unbounded,
    /// Newton's Hessian at the current point is singular: H⁻¹g does not exist, so the run stops there (an outcome,
    /// not an overflow; the run kept the point).
    SingularHessian,
    /// The schedule's next lr (or cycled momentum) is not finite, or is non-zero and rounds to 0 or ∞ in the run's
    /// precision: no update can use it, so the run stops at the last state, whose lr is the last one it could use
    /// (an outcome of the schedule, not of the curvature).
    ScheduleOutOfRange,
    /// A standardized run's parameters, mapped back to the original x (w = w′/scale, b = b′ − w′·shift/scale),
    /// overflow the run's precision while the scaled ones are finite; the run kept the last state that maps back.
    BackMapOverflow,
    /// The run took the step cap in force ([`STEP_CAP`] in the app and `trace`, see [`Trainer::set_step_cap`])
    /// without meeting its tolerance: it stops there, at its last state (an outcome of the cap, not of the lr;
    /// [`super::floor`] says when it could not have met it).
    StepCap,
}

impl Divergence {
    /// Whether the run stopped for want of a step (a singular Hessian, an lr out of range) or at the step cap,
    /// rather than diverging.
    pub fn is_stop(self) -> bool {
        matches!(self, Divergence::SingularHessian | Divergence::ScheduleOutOfRange | Divergence::StepCap)
    }

    /// "stopped" or "diverged", for "… at step k".
    pub fn verb(self) -> &'static str {
        if self.is_stop() { "stopped" } else { "diverged" }
    }
}

/// How a run converged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Convergence {
    /// ‖gradient‖ ≤ tolerance.
    Tolerance,
    /// The parameters stopped changing: the update is below the precision's resolution.
    Stalled,
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Status {
    /// Can take more steps.
    Running,
    /// Reached the minimum (to the tolerance) at `step`.
    Converged {
        /// The step at which it was detected.
        step: u64,
        /// How.
        by: Convergence,
    },
    /// Diverged at `step`.
    Diverged {
        /// The update that went wrong.
        step: u64,
        /// How.
        why: Divergence,
    },
}

impl Status {
    /// Converged or diverged.
    pub fn is_finished(&self) -> bool {
        !matches!(self, Status::Running)
    }
}

/// A run is declared divergent once its loss exceeds this multiple of max(initial loss, 1): long before f64
/// overflows, so a learner sees the verdict within a few dozen steps instead of thousands.
pub const DIVERGENCE_FACTOR: f64 = 1e12;
/// An objective may be negative (the saddle, an expression): a run whose value falls below this has diverged, down
/// a direction in which the objective is unbounded below.
pub const OBJECTIVE_FLOOR: f64 = -1e12;
/// Full-batch steps in a row that leave the parameters bit-for-bit unchanged before a run with a tolerance
/// counts as converged (stalled): in f32 the update can fall below the resolution before ‖g‖ reaches the tolerance.
pub const STALL_STEPS: u32 = 10;
/// The step cap of a run with a tolerance in the app and in `descent trace`: 10⁶ steps. A run that has not met its
/// tolerance by then stops with [`Divergence::StepCap`] instead of running on at full speed, and the banner says why
/// it could not get there ([`super::floor`]) or how far it still is. Every preset run that converges does so long
/// before (the race's runs within 4·10⁴ steps).
pub const STEP_CAP: u64 = 1_000_000;

/// Steps one run in precision `F`.
#[derive(Clone, Debug)]
pub struct Trainer<F: Real> {
    problem: Problem<F>,
    settings: Settings,
    optimizer: Optimizer<F>,
    /// The learning-rate scheduler; it sets the optimizer's lr (and cycled momentum) before each update.
    scheduler: Scheduler,
    current: Record<F>,
    batcher: Option<Batcher>,
    /// The samples of the mini-batch the next update uses (empty for full-batch runs), drawn as soon as the
    /// previous step ends, so that the app can show it and the ledger can explain it.
    next_batch: Vec<usize>,
    /// The gradient the next update uses: the full gradient, or the next mini-batch's.
    update_grad: Grad<F>,
    scratch: (Vec<F>, Vec<F>),
    tolerance: Option<f64>,
    /// Stop at this step when a tolerance is in force and not met ([`Divergence::StepCap`]).
    step_cap: Option<u64>,
    loss_limit: F,
    unchanged_steps: u32,
    status: Status,
    /// The gradient noise's generator (σ > 0 on an objective), one draw per parameter per update.
    noise: Option<Gaussian>,
    /// The step size the line search accepted for the next update (with `--line-search armijo`).
    line_t: Option<f64>,
}

impl<F: Real> Trainer<F> {
    /// A run at (w₀, b₀) of the settings.
    pub fn new(data: &Dataset, settings: &Settings) -> Result<Self, ConfigError> {
        // `resume` rounds the start into the run's precision. A standardized run starts at the scaled image of
        // (w₀, b₀): the same line.
        let start = match settings.standardize && settings.objective.is_none() {
            true => match Scaling::of(data.x.as_slice().unwrap_or(&[]), settings.bias) {
                Some(s) => s.to_scaled(settings.start()),
                None => return Err(ConfigError::Conflict("--standardize needs inputs x that vary")),
            },
            false => settings.start(),
        };
        Self::resume(data, settings, Record { step: 0, params: start, ..Record::default() })
    }

    /// A run that continues from `from` (its step count and parameters), with fresh optimizer state: the timeline's
    /// "branch from here" and a change of precision use it.
    ///
    /// # Errors
    /// Invalid settings (in the run's precision, see [`Settings::validate`]), no samples, or data whose values,
    /// squares or sums overflow the precision ([`ConfigError::Overflow`], see [`Dataset::check_range`]). A start
    /// whose loss or gradient is not finite is not an error: the run is diverged at its first step.
    pub fn resume(data: &Dataset, settings: &Settings, from: Record<f64>) -> Result<Self, ConfigError> {
        settings.validate()?;
        if settings.objective.is_none() {
            if data.is_empty() {
                return Err(ConfigError::Conflict("the dataset has no samples"));
            }
            data.check_range(settings.precision)?;
        }
        let problem = Problem::new(data, settings);
        let mut params = Params::<F>::from_f64(from.params);
        if !settings.bias {
            params.b = F::ZERO;
        }
        let mut t = Trainer {
            batcher: batcher_for(settings, problem.len()),
            optimizer: Optimizer::new(&settings.optimizer)?,
            scheduler: Scheduler::new(&settings.schedule, &settings.optimizer),
            problem,
            settings: settings.clone(),
            current: Record { step: from.step, params, ..Record::default() },
            next_batch: Vec::new(),
            update_grad: Grad::default(),
            scratch: (Vec::new(), Vec::new()),
            tolerance: None,
            step_cap: None,
            loss_limit: F::ZERO,
            unchanged_steps: 0,
            status: Status::Running,
            noise: noise_for(settings),
            line_t: None,
        };
        t.apply_schedule();
        t.draw_batch();
        t.reevaluate();
        t.loss_limit = F::from_f64(DIVERGENCE_FACTOR * t.current.loss.to_f64().abs().max(1.0));
        if !(t.current.loss.is_finite() && t.current.grad.w.is_finite() && t.current.grad.b.is_finite()) {
            t.status = Status::Diverged { step: t.current.step, why: Divergence::NonFinite };
        }
        t.check_tolerance();
        Ok(t)
    }

    /// The current state.
    pub fn record(&self) -> Record<F> {
        self.current
    }

    /// Where the run stands.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The problem (data in this precision, model, loss).
    pub fn problem(&self) -> &Problem<F> {
        &self.problem
    }

    /// Stop when ‖gradient‖ ≤ `tolerance` (`None`: never).
    pub fn set_tolerance(&mut self, tolerance: Option<f64>) {
        self.tolerance = tolerance;
        if matches!(self.status, Status::Converged { by: Convergence::Tolerance, .. }) {
            self.status = Status::Running;
        }
        self.check_tolerance();
    }

    /// Stop a run with a positive tolerance once it reaches step `cap` without meeting it (`None`: no cap).
    pub fn set_step_cap(&mut self, cap: Option<u64>) {
        self.step_cap = cap;
    }

    /// Applies new settings between steps. Hyperparameters change in place, keeping the optimizer's state
    /// (momentum, moment estimates); a different optimizer starts fresh; a new loss, model, gradient source or
    /// batching re-evaluates the current point. The parameters and the step count are kept. (`w0`/`b0` only
    /// matter at the next reset; a change of precision needs [`DynTrainer`].)
    pub fn set_settings(&mut self, data: &Dataset, settings: &Settings) -> Result<(), ConfigError> {
        settings.validate()?;
        self.optimizer.reconfigure(&settings.optimizer)?;
        let old = std::mem::replace(&mut self.settings, settings.clone());
        let (o, n) = (&old.optimizer, &settings.optimizer);
        if old.schedule != settings.schedule
            || (o.kind, o.lr.to_bits(), o.momentum.to_bits(), o.beta1.to_bits())
                != (n.kind, n.lr.to_bits(), n.momentum.to_bits(), n.beta1.to_bits())
        {
            // A new schedule, or a new lr under one: a new scheduler from here, as torch's constructor would be.
            self.scheduler = Scheduler::new(&settings.schedule, &settings.optimizer);
        }
        self.apply_schedule();
        if (old.bias, old.loss, old.huber_delta) != (settings.bias, settings.loss, settings.huber_delta) {
            self.problem = Problem::new(data, settings);
            if !settings.bias {
                self.current.params.b = F::ZERO;
            }
        }
        if old.objective != settings.objective || old.standardize != settings.standardize {
            self.problem = Problem::new(data, settings);
        }
        if (old.batch_size, old.seed) != (settings.batch_size, settings.seed) {
            self.batcher = batcher_for(settings, self.problem.len());
            self.draw_batch();
        }
        if (old.seed, old.noise.to_bits()) != (settings.seed, settings.noise.to_bits()) {
            self.noise = noise_for(settings);
        }
        self.reevaluate();
        // A converged run continues under its new settings: it may run again (and converges again at its next step
        // if the point still meets the tolerance); a running one may meet the tolerance under a new loss.
        if matches!(self.status, Status::Converged { .. }) {
            self.status = Status::Running;
        } else {
            self.check_tolerance();
        }
        Ok(())
    }

    /// One update; returns the status after it. A diverged run does not move. A converged run takes the step
    /// when asked explicitly (a learner pressing Step), and [`Trainer::run`] stops at convergence.
    #[inline]
    pub fn step(&mut self) -> Status {
        self.step_observed(&mut ())
    }

    /// [`Trainer::step`], with the optimizer noting each intermediate value of the update to `obs`.
    #[inline(always)]
    pub fn step_observed(&mut self, obs: &mut impl Observer<F>) -> Status {
        if matches!(self.status, Status::Diverged { .. }) {
            return self.status;
        }
        let update_grad = self.update_grad;
        let (before, loss_before) = (self.current.params, self.current.loss);
        if self.settings.optimizer.kind == OptimizerKind::Newton && !self.prepare_newton() {
            self.status = Status::Diverged { step: self.current.step + 1, why: Divergence::SingularHessian };
            return self.status;
        }
        let params = if self.settings.bias {
            let mut p = [before.w, before.b];
            self.optimizer.step_observed(&mut p, &[update_grad.w, update_grad.b], obs);
            Params { w: p[0], b: p[1] }
        } else {
            // A fixed-length slice lets the optimizer's per-parameter loop unroll.
            let mut p = [before.w];
            self.optimizer.step_observed(&mut p, &[update_grad.w], obs);
            Params { w: p[0], b: F::ZERO }
        };
        let step = self.current.step + 1;
        if !params.is_finite() || !self.optimizer.state_is_finite() {
            self.status = Status::Diverged { step, why: Divergence::NonFinite };
            return self.status;
        }
        if !self.maps_back(params) {
            self.status = Status::Diverged { step, why: Divergence::BackMapOverflow };
            return self.status;
        }
        let Evaluation { loss, grad } = self.problem.evaluate(params, self.settings.gradient);
        if !(loss.is_finite() && grad.w.is_finite() && grad.b.is_finite()) {
            self.status = Status::Diverged { step, why: Divergence::NonFinite };
            return self.status;
        }
        self.current = Record { step, params, loss, grad };
        let mut schedule_in_range = true;
        if self.settings.schedule.is_active() {
            let in_force = self.scheduler.current();
            self.scheduler.step(loss_before.to_f64());
            schedule_in_range = self.scheduler.current().representable_in::<F>();
            if schedule_in_range {
                self.apply_schedule();
            } else {
                self.scheduler.hold(in_force);
            }
        }
        self.draw_batch();
        self.prepare_update();
        if loss > self.loss_limit {
            self.status = Status::Diverged { step, why: Divergence::LossExploded };
            return self.status;
        }
        if loss.to_f64() < OBJECTIVE_FLOOR {
            self.status = Status::Diverged { step, why: Divergence::Unbounded };
            return self.status;
        }
        self.unchanged_steps = if params == before && self.batcher.is_none() { self.unchanged_steps + 1 } else { 0 };
        self.status = Status::Running;
        self.check_tolerance();
        if self.status == Status::Running && self.tolerance.is_some() && self.unchanged_steps >= STALL_STEPS {
            self.status = Status::Converged { step, by: Convergence::Stalled };
        }
        if self.status == Status::Running && !schedule_in_range {
            self.status = Status::Diverged { step: step + 1, why: Divergence::ScheduleOutOfRange };
        }
        let capped = self.step_cap.is_some_and(|cap| step >= cap) && self.tolerance.is_some_and(|t| t > 0.0);
        if self.status == Status::Running && capped {
            self.status = Status::Diverged { step, why: Divergence::StepCap };
        }
        self.status
    }

    /// Whether `params` of a standardized run, mapped back to the original x, are finite in the run's precision
    /// (every row reports them there); true for a run that is not standardized.
    fn maps_back(&self, params: Params<F>) -> bool {
        self.problem.scaling().is_none_or(|s| {
            let p = s.to_original(params.to_f64());
            F::from_f64(p.w).is_finite() && F::from_f64(p.b).is_finite()
        })
    }

    /// The gradient the next update uses: the full gradient of [`Trainer::record`], or the next mini-batch's.
    pub fn update_grad(&self) -> Grad<F> {
        self.update_grad
    }

    /// The samples of the mini-batch the next update uses (empty for full-batch runs).
    pub fn next_batch(&self) -> &[usize] {
        &self.next_batch
    }

    /// What torch's `optimizer.state[p]` holds after the updates so far.
    pub fn optimizer_state(&self) -> OptimState {
        self.optimizer.state()
    }

    /// The lr (and cycled momentum or β₁) the next update uses: under a line search, the accepted step size.
    pub fn scheduled(&self) -> Scheduled {
        match self.line_t {
            Some(t) => Scheduled { lr: t, ..self.scheduler.current() },
            None => self.scheduler.current(),
        }
    }

    /// Newton's Hessian at the current point, rounded to the run's precision, handed to the optimizer; false
    /// when it is singular (no step exists).
    fn prepare_newton(&mut self) -> bool {
        let (h, _) = self.problem.hessian(self.current.params);
        let h = h.map(|row| row.map(F::from_f64));
        if is_singular(h, self.settings.n_params()) {
            return false;
        }
        self.optimizer.set_hessian(h);
        true
    }

    /// The line search from the current point along the next update's gradient (`None` without one).
    pub fn line_search(&self) -> Option<Search> {
        let o = &self.settings.optimizer;
        (o.line_search == LineSearch::Armijo).then(|| {
            let cfg = self.scheduler.current().apply_to(o);
            armijo(|q| self.problem.loss(q), self.current.params, self.update_grad, self.settings.bias, &cfg)
        })
    }

    /// Writes the scheduler's values into the optimizer (nothing without a schedule).
    fn apply_schedule(&mut self) {
        if self.settings.schedule.is_active() {
            let cfg = self.scheduler.current().apply_to(&self.settings.optimizer);
            self.optimizer.set_scheduled(&cfg);
        }
    }

    /// Up to `max_steps` updates, stopping early at convergence or divergence; `on_row` sees each new state.
    #[inline]
    pub fn run(&mut self, max_steps: u64, mut on_row: impl FnMut(&Record<F>)) -> Status {
        self.run_scheduled(max_steps, |r, _| on_row(r))
    }

    /// [`Trainer::run`], with the lr (and cycled momentum) that the update leaving each new state will use.
    #[inline]
    pub fn run_scheduled(&mut self, max_steps: u64, mut on_row: impl FnMut(&Record<F>, Scheduled)) -> Status {
        for _ in 0..max_steps {
            if self.status.is_finished() {
                break;
            }
            let before = self.current.step;
            self.step();
            if self.current.step != before {
                on_row(&self.current, self.scheduled());
            }
        }
        self.status
    }

    fn reevaluate(&mut self) {
        let e = self.problem.evaluate(self.current.params, self.settings.gradient);
        self.current.loss = e.loss;
        self.current.grad = e.grad;
        self.prepare_update();
    }

    /// Draws the next mini-batch's samples (one draw per update, in the batcher's order).
    fn draw_batch(&mut self) {
        self.next_batch.clear();
        if let Some(b) = &mut self.batcher {
            self.next_batch.extend_from_slice(b.next_batch());
        }
    }

    /// The gradient of the next update at the current point: the full one, or the drawn mini-batch's.
    fn prepare_update(&mut self) {
        self.update_grad = if self.batcher.is_some() {
            let (p, source) = (self.current.params, self.settings.gradient);
            self.problem.evaluate_batch(p, source, &self.next_batch, &mut self.scratch).grad
        } else {
            self.current.grad
        };
        if let Some(rng) = &mut self.noise {
            let sigma = self.settings.noise;
            let g = &mut self.update_grad;
            g.w += F::from_f64(sigma * rng.sample());
            g.b += F::from_f64(sigma * rng.sample());
        }
        self.line_t = self.line_search().map(|s| s.t());
        if let Some(t) = self.line_t {
            let cfg = OptimizerConfig { lr: t, ..self.settings.optimizer.clone() };
            self.optimizer.set_scheduled(&cfg);
        }
    }

    fn check_tolerance(&mut self) {
        if self.status != Status::Running {
            return;
        }
        if let Some(tol) = self.tolerance
            && self.current.grad.norm() <= tol
        {
            self.status = Status::Converged { step: self.current.step, by: Convergence::Tolerance };
        }
    }
}

/// The generator of the gradient noise, seeded by the run's seed, when there is noise.
fn noise_for(settings: &Settings) -> Option<Gaussian> {
    (settings.objective.is_some() && settings.noise > 0.0).then(|| Gaussian::new(settings.seed))
}

fn batcher_for(settings: &Settings, n: usize) -> Option<Batcher> {
    if settings.objective.is_some() {
        return None;
    }
    settings.batch_size.filter(|&b| b < n).map(|b| Batcher::new(n, b, settings.seed))
}

/// A trainer whose precision is chosen at run time; everything it reports is widened to f64.
#[derive(Clone, Debug)]
pub enum DynTrainer {
    /// An f32 run.
    F32(Trainer<f32>),
    /// An f64 run.
    F64(Trainer<f64>),
}

macro_rules! each {
    ($self:expr, $t:ident => $body:expr) => {
        match $self {
            DynTrainer::F32($t) => $body,
            DynTrainer::F64($t) => $body,
        }
    };
}

impl DynTrainer {
    /// A run at (w₀, b₀) in the settings' precision.
    pub fn new(data: &Dataset, settings: &Settings) -> Result<Self, ConfigError> {
        Ok(match settings.precision {
            Precision::F32 => DynTrainer::F32(Trainer::new(data, settings)?),
            Precision::F64 => DynTrainer::F64(Trainer::new(data, settings)?),
        })
    }

    /// A run continuing from `from` with fresh optimizer state.
    pub fn resume(data: &Dataset, settings: &Settings, from: Record<f64>) -> Result<Self, ConfigError> {
        Ok(match settings.precision {
            Precision::F32 => DynTrainer::F32(Trainer::resume(data, settings, from)?),
            Precision::F64 => DynTrainer::F64(Trainer::resume(data, settings, from)?),
        })
    }

    /// The current state, in f64.
    pub fn record(&self) -> Record<f64> {
        each!(self, t => t.record().to_f64())
    }

    /// The current state with the next update's gradient and the optimizer's state, in f64.
    pub fn row(&self) -> Row {
        each!(self, t => Row {
            record: t.record().to_f64(),
            update_grad: t.update_grad().to_f64(),
            state: t.optimizer_state(),
            scheduled: t.scheduled(),
        })
    }

    /// The samples of the mini-batch the next update uses (empty for full-batch runs).
    pub fn next_batch(&self) -> &[usize] {
        each!(self, t => t.next_batch())
    }

    /// Where the run stands.
    pub fn status(&self) -> Status {
        each!(self, t => t.status())
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        each!(self, t => t.settings())
    }

    /// See [`Trainer::set_tolerance`].
    pub fn set_tolerance(&mut self, tolerance: Option<f64>) {
        each!(self, t => t.set_tolerance(tolerance))
    }

    /// See [`Trainer::set_settings`]; a change of precision continues from the current point with fresh
    /// optimizer state.
    pub fn set_settings(&mut self, data: &Dataset, settings: &Settings) -> Result<(), ConfigError> {
        if settings.precision != self.settings().precision {
            let (tol, cap) = each!(self, t => (t.tolerance, t.step_cap));
            let mut next = DynTrainer::resume(data, settings, self.record())?;
            next.set_tolerance(tol);
            next.set_step_cap(cap);
            *self = next;
            return Ok(());
        }
        each!(self, t => t.set_settings(data, settings))
    }

    /// See [`Trainer::set_step_cap`].
    pub fn set_step_cap(&mut self, cap: Option<u64>) {
        each!(self, t => t.set_step_cap(cap))
    }

    /// One update.
    pub fn step(&mut self) -> Status {
        each!(self, t => t.step())
    }

    /// Up to `max_steps` updates; `on_row` sees each new state in f64.
    pub fn run(&mut self, max_steps: u64, mut on_row: impl FnMut(&Record<f64>)) -> Status {
        each!(self, t => t.run(max_steps, |r| on_row(&r.to_f64())))
    }

    /// [`DynTrainer::run`], with the lr (and cycled momentum) the update leaving each new state will use.
    pub fn run_scheduled(&mut self, max_steps: u64, mut on_row: impl FnMut(&Record<f64>, Scheduled)) -> Status {
        each!(self, t => t.run_scheduled(max_steps, |r, s| on_row(&r.to_f64(), s)))
    }

    /// The lr (and cycled momentum or β₁) the next update uses.
    pub fn scheduled(&self) -> Scheduled {
        each!(self, t => t.scheduled())
    }

    /// The mean loss at `p` over all samples, in the run's precision (for drawing the landscape).
    pub fn loss_at(&self, p: Params<f64>) -> f64 {
        each!(self, t => t.problem().loss(Params::from_f64(p)).to_f64())
    }

    /// The inputs' scaling of a standardized run (its rows are in the scaled space).
    pub fn scaling(&self) -> Option<Scaling> {
        each!(self, t => t.problem().scaling())
    }

    /// The exact Hessian of the mean loss at `p` (in the run's space), and how it was computed.
    pub fn hessian_at(&self, p: Params<f64>) -> ([[f64; 2]; 2], super::objective::HessianMethod) {
        each!(self, t => t.problem().hessian(Params::from_f64(p)))
    }

    /// The line search the next update runs (`None` without one).
    pub fn line_search(&self) -> Option<Search> {
        each!(self, t => t.line_search())
    }

    /// The gradient check at `p`.
    pub fn gradient_check(&self, p: Params<f64>) -> super::gradient::GradientCheck {
        each!(self, t => t.problem().gradient_check(Params::from_f64(p)))
    }
}
