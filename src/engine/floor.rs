//! Why a run cannot meet its gradient tolerance: the smallest |∇L| its settings let it hold near the minimum,
//! from the same closed forms as [`super::analysis`]. A run stops once ‖∇L‖ ≤ tol (the raw gradient of its source,
//! without any weight-decay term); four settings keep ‖∇L‖ away from 0 with a fixed learning rate:
//!
//! - **Weight decay, coupled** (torch's SGD, Adam, RMSprop and Adagrad `weight_decay`: the update follows
//!   ∇L + wd·w). Its fixed point w_wd solves ∇L(w) + wd·w = 0; on MSE ∇L(w) = H·(w − w*), so
//!   (H + wd·I)·w_wd = H·w* in closed form, and there ∇L = −wd·w_wd: ‖∇L‖ = wd·‖w_wd‖.
//! - **Weight decay, decoupled** (AdamW: w ← w − lr·wd·w, then Adam's step). With Adam's moments at their steady
//!   state (m̂ = g, v̂ = g², bias corrections gone) a fixed point needs wd·wᵢ·(|gᵢ| + ε) = −gᵢ per parameter:
//!   |gᵢ| = ε·wd·|wᵢ|/(1 − wd·|wᵢ|), with g = H·(w − w*). Linearised there (v̂ frozen), the update is
//!   w ↦ (1 − lr·wd)·w − lr·D·H·(w − w*) with D = diag((1 − wd·|wᵢ|)²/ε), so the point holds only while
//!   lr·μmax(D·H) < 2 − lr·wd; past it (any ε much smaller than lr·λmax) the run rings around it.
//! - **MAE's sign gradient**: ∇L is a mean of signs, piecewise constant; next to the optimum it keeps the size of
//!   the pieces that meet there (it is 0 only on a kink, which a step lands on only by chance).
//! - **Mini-batch noise**: at the optimum each batch's gradient is off by the spread of the per-sample gradients,
//!   σ² = (n − b)/(b·(n − 1)) · mean‖gᵢ‖² for batches of b drawn without replacement (0 when the model fits every
//!   sample: the batches then agree at the minimum and the run settles).
//!
//! float32's own floor (an update lr·g that rounds away) is the trainer's [`Convergence::Stalled`]
//! (super::trainer::Convergence::Stalled): the run stops there by itself. A schedule that changes the lr, a line
//! search, Newton and objectives have no floor here.

use serde::Serialize;

use super::analysis::Analysis;
use super::data::Dataset;
use super::gradient::Problem;
use super::loss::LossKind;
use super::model::Params;
use super::optim::OptimizerKind;
use super::settings::{GradientSource, Settings};

/// What keeps ‖∇L‖ away from 0, with its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Floor {
    /// Coupled weight decay: the run settles at `at`, where ∇L = −wd·w and ‖∇L‖ = `grad_norm`.
    Decay {
        /// The fixed point w_wd.
        at: Params<f64>,
        /// wd·‖w_wd‖.
        grad_norm: f64,
    },
    /// AdamW's decoupled decay: the fixed point `at` with ‖∇L‖ = `grad_norm`; `gain` = lr·μmax(D·H), and the point
    /// holds only while `gain` < `limit` = 2 − lr·wd.
    DecoupledDecay {
        /// The fixed point.
        at: Params<f64>,
        /// ‖∇L‖ there.
        grad_norm: f64,
        /// lr·μmax(D·H).
        gain: f64,
        /// 2 − lr·wd.
        limit: f64,
    },
    /// MAE: the smallest ‖∇L‖ on the pieces next to the optimum.
    SignGradient {
        /// That ‖∇L‖.
        grad_norm: f64,
    },
    /// Mini-batches: the spread σ of a batch's gradient at the optimum.
    BatchNoise {
        /// σ (the root of the summed variances of both components).
        noise: f64,
        /// The batch size.
        batch: usize,
    },
}

/// Whether a run with a floor can meet a tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// It settles (or keeps stepping) where ‖∇L‖ ≥ the floor > tol: it never meets the tolerance (MAE: unless a
    /// step lands exactly on a kink).
    Never,
    /// It does not settle: it rings or jitters around its fixed point, and meets the tolerance only if one step
    /// happens to land within it.
    Chance,
}

