//! Why a run cannot start, or why it diverged, in one plain clause that names the real cause where it can be
//! known: overflowing data, ε = 0 at the optimum, RMSprop's α > 1, a weight decay that overshoots on its own, or
//! a learning rate past the critical one. Numbers print as [`crate::format::repr`].

use super::analysis::analyze;
use super::data::Dataset;
use super::error::ConfigError;
use super::floor::Floor;
use super::loss::LossKind;
use super::optim::OptimizerKind;
use super::settings::Settings;
use super::trainer::{Divergence, DynTrainer, Record};
use crate::format::repr;

/// Why a run cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StartError {
    /// Settings the engine refuses.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A start whose loss (or value) or gradient is not finite, with [`start_failure`]'s reason.
    #[error("{0}")]
    NotFinite(String),
}

/// A trainer at the start of `settings`, refused with a reason when its loss or gradient there is not finite: what
/// every front end that publishes rows (the commands, the app's runs, a session's replay) starts a run with, so
/// that no infinite loss reaches a plot, a CSV or a ledger. ([`DynTrainer::new`] itself accepts such a start as a
/// run diverged at step 0; the sweeps, which only count outcomes, use that.)
///
/// # Errors
/// [`StartError::Config`] for refused settings, [`StartError::NotFinite`] for a start that is not finite.
pub fn start_run(data: &Dataset, settings: &Settings) -> Result<DynTrainer, StartError> {
    let trainer = DynTrainer::new(data, settings)?;
    let first = trainer.record();
    if !(first.loss.is_finite() && first.grad.w.is_finite() && first.grad.b.is_finite()) {
        return Err(StartError::NotFinite(start_failure(data, settings, &first)));
    }
    Ok(trainer)
}

/// Why the start is not finite: `start` is the state a trainer evaluated at (w₀, b₀), whose loss or gradient
/// overflowed the run's precision. For example "the loss at the start (w0 = 1e+200) overflows f64: the data reach
/// |x| = 2, |y| = 6; start nearer the data's scale or rescale the data".
pub fn start_failure(data: &Dataset, settings: &Settings, start: &Record<f64>) -> String {
    let what = if start.loss.is_finite() { "the gradient" } else { "the loss" };
    if let Some(o) = &settings.objective {
        let what = if start.loss.is_finite() { "the gradient" } else { "the value" };
        let why = o.expr().domain_fault(start.params.w, start.params.b).map_or(String::new(), |f| format!(": {f}"));
        return format!(
            "{what} of {} at the start (w0 = {}, b0 = {}) is not finite in {}{why}; start elsewhere",
            crate::format::echo(&o.describe(), 160),
            repr(start.params.w),
            repr(start.params.b),
            settings.precision.label()
        );
    }
    let b = if settings.bias { format!(", b0 = {}", repr(start.params.b)) } else { String::new() };
    format!(
        "{what} at the start (w0 = {}{b}) overflows {}: {}; start nearer the data's scale or rescale the data",
        repr(start.params.w),
        settings.precision.label(),
        scale(data)
    )
}

