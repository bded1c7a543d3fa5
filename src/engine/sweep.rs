//! The learning-rate sweep: how many steps a run needs to reach the tolerance, and where it ends, across a
//! log-spaced range of learning rates. Each point is an ordinary run of the trainer with only the lr changed.
//! The fair race's tuning is the same sweep per run ([`tune_at`] over [`tune_lrs`]), ranked under both criteria
//! ([`ranking`]). The app's lr-sweep and fair-race tabs and the `descent sweep` and `descent race` commands all
//! compute with [`plan`] and [`point_at`], [`tune_at`] and [`ranking`] (over the cores by `par_map::run_plan` and
//! `par_map::tune_all`).

use serde::Serialize;

use super::analysis::Analysis;
use super::data::Dataset;
use super::error::ConfigError;
use super::settings::{Precision, Settings};
use super::trainer::{DynTrainer, Status};

/// Learning rates per sweep.
pub const SWEEP_POINTS: usize = 200;
/// Step budget per learning rate on small data.
pub const MAX_STEPS: u64 = 20_000;
/// Tolerance when none is given.
pub const DEFAULT_TOLERANCE: f64 = 1e-6;
/// Learning rates per run in a fair race's tuning.
pub const TUNE_POINTS: usize = 48;
/// Step budget per learning rate in a fair race's tuning.
pub const TUNE_MAX_STEPS: u64 = 5_000;

/// The outcome of one learning rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The learning rate.
    pub lr: f64,
    /// Steps until ‖g‖ ≤ tolerance, or `None` if it did not get there within the budget.
    pub steps_to_tol: Option<u64>,
    /// The loss where the run stopped (at convergence, at the budget, or the last finite value).
    pub final_loss: f64,
    /// ‖g‖ where the run stopped.
    pub final_grad_norm: f64,
    /// True if the run diverged.
    pub diverged: bool,
}

impl SweepPoint {
    /// `converged` (reached the tolerance), `diverged`, `unfinished` (neither within the budget), or `refused`
    /// (the engine refused the settings at this lr).
    pub fn outcome(&self) -> &'static str {
        match (self.steps_to_tol, self.diverged) {
            (Some(_), _) => "converged",
            (None, true) => "diverged",
            (None, false) if self.final_loss.is_nan() => "refused",
            (None, false) => "unfinished",
        }
    }
}

/// What one sweep does.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPlan {
    /// The learning rates, increasing.
    pub lrs: Vec<f64>,
    /// Step budget per learning rate.
    pub max_steps: u64,
    /// Stop at ‖g‖ ≤ this.
    pub tolerance: f64,
}

/// The sweep for `settings` on `data`: [critical/1000, 1.5·critical] with a critical lr of a quadratic loss (the
/// analysis's stability limit for the optimizer), [1e-5, 10] otherwise (a local curvature says little about the
/// whole run); the step budget shrinks on large data so a sweep stays within a few seconds.
pub fn plan(data: &Dataset, settings: &Settings, analysis: &Analysis, tolerance: Option<f64>) -> SweepPlan {
    let (lo, hi) = match analysis.limits(&settings.optimizer).stable {
        Some(c) if c.is_finite() && c > 0.0 && !analysis.local => (c / 1000.0, 1.5 * c),
        _ => (1e-5, 10.0),
    };
    let fast = settings.batch_size.is_none()
        && data.len() >= super::gradient::MOMENTS_MIN_SAMPLES
        && settings.precision == Precision::F64
        && settings.loss == super::loss::LossKind::Mse;
    let per_step = if fast { 1 } else { data.len().max(1) as u64 };
    let max_steps = (4_000_000_000 / (per_step * SWEEP_POINTS as u64)).clamp(50, MAX_STEPS);
    let tolerance = match tolerance {
        Some(t) if t > 0.0 && t.is_finite() => t,
        _ => DEFAULT_TOLERANCE,
    };
    SweepPlan { lrs: log_space(lo, hi, SWEEP_POINTS), max_steps, tolerance }
}