impl Floor {
    /// Whether the floor is a fixed point that holds (weight decay's; AdamW's while stable): a run there comes to
    /// rest, its update 0 to rounding, rather than ringing (MAE) or jittering (mini-batches) around it.
    pub fn holds(&self) -> bool {
        match *self {
            Floor::Decay { .. } => true,
            Floor::DecoupledDecay { gain, limit, .. } => gain < limit,
            Floor::SignGradient { .. } | Floor::BatchNoise { .. } => false,
        }
    }

    /// Whether a run with this floor can meet `tolerance`: `None` when the floor is below it (no obstacle).
    pub fn verdict(&self, tolerance: f64) -> Option<Verdict> {
        match *self {
            Floor::Decay { grad_norm, .. } | Floor::SignGradient { grad_norm } => {
                (grad_norm > tolerance).then_some(Verdict::Never)
            }
            Floor::DecoupledDecay { grad_norm, gain, limit, .. } if gain < limit => {
                (grad_norm > tolerance).then_some(Verdict::Never)
            }
            Floor::DecoupledDecay { .. } => Some(Verdict::Chance),
            Floor::BatchNoise { noise, .. } => (noise > tolerance).then_some(Verdict::Chance),
        }
    }
}

impl Floor {
    /// Why a run with this floor does not meet `tolerance`, as one clause: "AdamW's decoupled weight decay 0.01
    /// moves its resting point off the minimum, to |∇L| = 3.1e-10, and that point does not hold: …". Every front
    /// end quotes this sentence (the banner, the why line, `descent trace`'s outcome).
    pub fn reason(&self, settings: &Settings, tolerance: f64) -> String {
        let short = crate::format::short;
        let o = &settings.optimizer;
        let tol = short(tolerance);
        let point = |p: Params<f64>| {
            if settings.bias {
                format!("(w, b) = ({}, {})", short(p.w), short(p.b))
            } else {
                format!("w = {}", short(p.w))
            }
        };
        match *self {
            Floor::Decay { at, grad_norm } => format!(
                "weight decay {} holds the run at {}, where ∇L = −wd·w: |∇L| stays {} > tolerance {tol}",
                short(o.weight_decay()),
                point(at),
                short(grad_norm)
            ),
            Floor::DecoupledDecay { at, grad_norm, gain, limit } if gain < limit => format!(
                "AdamW's decoupled weight decay {} holds the run at {}, where |∇L| stays {} > tolerance {tol}",
                short(o.weight_decay()),
                point(at),
                short(grad_norm)
            ),
            Floor::DecoupledDecay { grad_norm, gain, limit, .. } => format!(
                "AdamW's decoupled weight decay {} moves its resting point off the minimum, to |∇L| = {}, where its \
                 step per unit gradient is too long to hold (lr·λ·(1 − wd·|w|)²/ε = {} > {}): the run rings around \
                 it and meets tolerance {tol} only if a swing lands inside it",
                short(o.weight_decay()),
                short(grad_norm),
                short(gain),
                short(limit)
            ),
            Floor::SignGradient { grad_norm } => format!(
                "MAE's gradient is a mean of signs: next to the minimum |∇L| stays {} > tolerance {tol} (0 only \
                 exactly on a kink), so with a fixed lr the run rings around it with steps of about lr·{}",
                short(grad_norm),
                short(grad_norm)
            ),
            Floor::BatchNoise { noise, batch } => format!(
                "a mini-batch of {batch}'s gradient at the minimum is off by σ = {} > tolerance {tol}, so with a \
                 fixed lr the run jitters around the minimum and meets the tolerance only if a step lands inside it",
                short(noise)
            ),
        }
    }
}

/// The floor of `settings` on `data` (`a` is [`super::analysis::analyze`]'s analysis of the same problem), or
/// `None` when nothing keeps ‖∇L‖ from 0 (or the closed forms do not apply).
pub fn floor(data: &Dataset, settings: &Settings, a: &Analysis) -> Option<Floor> {
    let o = &settings.optimizer;
    let fixed_lr = !settings.schedule.is_active() && o.line_search == super::optim::LineSearch::None;
    if settings.objective.is_some() || !fixed_lr || o.kind == OptimizerKind::Newton || data.is_empty() {
        return None;
    }
    let n = data.len();
    if let Some(b) = settings.batch_size.filter(|&b| b < n) {
        return batch_noise(data, settings, a, b);
    }
    if settings.loss == LossKind::Mae {
        return sign_gradient(data, settings, a);
    }
    if settings.loss != LossKind::Mse || o.weight_decay() <= 0.0 {
        return None;
    }
    if o.kind == OptimizerKind::Adamw { decoupled_decay(settings, a) } else { coupled_decay(settings, a) }
}

