//! The loss landscape, the app's main view: L(w) with the current point sliding down it, the tangent there, the
//! trail of earlier points joined by step arrows and an arrow to where the next step lands. With a bias it is the
//! loss over (w, b) as a shaded contour map with the path, plus L(w) at the current b as a slice (when the card has
//! room for both).
//!
//! A click or a drag on the landscape picks a new start point and resets the run.
//!
//! Here: the [`Landscape`] and its caches, the view, and the choice of plots. The plots are in `curve.rs` (L(w))
//! and `contour.rs` (the (w, b) map); the marks they share (trail, steps, point, next step, outcome, picking the
//! start) are in `marks.rs`. What is computed without drawing (the loss surface, ranges, contours) is in
//! [`crate::geometry`].

mod compare;
mod contour;
mod curve;
mod marks;
mod surface3d;

use std::sync::Arc;

use egui::{RichText, TextureHandle, Ui};
use egui_plot::Plot;

use super::ViewCtx;
use crate::app::explain::Explain;
use crate::app::state::Action;
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::format;
use crate::geometry::{LossSurface, SurfaceKey, Window, path_range};
use crate::worker::{RunId, RunSnapshot};

/// The least height of the contour map or 3-D surface of a two-parameter landscape, in points.
const MAP_MIN_H: f32 = 120.0;
/// The least card height at which the 3-D surface shares the card with the slice, in points.
const SURFACE_WITH_SLICE_H: f32 = 560.0;
/// The least height the slice L(w) at the current b takes under the map (its caption, spacing and a plot with its
/// axis), in points; a shorter card shows the map alone.
const SLICE_MIN_H: f32 = 110.0;

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
    /// The view frozen while the pointer drags a new start point, and after, until the run leaves its start (so the
    /// view does not re-zoom under the pointer): the window, for which run and which evaluator.
    frozen: Option<(Window, RunId, u64)>,
    /// With two parameters: the 3-D surface instead of the contour map.
    pub three_d: bool,
    /// The gradient field (−∇L arrows) on the contour map.
    field: bool,
    /// The 3-D view's camera (turned by dragging, zoomed by scrolling).
    camera: crate::geometry::projection::Camera,
    /// The 3-D view's mesh.
    mesh: Option<surface3d::MeshCache>,
    /// With a standardized run: the original problem's contour map beside the scaled one.
    pub compare: bool,
    /// The original problem's surface and contours, for [`Landscape::compare`].
    original: Option<compare::Original>,
}

/// The contour map of one view: its key, the shaded texture and the contour polylines.
/// A contour map drawn for a key: its shading, its lines and the decades of L − L* its shading spans.
type ContourCache = (CurveKey, TextureHandle, Vec<Vec<[f64; 2]>>, [f64; 2]);

/// What a cached curve or contour map was drawn for: the evaluator, the view and one more number (the slice's b,
/// the theme).
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

/// What a landscape plot is asked to show: the frame's view context, the run, its point and the toggles.
#[derive(Clone, Copy)]
struct Shown<'a> {
    ctx: &'a ViewCtx<'a>,
    run: &'a RunSnapshot,
    point: PointView,
    toggles: Toggles,
}

