//! The line under the learning-rate slider: what the run's optimizer does at this lr, from the same
//! [`Limits`](crate::engine::analysis::Limits) as the stability map, its why line and the divergence banner. The
//! bound it quotes is the optimizer's own (2/λmax plain, 2(1+μ)/λmax heavy ball, (2+2μ)/((1+2μ)·λmax) Nesterov);
//! where no closed form holds everywhere (an adaptive optimizer, a loss that is not quadratic) it says so instead of
//! quoting a bound.

use super::{Tone, num};
use crate::engine::analysis::{Analysis, Limits};
use crate::engine::loss::LossKind;
use crate::engine::objective::signed_eigenvalues;
use crate::engine::optim::{LineSearch, OptimizerConfig, OptimizerKind};
use crate::engine::settings::Settings;

/// A sentence and how it reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Hint {
    /// The sentence.
    pub text: String,
    /// Its colour in the app.
    pub tone: Tone,
}

/// The name of `o`'s stability bound in symbols: `2/λmax`, `2(1+μ)/λmax`, `2(1+μ)/((1−τ)·λmax)`,
/// `(2+2μ)/((1+2μ)·λmax)`.
pub fn bound_name(o: &OptimizerConfig) -> &'static str {
    if !o.is_sgd_family() || o.momentum <= 0.0 {
        "2/λmax"
    } else if o.nesterov {
        "(2+2μ)/((1+2μ)·λmax)"
    } else if o.dampening != 0.0 {
        "2(1+μ)/((1−τ)·λmax)"
    } else {
        "2(1+μ)/λmax"
    }
}

/// The smallest eigenvalue of a 1×1 or 2×2 Hessian, with its sign.
pub fn signed_min_curvature(h: &[Vec<f64>]) -> f64 {
    match h {
        [r0, r1] if r0.len() == 2 && r1.len() == 2 => signed_eigenvalues([[r0[0], r0[1]], [r1[0], r1[1]]])[1],
        _ => h.first().and_then(|r| r.first()).copied().unwrap_or(0.0),
    }
}

/// The line under the slider for settings `s` on the problem `a` analyses; `None` without curvature to speak of.
pub fn lr_hint(s: &Settings, a: &Analysis) -> Option<Hint> {
    let o = &s.optimizer;
    let calm = |text: String| Some(Hint { text, tone: Tone::Calm });
    if s.loss == LossKind::Mae && s.objective.is_none() {
        return calm(
            "MAE has no curvature: plain GD never diverges, it ends bouncing around w* with steps of lr·|g|.".into(),
        );
    }
    if o.kind == OptimizerKind::Newton {
        let lmin = signed_min_curvature(&a.hessian);
        if lmin > 0.0 {
            return calm("Newton: each step jumps to the minimum of the local quadratic model; lr 1 lands at once on a quadratic loss.".into());
        }
        return Some(Hint {
            text: format!(
                "H is not positive definite here (λmin = {}): Newton heads for the model's stationary point, a saddle or a maximum.",
                num(lmin)
            ),
            tone: Tone::Warning,
        });
    }
    if o.line_search == LineSearch::Armijo {
        return calm("line search: each step starts at t = lr and is cut by ρ until the loss falls enough, so a large lr cannot diverge.".into());
    }
    if !o.is_sgd_family() {
        return calm(format!(
            "{} scales each step by its own running statistics: no closed-form lr bound applies (the map is plain GD's).",
            o.kind.label()
        ));
    }
    let limits = a.limits(o);
    let stable = limits.stable?;
    if !limits.exact {
        return calm(format!(
            "this loss is not quadratic, so no lr bound holds everywhere: the map is from the curvature at the current point (λmax = {})",
            num(limits.lambda_max)
        ));
    }
    Some(exact_hint(o, &limits, stable))
}

/// The hint where the closed form holds: smooth, overshooting, stable or diverging, with the optimizer's bound.
fn exact_hint(o: &OptimizerConfig, limits: &Limits, stable: f64) -> Hint {
    let bound = bound_name(o);
    let lr = o.lr;
    if lr >= stable {
        return Hint { text: format!("diverges: lr ≥ {bound} = {}", num(stable)), tone: Tone::Bad };
    }
    if o.momentum > 0.0 {
        return Hint { text: format!("stable: lr < {bound} = {}", num(stable)), tone: Tone::Calm };
    }
    match limits.smooth {
        Some(m) if lr <= m => Hint {
            text: format!("smooth: lr ≤ 1/λmax = {} (diverges at {bound} = {})", num(m), num(stable)),
            tone: Tone::Calm,
        },
        _ => Hint { text: format!("overshoots: 1/λmax < lr < {bound} = {}", num(stable)), tone: Tone::Warning },
    }
}
