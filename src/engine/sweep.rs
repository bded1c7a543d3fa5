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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_space_hits_both_ends() {
        let v = log_space(1e-3, 1.0, 4);
        assert_eq!(v.len(), 4);
        assert!((v[0] - 1e-3).abs() < 1e-18 && (v[3] - 1.0).abs() < 1e-15);
        assert!((v[1] - 1e-2).abs() < 1e-15);
    }
}
