//! One run inside the worker: its trainer, history and analysis; how it takes new settings (absorbed, with a marker,
//! or restarted), steps, restarts from a row, previews its next step, and is published as a [`RunSnapshot`]. A panic
//! inside the engine stops this run only ([`Run::guarded`]).

use std::sync::Arc;

use super::messages::{MAX_PUBLISHED_BATCH, RunSnapshot};
use crate::engine::analysis::{Analysis, analyze};
use crate::engine::data::Dataset;
use crate::engine::floor::Floor;
use crate::engine::model::Params;
use crate::engine::optim::OptimizerConfig;
use crate::engine::settings::Settings;
use crate::engine::trainer::{DynTrainer, Record, STEP_CAP, Status};
use crate::history::History;
use crate::run::{RunId, RunSpec};

/// Datasets up to this size get the next-step preview by cloning the trainer even while running.
const CLONE_PREVIEW_MAX_SAMPLES: usize = 50_000;

/// One run inside the worker.
pub(super) struct Run {
    pub(super) id: RunId,
    pub(super) spec: RunSpec,
    pub(super) trainer: Option<DynTrainer>,
    pub(super) history: History,
    analysis: Arc<Analysis>,
    /// The floor of the settings (and data generation) it was computed for: computed once per change.
    floor: Option<(Settings, Option<Floor>)>,
    /// The settings the analysis was computed for (only some fields matter).
    pub(super) analysis_key: Option<AnalysisKey>,
    error: Option<String>,
    /// Cached next-step preview and the step it was computed at.
    next: Option<(u64, Params<f64>)>,
    /// The step of the latest settings change and the settings before it (to merge changes at one step).
    marker_base: Option<(u64, Settings)>,
    /// Tests only: panic at the next step.
    #[cfg(test)]
    pub(super) panic_next_step: bool,
}

/// The text of a panic's payload (a `&str` or a `String`; anything else as "an unknown error").
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unknown error".into())
}

#[derive(Clone, PartialEq)]
pub(super) struct AnalysisKey {
    objective: Option<crate::engine::objective::Objective>,
    bias: bool,
    loss: crate::engine::loss::LossKind,
    huber_delta: f64,
    gradient: crate::engine::settings::GradientSource,
    at: Option<Params<f64>>,
}

impl AnalysisKey {
    fn of(s: &Settings) -> Self {
        let local = s.loss != crate::engine::loss::LossKind::Mse || s.objective.is_some();
        AnalysisKey {
            objective: s.objective.clone(),
            bias: s.bias,
            loss: s.loss,
            huber_delta: s.huber_delta,
            gradient: s.gradient,
            at: local.then_some(s.start()),
        }
    }
}

impl Run {
    pub(super) fn new(id: RunId, spec: RunSpec, data: &Dataset, tolerance: Option<f64>) -> Run {
        let analysis = Arc::new(analyze(data, &spec.settings, spec.settings.start()));
        let mut run = Run {
            id,
            analysis_key: Some(AnalysisKey::of(&spec.settings)),
            spec,
            trainer: None,
            history: History::default(),
            analysis,
            floor: None,
            error: None,
            next: None,
            marker_base: None,
            #[cfg(test)]
            panic_next_step: false,
        };
        run.reset(data, tolerance);
        run
    }

