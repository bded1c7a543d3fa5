//! The outcome banner's sentence: why a run diverged (with the optimizer's own bound, quoted from the same
//! [`Limits`](crate::engine::analysis::Limits) as the slider's hint and the map), and what a converged run reached.
//! On a convex loss (every data problem) the tolerance puts w near *the* minimum; on an objective with several
//! stationary points the point reached is named from its gradient and Hessian: a local minimum (with the global one
//! beside it), one of several global minima, or a saddle. Values within rounding of 0 print as 0.

use super::hint::bound_name;
use super::num;
use crate::engine::analysis::Analysis;
use crate::engine::diagnose;
use crate::engine::floor::Floor;
use crate::engine::model::Params;
use crate::engine::objective::{KnownPoint, Objective, PointKind};
use crate::engine::settings::{GradientSource, Settings};
use crate::engine::trainer::{Convergence, Divergence, Record};
use crate::format;

/// What a converged run reached, on an objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    /// Minimum, saddle, maximum, degenerate (from the gradient and the Hessian's signs), or not stationary.
    pub kind: PointKind,
    /// True only when the point is known to be a global minimum.
    pub global: bool,
    /// "a local minimum at (0.995, 0.995), f = 1.99; the global minimum is (0, 0), f = 0".
    pub text: String,
}

/// `v` as a sentence prints it, 0 when it is within rounding of 0 next to `scale`.
fn clean_num(v: f64, scale: f64) -> String {
    num(format::clean(v, scale))
}

/// "(0.995, 0.995)": a point, its coordinates cleaned of rounding noise.
pub fn point_text(p: Params<f64>) -> String {
    let scale = p.w.abs().max(p.b.abs());
    format!("({}, {})", clean_num(p.w, scale), clean_num(p.b, scale))
}

/// The value f at a point, 0 within rounding of the objective's scale at the start.
fn value_text(f: f64) -> String {
    clean_num(f, 1.0)
}

/// What the point `p` a run stopped at is, on `objective`: from ∇f and the Hessian's signs there, and the
/// built-in's known minima (a point counts as a known one within 10⁻³ of it).
pub fn reached_point(objective: &Objective, p: Params<f64>) -> Reached {
    let report = objective.report(p);
    let known_points = objective.known_points();
    let dist = |k: &KnownPoint| (k.at.w - p.w).hypot(k.at.b - p.b);
    // A known stationary point of the same kind within 10⁻³ is the one reached: name it by its exact coordinates.
    let known = known_points
        .iter()
        .filter(|k| k.kind == report.point_kind && dist(k) <= 1e-3)
        .min_by(|a, b| dist(a).total_cmp(&dist(b)));
    let (at, f) = match known {
        Some(k) => (point_text(k.at), value_text(k.value)),
        None => (point_text(p), value_text(report.value)),
    };
    let minima: Vec<&KnownPoint> = known_points.iter().filter(|k| k.kind == PointKind::Minimum).collect();
    let best = minima.iter().map(|k| k.value).fold(f64::INFINITY, f64::min);
    let globals: Vec<&&KnownPoint> = minima.iter().filter(|k| k.value <= best).collect();
    let eig = report.eigenvalues;
    let signs = format!("the Hessian's eigenvalues are {} and {}", num(eig[0]), num(eig[1]));
    let (global, text) = match report.point_kind {
        PointKind::Minimum if known.is_some_and(|k| k.value <= best) => {
            let which = if globals.len() > 1 {
                format!("one of the {} global minima", globals.len())
            } else {
                "the global minimum".to_string()
            };
            (true, format!("{which} at {at}, f = {f}"))
        }
        PointKind::Minimum => match globals.iter().min_by(|a, b| dist(a).total_cmp(&dist(b))) {
            Some(g) => (
                false,
                format!(
                    "a local minimum at {at}, f = {f}; the global minimum is {}, f = {}",
                    point_text(g.at),
                    value_text(g.value)
                ),
            ),
            None => (
                false,
                format!(
                    "a local minimum at {at}, f = {f} (both of the Hessian's eigenvalues positive); whether it is the \
                     global one is not known"
                ),
            ),
        },
        PointKind::Saddle => (false, format!("a saddle at {at}, f = {f}: {signs}, one of each sign")),
        PointKind::Maximum => (false, format!("a maximum at {at}, f = {f}: {signs}, both negative")),
        PointKind::Degenerate => {
            (false, format!("a stationary point at {at}, f = {f} that the Hessian does not classify ({signs})"))
        }
        PointKind::NotStationary => (false, format!("a point at {at}, f = {f}, where ∇f is small but not zero")),
    };
    Reached { kind: report.point_kind, global, text }
}

/// "w = 2.998, b = 0.5": where a stalled run stands.
fn stalled_at(s: &Settings, r: &Record<f64>) -> String {
    let b = if s.bias { format!(", b = {}", format::sig(r.params.b, 6)) } else { String::new() };
    format!("w = {}{b}", format::sig(r.params.w, 6))
}

