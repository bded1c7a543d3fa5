//! The loss landscape, the app's main view: L(w) with the current point sliding down it, the tangent there, the
//! trail of earlier points joined by step arrows and an arrow to where the next step lands. With a bias it is the
//! loss over (w, b) as a shaded contour map with the path, plus L(w) at the current b as a slice.
//!
//! A click or a drag on the landscape picks a new start point and resets the run.

use std::sync::Arc;

use egui::{Align2, Color32, RichText, TextureHandle, TextureOptions, Ui};
use egui_plot::{Arrows, Line, LineStyle, MarkerShape, Plot, PlotBounds, PlotImage, PlotPoint, Points, Text, VLine};

use super::{ViewCtx, plottable};
use crate::app::format;
use crate::app::state::Action;
use crate::app::theme::{Palette, faded};
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::engine::settings::{GradientSource, Settings};
use crate::engine::trainer::Status;
use crate::geometry::{
    LossSurface, SurfaceKey, Window, contour_lines, contour_shade, curve_loss_range, log_levels, nice_round, path_range,
};
use crate::history::Row;
use crate::worker::RunSnapshot;

/// Samples of the loss curve.
const CURVE_POINTS: usize = 400;
/// Most path points drawn on the landscape (as a line).
const PATH_POINTS: usize = 1_500;
/// Latest steps drawn as dots.
const DOT_STEPS: usize = 150;
/// Steps drawn as arrows (the latest ones).
const ARROW_STEPS: usize = 40;
/// Contour grid resolution.
const GRID: [usize; 2] = [161, 121];

/// The loss surface of the data and settings drawn, in the run's precision, with what it was built from.
struct Evaluator {
    data: Arc<Dataset>,
    key: SurfaceKey,
    surface: LossSurface,
    /// Bumped on every rebuild: the curve and contour caches key on it.
    id: u64,
}

/// The landscape's caches (the evaluator, the sampled curve, the contour texture), kept between frames.
#[derive(Default)]
pub struct Landscape {
    eval: Option<Evaluator>,
    next_id: u64,
    curve: Option<(CurveKey, Vec<[f64; 2]>)>,
    slice: Option<(CurveKey, Vec<[f64; 2]>)>,
    contour: Option<ContourCache>,
    /// The view frozen while the pointer drags a new start point (so the view does not move under it).
    frozen: Option<View>,
}

/// The contour map of one view: its key, the shaded texture and the contour polylines.
type ContourCache = (CurveKey, TextureHandle, Vec<Vec<[f64; 2]>>);

#[derive(Clone, Copy, PartialEq)]
struct CurveKey {
    eval: u64,
    bounds: [u64; 4],
    extra: u64,
}

impl CurveKey {
    fn new(eval: u64, lo: [f64; 2], hi: [f64; 2], extra: f64) -> Self {
        CurveKey {
            eval,
            bounds: [lo[0].to_bits(), lo[1].to_bits(), hi[0].to_bits(), hi[1].to_bits()],
            extra: extra.to_bits(),
        }
    }
}

/// What the landscape shows of the current point.
#[derive(Clone, Copy, Debug)]
pub struct PointView {
    /// Where the point is drawn (animated between steps).
    pub displayed: Params<f64>,
    /// While animating: the step and parameters the point comes from.
    pub from: Option<(u64, Params<f64>)>,
}

/// Display toggles.
#[derive(Clone, Copy, Debug)]
pub struct Toggles {
    /// Draw the tangent.
    pub tangent: bool,
    /// Draw the next-step arrow.
    pub next: bool,
}

/// The visible window: w range, b range (bias) and the loss range of the 1-D view.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    w: [f64; 2],
    b: [f64; 2],
}

impl Landscape {
    fn evaluator(&mut self, data: &Arc<Dataset>, settings: &Settings) -> Option<&Evaluator> {
        let key = SurfaceKey::of(settings);
        let fresh = self.eval.as_ref().is_some_and(|e| Arc::ptr_eq(&e.data, data) && e.key == key);
        if !fresh {
            self.eval = None;
            let surface = LossSurface::in_run_precision(data, settings).ok()?;
            self.next_id += 1;
            self.eval = Some(Evaluator { data: Arc::clone(data), key, surface, id: self.next_id });
        }
        self.eval.as_ref()
    }

