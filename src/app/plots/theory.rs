//! The theory overlay: for plain full-batch GD on MSE, the exact trajectory w_k = w* + (I − lr·H)^k (w₀ − w*)
//! ([`Analysis::predicted_params`]) and its loss, drawn thin and dashed next to the actual run on the weight and loss
//! plots. It starts where the run's settings last changed (or at step 0) and uses the settings in force. With
//! mini-batches, momentum or an adaptive optimizer the curves part, and the plot says why.

use egui_plot::{Line, LineStyle, PlotUi};

use super::ViewCtx;
use crate::engine::analysis::Analysis;
use crate::engine::loss::LossKind;
use crate::engine::model::Params;
use crate::engine::optim::{LineSearch, OptimizerKind};
use crate::engine::settings::{GradientSource, Settings};
use crate::history::History;
use crate::worker::RunSnapshot;

/// The caption on the loss plot when the run is plain full-batch GD on MSE: the loss of the exact trajectory.
pub const EXACT_CAPTION: &str =
    "dashed: theory, L* + ½·λ·(1 − lr·λ)^(2k)·(w₀ − w*)²\nper eigen-direction, exact for plain full-batch GD";
/// The caption for Newton's method on MSE: the model is the loss, so the error shrinks by exactly (1 − lr) a step.
pub const NEWTON_CAPTION: &str = "dashed: theory, p* + (1 − lr)^k·(p₀ − p*)\nexact for Newton's method on MSE";
/// The caption shown when the run is not plain full-batch GD.
pub const GAP_CAPTION: &str = "theory = plain full-batch GD;\nthe gap is momentum/adaptivity/noise";

/// True when the run is exactly what the theory describes: SGD without momentum, weight decay or line search, or
/// Newton's method (its mean-loss gradient), full batch, MSE.
pub fn is_exact(s: &Settings) -> bool {
    let o = &s.optimizer;
    let exact_rule = match o.kind {
        OptimizerKind::Gd | OptimizerKind::Sgd => o.is_plain_descent() && o.line_search == LineSearch::None,
        OptimizerKind::Newton => s.gradient != GradientSource::NotebookSum,
        _ => false,
    };
    exact_rule && s.batch_size.is_none() && s.loss == LossKind::Mse && s.objective.is_none()
}

/// The step and point the prediction starts from: the run's state where its settings last changed, or its first row.
pub fn origin(history: &History) -> Option<(u64, Params<f64>)> {
    let step = history.markers().last().map_or(0, |m| m.step);
    let row = if step == 0 { history.first() } else { history.at_or_before(step) }?;
    Some((row.step, row.params))
}

/// The predicted parameters at `step` (≥ the origin's step), `None` for a loss without a closed form.
pub fn predicted(
    analysis: &Analysis,
    settings: &Settings,
    origin: (u64, Params<f64>),
    step: u64,
) -> Option<Params<f64>> {
    let k = step.saturating_sub(origin.0);
    if settings.optimizer.kind == OptimizerKind::Newton {
        // p − lr·H⁻¹∇L = p − lr·(p − p*) on a quadratic: the error shrinks by (1 − lr) a step.
        let (p0, opt, lr) = (origin.1, analysis.optimum, settings.optimizer.lr);
        let f = (1.0 - lr).powi(k.min(i32::MAX as u64) as i32);
        return (!analysis.local).then_some(Params { w: opt.w + f * (p0.w - opt.w), b: opt.b + f * (p0.b - opt.b) });
    }
    analysis.predicted_params(origin.1, settings.optimizer.lr, k)
}

/// The mean loss at `p` from the quadratic form: L* + ½ (p − p*)ᵀ H (p − p*), with H the loss's own Hessian
/// (the analysis holds N·H under notebook-sum).
pub fn predicted_loss(analysis: &Analysis, settings: &Settings, n_samples: usize, p: Params<f64>) -> f64 {
    let h = &analysis.hessian;
    let scale = if settings.gradient == GradientSource::NotebookSum { 1.0 / n_samples.max(1) as f64 } else { 1.0 };
    let (dw, db) = (p.w - analysis.optimum.w, p.b - analysis.optimum.b);
    let q =
        if h.len() == 2 { h[0][0] * dw * dw + 2.0 * h[0][1] * dw * db + h[1][1] * db * db } else { h[0][0] * dw * dw };
    analysis.min_loss + 0.5 * scale * q
}

/// Which curve to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// The weight w.
    W,
    /// The bias b.
    B,
    /// The loss (`log` for log10).
    Loss {
        /// Plot log10 of the loss.
        log: bool,
        /// The lowest loss the plot's runs reach: the theory is not drawn below it (it would pull the plot's
        /// automatic range down to 10⁻³⁰⁰ and squash every real curve).
        floor: f64,
    },
}

