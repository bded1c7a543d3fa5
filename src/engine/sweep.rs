//! The learning-rate sweep: how many steps a run needs to reach the tolerance, and where it ends, across a
//! log-spaced range of learning rates. Each point is an ordinary run of the trainer with only the lr changed.

use serde::Serialize;

use super::data::Dataset;
use super::error::ConfigError;
use super::settings::Settings;
use super::trainer::{DynTrainer, Status};

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
