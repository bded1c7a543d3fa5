//! What the plots draw of the comparison runs besides the one a plot is about: the other runs' paths on the
//! landscape (curve and plane), the mini-batch curves, and the timeline's cursor on the plots over steps.

use egui::Color32;
use egui_plot::{Line, LineStyle, MarkerShape, Points};

use super::{ViewCtx, plottable};
use crate::app::theme::{RunMark, faded};
use crate::engine::batch::batch_losses;
use crate::history::Row;
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
        let pts: Vec<[f64; 2]> = shown_path(run)
            .filter_map(|r| Some([plottable(r.params.w)?, loss_at(r.params.w).clamp(y0, y1)]))
            .filter(|p| p[1].is_finite())
            .collect();
        let here = run.record.params.w;
        let y = loss_at(here);
        let at = (here.is_finite() && y.is_finite()).then(|| [here, y.clamp(y0, y1)]);
        other_run(plot_ui, ctx, run, OtherRun { pts, line_alpha: 0.55, tail: true, at });
    }
}

/// The other visible runs with a bias on the (w, b) contour map: each one's path and current point in its colour.
pub fn other_runs_on_plane(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, main: &RunSnapshot) {
    for run in ctx.snap.runs.iter().filter(|r| r.id != main.id && r.spec.settings.bias) {
        let pts: Vec<[f64; 2]> =
            shown_path(run).filter_map(|r| Some([plottable(r.params.w)?, plottable(r.params.b)?])).collect();
        let p = run.record.params;
        let at = p.is_finite().then_some([p.w, p.b]);
        other_run(plot_ui, ctx, run, OtherRun { pts, line_alpha: 0.6, tail: false, at });
    }
}

/// A comparison run's recorded rows up to its current step (at most about 400 of them).
fn shown_path(run: &RunSnapshot) -> impl Iterator<Item = Row> + '_ {
    run.history.sample(400).into_iter().filter(|r| r.step <= run.record.step)
}

/// What the landscape shows of one comparison run.
struct OtherRun {
    /// The path's points.
    pts: Vec<[f64; 2]>,
    /// The path line's opacity.
    line_alpha: f32,
    /// Dot the path's latest points too.
    tail: bool,
    /// The current point, when it can be drawn.
    at: Option<[f64; 2]>,
}

/// One comparison run in its colour: its path (with a dot on each of the latest points when `tail`) and its
/// current point. A ghost (a branch) is faded, its path dashed and its point a diamond.
fn other_run(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, run: &RunSnapshot, other: OtherRun) {
    let OtherRun { pts, line_alpha, tail, at } = other;
    let ghost = ctx.is_ghost(run.id);
    let color = ctx.run_color(run);
    let color = if ghost { faded(color, 0.6) } else { color };
    let style = if ghost { LineStyle::dashed_dense() } else { super::line_style(RunMark::of(run.spec.color).dash) };
    if pts.len() > 1 {
        let name = run.spec.name.clone();
        let line = |pts| path_line(name, pts, faded(color, line_alpha), ctx.palette.stroke(1.2)).style(style);
        plot_ui.line(super::dash_guard(plot_ui, pts.clone(), line));
        if tail {
            plot_ui.points(path_dots(format!("{} path", run.spec.name), &pts, 12, faded(color, 0.7), 2.0));
        }
    }
    if let Some(at) = at {
        let shape = if ghost { MarkerShape::Diamond } else { super::run_marker(run) };
        plot_ui.points(Points::new(run.spec.name.clone(), at).radius(6.5).shape(shape).color(color));
    }
}

/// A run's path as a plain polyline (no band of min/max under it): the comparison runs' paths here and the
/// landscape's own trail.
pub fn path_line(name: impl Into<String>, pts: Vec<[f64; 2]>, color: Color32, width: f32) -> Line<'static> {
    Line::new(name, pts).color(color).width(width).allow_band(false)
}

/// A dot on each of the latest `n` points of a path.
pub fn path_dots(name: impl Into<String>, pts: &[[f64; 2]], n: usize, color: Color32, radius: f32) -> Points<'static> {
    Points::new(name, pts[pts.len().saturating_sub(n)..].to_vec()).color(color).radius(radius)
}

/// While scrubbing: a vertical cursor at the timeline's step on a plot over steps, with each run's value there
/// (drawn once, for the first run).
pub fn scrub_cursor(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, run: &RunSnapshot) {
    let Some(k) = ctx.snap.runs.first().filter(|r| r.id == run.id).and(ctx.scrub) else {
        return;
    };
    let x = ctx.display.step_axis.x(k as f64);
    plot_ui.vline(egui_plot::VLine::new(format!("step {k}"), x).color(ctx.palette.curve).width(1.5));
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
        let line = |pts| Line::new(name, pts).color(color).style(LineStyle::dashed_loose()).width(1.0);
        plot_ui.line(super::dash_guard(plot_ui, pts, line).allow_band(false));
    }
}

/// A dashed vertical line where the run's settings changed mid-run, named by the change (on the plots over steps).
pub fn settings_markers(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, run: &RunSnapshot) {
    for marker in run.history.markers() {
        plot_ui.vline(
            egui_plot::VLine::new(marker.label.clone(), ctx.display.step_axis.x(marker.step as f64))
                .color(ctx.palette.marker)
                .style(LineStyle::dashed_dense())
                .width(1.0),
        );
    }
}