/// The Hessian the update sees as a 2×2 (a model without bias: [[h, 0], [0, 0]]).
fn hessian2(a: &Analysis) -> [[f64; 2]; 2] {
    match a.hessian.as_slice() {
        [r0, r1] if r0.len() == 2 && r1.len() == 2 => [[r0[0], r0[1]], [r1[0], r1[1]]],
        [r0] if !r0.is_empty() => [[r0[0], 0.0], [0.0, 0.0]],
        _ => [[0.0; 2]; 2],
    }
}

/// Solves (H + wd·I)·w = H·w* (only w without a bias).
fn coupled_decay(settings: &Settings, a: &Analysis) -> Option<Floor> {
    let wd = settings.optimizer.weight_decay();
    let h = hessian2(a);
    let w_star = [a.optimum.w, if settings.bias { a.optimum.b } else { 0.0 }];
    let at = if settings.bias {
        let m = [[h[0][0] + wd, h[0][1]], [h[1][0], h[1][1] + wd]];
        let rhs = [h[0][0] * w_star[0] + h[0][1] * w_star[1], h[1][0] * w_star[0] + h[1][1] * w_star[1]];
        super::linalg::solve2(m, rhs)?
    } else {
        [h[0][0] * w_star[0] / (h[0][0] + wd), 0.0]
    };
    let at = Params { w: at[0], b: at[1] };
    let grad_norm = wd * at.w.hypot(at.b);
    grad_norm.is_finite().then_some(Floor::Decay { at, grad_norm })
}

/// AdamW's fixed point by iteration (w ← w* + H⁻¹·g(w), g from the per-parameter balance), and its stability.
fn decoupled_decay(settings: &Settings, a: &Analysis) -> Option<Floor> {
    let o = &settings.optimizer;
    let (wd, eps, lr) = (o.weight_decay(), o.eps(), o.lr);
    let h = hessian2(a);
    let bias = settings.bias;
    let w_star = [a.optimum.w, if bias { a.optimum.b } else { 0.0 }];
    // The gradient the balance needs at w: gᵢ = −sign(wᵢ)·ε·wd·|wᵢ|/(1 − wd·|wᵢ|) (none past wd·|wᵢ| ≥ 1).
    let balance = |w: [f64; 2]| -> Option<[f64; 2]> {
        let one = |v: f64| (wd * v.abs() < 1.0).then(|| -v.signum() * eps * wd * v.abs() / (1.0 - wd * v.abs()));
        Some([one(w[0])?, if bias { one(w[1])? } else { 0.0 }])
    };
    let inverse = |g: [f64; 2]| -> Option<[f64; 2]> {
        if bias { super::linalg::solve2(h, g) } else { (h[0][0] > 0.0).then(|| [g[0] / h[0][0], 0.0]) }
    };
    let mut w = w_star;
    let mut converged = false;
    for _ in 0..500 {
        let d = inverse(balance(w)?)?;
        let next = [w_star[0] + d[0], w_star[1] + d[1]];
        let moved = (next[0] - w[0]).abs() + (next[1] - w[1]).abs();
        w = next;
        if moved <= 1e-15 * (1.0 + w[0].abs() + w[1].abs()) {
            converged = true;
            break;
        }
    }
    let g = balance(w)?;
    if !(converged && w[0].is_finite() && w[1].is_finite()) {
        return None;
    }
    // μmax of D·H, D = diag((1 − wd·|wᵢ|)²/ε): real, as D·H is similar to the symmetric D^½·H·D^½.
    let d = |v: f64| (1.0 - wd * v.abs()).powi(2) / eps;
    let dh = if bias {
        [[d(w[0]) * h[0][0], d(w[0]) * h[0][1]], [d(w[1]) * h[1][0], d(w[1]) * h[1][1]]]
    } else {
        [[d(w[0]) * h[0][0], 0.0], [0.0, 0.0]]
    };
    let (tr, det) = (dh[0][0] + dh[1][1], dh[0][0] * dh[1][1] - dh[0][1] * dh[1][0]);
    let mu_max = (tr + (tr * tr - 4.0 * det).max(0.0).sqrt()) / 2.0;
    let gain = lr * mu_max;
    let floor = Floor::DecoupledDecay {
        at: Params { w: w[0], b: w[1] },
        grad_norm: g[0].hypot(g[1]),
        gain,
        limit: 2.0 - lr * wd,
    };
    gain.is_finite().then_some(floor)
}