/// The banner of a run that came to rest at its floor rather than at the float's resolution (SGD's weight decay
/// holds it where ∇L = −wd·w: the update is 0, not rounded away), with the floor's `reason` ([`super::
/// why_no_tolerance`]); not good news: it did not meet the tolerance.
pub fn held_banner(s: &Settings, record: &Record<f64>, step: u64, reason: &str) -> (String, bool) {
    (format!("Stalled at step {step}: {} no longer changes — {reason}", stalled_at(s, record)), false)
}

/// The banner for a converged run, and whether it reads as good news (a minimum known to be the global one, or a
/// convex data problem's minimum).
pub fn converged_banner(s: &Settings, record: &Record<f64>, step: u64, by: Convergence) -> (String, bool) {
    let r = record;
    if by == Convergence::Stalled {
        let text = format!(
            "Stalled at step {step}: {} no longer changes — the steps are below {}'s resolution",
            stalled_at(s, r),
            s.precision.label()
        );
        return (text, true);
    }
    if let Some(o) = &s.objective {
        let reached = reached_point(o, r.params);
        let word = if reached.global { "Minimum reached" } else { "Stopped" };
        let text =
            format!("{word} at step {step}: {}  (|∇f| = {} ≤ tolerance)", reached.text, format::sci(r.grad.norm(), 2));
        return (text, reached.global);
    }
    let b =
        if s.bias { format!(", b = {}", format::sig(format::clean(r.params.b, r.params.w), 6)) } else { String::new() };
    let text = format!(
        "Minimum reached at step {step}: w = {}{b}, loss {}  (|∇L| = {} ≤ tolerance)",
        format::sig(r.params.w, 6),
        format::sci(r.loss, 3),
        format::sci(r.grad.norm(), 2)
    );
    (text, true)
}

/// The banner of a run stopped for a reason that is not its lr ([`diagnose::stop_clause`]: the schedule out of
/// range, the back-map overflow), with what to do instead (no lr to suggest).
fn stop_banner(step: u64, why: Divergence, clause: String) -> (String, Option<f64>) {
    let fix = match why {
        Divergence::ScheduleOutOfRange => "choose a schedule whose lr stays in range",
        _ => "rescale x or use f64",
    };
    let verb = if why.is_stop() { "Stopped" } else { "Diverged" };
    (format!("{verb} at step {step}: {clause} — {fix}"), None)
}

/// "Stopped at step 1000000: the step cap, without meeting tolerance 1.000e-6: AdamW's decoupled weight decay …":
/// [`diagnose::step_cap_cause`] with the run's floor.
pub fn step_cap_banner(s: &Settings, record: &Record<f64>, floor: Option<Floor>, tolerance: Option<f64>) -> String {
    let cause = diagnose::step_cap_cause(s, record, floor, tolerance.unwrap_or(0.0));
    format!("Stopped at step {}: {cause}", record.step)
}

/// "Diverged at step k: lr 0.2 ≥ 2/λmax = 0.1333 — lower the learning rate", with a learning rate to suggest: the
/// bound is the optimizer's own, quoted only where the closed form holds (SGD on a quadratic loss).
pub fn divergence_banner(s: &Settings, a: &Analysis, step: u64, why: Divergence) -> (String, Option<f64>) {
    if let Some(clause) = diagnose::stop_clause(s, why) {
        return stop_banner(step, why, clause);
    }
    if why == Divergence::StepCap {
        return (format!("Stopped at step {step}: {}", diagnose::step_cap_clause(None)), None);
    }
    let o = &s.optimizer;
    let summed = if s.gradient == GradientSource::NotebookSum {
        " (the notebook-sum gradient is N× the mean's, so every threshold is N× lower)"
    } else {
        ""
    };
    let limits = a.limits(o);
    if o.is_sgd_family()
        && limits.exact
        && let Some(stable) = limits.stable
        && o.lr >= stable
    {
        let safe = limits.fastest.or(limits.smooth).unwrap_or(stable / 2.0);
        let fix = (safe.is_finite() && safe > 0.0).then(|| crate::geometry::nice_round(safe * 0.999, safe));
        return (
            format!(
                "Diverged at step {step}: lr {} ≥ {} = {}{summed} — lower the learning rate",
                num(o.lr),
                bound_name(o),
                num(stable)
            ),
            fix,
        );
    }
    let why = match why {
        Divergence::NonFinite => "the numbers overflowed",
        Divergence::LossExploded => "the loss grew more than 10¹² times",
        Divergence::Unbounded => "the value fell below −10¹² (unbounded below)",
        Divergence::SingularHessian => {
            return (
                format!("Stopped at step {step}: the Hessian is singular, so Newton's step H⁻¹g does not exist"),
                None,
            );
        }
        Divergence::ScheduleOutOfRange | Divergence::BackMapOverflow | Divergence::StepCap => {
            return (format!("Stopped at step {step}"), None);
        }
    };
    (format!("Diverged at step {step}: {why}{summed} — lower the learning rate"), None)
}