    /// The landscape for `run`: the parabola (or the contour map and slice with a bias).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &ViewCtx<'_>,
        run: &RunSnapshot,
        point: PointView,
        toggles: Toggles,
        actions: &mut Vec<Action>,
    ) {
        let settings = &run.spec.settings;
        if !ui.input(|i| i.pointer.any_down()) {
            self.frozen = None;
        }
        if self.evaluator(&ctx.snap.data, settings).is_none() {
            ui.centered_and_justified(|ui| ui.label("The loss cannot be drawn for these settings."));
            return;
        }
        if settings.bias {
            let h = ui.available_height();
            let contour_h = (h * 0.64).max(120.0);
            ui.allocate_ui(egui::vec2(ui.available_width(), contour_h), |ui| {
                self.contour_ui(ui, ctx, run, point, toggles, actions);
            });
            ui.add_space(4.0);
            ui.label(
                RichText::new(format!("slice: L(w) at b = {}", format::sig(point.displayed.b, 4)))
                    .small()
                    .color(ctx.palette.weak_text),
            );
            self.curve_ui(ui, ctx, run, point, toggles, actions, true);
        } else {
            self.curve_ui(ui, ctx, run, point, toggles, actions, false);
        }
    }

    /// The w range to show: centred on w*, covering the start, the path, the point shown and the next point (see
    /// [`path_range`]).
    fn w_range(run: &RunSnapshot, displayed: Params<f64>) -> [f64; 2] {
        let start = run.history.first().map_or(run.spec.settings.w0, |r| r.params.w);
        let ext = run.history.extent().w;
        let extent = (!ext.is_empty()).then_some((ext.min, ext.max));
        let also: Vec<f64> = [displayed.w].into_iter().chain(run.next.map(|n| n.w)).collect();
        path_range(run.analysis.optimum.w, start, extent, &also)
    }

    /// The b range to show: centred on b*, covering the start, the path and the point shown.
    fn b_range(run: &RunSnapshot, displayed: Params<f64>) -> [f64; 2] {
        let start = run.history.first().map_or(run.spec.settings.b0, |r| r.params.b);
        let ext = run.history.extent().b;
        let extent = (!ext.is_empty()).then_some((ext.min, ext.max));
        path_range(run.analysis.optimum.b, start, extent, &[displayed.b])
    }

    #[allow(clippy::too_many_arguments)]
    fn curve_ui(
        &mut self,
        ui: &mut Ui,
        ctx: &ViewCtx<'_>,
        run: &RunSnapshot,
        point: PointView,
        toggles: Toggles,
        actions: &mut Vec<Action>,
        slice: bool,
    ) {
        let Some(Evaluator { id: eval_id, surface: eval, .. }) = self.eval.as_ref() else {
            return;
        };
        let palette = ctx.palette;
        let color = ctx.run_color(run);
        let bias = run.spec.settings.bias;
        let b_at = if bias { point.displayed.b } else { 0.0 };
        let view_w = match self.frozen {
            Some(v) => v.w,
            None => Self::w_range(run, point.displayed),
        };
        let [lo, hi] = view_w;

        // The curve, cached per evaluator, range and (for the slice) b.
        let key = CurveKey::new(*eval_id, [lo, 0.0], [hi, 0.0], b_at);
        let cache = if slice { &mut self.slice } else { &mut self.curve };
        if cache.as_ref().is_none_or(|(k, _)| *k != key) {
            *cache = Some((key, eval.curve([lo, hi], b_at, CURVE_POINTS)));
        }
        let curve: &[[f64; 2]] = cache.as_ref().map_or(&[], |(_, pts)| pts.as_slice());
        let [y0, y1] = curve_loss_range(curve.iter().map(|p| p[1]));

        let h = (hi - lo) * 1e-4;
        let here = point.displayed;
        let here_y = eval.loss(here.w, b_at);
        let slope = eval.slope_w(here.w, b_at, h);
        let finished = run.status.is_finished();
        let animating = point.from.is_some();
        let path: Vec<Row> = if slice { Vec::new() } else { run.history.sample(PATH_POINTS) };
        let path: Vec<Row> = match point.from {
            Some((from_step, _)) => path.into_iter().filter(|r| r.step <= from_step).collect(),
            None => path.into_iter().filter(|r| r.step <= run.record.step).collect(),
        };
        let n_samples = eval.subsample().unwrap_or(ctx.snap.data.len()) as f64;
        let notebook_sum = run.spec.settings.gradient == GradientSource::NotebookSum;
        let next = if toggles.next && !animating && !finished { run.next } else { None };
        let id = if slice { "slice-plot" } else { "landscape-plot" };

        let hover_eval = |w: f64| (eval.loss(w, b_at), eval.slope_w(w, b_at, h));
        let path_for_hover = &path;
        let dot_offset = path.len().saturating_sub(DOT_STEPS);
        let plot = fixed_plot(id, if slice { "L(w, b)" } else { "L(w)" }).label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint { plot_name: "path", index, .. } => {
                path_for_hover.get(*index + dot_offset).map(|r| super::row_readout(r, bias))
            }
            egui_plot::HoverPosition::NearDataPoint { position, .. }
            | egui_plot::HoverPosition::Elsewhere { position } => {
                let (l, g) = hover_eval(position.x);
                Some(format!(
                    "w = {}\nL = {}\ndL/dw = {}\nclick or drag: start here",
                    format::sig(position.x, 5),
                    format::sci(l, 4),
                    format::sci(g, 3)
                ))
            }
        });
        let response = plot.show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(PlotBounds::from_min_max([lo, y0], [hi, y1]));
            plot_ui.line(Line::new("L(w)", PlotPointsOwned::from(curve)).color(palette.curve).width(2.5));

            // The optimum.
            let opt = run.analysis.optimum;
            if !slice || !bias {
                let opt_y = eval.loss(opt.w, b_at);
                plot_ui.vline(
                    VLine::new("w*", opt.w)
                        .color(faded(palette.optimum, 0.45))
                        .style(LineStyle::dashed_loose())
                        .width(1.0),
                );
                plot_ui.points(
                    Points::new("optimum", [opt.w, opt_y])
                        .shape(MarkerShape::Diamond)
                        .radius(6.0)
                        .color(palette.optimum),
                );
                plot_ui.text(
                    Text::new(
                        "w* label",
                        PlotPoint::new(opt.w, y1),
                        RichText::new(format!(" w* = {}", format::short(format::clean(opt.w, opt.w.abs()))))
                            .color(palette.optimum),
                    )
                    .anchor(Align2::LEFT_TOP),
                );
            }

            // The start point.
            if let Some(first) = run.history.first()
                && !slice
                && first.loss.is_finite()
            {
                plot_ui.points(
                    Points::new("start", [first.params.w, first.loss.clamp(y0, y1)])
                        .shape(MarkerShape::Square)
                        .radius(4.0)
                        .filled(false)
                        .color(faded(palette.curve, 0.8)),
                );
            }

            // The trail and the latest steps as arrows.
            if !path.is_empty() {
                let pts: Vec<[f64; 2]> = path.iter().map(|r| [r.params.w, plottable(r.loss).unwrap_or(y1)]).collect();
                plot_ui.line(Line::new("trail", pts.clone()).color(faded(color, 0.35)).width(1.0).allow_band(false));
                plot_ui.points(Points::new("path", latest(&pts, DOT_STEPS)).color(faded(color, 0.8)).radius(2.5));
                let (origins, tips) = step_arrows(&pts, plot_ui.transform());
                if !origins.is_empty() {
                    plot_ui.arrows(Arrows::new("steps", origins, tips).color(faded(color, 0.7)).tip_length(9.0));
                }
            }
            // Comparison runs on the same curve, each in its colour.
            if !slice {
                super::overlays::other_runs_on_curve(plot_ui, ctx, run, &|w| eval.loss(w, b_at), [lo, hi], [y0, y1]);
            }
            if let Some((_, from)) = point.from
                && !slice
            {
                let from_y = eval.loss(from.w, b_at);
                plot_ui.arrows(
                    Arrows::new("moving", vec![[from.w, from_y]], vec![[here.w, here_y]])
                        .color(faded(color, 0.7))
                        .tip_length(9.0),
                );
            }

            // The tangent (true slope), and the slope the notebook's summed gradient steps along.
            let reach = 0.14 * (hi - lo);
            if toggles.tangent && slope.is_finite() && here_y.is_finite() {
                let seg = |s: f64| vec![[here.w - reach, here_y - s * reach], [here.w + reach, here_y + s * reach]];
                plot_ui.line(
                    Line::new(format!("tangent, slope {}", format::short(slope)), seg(slope))
                        .color(palette.tangent)
                        .width(1.8),
                );
                if notebook_sum && !slice {
                    plot_ui.line(
                        Line::new(
                            format!("notebook-sum slope ({}× steeper)", format::short(n_samples)),
                            seg(slope * n_samples),
                        )
                        .color(palette.warning)
                        .style(LineStyle::dashed_dense())
                        .width(1.5),
                    );
                }
            }

            // Where the next step lands.
            if let Some(n) = next
                && !slice
            {
                let ny = eval.loss(n.w, b_at);
                if ny.is_finite() {
                    plot_ui.arrows(
                        Arrows::new("next step", vec![[here.w, here_y]], vec![[n.w, ny]])
                            .color(faded(color, 0.55))
                            .tip_length(11.0),
                    );
                    plot_ui.points(Points::new("next", [n.w, ny]).radius(6.0).filled(false).color(faded(color, 0.8)));
                }
            }

            // The current point, with a halo, and the outcome.
            if here.w >= lo && here.w <= hi && here_y.is_finite() {
                plot_ui.points(Points::new("current halo", [here.w, here_y]).radius(14.0).color(faded(color, 0.22)));
                plot_ui.points(Points::new("current", [here.w, here_y]).radius(8.0).color(color));
                if !slice && !finished {
                    // A readout beside the point, below the curve on the outer side, away from the tangent.
                    // Near the plot's edge the outer side has no room for the text: it goes inside instead.
                    let room = 0.15 * (hi - lo);
                    let outer_left = here.w <= run.analysis.optimum.w;
                    let left = if outer_left { here.w - lo > room } else { hi - here.w <= room };
                    let (dx, anchor) = if left { (-0.025, Align2::RIGHT_TOP) } else { (0.025, Align2::LEFT_TOP) };
                    plot_ui.text(
                        Text::new(
                            "point label",
                            PlotPoint::new(here.w + dx * (hi - lo), here_y - 0.03 * (y1 - y0)),
                            RichText::new(format!("w = {}", format::sig(here.w, 4))).size(14.0).strong().color(color),
                        )
                        .anchor(anchor),
                    );
                }
                outcome_ring(plot_ui, run.status, animating, [here.w, here_y], here_y + 0.14 * (y1 - y0), palette);
            } else if here.w.is_finite() {
                // Off the chart: say where it went.
                let (x, anchor, arrow) =
                    if here.w > hi { (hi, Align2::RIGHT_TOP, "→") } else { (lo, Align2::LEFT_TOP, "←") };
                let text = if arrow == "→" {
                    format!("w = {} {arrow}", format::sig(here.w, 4))
                } else {
                    format!("{arrow} w = {}", format::sig(here.w, 4))
                };
                plot_ui.text(
                    Text::new("off chart", PlotPoint::new(x, y1), RichText::new(text).strong().color(palette.diverged))
                        .anchor(anchor),
                );
            }
        });

        // A click or drag picks the start point (frozen view while dragging).
        let r = &response.response;
        if r.dragged() || r.clicked() {
            if let Some(pos) = r.interact_pointer_pos() {
                let v = response.transform.value_from_position(pos);
                let w = nice_round(v.x, hi - lo);
                let b = run.spec.settings.b0;
                if w.is_finite() {
                    actions.push(Action::SetStart { w, b });
                }
            }
            if r.dragged() && self.frozen.is_none() {
                self.frozen = Some(View { w: view_w, b: Self::b_range(run, point.displayed) });
            }
        }
        if r.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }
    }

    fn contour_ui(
        &mut self,
        ui: &mut Ui,
        ctx: &ViewCtx<'_>,
        run: &RunSnapshot,
        point: PointView,
        toggles: Toggles,
        actions: &mut Vec<Action>,
    ) {
        let Some(Evaluator { id: eval_id, surface: eval, .. }) = self.eval.as_ref() else {
            return;
        };
        let palette = ctx.palette;
        let color = ctx.run_color(run);
        let view = match self.frozen {
            Some(v) => v,
            None => View { w: Self::w_range(run, point.displayed), b: Self::b_range(run, point.displayed) },
        };
        let ([w0, w1], [b0, b1]) = (view.w, view.b);
        let opt = run.analysis.optimum;
        let min_loss = eval.loss(opt.w, opt.b);

        let key = CurveKey::new(*eval_id, [w0, b0], [w1, b1], if palette.dark { 1.0 } else { 0.0 });
        if self.contour.as_ref().is_none_or(|(k, _, _)| *k != key) {
            let (image, lines) = contour_map(eval, view, min_loss, palette.dark);
            let texture = ui.ctx().load_texture("loss-contours", image, TextureOptions::LINEAR);
            self.contour = Some((key, texture, lines));
        }
        let texture_id = self.contour.as_ref().map(|(_, t, _)| t.id());
        let contour_lines: Vec<Vec<[f64; 2]>> = self.contour.as_ref().map(|(_, _, l)| l.clone()).unwrap_or_default();
        let line_color = if palette.dark {
            Color32::from_rgba_unmultiplied(200, 220, 255, 60)
        } else {
            Color32::from_rgba_unmultiplied(40, 60, 100, 70)
        };

        let here = point.displayed;
        let finished = run.status.is_finished();
        let animating = point.from.is_some();
        let path: Vec<Row> = run.history.sample(PATH_POINTS);
        let path: Vec<Row> = match point.from {
            Some((from_step, _)) => path.into_iter().filter(|r| r.step <= from_step).collect(),
            None => path.into_iter().filter(|r| r.step <= run.record.step).collect(),
        };
        let next = if toggles.next && !animating && !finished { run.next } else { None };
        let path_for_hover = &path;
        let dot_offset = path.len().saturating_sub(DOT_STEPS);
        let hover_eval = |w: f64, b: f64| eval.loss(w, b);
        let plot = fixed_plot("contour-plot", "b").label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint { plot_name: "path", index, .. } => {
                path_for_hover.get(*index + dot_offset).map(|r| super::row_readout(r, true))
            }
            egui_plot::HoverPosition::NearDataPoint { position, .. }
            | egui_plot::HoverPosition::Elsewhere { position } => Some(format!(
                "w = {}\nb = {}\nL = {}\nclick or drag: start here",
                format::sig(position.x, 5),
                format::sig(position.y, 5),
                format::sci(hover_eval(position.x, position.y), 4)
            )),
        });
        let response = plot.show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(PlotBounds::from_min_max([w0, b0], [w1, b1]));
            if let Some(tex) = texture_id {
                plot_ui.image(PlotImage::new(
                    "loss surface",
                    tex,
                    PlotPoint::new(0.5 * (w0 + w1), 0.5 * (b0 + b1)),
                    egui::vec2((w1 - w0) as f32, (b1 - b0) as f32),
                ));
            }
            for (k, polyline) in contour_lines.into_iter().enumerate() {
                plot_ui.line(
                    Line::new("contours", polyline)
                        .id(("contour", k))
                        .color(line_color)
                        .width(1.0)
                        .allow_hover(false)
                        .allow_band(false),
                );
            }
            plot_ui.points(
                Points::new("optimum", [opt.w, opt.b]).shape(MarkerShape::Diamond).radius(7.0).color(palette.optimum),
            );
            plot_ui.text(
                Text::new(
                    "optimum label",
                    PlotPoint::new(opt.w, opt.b),
                    RichText::new(format!(
                        "  (w*, b*) = ({}, {})",
                        format::short(format::clean(opt.w, opt.w.abs().max(opt.b.abs()))),
                        format::short(format::clean(opt.b, opt.w.abs().max(opt.b.abs())))
                    ))
                    .color(palette.optimum),
                )
                .anchor(Align2::LEFT_TOP),
            );
            if let Some(first) = run.history.first() {
                plot_ui.points(
                    Points::new("start", [first.params.w, first.params.b])
                        .shape(MarkerShape::Square)
                        .radius(4.0)
                        .filled(false)
                        .color(palette.curve),
                );
            }
            if !path.is_empty() {
                let pts: Vec<[f64; 2]> = path.iter().map(|r| [r.params.w, r.params.b]).collect();
                plot_ui.line(Line::new("trail", pts.clone()).color(faded(color, 0.45)).width(1.2).allow_band(false));
                plot_ui.points(Points::new("path", latest(&pts, DOT_STEPS)).color(faded(color, 0.85)).radius(2.5));
                let (origins, tips) = step_arrows(&pts, plot_ui.transform());
                if !origins.is_empty() {
                    plot_ui.arrows(Arrows::new("steps", origins, tips).color(faded(color, 0.75)).tip_length(9.0));
                }
            }
            super::overlays::other_runs_on_plane(plot_ui, ctx, run);
            if let Some((_, from)) = point.from {
                plot_ui.arrows(
                    Arrows::new("moving", vec![[from.w, from.b]], vec![[here.w, here.b]])
                        .color(faded(color, 0.75))
                        .tip_length(9.0),
                );
            }
            if let Some(n) = next {
                plot_ui.arrows(
                    Arrows::new("next step", vec![[here.w, here.b]], vec![[n.w, n.b]])
                        .color(faded(color, 0.55))
                        .tip_length(11.0),
                );
                plot_ui.points(Points::new("next", [n.w, n.b]).radius(6.0).filled(false).color(faded(color, 0.8)));
            }
            let inside = here.w >= w0 && here.w <= w1 && here.b >= b0 && here.b <= b1;
            if inside {
                plot_ui.points(Points::new("current halo", [here.w, here.b]).radius(13.0).color(faded(color, 0.25)));
                plot_ui.points(Points::new("current", [here.w, here.b]).radius(7.5).color(color));
                outcome_ring(plot_ui, run.status, animating, [here.w, here.b], here.b + 0.06 * (b1 - b0), palette);
            } else if here.w.is_finite() && here.b.is_finite() {
                plot_ui.text(
                    Text::new(
                        "off chart",
                        PlotPoint::new(0.5 * (w0 + w1), b1),
                        RichText::new(format!(
                            "off the map: w = {}, b = {}",
                            format::sig(here.w, 3),
                            format::sig(here.b, 3)
                        ))
                        .strong()
                        .color(palette.diverged),
                    )
                    .anchor(Align2::CENTER_TOP),
                );
            }
        });
        let r = &response.response;
        if r.dragged() || r.clicked() {
            if let Some(pos) = r.interact_pointer_pos() {
                let v = response.transform.value_from_position(pos);
                let (w, b) = (nice_round(v.x, w1 - w0), nice_round(v.y, b1 - b0));
                if w.is_finite() && b.is_finite() {
                    actions.push(Action::SetStart { w, b });
                }
            }
            if r.dragged() {
                self.frozen = Some(view);
            }
        }
        if r.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }
    }
}