/// The smallest ‖∇L‖ on the pieces of MAE's piecewise-constant gradient that meet at the optimum p. Sample i's
/// kink is the line w·xᵢ + b = yᵢ (the point w = yᵢ/xᵢ without a bias); the pieces next to p are the sectors
/// between the kinks through p, so one point per sector (at the angle halfway between two kinks, closer to p than
/// any other kink) sees every piece. A numeric gradient (which smooths the kinks) gives `None`.
fn sign_gradient(data: &Dataset, settings: &Settings, a: &Analysis) -> Option<Floor> {
    if settings.gradient == GradientSource::Numeric {
        return None;
    }
    let problem = Problem::<f64>::new(data, settings);
    let scaled = |v: f64| problem.scaling().map_or(v, |s| s.apply(v));
    let p = a.optimum;
    let bias = settings.bias;
    let scale = 1.0 + p.w.abs() + p.b.abs();
    // Each kink: its distance from p and the direction along it (b = 0 without a bias: the w axis).
    let kinks: Vec<(f64, f64)> = data
        .x
        .iter()
        .zip(data.y.iter())
        .filter_map(|(&x, &y)| {
            let x = scaled(x);
            let b = if bias { p.b } else { 0.0 };
            let norm = if bias { x.hypot(1.0) } else { x.abs() };
            (norm > 0.0).then(|| ((y - p.w * x - b).abs() / norm, (-x).atan2(1.0)))
        })
        .collect();
    // Kinks within rounding of p pass through it (the optimum is a vertex found to rounding).
    let through = 1e-9 * scale;
    let nearest = kinks.iter().map(|k| k.0).filter(|&d| d > through).fold(f64::INFINITY, f64::min);
    let r = (1e-6 * scale).min(0.5 * nearest);
    let mut angles: Vec<f64> = if bias {
        let tau = std::f64::consts::TAU;
        let mut v: Vec<f64> = kinks
            .iter()
            .filter(|k| k.0 <= through)
            .flat_map(|k| [k.1.rem_euclid(tau), (k.1 + tau / 2.0).rem_euclid(tau)])
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        let mid = |i: usize| match (v.get(i), v.get(i + 1)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => (v.last().copied().unwrap_or(0.0) + v.first().copied().unwrap_or(0.0) + tau) / 2.0,
        };
        (0..v.len().max(1)).map(mid).collect()
    } else {
        vec![0.0, std::f64::consts::PI]
    };
    angles.retain(|t| t.is_finite());
    let grad_norm = angles
        .iter()
        .map(|t| {
            let q = Params { w: p.w + r * t.cos(), b: if bias { p.b + r * t.sin() } else { 0.0 } };
            problem.evaluate(q, settings.gradient).grad.norm()
        })
        .fold(f64::INFINITY, f64::min);
    (grad_norm.is_finite() && grad_norm > 0.0).then_some(Floor::SignGradient { grad_norm })
}