/// One learning rate of the plan (settings the engine refuses at this lr count as a run that got nowhere).
pub fn point_at(data: &Dataset, settings: &Settings, plan: &SweepPlan, lr: f64) -> SweepPoint {
    sweep_one(data, settings, lr, plan.max_steps, plan.tolerance).unwrap_or(SweepPoint {
        lr,
        steps_to_tol: None,
        final_loss: f64::NAN,
        final_grad_norm: f64::NAN,
        diverged: false,
    })
}

/// `n` learning rates spaced evenly in log10 between `lo` and `hi` (inclusive).
pub fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (a, b) = (lo.log10(), hi.log10());
    match n {
        0 => vec![],
        1 => vec![lo],
        _ => (0..n).map(|i| 10f64.powf(a + (b - a) * i as f64 / (n - 1) as f64)).collect(),
    }
}

/// Runs `settings` at learning rate `lr` from its start for at most `max_steps`, stopping at ‖g‖ ≤ `tolerance`.
pub fn sweep_one(
    data: &Dataset,
    settings: &Settings,
    lr: f64,
    max_steps: u64,
    tolerance: f64,
) -> Result<SweepPoint, ConfigError> {
    let mut s = settings.clone();
    s.optimizer.lr = lr;
    let mut t = DynTrainer::new(data, &s)?;
    t.set_tolerance(Some(tolerance));
    let status = t.run(max_steps, |_| {});
    let r = t.record();
    Ok(SweepPoint {
        lr,
        steps_to_tol: match status {
            Status::Converged { step, .. } => Some(step),
            _ => None,
        },
        final_loss: r.loss,
        final_grad_norm: r.grad.norm(),
        diverged: matches!(status, Status::Diverged { .. }),
    })
}

/// The fastest point: fewest steps to the tolerance, ties broken by the smaller final gradient.
pub fn fastest(points: &[SweepPoint]) -> Option<SweepPoint> {
    points
        .iter()
        .filter(|p| p.steps_to_tol.is_some())
        .copied()
        .min_by(|a, b| a.steps_to_tol.cmp(&b.steps_to_tol).then(a.final_grad_norm.total_cmp(&b.final_grad_norm)))
}

/// What "best" means when tuning a learning rate for a fair race.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// Fewest steps to the tolerance.
    StepsToTolerance,
    /// Lowest loss after this many steps.
    LossAfter(u64),
}

/// One learning rate of a tuning sweep, under both criteria from the same run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TunePoint {
    /// The learning rate.
    pub lr: f64,
    /// Steps until ‖g‖ ≤ tolerance within the budget, if reached.
    pub steps_to_tol: Option<u64>,
    /// The loss after the horizon's steps (where the run stood if it converged or diverged earlier; infinite if it
    /// diverged).
    pub loss_at_horizon: f64,
}

/// Runs `settings` at `lr` for up to `max_steps` with `tolerance`, noting the loss at step `horizon` on the way.
///
/// # Errors
/// Settings the engine refuses at this lr.
pub fn tune_one(
    data: &Dataset,
    settings: &Settings,
    lr: f64,
    (horizon, max_steps): (u64, u64),
    tolerance: f64,
) -> Result<TunePoint, ConfigError> {
    let mut s = settings.clone();
    s.optimizer.lr = lr;
    let mut t = DynTrainer::new(data, &s)?;
    t.set_tolerance(Some(tolerance));
    let mut status = t.run(horizon.min(max_steps), |_| {});
    let loss_at_horizon = if matches!(status, Status::Diverged { .. }) { f64::INFINITY } else { t.record().loss };
    if !status.is_finished() {
        status = t.run(max_steps.saturating_sub(horizon), |_| {});
    }
    let steps_to_tol = match status {
        Status::Converged { step, .. } => Some(step),
        _ => None,
    };
    Ok(TunePoint { lr, steps_to_tol, loss_at_horizon })
}

