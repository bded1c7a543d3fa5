//! The marks both landscape plots draw of the run they are about, written once: the start, the trail with the
//! latest steps as arrows, the glide from the last point, the next step, the current point and the outcome ring;
//! the hover text over the trail; and the click or drag that picks a new start.
//!
//! Each plot hands them points in its own coordinates ((w, L) on the curve, (w, b) on the contour map) and an
//! [`Ink`]: the contour map draws a little heavier, to stand out on the shading.

use egui::{Align2, Color32, RichText, Ui};
use egui_plot::{Arrows, HoverPosition, MarkerShape, PlotPoint, PlotResponse, PlotUi, Points, Text};

use super::super::overlays::{path_dots, path_line};
use super::super::row_readout;
use super::{PointView, Toggles};
use crate::app::state::Action;
use crate::app::theme::{Palette, faded};
use crate::engine::model::Params;
use crate::engine::trainer::Status;
use crate::geometry::{Window, nice_round};
use crate::history::Row;
use crate::worker::RunSnapshot;

/// Most path points drawn on the landscape (as a line).
const PATH_POINTS: usize = 1_500;
/// Latest steps drawn as dots.
const DOT_STEPS: usize = 150;
/// Steps drawn as arrows (the latest ones).
const ARROW_STEPS: usize = 40;

/// How strongly a plot draws the run's own marks: opacities of the run's colour and sizes in points.
pub(super) struct Ink {
    /// The trail line's opacity and width.
    trail: (f32, f32),
    /// The latest steps' dots.
    dots: f32,
    /// The step arrows and the glide arrow.
    arrows: f32,
    /// The current point's halo: opacity and radius.
    halo: (f32, f32),
    /// The current point's radius.
    point: f32,
}

/// The marks on the curve L(w).
pub(super) const CURVE_INK: Ink = Ink { trail: (0.35, 1.0), dots: 0.8, arrows: 0.7, halo: (0.22, 14.0), point: 8.0 };
/// The marks on the (w, b) contour map.
pub(super) const PLANE_INK: Ink = Ink { trail: (0.45, 1.2), dots: 0.85, arrows: 0.75, halo: (0.25, 13.0), point: 7.5 };

/// The recorded rows drawn as the trail: up to the step the point glides from while it glides, else up to the
/// current step (at most about [`PATH_POINTS`] of them).
pub(super) fn shown_path(run: &RunSnapshot, point: PointView) -> Vec<Row> {
    let last = point.from.map_or(run.record.step, |(from_step, _)| from_step);
    run.history.sample(PATH_POINTS).into_iter().filter(|r| r.step <= last).collect()
}

/// Where the next step lands, when it is to be drawn: asked for, and the run neither gliding nor finished.
pub(super) fn next_point(run: &RunSnapshot, point: PointView, toggles: Toggles) -> Option<Params<f64>> {
    let animating = point.from.is_some();
    if toggles.next && !animating && !run.status.is_finished() { run.next } else { None }
}