/// The spread of a batch's gradient at the optimum: σ² = (n − b)/(b·(n − 1)) · mean‖gᵢ − ḡ‖² for the mean's
/// gradient sources (b² times that for the notebook's sum).
fn batch_noise(data: &Dataset, settings: &Settings, a: &Analysis, batch: usize) -> Option<Floor> {
    let problem = Problem::<f64>::new(data, settings);
    let n = problem.len();
    if n < 2 || batch == 0 {
        return None;
    }
    let mut scratch = (Vec::new(), Vec::new());
    let grads: Vec<_> =
        (0..n).map(|i| problem.evaluate_batch(a.optimum, settings.gradient, &[i], &mut scratch).grad).collect();
    let (mw, mb) = grads.iter().fold((0.0, 0.0), |(w, b), g| (w + g.w, b + g.b));
    let (mw, mb) = (mw / n as f64, mb / n as f64);
    let spread = grads.iter().map(|g| (g.w - mw).powi(2) + (g.b - mb).powi(2)).sum::<f64>() / n as f64;
    let (nf, bf) = (n as f64, batch as f64);
    let mut variance = (nf - bf) / (bf * (nf - 1.0)) * spread;
    if settings.gradient == GradientSource::NotebookSum {
        variance *= bf * bf;
    }
    let noise = variance.sqrt();
    // Below rounding of the per-sample gradients the batches agree: the model fits every sample.
    let scale = grads.iter().map(|g| g.norm()).fold(0.0, f64::max) + a.curvature_max.abs();
    (noise.is_finite() && noise > 1e-12 * scale.max(1.0)).then_some(Floor::BatchNoise { noise, batch })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::optim::OptimizerConfig;

    fn settings(kind: OptimizerKind, lr: f64, f: impl Fn(&mut Settings)) -> Settings {
        let mut s = Settings { optimizer: OptimizerConfig::new(kind, lr), ..Settings::default() };
        f(&mut s);
        s
    }

    fn floor_of(data: &Dataset, s: &Settings) -> Option<Floor> {
        floor(data, s, &analyze(data, s, s.start()))
    }

    /// Notebook data (y = 3x, mean x² = 7.5): L = 7.5·(w − 3)², L'' = 15. SGD's decay: 15·(w − 3) + wd·w = 0 gives
    /// w = 45/(15 + wd), and ‖∇L‖ = wd·w.
    #[test]
    fn coupled_decay_settles_where_the_gradient_is_minus_wd_w() {
        let s = settings(OptimizerKind::Sgd, 0.05, |s| s.optimizer.weight_decay = Some(0.01));
        let Some(Floor::Decay { at, grad_norm }) = floor_of(&Dataset::notebook(), &s) else { panic!() };
        let w = 45.0 / 15.01;
        assert!((at.w - w).abs() < 1e-12 && at.b == 0.0, "{at:?}");
        assert!((grad_norm - 0.01 * w).abs() < 1e-12, "{grad_norm}");
        // With a bias: H = [[15, 5], [5, 2]], H·w* = (45, 15); (H + 0.01·I)·w = (45, 15) by Cramer's rule.
        let s = Settings { bias: true, ..s };
        let Some(Floor::Decay { at, .. }) = floor_of(&Dataset::notebook(), &s) else { panic!() };
        let det = 15.01 * 2.01 - 25.0;
        let (w, b) = ((45.0 * 2.01 - 5.0 * 15.0) / det, (15.01 * 15.0 - 5.0 * 45.0) / det);
        assert!((at.w - w).abs() < 1e-9 && (at.b - b).abs() < 1e-9, "{at:?} vs ({w}, {b})");
    }

    /// AdamW without a bias: c·(w − 3) = −wd·w·ε/(1 − wd·w) with c = 15, i.e. c·wd·w² − (c + 3c·wd + wd·ε)·w + 3c = 0,
    /// whose smaller root is the fixed point.
    #[test]
    fn adamws_fixed_point_solves_its_quadratic() {
        for eps in [1e-8, 1e-3, 1.0] {
            let s = settings(OptimizerKind::Adamw, 0.05, |s| s.optimizer.eps = Some(eps));
            let Some(Floor::DecoupledDecay { at, grad_norm, gain, limit }) = floor_of(&Dataset::notebook(), &s) else {
                panic!()
            };
            let (c, wd) = (15.0, 0.01);
            let (qa, qb, qc) = (c * wd, c + 3.0 * c * wd + wd * eps, 3.0 * c);
            let w = (qb - (qb * qb - 4.0 * qa * qc).sqrt()) / (2.0 * qa);
            assert!((at.w - w).abs() < 1e-9 * w, "ε {eps}: {} vs {w}", at.w);
            // |∇L| = ε·wd·w/(1 − wd·w) at the root (c·(3 − w) says the same, with 3 − w cancelling for small ε).
            let g = eps * wd * w / (1.0 - wd * w);
            assert!((grad_norm - g).abs() < 1e-9 * g, "ε {eps}: {grad_norm} vs {g}");
            assert!((grad_norm - c * (3.0 - w)).abs() < 1e-4 * g + 1e-14, "ε {eps}: {grad_norm}");
            // gain = lr·c·(1 − wd·w)²/ε, limit 2 − lr·wd.
            assert!((gain - 0.05 * c * (1.0 - wd * w).powi(2) / eps).abs() < 1e-9 * gain, "{gain}");
            assert_eq!(limit, 2.0 - 0.05 * wd);
        }
        // ε = 1e-8: |∇L| ≈ ε·wd·3/(1 − 0.03) ≈ 3.1e-10, far below 1e-6, but the point does not hold (gain ~ 7e7).
        let s = settings(OptimizerKind::Adamw, 0.05, |_| {});
        let f = floor_of(&Dataset::notebook(), &s).unwrap();
        assert_eq!(f.verdict(1e-6), Some(Verdict::Chance));
        // ε = 1: the point holds (gain ≈ 0.7 < 2) with |∇L| ≈ 0.03 > 1e-6: never.
        let s = settings(OptimizerKind::Adamw, 0.05, |s| s.optimizer.eps = Some(1.0));
        assert_eq!(floor_of(&Dataset::notebook(), &s).unwrap().verdict(1e-6), Some(Verdict::Never));
    }

    /// MAE on y = 3x without a bias: ∇L = mean(sign(w·x − y)·x) = ±mean|x| = ±2.5 off the optimum.
    #[test]
    fn maes_floor_is_the_mean_of_x() {
        let s = settings(OptimizerKind::Sgd, 0.01, |s| s.loss = LossKind::Mae);
        let Some(Floor::SignGradient { grad_norm }) = floor_of(&Dataset::notebook(), &s) else { panic!() };
        assert!((grad_norm - 2.5).abs() < 1e-12, "{grad_norm}");
    }

    /// MAE on y = 3x with a bias: ∇L = mean(sign(ŷᵢ − yᵢ)·(xᵢ, 1)), and moving by d from (3, 0) makes ŷᵢ − yᵢ =
    /// d_w·xᵢ + d_b. The smallest ‖∇L‖ over 3600 directions (the sectors are at least 4° wide) is the floor.
    #[test]
    fn maes_floor_with_a_bias_is_its_smallest_piece() {
        let s = settings(OptimizerKind::Sgd, 0.01, |s| (s.loss, s.bias) = (LossKind::Mae, true));
        let Some(Floor::SignGradient { grad_norm }) = floor_of(&Dataset::notebook(), &s) else { panic!() };
        let xs = [1.0, 2.0, 3.0, 4.0];
        let expected = (0..3600)
            .map(|k| {
                let t = std::f64::consts::TAU * (k as f64 + 0.5) / 3600.0;
                let sign = |x: f64| (t.cos() * x + t.sin()).signum();
                let gw = xs.iter().map(|&x| sign(x) * x).sum::<f64>() / 4.0;
                let gb = xs.iter().map(|&x| sign(x)).sum::<f64>() / 4.0;
                gw.hypot(gb)
            })
            .fold(f64::INFINITY, f64::min);
        assert!((grad_norm - expected).abs() < 1e-12, "{grad_norm} vs {expected}");
    }

    /// Mini-batches on y = 3x agree at the minimum (every residual is 0): no floor. On data with residuals rᵢ at
    /// w* (no bias), gᵢ = 2·rᵢ·xᵢ, and σ² = (n − b)/(b(n − 1))·mean(gᵢ − ḡ)².
    #[test]
    fn batch_noise_is_the_spread_of_the_sample_gradients() {
        let s = settings(OptimizerKind::Sgd, 0.01, |s| s.batch_size = Some(2));
        assert_eq!(floor_of(&Dataset::notebook(), &s), None);
        let data = Dataset::new(vec![1.0, 2.0, 3.0, 4.0], vec![3.0, 7.0, 8.0, 13.0], "t").unwrap();
        let w = (3.0 + 14.0 + 24.0 + 52.0) / 30.0;
        let g: Vec<f64> =
            [1.0, 2.0, 3.0, 4.0].iter().zip([3.0, 7.0, 8.0, 13.0]).map(|(x, y)| 2.0 * (w * x - y) * x).collect();
        let mean = g.iter().sum::<f64>() / 4.0;
        let var = (4.0 - 2.0) / (2.0 * 3.0) * g.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
        let Some(Floor::BatchNoise { noise, batch: 2 }) = floor_of(&data, &s) else { panic!() };
        assert!((noise - var.sqrt()).abs() < 1e-9, "{noise} vs {}", var.sqrt());
    }
}