impl Landscape {
    /// A landscape that shows two parameters as the 3-D surface (`true`) or the contour map.
    pub fn with_surface(three_d: bool) -> Self {
        Landscape { three_d, ..Landscape::default() }
    }

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
        let eval_id = self.evaluator(&ctx.snap.data, settings).map(|e| e.id);
        let pointer_up = !ui.input(|i| i.pointer.any_down());
        let same = |&(_, id, e): &(Window, RunId, u64)| id == run.id && Some(e) == eval_id;
        if pointer_up && self.frozen.is_some_and(|f| run.record.step > 0 || !same(&f)) {
            self.frozen = None;
        }
        if eval_id.is_none() {
            ui.centered_and_justified(|ui| ui.label("The loss cannot be drawn for these settings."));
            return;
        }
        let shown = Shown { ctx, run, point, toggles };
        // Drawn alone for a PNG, the view keeps its picture and leaves out its selector and toggles.
        if settings.bias && !ctx.solo {
            ui.horizontal(|ui| {
                let tip = "The loss over (w, b) as a contour map (click to pick a start) or as a 3-D surface (drag to turn it, scroll to zoom).";
                if ui.selectable_label(!self.three_d, "Contours").on_hover_text(tip).clicked() {
                    self.three_d = false;
                }
                if ui.selectable_label(self.three_d, "3-D surface").on_hover_text(tip).clicked() {
                    self.three_d = true;
                }
                if !self.three_d {
                    let tip = "Arrows of −∇L on a grid: the way downhill everywhere, one length on screen, fainter where the slope is gentle.";
                    ui.checkbox(&mut self.field, "gradient field").on_hover_text(tip);
                    if settings.standardize {
                        ui.checkbox(&mut self.compare, "original vs scaled").explain(ctx.explain, Topic::Standardize);
                    }
                }
            });
        }
        if settings.bias {
            let h = ui.available_height();
            // The slice under the map only where both get room: a short card (a laptop, the plain layout with a
            // bias) gives the map the whole height rather than clip the slice below the card's edge.
            // The 3-D surface is as large as the card is high (it turns within a square): it keeps the card's
            // whole height unless the card is tall enough for both.
            let with_slice = h >= MAP_MIN_H + SLICE_MIN_H && (!self.three_d || h >= SURFACE_WITH_SLICE_H);
            let contour_h = if with_slice { (h * 0.64).clamp(MAP_MIN_H, h - SLICE_MIN_H) } else { h };
            ui.allocate_ui(egui::vec2(ui.available_width(), contour_h), |ui| {
                if self.three_d {
                    self.surface_ui(ui, shown);
                } else if settings.standardize && self.compare {
                    self.side_by_side_ui(ui, shown, actions);
                } else {
                    self.contour_ui(ui, shown, actions);
                }
            });
            if with_slice {
                ui.add_space(4.0);
                ui.label(
                    RichText::new(format!("slice: L(w) at b = {}", format::sig(point.displayed.b, 4)))
                        .small()
                        .color(ctx.palette.weak_text),
                );
                self.curve_ui(ui, shown, actions, true);
            }
        } else {
            self.curve_ui(ui, shown, actions, false);
        }
    }

    /// The scaled problem's contour map (left) and the original's (right), each half the width.
    fn side_by_side_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, actions: &mut Vec<Action>) {
        let size = egui::vec2((ui.available_width() - 8.0) / 2.0, ui.available_height());
        ui.horizontal(|ui| {
            ui.allocate_ui(size, |ui| {
                ui.label(
                    RichText::new("scaled x′: what the optimizer sees").small().color(shown.ctx.palette.weak_text),
                );
                self.contour_ui(ui, shown, actions);
            });
            ui.allocate_ui(size, |ui| self.original_ui(ui, shown));
        });
    }

    /// The window to show: the one frozen while dragging a new start, else the w and b ranges that follow the run.
    fn view(&self, run: &RunSnapshot, displayed: Params<f64>) -> Window {
        self.frozen.map(|(w, ..)| w).unwrap_or_else(|| {
            let w = w_range(run, displayed);
            Window { w, b: valley_wide(b_range(run, displayed), w, &run.analysis.hessian) }
        })
    }

    /// Keeps the view still while the pointer drags a new start point.
    fn freeze(&mut self, dragging: bool, view: Window, run: RunId) {
        if dragging
            && self.frozen.is_none()
            && let Some(e) = &self.eval
        {
            self.frozen = Some((view, run, e.id));
        }
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

/// The b range widened, when it is narrower, to the span that costs as much loss as the w range does
/// (half-width ½·w-span·√(H_ww/H_bb)), so that the contours show the valley's shape rather than near-vertical stripes
/// (at the start, the path alone spans a few tenths of b).
fn valley_wide([b0, b1]: [f64; 2], [w0, w1]: [f64; 2], hessian: &[Vec<f64>]) -> [f64; 2] {
    let (Some(hww), Some(hbb)) = (hessian.first().and_then(|r| r.first()), hessian.get(1).and_then(|r| r.get(1)))
    else {
        return [b0, b1];
    };
    let half = 0.5 * (w1 - w0) * (hww / hbb).sqrt();
    let centre = 0.5 * (b0 + b1);
    if !(half.is_finite() && half > 0.5 * (b1 - b0)) {
        return [b0, b1];
    }
    [centre - half, centre + half]
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
        .x_grid_spacer(super::value_spacer_x)
        .y_grid_spacer(super::value_spacer_y)
        .x_axis_formatter(|mark, _| format::value_label(mark.value))
        .y_axis_formatter(|mark, _| format::value_label(mark.value))
}