/// The points `[x, value]` of the predicted `quantity` of `run` over `steps` (about `columns` of them, even in x
/// on `axis`: on the log step axis, every one of the first steps and sparser later), from where its settings
/// last changed; empty when there is no closed form, or when plain GD would diverge while the run is something else
/// (its curve would flatten the run's). The loss stops at [`Quantity::Loss`]'s floor.
pub fn series(
    run: &RunSnapshot,
    n_samples: usize,
    quantity: Quantity,
    steps: std::ops::RangeInclusive<f64>,
    columns: usize,
    axis: crate::step_axis::StepAxis,
) -> Vec<[f64; 2]> {
    let s = &run.spec.settings;
    let Some(origin) = origin(&run.history) else {
        return Vec::new();
    };
    let last = run.history.last().map_or(origin.0, |r| r.step);
    if last <= origin.0 || predicted(&run.analysis, s, origin, origin.0).is_none() {
        return Vec::new();
    }
    if !is_exact(s) && run.analysis.critical_lr.is_some_and(|c| s.optimizer.lr >= c) {
        return Vec::new();
    }
    let lo = steps.start().max(origin.0 as f64).floor() as u64;
    let hi = (steps.end().min(last as f64).ceil() as u64).max(lo);
    let n = columns.clamp(2, 2000) as f64;
    let dx = (axis.x(hi as f64) - axis.x(lo as f64)) / n;
    let mut pts = Vec::with_capacity(n as usize + 2);
    let mut k = lo;
    loop {
        if let Some(p) = predicted(&run.analysis, s, origin, k) {
            let v = match quantity {
                Quantity::W => p.w,
                Quantity::B => p.b,
                Quantity::Loss { log, floor } => {
                    let l = predicted_loss(&run.analysis, s, n_samples, p);
                    if l < floor {
                        break;
                    }
                    if log { l.log10() } else { l }
                }
            };
            if let Some(v) = super::plottable(v) {
                pts.push([axis.x(k as f64), v]);
            }
        }
        if k >= hi {
            break;
        }
        let next = axis.step(axis.x(k as f64) + dx).floor();
        k = if next > k as f64 { (next as u64).min(hi) } else { k + 1 };
    }
    pts
}

/// Draws the predicted `quantity` of `run` over the visible `steps` (about `columns` points); the loss card writes
/// its [`caption`] in its subtitle. Does nothing when the overlay is off or the loss has no closed form.
pub fn overlay(
    plot_ui: &mut PlotUi<'_>,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    quantity: Quantity,
    steps: std::ops::RangeInclusive<f64>,
    columns: usize,
) {
    if !ctx.display.theory || ctx.snap.runs.first().map(|r| r.id) != Some(run.id) {
        return;
    }
    let pts = series(run, ctx.snap.data.len(), quantity, steps, columns, ctx.display.step_axis);
    if pts.is_empty() {
        return;
    }
    let color = ctx.palette.curve.gamma_multiply(0.9);
    let name = match quantity {
        Quantity::B => "theory b",
        _ => "theory",
    };
    let line = |pts| Line::new(name, pts).color(color).style(LineStyle::dashed_dense()).width(1.0);
    plot_ui.line(super::dash_guard(plot_ui, pts.clone(), line));
}