/// The best point of a tuning sweep under `criterion` (`None` when no lr reached the tolerance, or every lr
/// diverged); ties go to the smaller lr.
pub fn best_under(points: &[TunePoint], criterion: Criterion) -> Option<TunePoint> {
    let key = |p: &TunePoint| match criterion {
        Criterion::StepsToTolerance => p.steps_to_tol.map(|s| s as f64),
        Criterion::LossAfter(_) => p.loss_at_horizon.is_finite().then_some(p.loss_at_horizon),
    };
    points.iter().filter_map(|p| key(p).map(|k| (k, p))).min_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, p)| *p)
}

/// The learning rates a fair race tunes each run over: [`TUNE_POINTS`] from 10⁻⁴ to 1.
pub fn tune_lrs() -> Vec<f64> {
    log_space(1e-4, 1.0, TUNE_POINTS)
}

/// One item of a fair race's tuning: `settings` at `lr` ([`tune_one`] with the race's budget
/// [`TUNE_MAX_STEPS`]). Settings the engine refuses at this lr count as a run that never reached the tolerance and
/// diverged.
pub fn tune_at(data: &Dataset, settings: &Settings, lr: f64, (horizon, tolerance): (u64, f64)) -> TunePoint {
    tune_one(data, settings, lr, (horizon, TUNE_MAX_STEPS), tolerance).unwrap_or(TunePoint {
        lr,
        steps_to_tol: None,
        loss_at_horizon: f64::INFINITY,
    })
}

/// The runs ranked under `criterion` by their best point ([`best_under`]), best first: (run index, its best
/// steps to the tolerance or loss after the horizon). Runs with no best point are left out; ties keep run order.
pub fn ranking(points: &[Vec<TunePoint>], criterion: Criterion) -> Vec<(usize, f64)> {
    let mut v: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(k, p)| {
            best_under(p, criterion).map(|b| match criterion {
                Criterion::LossAfter(_) => (k, b.loss_at_horizon),
                Criterion::StepsToTolerance => (k, b.steps_to_tol.unwrap_or(u64::MAX) as f64),
            })
        })
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain GD on the notebook (λ = 15): the fewest steps to a tolerance come at lr = 1/λ, which lands in one step;
    /// the loss after one step is 0 there too.
    #[test]
    fn tuning_finds_the_one_step_lr_of_the_notebook() {
        let data = Dataset::notebook();
        let settings = Settings::default();
        let mut lrs = log_space(0.01, 0.13, 40);
        lrs.push(1.0 / 15.0);
        let points: Vec<TunePoint> =
            lrs.iter().map(|&lr| tune_one(&data, &settings, lr, (1, 5000), 1e-6).unwrap()).collect();
        let best = best_under(&points, Criterion::StepsToTolerance).unwrap();
        assert_eq!(best.lr, 1.0 / 15.0);
        assert_eq!(best.steps_to_tol, Some(1));
        let best = best_under(&points, Criterion::LossAfter(1)).unwrap();
        assert_eq!(best.lr, 1.0 / 15.0);
        assert!(best.loss_at_horizon < 1e-20);
        // Past the critical lr 2/15 a run diverges: no tolerance, an infinite loss.
        let far = tune_one(&data, &settings, 0.2, (100, 5000), 1e-6).unwrap();
        assert_eq!((far.steps_to_tol, far.loss_at_horizon), (None, f64::INFINITY));
    }

    #[test]
    fn log_space_hits_both_ends() {
        let v = log_space(1e-3, 1.0, 4);
        assert_eq!(v.len(), 4);
        assert!((v[0] - 1e-3).abs() < 1e-18 && (v[3] - 1.0).abs() < 1e-15);
        assert!((v[1] - 1e-2).abs() < 1e-15);
    }
}
