//! What the plots draw of the comparison runs besides the one a plot is about: the other runs' paths on the
//! landscape (curve and plane), the mini-batch curves, and the timeline's cursor on the plots over steps.

use egui_plot::{Line, LineStyle, MarkerShape, Points};

use super::{ViewCtx, plottable};
use crate::app::theme::faded;
use crate::engine::batch::batch_losses;
use crate::worker::RunSnapshot;

/// The other visible runs on the landscape's curve L(w): each one's trail and current point in its colour
/// (branches faded and dashed). `main` is the run the landscape is drawn for; `loss_at` evaluates its curve.
pub fn other_runs_on_curve(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    ctx: &ViewCtx<'_>,
    main: &RunSnapshot,
    loss_at: &dyn Fn(f64) -> f64,
    [lo, hi]: [f64; 2],
    [y0, y1]: [f64; 2],
) {
    if ctx.display.batches {
        batch_curves(plot_ui, ctx, main, [lo, hi], [y0, y1]);
    }
    for run in ctx.snap.runs.iter().filter(|r| r.id != main.id) {
        if run.spec.settings.bias != main.spec.settings.bias {
            continue;
        }
        let ghost = ctx.is_ghost(run.id);
        let color = ctx.run_color(run);
        let color = if ghost { faded(color, 0.6) } else { color };
        let pts: Vec<[f64; 2]> = run
            .history
            .sample(400)
            .iter()
            .filter(|r| r.step <= run.record.step)
            .filter_map(|r| Some([plottable(r.params.w)?, loss_at(r.params.w).clamp(y0, y1)]))
            .filter(|p| p[1].is_finite())
            .collect();
        let style = if ghost { LineStyle::dashed_dense() } else { LineStyle::Solid };
        if pts.len() > 1 {
            plot_ui.line(
                Line::new(run.spec.name.clone(), pts.clone())
                    .color(faded(color, 0.55))
                    .style(style)
                    .width(1.2)
                    .allow_band(false),
            );
            let tail = &pts[pts.len().saturating_sub(12)..];
            plot_ui.points(
                Points::new(format!("{} path", run.spec.name), tail.to_vec()).color(faded(color, 0.7)).radius(2.0),
            );
        }
        let here = run.record.params.w;
        let y = loss_at(here);
        if here.is_finite() && y.is_finite() {
            let shape = if ghost { MarkerShape::Diamond } else { MarkerShape::Circle };
            plot_ui.points(
                Points::new(run.spec.name.clone(), [here, y.clamp(y0, y1)]).radius(6.5).shape(shape).color(color),
            );
        }
    }
}

/// The other visible runs with a bias on the (w, b) contour map: each one's path and current point in its colour.
pub fn other_runs_on_plane(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, main: &RunSnapshot) {
    for run in ctx.snap.runs.iter().filter(|r| r.id != main.id && r.spec.settings.bias) {
        let ghost = ctx.is_ghost(run.id);
        let color = ctx.run_color(run);
        let color = if ghost { faded(color, 0.6) } else { color };
        let pts: Vec<[f64; 2]> = run
            .history
            .sample(400)
            .iter()
            .filter(|r| r.step <= run.record.step)
            .filter_map(|r| Some([plottable(r.params.w)?, plottable(r.params.b)?]))
            .collect();
        let style = if ghost { LineStyle::dashed_dense() } else { LineStyle::Solid };
        if pts.len() > 1 {
            plot_ui.line(
                Line::new(run.spec.name.clone(), pts)
                    .color(faded(color, 0.6))
                    .style(style)
                    .width(1.2)
                    .allow_band(false),
            );
        }
        let p = run.record.params;
        if p.is_finite() {
            let shape = if ghost { MarkerShape::Diamond } else { MarkerShape::Circle };
            plot_ui.points(Points::new(run.spec.name.clone(), [p.w, p.b]).radius(6.5).shape(shape).color(color));
        }
    }
}

/// While scrubbing: a vertical cursor at the timeline's step on a plot over steps, with each run's value there
/// (drawn once, for the first run).
pub fn scrub_cursor(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, run: &RunSnapshot) {
    let Some(k) = ctx.snap.runs.first().filter(|r| r.id == run.id).and(ctx.scrub) else {
        return;
    };
    plot_ui.vline(egui_plot::VLine::new(format!("step {k}"), k as f64).color(ctx.palette.curve).width(1.5));
}

/// How many mini-batches get their own curve.
const BATCH_CURVES: usize = 4;

/// With mini-batches: the loss of each of the first few batches, L_batch(w), drawn faintly over the same w range,
/// so the learner sees why each step follows a slightly different slope.
fn batch_curves(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    [lo, hi]: [f64; 2],
    [y0, y1]: [f64; 2],
) {
    let s = &run.spec.settings;
    let b_at = if s.bias { run.record.params.b } else { 0.0 };
    let color = faded(ctx.run_color(run), 0.35);
    for (i, pts) in batch_losses(&ctx.snap.data, s, b_at, [lo, hi], BATCH_CURVES, 120).into_iter().enumerate() {
        let pts: Vec<[f64; 2]> = pts.into_iter().filter(|p| p[1] <= y1 + (y1 - y0)).collect();
        let name = if i == 0 { "mini-batch losses".to_string() } else { format!("mini-batch {}", i + 1) };
        plot_ui.line(Line::new(name, pts).color(color).style(LineStyle::dashed_loose()).width(1.0).allow_band(false));
    }
}