/// The caption of the loss plot's theory curve, for the run the plot is about: what the dashed curve is (the exact
/// trajectory's loss, or only a guide when the run is not plain full-batch GD). Written in the loss
/// card's subtitle, never on the plot (where it ran over the curve and the "minimum reached" label). `None` when the
/// overlay is off, several runs share the plot (the caption would be about one of them), the run diverged, or the
/// loss has no closed form.
pub fn caption(ctx: &ViewCtx<'_>, n_samples: usize) -> Option<&'static str> {
    let run = ctx.snap.runs.first()?;
    let diverged = matches!(run.status, crate::engine::trainer::Status::Diverged { .. });
    if !ctx.display.theory || ctx.snap.runs.len() != 1 || diverged {
        return None;
    }
    let quantity = Quantity::Loss { log: false, floor: f64::NEG_INFINITY };
    if series(run, n_samples, quantity, 0.0..=1.0, 2, crate::step_axis::StepAxis::All).is_empty() {
        return None;
    }
    let s = &run.spec.settings;
    let exact = if s.optimizer.kind == OptimizerKind::Newton { NEWTON_CAPTION } else { EXACT_CAPTION };
    Some(if is_exact(s) { exact } else { GAP_CAPTION })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::data::Dataset;
    use crate::engine::trainer::DynTrainer;
    use crate::step_axis::StepAxis;

    #[test]
    fn theory_equals_full_batch_gd() {
        let data = Dataset::notebook();
        for (bias, gradient, lr) in [
            (false, GradientSource::Analytic, 0.01),
            (false, GradientSource::NotebookSum, 0.01),
            (false, GradientSource::Analytic, 0.1),
            (true, GradientSource::Analytic, 0.02),
        ] {
            let mut s = Settings { bias, gradient, ..Settings::default() };
            s.optimizer.lr = lr;
            s.w0 = 0.5;
            s.b0 = -1.0;
            assert!(is_exact(&s));
            let a = analyze(&data, &s, Params::default());
            let mut t = DynTrainer::new(&data, &s).unwrap();
            let start = (0, s.start());
            for k in 1..=200u64 {
                t.step();
                let r = t.record();
                let p = predicted(&a, &s, start, k).unwrap();
                assert!((p.w - r.params.w).abs() < 1e-12, "k {k}: {} vs {}", p.w, r.params.w);
                assert!((p.b - r.params.b).abs() < 1e-12);
                let l = predicted_loss(&a, &s, data.len(), r.params);
                assert!((l - r.loss).abs() <= 1e-12 * r.loss.abs().max(1.0), "loss {l} vs {}", r.loss);
            }
        }
    }

    #[test]
    fn theory_equals_damped_newton() {
        let data = Dataset::notebook();
        let optimizer = crate::engine::OptimizerConfig::new(OptimizerKind::Newton, 0.4);
        let s = Settings { bias: true, b0: -1.0, optimizer, ..Settings::default() };
        assert!(is_exact(&s));
        let a = analyze(&data, &s, Params::default());
        let mut t = DynTrainer::new(&data, &s).unwrap();
        for k in 1..=30u64 {
            t.step();
            let (r, p) = (t.record(), predicted(&a, &s, (0, s.start()), k).unwrap());
            assert!((p.w - r.params.w).abs() < 1e-12 && (p.b - r.params.b).abs() < 1e-12, "k {k}");
        }
    }

    #[test]
    fn the_theory_loss_never_reaches_below_the_lowest_loss_of_the_runs() {
        // lr 0.05 on the notebook: the exact trajectory's loss falls towards 10⁻³⁰⁰ long before the plot ends.
        let data = Dataset::notebook();
        let mut s = Settings::default();
        s.optimizer.lr = 0.05;
        let mut t = DynTrainer::new(&data, &s).unwrap();
        let mut history = History::default();
        history.push(t.record());
        for _ in 0..400 {
            t.step();
            history.push(t.record());
        }
        let run = RunSnapshot {
            id: crate::worker::RunId(0),
            spec: crate::worker::RunSpec { name: "run".into(), color: [1, 2, 3], settings: s.clone() },
            record: t.record(),
            status: crate::engine::trainer::Status::Running,
            history,
            analysis: std::sync::Arc::new(analyze(&data, &s, Params::default())),
            floor: None,
            next: None,
            next_batch: None,
            error: None,
        };
        let floor = 1e-20;
        let pts = series(&run, data.len(), Quantity::Loss { log: true, floor }, 0.0..=400.0, 400, StepAxis::All);
        assert!(pts.len() > 10, "drawn down to the floor");
        assert!(pts.iter().all(|p| p[1] >= floor.log10()), "never below the floor");
        let unbounded =
            series(&run, data.len(), Quantity::Loss { log: true, floor: 0.0 }, 0.0..=400.0, 400, StepAxis::All);
        assert!(unbounded.iter().any(|p| p[1] < -100.0), "without the floor it would reach far below");
        // On the log step axis the points are even in log10(1 + step): every one of the first steps (a column there
        // spans (1 + k)(10^(log10(401)/100) − 1) < 1 step for k < 15), each at its x, on the run's own w.
        let pts = series(&run, data.len(), Quantity::W, 0.0..=400.0, 100, StepAxis::Log);
        for (k, p) in pts.iter().take(15).enumerate() {
            assert!((p[0] - (1.0 + k as f64).log10()).abs() < 1e-12, "point {k} at x {}", p[0]);
            let w = run.history.at_or_before(k as u64).map(|r| r.params.w).expect("row");
            assert!((p[1] - w).abs() < 1e-12, "step {k}: {} vs {w}", p[1]);
        }
        assert!((60..=110).contains(&pts.len()), "at most about one point a column: {}", pts.len());
        assert!(pts.last().is_some_and(|p| (p[0] - 401f64.log10()).abs() < 1e-12), "to the last step");
        assert!(pts.windows(2).all(|w| w[0][0] < w[1][0]));
    }
}