/// Why a run diverged (or stopped), as a clause for "diverged at step k: …". `last` is the last finite state (the
/// run keeps it), `why` what the trainer saw at the next update and `tolerance` the one in force (a run at the step
/// cap did not meet it). The causes are tried from the most specific: a setting that breaks the optimizer on its
/// own, then the objective, then the problem's curvature, then the lr in general.
pub fn divergence_cause(
    data: &Dataset,
    settings: &Settings,
    last: &Record<f64>,
    why: Divergence,
    tolerance: Option<f64>,
) -> String {
    match why {
        Divergence::ScheduleOutOfRange => return schedule_cause(settings, last),
        Divergence::BackMapOverflow => return back_map_cause(data, settings, last),
        Divergence::StepCap => return step_cap_on(data, settings, last, tolerance.unwrap_or(0.0)),
        _ => {}
    }
    let o = &settings.optimizer;
    // The optimizer's own bound on lr·λ (plain, heavy ball or Nesterov), the one the sentences quote.
    let bound = super::analysis::stable_product(o);
    if let Some(cause) = setting_cause(settings, last, why, bound) {
        return cause;
    }
    if let Some(objective) = &settings.objective {
        let at = format!("near w = {}, b = {}", repr(last.params.w), repr(last.params.b));
        let (lr, precision) = (repr(o.lr), settings.precision.label());
        return match why {
            Divergence::Unbounded => {
                format!(
                    "the value fell below −10¹² {at}: {} is unbounded below there",
                    crate::format::echo(&objective.describe(), 160)
                )
            }
            Divergence::LossExploded => format!("the value grew past 10¹² times its start {at} with lr {lr}"),
            Divergence::NonFinite => format!("a value overflowed {precision} {at} with lr {lr}"),
            Divergence::SingularHessian => singular(last),
            Divergence::ScheduleOutOfRange => schedule_cause(settings, last),
            Divergence::BackMapOverflow => back_map_cause(data, settings, last),
            Divergence::StepCap => step_cap_on(data, settings, last, tolerance.unwrap_or(0.0)),
        };
    }
    if let Some(cause) = curvature_cause(data, settings, last, why, bound) {
        return cause;
    }
    let what = match why {
        Divergence::SingularHessian => return singular(last),
        Divergence::ScheduleOutOfRange => return schedule_cause(settings, last),
        Divergence::BackMapOverflow => return back_map_cause(data, settings, last),
        Divergence::StepCap => return step_cap_on(data, settings, last, tolerance.unwrap_or(0.0)),
        Divergence::NonFinite => format!("a value overflowed {}", settings.precision.label()),
        Divergence::LossExploded => "the loss grew past 10¹² times its start".to_string(),
        Divergence::Unbounded => "the value fell below −10¹²".to_string(),
    };
    format!("{what} with lr {}; see `descent analyze` for the critical lr", repr(o.lr))
}

/// The one clause that names a stop that is not the lr's fault, for the banner, the why line and the commands'
/// outcomes: "the exponential schedule's next lr is out of f64's range", "w mapped back to the original x
/// (w = w′/scale) overflows f32 while the scaled run is finite" (`None` for any other outcome; the causes with
/// their numbers are [`schedule_cause`] and [`back_map_cause`]).
pub fn stop_clause(settings: &Settings, why: Divergence) -> Option<String> {
    let precision = settings.precision.label();
    match why {
        Divergence::ScheduleOutOfRange => {
            Some(format!("the {} schedule's next lr is out of {precision}'s range", settings.schedule.label()))
        }
        Divergence::BackMapOverflow => {
            let (params, verb) = if settings.bias { ("w and b", "overflow") } else { ("w", "overflows") };
            Some(format!(
                "{params} mapped back to the original x (w = w′/scale) {verb} {precision} while the scaled run is finite"
            ))
        }
        _ => None,
    }
}

/// "the step cap, without meeting tolerance 1.000e-6": the head of every step-cap text, after "stopped at step k: ".
pub fn step_cap_clause(tolerance: Option<f64>) -> String {
    match tolerance {
        Some(t) => format!("the step cap, without meeting tolerance {}", crate::format::short(t)),
        None => "the step cap, without meeting its tolerance".to_string(),
    }
}

/// Why a run stopped at the step cap after `last` without meeting `tolerance`: the `floor` (from
/// [`super::floor::floor`]) that keeps its |∇L| up, or that it is only slow. For example "the step cap, without
/// meeting tolerance 1.000e-6: AdamW's decoupled weight decay 0.01 moves its resting
/// point …".
pub fn step_cap_cause(settings: &Settings, last: &Record<f64>, floor: Option<Floor>, tolerance: f64) -> String {
    let head = step_cap_clause(Some(tolerance));
    match floor.filter(|f| f.verdict(tolerance).is_some()) {
        Some(floor) => format!("{head}: {}", floor.reason(settings, tolerance)),
        None => format!(
            "{head}: |∇L| = {} is still above it and nothing in the settings keeps it there, so the run is slow, not \
             stuck; raise the lr or the tolerance",
            crate::format::short(last.grad.norm())
        ),
    }
}

/// [`step_cap_cause`] with the floor of `settings` on `data` (the commands' form).
fn step_cap_on(data: &Dataset, settings: &Settings, last: &Record<f64>, tolerance: f64) -> String {
    let floor = super::floor::floor(data, settings, &analyze(data, settings, settings.start()));
    step_cap_cause(settings, last, floor, tolerance)
}

/// Replays longer than this are not made to quote the schedule's value (the cause is then said without it).
const SCHEDULE_REPLAY_MAX: u64 = 10_000_000;