/// The last `n` points.
fn latest(pts: &[[f64; 2]], n: usize) -> Vec<[f64; 2]> {
    pts[pts.len().saturating_sub(n)..].to_vec()
}

/// The latest [`ARROW_STEPS`] steps of a path as arrows, leaving out those shorter than about 12 points on screen
/// (their arrowheads would only clutter the trail).
fn step_arrows(pts: &[[f64; 2]], transform: &egui_plot::PlotTransform) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let from = pts.len().saturating_sub(ARROW_STEPS + 1);
    let mut origins = Vec::new();
    let mut tips = Vec::new();
    for pair in pts[from..].windows(2) {
        let a = transform.position_from_point(&PlotPoint::new(pair[0][0], pair[0][1]));
        let b = transform.position_from_point(&PlotPoint::new(pair[1][0], pair[1][1]));
        if a.distance(b) >= 12.0 || !a.distance(b).is_finite() {
            origins.push(pair[0]);
            tips.push(pair[1]);
        }
    }
    (origins, tips)
}

/// Owned plot points from a borrowed slice (the cached curve), without the `'a` tie of `PlotPoints::Borrowed`.
struct PlotPointsOwned;

impl PlotPointsOwned {
    fn from(points: &[[f64; 2]]) -> egui_plot::PlotPoints<'static> {
        egui_plot::PlotPoints::new(points.to_vec())
    }
}