    /// Runs `f` on this run, isolating a panic inside it: the run stops where it stood (its trainer dropped, its
    /// history kept) with an error that names the run, the step and the panic, and the other runs and the UI go on.
    pub(super) fn guarded<T>(&mut self, doing: &str, f: impl FnOnce(&mut Run) -> T) -> Option<T> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))) {
            Ok(v) => Some(v),
            Err(payload) => {
                let step = self.history.last().map_or(0, |r| r.step);
                self.trainer = None;
                self.next = None;
                self.error = Some(format!(
                    "run “{}” stopped at step {step}: the engine failed while {doing} ({}); the other runs go on",
                    self.spec.name,
                    panic_text(payload.as_ref())
                ));
                None
            }
        }
    }

    /// A fresh trainer at the start point, an empty history with the start row.
    pub(super) fn reset(&mut self, data: &Dataset, tolerance: Option<f64>) {
        self.history.clear();
        self.next = None;
        self.marker_base = None;
        // A start whose loss is not finite is refused with its reason, so no infinite loss reaches a plot.
        match crate::engine::diagnose::start_run(data, &self.spec.settings) {
            Ok(mut t) => {
                t.set_tolerance(tolerance);
                t.set_step_cap(Some(STEP_CAP));
                self.history.push(t.row());
                self.history.push_settings(t.record().step, &self.spec.settings);
                self.trainer = Some(t);
                self.error = None;
            }
            Err(e) => {
                self.trainer = None;
                self.error = Some(format!("Settings refused: {e}"));
            }
        }
    }

    pub(super) fn refresh_analysis(&mut self, data: &Dataset) {
        let key = AnalysisKey::of(&self.spec.settings);
        self.floor = None;
        if self.analysis_key.as_ref() != Some(&key) {
            self.analysis = Arc::new(analyze(data, &self.spec.settings, self.spec.settings.start()));
            self.analysis_key = Some(key);
        }
    }

    pub(super) fn set_settings(&mut self, data: &Dataset, settings: Settings, tolerance: Option<f64>) {
        // A new problem makes the history meaningless: the run restarts under it (see `Settings::problem_differs`).
        if settings.problem_differs(&self.spec.settings) && settings.validate().is_ok() {
            self.spec.settings = settings;
            self.refresh_analysis(data);
            self.reset(data, tolerance);
            return;
        }
        let Some(trainer) = &mut self.trainer else {
            self.spec.settings = settings;
            self.refresh_analysis(data);
            self.reset(data, tolerance);
            return;
        };
        let old = self.spec.settings.clone();
        match trainer.set_settings(data, &settings) {
            Ok(()) => {
                let record = trainer.record();
                // Several changes at one step (a slider dragged while paused) make one marker, described from the
                // settings before the first of them.
                let before = match &self.marker_base {
                    Some((step, base))
                        if *step == record.step && self.history.markers().last().is_some_and(|m| m.step == *step) =>
                    {
                        self.history.pop_marker();
                        base.clone()
                    }
                    _ => old,
                };
                let change = before.describe_change(&settings);
                self.marker_base = Some((record.step, before));
                self.spec.settings = settings;
                self.error = None;
                self.next = None;
                // A new loss or gradient source re-evaluates the current point.
                if self.history.last().is_some_and(|r| r.step == record.step) {
                    self.history.replace_last(trainer.row());
                }
                self.history.push_settings(record.step, &self.spec.settings);
                if !change.is_empty() {
                    self.history.push_marker(record.step, change);
                }
                self.refresh_analysis(data);
            }
            Err(e) => self.error = Some(format!("Settings refused: {e}")),
        }
    }

    /// Up to `n` steps, stopping at divergence (and at convergence when `stop_at_convergence`); returns how many
    /// were taken. A panic inside the engine stops this run only (see [`Run::guarded`]).
    /// Lets a replay of `n` more steps (a session's timeline) run past [`STEP_CAP`]: a run saved beyond the cap
    /// replays to its step, and the cap's rule stops it one step later.
    pub(super) fn lift_step_cap(&mut self, n: u64) {
        if let Some(t) = &mut self.trainer {
            let to = t.record().step.saturating_add(n).saturating_add(1);
            t.set_step_cap(Some(to.max(STEP_CAP)));
        }
    }

    pub(super) fn steps(&mut self, n: u64, stop_at_convergence: bool) -> u64 {
        self.guarded("stepping", |run| run.steps_unguarded(n, stop_at_convergence)).unwrap_or(0)
    }

    fn steps_unguarded(&mut self, n: u64, stop_at_convergence: bool) -> u64 {
        #[cfg(test)]
        if std::mem::take(&mut self.panic_next_step) {
            panic!("a panic injected by a test");
        }
        let Some(trainer) = &mut self.trainer else {
            return 0;
        };
        let mut taken = 0;
        for _ in 0..n {
            let status = trainer.status();
            if matches!(status, Status::Diverged { .. }) {
                break;
            }
            if stop_at_convergence && matches!(status, Status::Converged { .. }) {
                break;
            }
            let before = trainer.record().step;
            trainer.step();
            if trainer.record().step != before {
                self.history.push(trainer.row());
                taken += 1;
            }
        }
        taken
    }

    /// Goes on from the last row of the history with `settings` and fresh optimizer state (a branch, or a saved
    /// branch replayed); the history's last row is replaced by the fresh state's, and its log records the restart.
    pub(super) fn restart(&mut self, data: &Dataset, settings: Settings, tolerance: Option<f64>) {
        let Some(last) = self.history.last().map(|r| r.record) else { return };
        match DynTrainer::resume(data, &settings, last) {
            Ok(mut t) => {
                t.set_tolerance(tolerance);
                t.set_step_cap(Some(STEP_CAP));
                self.spec.settings = settings;
                // The branch starts with fresh optimizer state: its first row says so.
                self.history.replace_last(t.row());
                self.history.push_restart(t.record().step, &self.spec.settings);
                self.trainer = Some(t);
                self.error = None;
                self.next = None;
                self.refresh_analysis(data);
            }
            Err(e) => self.error = Some(format!("Settings refused: {e}")),
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        self.trainer.as_ref().is_none_or(|t| t.status().is_finished())
    }

    pub(super) fn step_count(&self) -> u64 {
        self.trainer.as_ref().map_or(0, |t| t.record().step)
    }

    /// Where the next step lands: exact for plain full-batch SGD without momentum, by cloning the trainer otherwise
    /// (skipped for large data while running).
    fn preview(&mut self, data_len: usize, busy: bool) -> Option<Params<f64>> {
        let trainer = self.trainer.as_ref()?;
        if matches!(trainer.status(), Status::Diverged { .. }) {
            return None;
        }
        let record = trainer.record();
        if let Some((step, p)) = self.next
            && step == record.step
        {
            return Some(p);
        }
        let s = trainer.settings();
        let o: &OptimizerConfig = &s.optimizer;
        let plain = o.is_sgd_family()
            && o.momentum == 0.0
            && o.line_search == crate::engine::optim::LineSearch::None
            && s.batch_size.is_none_or(|b| b >= data_len);
        let next = if plain {
            let wd = o.weight_decay();
            let p = record.params;
            let gw = record.grad.w + wd * p.w;
            let gb = record.grad.b + wd * p.b;
            Some(Params { w: p.w - o.lr * gw, b: if s.bias { p.b - o.lr * gb } else { 0.0 } })
        } else if !busy || data_len <= CLONE_PREVIEW_MAX_SAMPLES {
            let mut probe = trainer.clone();
            probe.step();
            let r = probe.record();
            (r.step != record.step && r.params.is_finite()).then_some(r.params)
        } else {
            None
        };
        let next = next.filter(Params::is_finite);
        self.next = next.map(|p| (record.step, p));
        next
    }

    /// The floor of the run's settings on `data`, computed again only when they changed (or the data did:
    /// `refresh_analysis` forgets it).
    fn floor(&mut self, data: &Dataset) -> Option<Floor> {
        match &self.floor {
            Some((key, floor)) if *key == self.spec.settings => *floor,
            _ => {
                let floor = crate::engine::floor::floor(data, &self.spec.settings, &self.analysis);
                self.floor = Some((self.spec.settings.clone(), floor));
                floor
            }
        }
    }

    pub(super) fn snapshot(&mut self, data: &Dataset, busy: bool) -> RunSnapshot {
        let data_len = data.len();
        let floor = self.guarded("finding the tolerance's floor", |run| run.floor(data)).flatten();
        let next = self.guarded("previewing the next step", |run| run.preview(data_len, busy)).flatten();
        let (record, status) = match &self.trainer {
            Some(t) => (t.record(), t.status()),
            // No trainer: the settings were refused at the start, or the engine failed (the run stands where it
            // stopped, and `error` says why).
            None => {
                let start = Record { step: 0, params: self.spec.settings.start(), ..Record::default() };
                let record = self.history.last().map_or(start, |r| r.record);
                (record, Status::Diverged { step: record.step, why: crate::engine::trainer::Divergence::NonFinite })
            }
        };
        RunSnapshot {
            id: self.id,
            spec: self.spec.clone(),
            record,
            status,
            history: self.history.clone(),
            analysis: Arc::clone(&self.analysis),
            floor,
            next,
            next_batch: self.trainer.as_ref().and_then(|t| {
                let batch = t.next_batch();
                (!batch.is_empty() && batch.len() <= MAX_PUBLISHED_BATCH).then(|| Arc::from(batch))
            }),
            error: self.error.clone(),
        }
    }
}