/// The hover text of a landscape plot: a trail dot's row, or elsewhere `readout` of the position under the pointer
/// and how to pick a start there. `path` is the trail as drawn.
pub(super) fn hover_text<'a>(
    path: &'a [Row],
    bias: bool,
    readout: impl Fn(PlotPoint) -> String + 'a,
) -> impl Fn(&HoverPosition<'_>) -> Option<String> + 'a {
    let dot_offset = path.len().saturating_sub(DOT_STEPS);
    move |pos| match pos {
        HoverPosition::NearDataPoint { plot_name: "path", index, .. } => {
            path.get(*index + dot_offset).map(|r| row_readout(r, bias))
        }
        HoverPosition::NearDataPoint { position, .. } | HoverPosition::Elsewhere { position } => {
            Some(format!("{}\nclick or drag: start here", readout(*position)))
        }
    }
}

/// The start point: a hollow square.
pub(super) fn start(plot_ui: &mut PlotUi<'_>, at: [f64; 2], color: Color32) {
    plot_ui.points(Points::new("start", at).shape(MarkerShape::Square).radius(4.0).filled(false).color(color));
}

/// The trail through `pts` (the path's points, oldest first): a thin line, dots on the latest [`DOT_STEPS`] and
/// arrows on the latest steps long enough to carry one.
/// `stroke` scales the line's width (thicker in presentation mode).
pub(super) fn trail(plot_ui: &mut PlotUi<'_>, pts: &[[f64; 2]], color: Color32, ink: &Ink, stroke: f32) {
    if pts.is_empty() {
        return;
    }
    let (alpha, width) = ink.trail;
    plot_ui.line(path_line("trail", pts.to_vec(), faded(color, alpha), width * stroke));
    plot_ui.points(path_dots("path", pts, DOT_STEPS, faded(color, ink.dots), 2.5));
    let (origins, tips) = step_arrows(pts, plot_ui.transform());
    if !origins.is_empty() {
        plot_ui.arrows(Arrows::new("steps", origins, tips).color(faded(color, ink.arrows)).tip_length(9.0));
    }
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

/// While the point glides: the arrow of the step it is taking, from the last recorded point to where it is drawn.
pub(super) fn glide(plot_ui: &mut PlotUi<'_>, from: [f64; 2], to: [f64; 2], color: Color32, ink: &Ink) {
    plot_ui.arrows(Arrows::new("moving", vec![from], vec![to]).color(faded(color, ink.arrows)).tip_length(9.0));
}

/// Where the next step lands: an arrow from the current point and a ring at its end.
pub(super) fn next_step(plot_ui: &mut PlotUi<'_>, from: [f64; 2], to: [f64; 2], color: Color32) {
    plot_ui.arrows(Arrows::new("next step", vec![from], vec![to]).color(faded(color, 0.55)).tip_length(11.0));
    plot_ui.points(Points::new("next", to).radius(6.0).filled(false).color(faded(color, 0.8)));
}

/// The current point, on a halo, in the run's marker `shape`.
pub(super) fn current(plot_ui: &mut PlotUi<'_>, at: [f64; 2], color: Color32, shape: MarkerShape, ink: &Ink) {
    let (alpha, radius) = ink.halo;
    plot_ui.points(Points::new("current halo", at).radius(radius).color(faded(color, alpha)));
    plot_ui.points(Points::new("current", at).radius(ink.point).shape(shape).color(color));
}

/// The ring round the current point when the run has ended: green with "minimum reached · step k" above it (at
/// height `label_y`) once converged and no longer gliding, red once diverged.
pub(super) fn outcome_ring(
    plot_ui: &mut PlotUi<'_>,
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

/// A click or a drag on the plot picks the start point under the pointer, rounded to the `view` (b stays at
/// `fixed_b` on a plot over w alone), and pushes [`Action::SetStart`]; the pointer turns to a crosshair over the
/// plot. Returns true while dragging (the caller freezes its view).
pub(super) fn pick_start<R>(
    ui: &Ui,
    response: &PlotResponse<R>,
    view: Window,
    fixed_b: Option<f64>,
    actions: &mut Vec<Action>,
) -> bool {
    let r = &response.response;
    if (r.dragged() || r.clicked())
        && let Some(pos) = r.interact_pointer_pos()
    {
        let v = response.transform.value_from_position(pos);
        let ([w0, w1], [b0, b1]) = (view.w, view.b);
        let w = nice_round(v.x, w1 - w0);
        let b = fixed_b.unwrap_or_else(|| nice_round(v.y, b1 - b0));
        if w.is_finite() && b.is_finite() {
            actions.push(Action::SetStart { w, b });
        }
    }
    if r.hovered() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
    }
    // A click picks a start as a drag does: either way the view holds still until the run leaves its start.
    r.dragged() || r.clicked()
}