/// A plot over w whose view the app controls (no pan, zoom or reset by the user: a click or drag picks the start).
fn fixed_plot<'a>(id: &str, y_label: &str) -> Plot<'a> {
    Plot::new(id)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_axis_label("w")
        .y_axis_label(y_label.to_owned())
        .y_axis_min_width(44.0)
        .x_axis_formatter(|mark, _| super::value_label(mark.value))
        .y_axis_formatter(|mark, _| super::value_label(mark.value))
}

/// The ring round the current point when the run has ended: green with "minimum reached · step k" above it (at
/// height `label_y`) once converged and no longer gliding, red once diverged.
fn outcome_ring(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    status: Status,
    animating: bool,
    at: [f64; 2],
    label_y: f64,
    palette: Palette,
) {
    let color = match status {
        Status::Converged { .. } if !animating => palette.converged,
        Status::Diverged { .. } => palette.diverged,
        _ => return,
    };
    plot_ui.points(Points::new("outcome ring", at).radius(15.0).filled(false).color(color));
    if let Status::Converged { step, .. } = status {
        plot_ui.text(
            Text::new(
                "minimum label",
                PlotPoint::new(at[0], label_y),
                RichText::new(format!("minimum reached · step {step}")).size(16.0).strong().color(color),
            )
            .anchor(Align2::CENTER_BOTTOM),
        );
    }
}