/// Why a schedule stopped the run after the update into `last`: its next lr (or cycled momentum) is one the run's
/// precision cannot use. The value is the schedule's own, replayed from the settings (ReduceLROnPlateau's depends
/// on the losses, so it is named without its value). For example "the exponential schedule's lr after step 2 is
/// inf, which f64 cannot use (not finite); the run stops at the last lr it could use, 1.0000000000000001e+298".
pub fn schedule_cause(settings: &Settings, last: &Record<f64>) -> String {
    use super::schedule::{ScheduleKind, Scheduler};
    let cfg = &settings.schedule;
    let precision = settings.precision.label();
    let k = last.step;
    if cfg.kind == ScheduleKind::Plateau || k > SCHEDULE_REPLAY_MAX {
        return format!(
            "the {} schedule's values after step {k} leave the range {precision} can use (not finite, or rounded to 0 \
             or ∞); the run stops at the last values it could use",
            cfg.label()
        );
    }
    let mut scheduler = Scheduler::new(cfg, &settings.optimizer);
    let mut in_force = scheduler.current();
    for _ in 0..k {
        in_force = scheduler.current();
        scheduler.step(0.0);
    }
    let next = scheduler.current();
    let (what, value, before) = match next.momentum {
        Some(m) if next.lr_fits(settings.precision) => ("momentum", m, in_force.momentum.unwrap_or(m)),
        _ => ("lr", next.lr, in_force.lr),
    };
    let how = if !value.is_finite() {
        "not finite"
    } else if value.abs() > 1.0 {
        "it rounds to ∞"
    } else {
        "it rounds to 0"
    };
    format!(
        "the {} schedule's {what} after step {k} is {}, which {precision} cannot use ({how}); the run stops at the \
         last {what} it could use, {}",
        cfg.label(),
        repr(value),
        repr(before)
    )
}

/// Why a standardized run stopped: its next parameters, mapped back to the original x (w = w′/scale), overflow the
/// precision while the scaled ones are finite. For example "w and b mapped back to the original x overflow f32
/// after step 1 (w = w′/std, std of x 5e-41): x is too close to 0 for f32 once mapped back; rescale x or use f64".
pub fn back_map_cause(data: &Dataset, settings: &Settings, last: &Record<f64>) -> String {
    let x = data.x.as_slice().unwrap_or(&[]);
    let (what, scale) = match super::scaling::Scaling::of(x, settings.bias) {
        Some(s) if settings.bias => ("w = w′/std, std of x", s.scale),
        Some(s) => ("w = w′/rms, rms of x", s.scale),
        None => ("w = w′/scale", f64::NAN),
    };
    let params = if settings.bias { "w and b" } else { "w" };
    let precision = settings.precision.label();
    format!(
        "{params} mapped back to the original x overflow {precision} after step {} ({what} {}): x is too close to 0 \
         for {precision} once mapped back; rescale x or use f64",
        last.step,
        repr(scale)
    )
}

/// A setting that breaks the optimizer whatever the problem: ε = 0 at the optimum, RMSprop's α > 1, or a weight
/// decay whose own step overshoots (lr·wd past the stability `bound`).
fn setting_cause(settings: &Settings, last: &Record<f64>, why: Divergence, bound: f64) -> Option<String> {
    let o = &settings.optimizer;
    let (lr, wd) = (o.lr, o.weight_decay());
    let adaptive = !matches!(o.kind, OptimizerKind::Gd | OptimizerKind::Sgd | OptimizerKind::Newton);
    if adaptive && why == Divergence::NonFinite && o.eps() == 0.0 {
        return Some(format!(
            "eps 0 divides 0 by 0 where the gradient vanishes (at the optimum, w = {}); give --eps > 0",
            repr(last.params.w)
        ));
    }
    if matches!(o.kind, OptimizerKind::Sgd | OptimizerKind::Rmsprop) && o.momentum >= 1.0 {
        return Some(format!(
            "momentum {} ≥ 1: the momentum buffer never decays, so the run cannot settle; take --momentum < 1",
            repr(o.momentum)
        ));
    }
    if o.kind == OptimizerKind::Rmsprop && o.alpha > 1.0 && why == Divergence::NonFinite {
        return Some(format!(
            "alpha {} > 1 makes RMSprop's running average of g² negative, and its square root NaN; take --alpha ≤ 1",
            repr(o.alpha)
        ));
    }
    let decays = matches!(o.kind, OptimizerKind::Sgd | OptimizerKind::Adamw);
    (decays && lr * wd >= bound).then(|| {
        format!(
            "weight decay {} × lr {} = {} ≥ {}: the decay alone overshoots further every step; lower --weight-decay",
            repr(wd),
            repr(lr),
            repr(lr * wd),
            repr(bound)
        )
    })
}