/// The loss over (w, b) as a shaded map (darker where the loss is high) and contour lines (polylines of `[w, b]`) at
/// log-spaced levels above the minimum, so the valley floor stays readable.
fn contour_map(eval: &LossSurface, view: View, min_loss: f64, dark: bool) -> (egui::ColorImage, Vec<Vec<[f64; 2]>>) {
    let window = Window { w: view.w, b: view.b };
    let t = log_levels(&eval.grid(window, GRID), min_loss);
    let pixels = t
        .iter()
        .map(|&v| {
            let [r, g, b] = contour_shade(v, dark);
            Color32::from_rgb(r, g, b)
        })
        .collect();
    let image = egui::ColorImage::new(GRID, pixels);
    // Contour lines at evenly spaced levels of t (evenly spaced decades of the excess).
    (image, contour_lines(&t, GRID, 16, window))
}

#[cfg(test)]
mod contour_tests {
    use super::*;

    #[test]
    fn contours_cross_the_bowl() {
        let data = Arc::new(Dataset::notebook());
        let s = Settings { bias: true, ..Settings::default() };
        let mut l = Landscape::default();
        let eval = l.evaluator(&data, &s).expect("evaluator");
        let (image, lines) = contour_map(&eval.surface, View { w: [-1.0, 7.0], b: [-1.5, 1.5] }, 0.0, true);
        assert_eq!(image.size, GRID);
        assert!(lines.len() >= 10 && lines.len() < 200, "{} polylines", lines.len());
        let points: usize = lines.iter().map(Vec::len).sum();
        assert!(points > 300, "{points} points");
        assert!(lines.iter().flatten().all(|p| (-1.0..=7.0).contains(&p[0]) && (-1.5..=1.5).contains(&p[1])));
    }
}