/// For plain SGD on MSE, where the closed forms apply: an lr past the critical one, a weight decay that pushes it
/// past, or an overflow below the critical lr (the data's scale).
fn curvature_cause(
    data: &Dataset,
    settings: &Settings,
    last: &Record<f64>,
    why: Divergence,
    bound: f64,
) -> Option<String> {
    let o = &settings.optimizer;
    let (lr, wd) = (o.lr, o.weight_decay());
    if !o.is_sgd_family() || settings.loss != LossKind::Mse {
        return None;
    }
    let an = analyze(data, settings, settings.start());
    let critical = an.critical_lr.filter(|c| c.is_finite())?;
    let curvature = an.curvature_max;
    if lr * curvature >= bound {
        return Some(format!(
            "lr {} ≥ the critical lr {} of this problem ({}/λmax, λmax = {}); see `descent analyze`",
            repr(lr),
            repr(critical * bound / 2.0),
            repr(bound),
            repr(curvature)
        ));
    }
    if lr * (curvature + wd) >= bound {
        return Some(format!(
            "weight decay {} adds to the curvature {}: lr × (λmax + weight decay) = {} ≥ {}; lower --weight-decay or \
             --lr",
            repr(wd),
            repr(curvature),
            repr(lr * (curvature + wd)),
            repr(bound)
        ));
    }
    let full_batch = settings.batch_size.is_none_or(|b| b >= data.len());
    (why == Divergence::NonFinite && full_batch).then(|| {
        format!(
            "a value overflows {} near w = {} although lr {} is below the critical lr {}: {}; rescale the data",
            settings.precision.label(),
            repr(last.params.w),
            repr(lr),
            repr(critical * bound / 2.0),
            scale(data)
        )
    })
}

/// Why Newton stopped: its Hessian at the last point has no inverse.
fn singular(last: &Record<f64>) -> String {
    format!(
        "the Hessian is singular at w = {}, b = {}: Newton's step H⁻¹g does not exist there",
        repr(last.params.w),
        repr(last.params.b)
    )
}

/// "the data reach |x| = 1e+150, |y| = 3".
fn scale(data: &Dataset) -> String {
    let (x, y) = data.scale();
    format!("the data reach |x| = {}, |y| = {}", repr(x), repr(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::optim::OptimizerConfig;

    fn cause(settings: &Settings, why: Divergence) -> String {
        divergence_cause(&Dataset::notebook(), settings, &Record::default(), why, None)
    }

    #[test]
    fn causes_are_named() {
        let adam = |eps| Settings {
            optimizer: OptimizerConfig { eps: Some(eps), ..OptimizerConfig::new(OptimizerKind::Adam, 0.1) },
            ..Settings::default()
        };
        assert!(cause(&adam(0.0), Divergence::NonFinite).starts_with("eps 0 "));
        let rms = Settings {
            optimizer: OptimizerConfig { alpha: 1.5, ..OptimizerConfig::new(OptimizerKind::Rmsprop, 0.01) },
            ..Settings::default()
        };
        assert!(cause(&rms, Divergence::NonFinite).starts_with("alpha 1.5 > 1"));
        let decay = Settings {
            optimizer: OptimizerConfig { weight_decay: Some(500.0), ..OptimizerConfig::new(OptimizerKind::Sgd, 0.01) },
            ..Settings::default()
        };
        assert!(cause(&decay, Divergence::LossExploded).starts_with("weight decay 500 × lr 0.01 = 5 ≥ 2"));
        let near = Settings {
            optimizer: OptimizerConfig { weight_decay: Some(5.0), ..OptimizerConfig::new(OptimizerKind::Sgd, 0.13) },
            ..Settings::default()
        };
        assert!(cause(&near, Divergence::LossExploded).starts_with("weight decay 5 adds to the curvature 15"));
        let fast = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, 10.0), ..Settings::default() };
        let text = cause(&fast, Divergence::LossExploded);
        assert!(text.starts_with("lr 10 ≥ the critical lr 0.13333333333333333"), "{text}");
        let huge = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, 1e308), ..Settings::default() };
        assert!(cause(&huge, Divergence::NonFinite).starts_with("lr 1e+308 ≥"));
    }
}
