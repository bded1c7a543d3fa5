//! The plots: loss vs step ([`loss`]), weights vs step ([`weights`]) and the loss landscape ([`landscape`]),
//! plus what they share: plot cards, the linked step axis, hover readouts and value clamping.

pub mod landscape;
pub mod loss;
pub mod overlays;
pub mod residuals;
pub mod theory;
pub mod weights;

use egui::{RichText, Ui};
use egui_plot::{GridInput, GridMark, Plot, PlotPoint};

use super::theme::{Dash, Marker, Palette, RunMark};
use crate::format;
use crate::geometry::nice_125;
use crate::history::Row;
use crate::step_axis::StepAxis;
use crate::worker::Snapshot;

pub use super::view::{PLOT_LIMIT, ViewCtx, decimated, plottable};

/// The id that links the x axes (and cursors) of the plots over steps on `axis`: another axis is another link (and
/// another plot memory, see [`step_plot`]), so that switching never shows one axis's bounds on the other.
pub fn step_link(axis: StepAxis) -> egui::Id {
    egui::Id::unique(("descent-step-axis", axis))
}

/// A framed card with a title line (a title and a weak subtitle) around a plot.
pub fn card_ui<R>(ui: &mut Ui, palette: Palette, title: &str, subtitle: &str, body: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::new()
        .fill(palette.card)
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(8, 6))
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            ui.horizontal(|ui| {
                // The card keeps its width whatever its title line says: the subtitle is cut with "…" (the whole
                // text shows on hover) rather than widening the card over its neighbours.
                ui.add(egui::Label::new(RichText::new(title).strong().size(15.0)).truncate());
                ui.add(egui::Label::new(RichText::new(subtitle).small().color(palette.weak_text)).truncate());
            });
            ui.add_space(6.0);
            body(ui)
        })
        .inner
}

/// The readout of one row for hover labels: step, w (b), loss and gradient.
pub fn row_readout(row: &Row, bias: bool) -> String {
    let mut s = format!("step {}\nw = {}", row.step, format::sig(row.params.w, 6));
    if bias {
        s += &format!("\nb = {}", format::sig(row.params.b, 6));
    }
    s += &format!("\nloss = {}", format::sci(row.loss, 4));
    if bias {
        s += &format!("\n∇ = ({}, {})", format::sci(row.grad.w, 3), format::sci(row.grad.b, 3));
    } else {
        s += &format!("\ndL/dw = {}", format::sci(row.grad.w, 4));
    }
    s
}

/// The hover text of a plot over steps: the row of the nearest step (to `step`, a step, not an x) of each run.
pub fn step_hover(snap: &Snapshot, step: f64) -> Option<String> {
    if !step.is_finite() || step < 0.0 {
        return None;
    }
    let step = step.round() as u64;
    let mut lines = Vec::new();
    for run in &snap.runs {
        if let Some(row) = run.history.nearest(step) {
            let text = row_readout(row, run.spec.settings.bias);
            if snap.runs.len() > 1 {
                lines.push(format!("{}\n{text}", run.spec.name));
            } else {
                lines.push(text);
            }
        }
    }
    (!lines.is_empty()).then(|| lines.join("\n\n"))
}

/// The steps to decimate for a plot over steps on `axis` (a range of steps, whatever x the axis draws them at):
/// the whole history under auto bounds, the visible range otherwise, mapped back from x.
///
/// With "first N steps" (View menu), the axis is pinned to steps 0…N.
pub fn visible_steps(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    history_last: u64,
    axis: StepAxis,
) -> std::ops::RangeInclusive<f64> {
    if let Some(n) = axis.window() {
        let n = n.max(1) as f64;
        plot_ui.set_plot_bounds_x(axis.x(0.0)..=axis.x(n));
        return 0.0..=n;
    }
    let bounds = plot_ui.plot_bounds();
    if plot_ui.auto_bounds().x || !bounds.is_valid_x() {
        0.0..=(history_last.max(1) as f64)
    } else {
        let [x0, _] = bounds.min();
        let [x1, _] = bounds.max();
        axis.step(x0)..=axis.step(x1)
    }
}

/// How far a dashed or dotted path may run, in view widths plus view heights, before it is drawn solid instead.
/// epaint cuts such a path into every one of its dashes, counting in f32: a diverged run's path or a series under a
/// deep zoom can run 10⁸ pixels and more, where the count never ends and the frame eats all memory (found by the
/// long soak test). Below this, a path has at most about 200 screens of dashes.
pub const MAX_DASHED_VIEWS: f64 = 200.0;

/// Whether the path `pts` (non-finite points are gaps) is short enough to dash in a view of `width` × `height`
/// plot units (see [`MAX_DASHED_VIEWS`]).
pub fn dashable(pts: &[[f64; 2]], width: f64, height: f64) -> bool {
    if !(width > 0.0 && height > 0.0 && width.is_finite() && height.is_finite()) {
        return pts.len() < 2;
    }
    let mut views = 0.0;
    for w in pts.windows(2) {
        let (dx, dy) = ((w[1][0] - w[0][0]).abs() / width, (w[1][1] - w[0][1]).abs() / height);
        if dx.is_finite() && dy.is_finite() {
            views += dx + dy;
        } else if w.iter().all(|p| p[0].is_finite() && p[1].is_finite()) {
            return false;
        }
    }
    views <= MAX_DASHED_VIEWS
}

/// The line `make` builds on the path `pts`, as it styles it, or drawn solid when the path is too long to dash in
/// this plot's view ([`dashable`]).
pub fn dash_guard<'a>(
    plot_ui: &egui_plot::PlotUi<'_>,
    pts: Vec<[f64; 2]>,
    make: impl FnOnce(Vec<[f64; 2]>) -> egui_plot::Line<'a>,
) -> egui_plot::Line<'a> {
    let b = plot_ui.plot_bounds();
    let solid = !dashable(&pts, b.width(), b.height());
    let line = make(pts);
    if solid { line.style(egui_plot::LineStyle::Solid) } else { line }
}

/// The last step of any run.
pub fn last_step(snap: &Snapshot) -> u64 {
    snap.runs.iter().filter_map(|r| r.history.last().map(|row| row.step)).max().unwrap_or(0)
}

/// Grid marks on the step axis: whole steps at 1-2-5 multiples, spaced so every major mark gets a label.
pub fn step_spacer(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    // base_step_size is about 8 points of the axis; labels need about 70.
    let major = nice_125((input.base_step_size * 9.0).max(1.0));
    let minor = if major >= 5.0 { major / 5.0 } else { major };
    let minor = minor.max(1.0);
    let first = (lo / minor).floor() as i64;
    let last = (hi / minor).ceil() as i64;
    if last - first > 10_000 {
        return Vec::new();
    }
    (first..=last)
        .map(|i| i as f64 * minor)
        .filter(|v| *v >= lo && *v <= hi)
        .map(|v| {
            let is_major = (v / major - (v / major).round()).abs() < 1e-9;
            GridMark { value: v, step_size: if is_major { major } else { minor } }
        })
        .collect()
}

/// Grid marks on a value axis whose labels need about `label_points` of room: 1-2-5 multiples, the labelled ones
/// far enough apart to be drawn (egui_plot hides a label whose spacing is under ~20 points, and its own spacer can
/// leave a short plot with "0" as its only label), the minor ones between them unlabelled. At most ~60 marks.
fn value_marks(input: GridInput, label_points: f64) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || input.base_step_size.is_nan() || input.base_step_size <= 0.0 {
        return Vec::new();
    }
    // base_step_size is about 8 points of the axis; 1, 2, 2.5 and 5 × 10ᵏ give a short axis two or three labels.
    let want = (input.base_step_size * label_points / 8.0).max((hi - lo) / 12.0);
    let unit = 10f64.powf(want.log10().floor());
    let major = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * unit).find(|&m| m >= want).unwrap_or(10.0 * unit);
    let minor = major / 5.0;
    let first = (lo / minor).ceil();
    let count = ((hi / minor).floor() - first).clamp(-1.0, 80.0) as i64;
    (0..=count)
        .map(|i| {
            let v = (first + i as f64) * minor;
            let is_major = ((v / major) - (v / major).round()).abs() < 1e-6;
            GridMark {
                value: if v.abs() < minor * 1e-9 { 0.0 } else { v },
                step_size: if is_major { major } else { minor },
            }
        })
        .collect()
}

/// [`value_marks`] for a vertical value axis (labels at least 21 points apart: egui_plot draws them from 20).
pub fn value_spacer_y(input: GridInput) -> Vec<GridMark> {
    value_marks(input, 21.0)
}

/// [`value_marks`] for a horizontal value axis (labels about 70 points apart).
pub fn value_spacer_x(input: GridInput) -> Vec<GridMark> {
    value_marks(input, 70.0)
}

/// The y-axis label for a plot `height_pts` tall: `long` when it fits beside the axis, else `short`. egui_plot
/// centres the rotated label on the axis and draws it whole, so a label longer than the plot runs over what lies
/// above and below it (at 1280 × 720 a tab's plot is about 100 points tall). A character of the body font takes
/// about 7.5 points; the x axis takes about 30.
pub fn y_label_fitting(height_pts: f32, long: &'static str, short: &'static str) -> &'static str {
    if long.chars().count() as f32 * 7.5 <= height_pts - 30.0 { long } else { short }
}

/// Grid marks on the log step axis ([`StepAxis::log_marks`]): steps 0, 1, 10, 100, …, labels about 50 points apart.
pub fn log_step_spacer(input: GridInput) -> Vec<GridMark> {
    // base_step_size is about 8 points of the axis, in x.
    let point = input.base_step_size / 8.0;
    let marks = StepAxis::log_marks(input.bounds.0, input.bounds.1, 50.0 * point);
    // egui_plot labels a mark whose step_size spans more than 60 points, and draws its grid line the stronger the
    // larger it is: the labelled marks span 100 points, the others 30 (a faint line, no label).
    let size = |labelled: bool| if labelled { 100.0 * point } else { 30.0 * point };
    marks.into_iter().map(|m| GridMark { value: m.x, step_size: size(m.labelled) }).collect()
}

/// The tick label at `x` on a step axis: the step drawn there (0, 10, 100, 1000, 10k, 1M on the log axis).
pub fn step_tick_label(axis: StepAxis, x: f64) -> String {
    format::step_label(axis.step(x).round())
}

/// A plot over steps with the shared look on `axis` (every step, the first N, or log): linked x axis and cursor,
/// the axis's ticks and title, no boxed zoom; hover reads out the real step.
pub fn step_plot<'a>(id: &str, y_label: &str, snap: &'a Snapshot, axis: StepAxis) -> Plot<'a> {
    let spacer: fn(GridInput) -> Vec<GridMark> = if axis == StepAxis::Log { log_step_spacer } else { step_spacer };
    // One plot memory per axis: a zoom on one axis is not read as x on another.
    Plot::new((id, axis))
        .link_axis(step_link(axis), [true, false])
        .link_cursor(step_link(axis), [true, false])
        .x_grid_spacer(spacer)
        .x_axis_formatter(move |mark, _| step_tick_label(axis, mark.value))
        .x_axis_label(axis.title())
        .y_axis_label(y_label.to_owned())
        .allow_boxed_zoom(false)
        // A double-click shows every step again after a zoom.
        .allow_double_click_reset(true)
        .y_axis_min_width(44.0)
        .set_margin_fraction(egui::vec2(0.02, 0.08))
        // Hovering anywhere reads out every run at the step under the pointer.
        .label_formatter(move |pos| {
            let x = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position.x,
                egui_plot::HoverPosition::Elsewhere { position } => position.x,
            };
            step_hover(snap, axis.step(x))
        })
}

/// Grid marks on an axis that shows log10 of a value: every decade, with the 2…9 sub-decades when zoomed in.
pub fn decade_spacer(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let span = hi - lo;
    // Whole decades, a stride of them chosen so that there are at most about 30 marks whatever the span (a
    // diverging run's axis can span 10³⁰⁰ decades in principle: the loop is over the marks, not the decades).
    let stride = nice_125((span / 30.0).max(1.0)).round();
    let first = (lo / stride).ceil();
    let count = ((hi / stride).floor() - first).clamp(-1.0, 60.0) as i64;
    let mut marks: Vec<GridMark> = (0..=count)
        .map(|i| {
            let k = (first + i as f64) * stride;
            let major = (k / (5.0 * stride)).fract() == 0.0;
            GridMark { value: k, step_size: if major { 5.0 * stride } else { stride } }
        })
        .collect();
    // Zoomed in to a few decades: the 2…9 sub-decades too (labelled only at 2 and 5, see `log_axis_label`).
    if span < 4.0 {
        for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
            for m in 2..10 {
                let v = k as f64 + (m as f64).log10();
                if v > lo && v < hi {
                    marks.push(GridMark { value: v, step_size: 0.1 });
                }
            }
        }
    }
    marks
}

/// A tick label on a log10 axis: every decade (10ᵏ), and 2×10ᵏ and 5×10ᵏ between; the other sub-decade marks are
/// grid lines without a label (labelling 7×, 8×, 9× crowds them onto one another).
pub fn log_axis_label(mark: GridMark) -> String {
    let frac = mark.value - mark.value.floor();
    let m = 10f64.powf(frac).round();
    let decade = frac.abs() < 1e-9 || (1.0 - frac).abs() < 1e-9;
    if decade || m == 2.0 || m == 5.0 { format::decade_label(mark.value) } else { String::new() }
}

/// Steps per pixel column above which a series is a long run's chatter: drawn as a faint min/max envelope with its
/// most recent steps clear on top.
pub const DENSE_STEPS_PER_COLUMN: f64 = 16.0;

/// Share of the visible steps drawn clear at the end of a dense series.
const RECENT_SHARE: f64 = 0.04;

/// The first of `steps` from which a pixel column of `axis` holds [`DENSE_STEPS_PER_COLUMN`] steps or more, `None`
/// when no column does. On a linear axis every column holds as many steps; on the log axis a column holds more the
/// later its steps.
fn dense_from(axis: StepAxis, steps: &std::ops::RangeInclusive<f64>, columns: usize) -> Option<f64> {
    let (lo, hi) = (*steps.start(), *steps.end());
    let dx = (axis.x(hi) - axis.x(lo)) / columns.max(1) as f64;
    let per_column = |s: f64| axis.step(axis.x(s) + dx) - s;
    if !(dx > 0.0 && dx.is_finite()) || per_column(hi) < DENSE_STEPS_PER_COLUMN {
        return None;
    }
    if per_column(lo) >= DENSE_STEPS_PER_COLUMN {
        return Some(lo);
    }
    let (mut a, mut b) = (lo, hi);
    for _ in 0..64 {
        let m = 0.5 * (a + b);
        if per_column(m) >= DENSE_STEPS_PER_COLUMN { b = m } else { a = m }
    }
    Some(b)
}

/// One quantity of a run over `steps` as a line: normally the line itself; for a long run whose history is much
/// denser than the plot's pixels (say 23M steps of MAE chattering around its minimum, whose min/max envelope would
/// be a solid wedge), the envelope faint and the most recent steps clear, so that the learner sees what the run is
/// doing now. On the log step axis the first steps, where a column holds few of them, stay clear too.
///
/// With several runs, each run's line has its own dash pattern (unless `style` sets one) and ends in its marker,
/// so that runs are told apart without their colours.
#[allow(clippy::too_many_arguments)]
pub fn series_line_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    ctx: &ViewCtx<'_>,
    run: &crate::worker::RunSnapshot,
    name: String,
    quantity: [&'static str; 2],
    (steps, columns): (std::ops::RangeInclusive<f64>, usize),
    value: impl Fn(&Row) -> f64 + Copy,
    style: impl Fn(egui_plot::Line<'static>) -> egui_plot::Line<'static>,
) {
    let color = ctx.run_color(run);
    let several = ctx.snap.runs.len() > 1;
    let dash = if several { line_style(RunMark::of(run.spec.color).dash) } else { egui_plot::LineStyle::Solid };
    let line = |name: String, pts| style(egui_plot::Line::new(name, pts).style(dash));
    let all = ctx.series(run, quantity[0], steps.clone(), columns, value);
    let end = if several { all.iter().rev().find(|p| p[1].is_finite()).copied() } else { None };
    let axis = ctx.display.step_axis;
    match dense_from(axis, &steps, columns) {
        None => plot_ui.line(dash_guard(plot_ui, all, |pts| line(name, pts)).color(color)),
        Some(from) => {
            let envelope = dash_guard(plot_ui, all, |pts| line(format!("{name} (envelope)"), pts));
            plot_ui.line(envelope.color(super::theme::faded(color, 0.3)));
            // On the log axis the first steps are sparse: clear up to where the columns get dense.
            if from > *steps.start() {
                let early = ctx.series(run, quantity[0], *steps.start()..=from, columns, value);
                plot_ui.line(dash_guard(plot_ui, early, |pts| line(name.clone(), pts)).color(color));
            }
            let (x0, x1) = (axis.x(*steps.start()), axis.x(*steps.end()));
            let recent_from = axis.step(x1 - (x1 - x0) * RECENT_SHARE);
            let recent = ctx.series(run, quantity[1], recent_from..=*steps.end(), columns, value);
            plot_ui.line(dash_guard(plot_ui, recent, |pts| line(name, pts)).color(color));
        }
    }
    if let Some(end) = end {
        let marker = egui_plot::Points::new("", end).shape(run_marker(run)).radius(ctx.palette.stroke(4.5));
        plot_ui.points(marker.color(color).allow_hover(false));
    }
}

/// egui_plot's line style for a run's dash pattern.
pub fn line_style(dash: Dash) -> egui_plot::LineStyle {
    match dash {
        Dash::Solid => egui_plot::LineStyle::Solid,
        Dash::Dashed { length } => egui_plot::LineStyle::Dashed { length: f32::from(length) },
        Dash::Dotted { spacing } => egui_plot::LineStyle::Dotted { spacing: f32::from(spacing) },
    }
}

/// egui_plot's marker shape for a run's marker.
pub fn marker_shape(marker: Marker) -> egui_plot::MarkerShape {
    use egui_plot::MarkerShape as S;
    match marker {
        Marker::Circle => S::Circle,
        Marker::Square => S::Square,
        Marker::Diamond => S::Diamond,
        Marker::Up => S::Up,
        Marker::Down => S::Down,
        Marker::Cross => S::Cross,
    }
}

/// The marker shape of a run's current point (and of its lines' ends).
pub fn run_marker(run: &crate::worker::RunSnapshot) -> egui_plot::MarkerShape {
    marker_shape(RunMark::of(run.spec.color).marker)
}

/// Where to place a text label in plot coordinates, `frac` of the way across the current bounds.
pub fn bounds_point(plot_ui: &egui_plot::PlotUi<'_>, fx: f64, fy: f64) -> PlotPoint {
    let b = plot_ui.plot_bounds();
    let [x0, y0] = b.min();
    let [x1, y1] = b.max();
    PlotPoint::new(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lo: f64, hi: f64) -> GridInput {
        GridInput { bounds: (lo, hi), base_step_size: (hi - lo) / 40.0 }
    }

    /// A long y label is kept only where the body font's own layout of it fits beside the plot, for every label
    /// the tabs use; otherwise the short one is.
    #[test]
    fn a_long_y_label_is_kept_only_where_it_fits() {
        let ctx = egui::Context::default();
        crate::app::theme::install_fonts(&ctx);
        ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
        let labels = [
            ("steps to tolerance (log)", "steps (log)"),
            ("final loss (log)", "loss (log)"),
            ("momentum buffer", "buffer"),
            ("ρ per step", "ρ"),
        ];
        let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            let width =
                |text: &str| ui.painter().layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::WHITE).size().x;
            for (long, short) in labels {
                for height in (40..600).step_by(10).map(|h| h as f32) {
                    let chosen = y_label_fitting(height, long, short);
                    if chosen == long {
                        assert!(width(long) <= height - 30.0, "{long} kept at {height} pt but {} wide", width(long));
                    }
                }
                assert_eq!(y_label_fitting(600.0, long, short), long, "a tall plot keeps the long label");
            }
        });
        out.textures_delta.clear();
    }

    #[test]
    fn a_path_too_long_to_dash_is_drawn_solid() {
        assert!(dashable(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]], 2.0, 1.0));
        assert!(dashable(&[[0.0, 0.0], [f64::NAN, f64::NAN], [1.0, 1.0]], 2.0, 1.0), "gaps are not lengths");
        // A diverged branch leaves the contour map for 10¹⁵⁰: 10¹⁵⁰ view widths of dashes.
        assert!(!dashable(&[[0.0, 0.0], [1e150, 1e149]], 4.0, 4.0));
        assert!(!dashable(&[[0.0, 0.0], [f64::MAX, 0.0], [-f64::MAX, 0.0]], 4.0, 4.0), "an overflowing length");
        // A long series under a deep zoom: 10⁶ steps in a view of 10.
        let series: Vec<[f64; 2]> = (0..1000).map(|k| [k as f64 * 1000.0, 0.0]).collect();
        assert!(!dashable(&series, 10.0, 1.0));
        assert!(dashable(&series, 1e6, 1.0));
        assert!(!dashable(&series, 0.0, 1.0) && dashable(&series[..1], 0.0, 1.0), "a degenerate view");
    }

    /// The log step axis of a 1200-point plot over a million steps: a mark at x = log10(1 + s) for s = 0, 1, 10, …,
    /// 10⁶, each labelled with its step (egui_plot draws a label whose step_size spans more than 60 points).
    #[test]
    fn the_log_step_axis_marks_and_labels_every_decade_by_its_step() {
        let hi = (1.0f64 + 1e6).log10();
        let points_per_x = 1200.0 / hi;
        let marks = log_step_spacer(GridInput { bounds: (0.0, hi), base_step_size: 8.0 / points_per_x });
        let steps = [0.0, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
        assert_eq!(marks.len(), steps.len());
        for (m, s) in marks.iter().zip(steps) {
            assert!((m.value - (1.0f64 + s).log10()).abs() < 1e-12, "{m:?} for step {s}");
            assert!(m.step_size * points_per_x > 60.0, "step {s} is labelled");
        }
        let labels: Vec<String> = marks.iter().map(|m| step_tick_label(StepAxis::Log, m.value)).collect();
        assert_eq!(labels, ["0", "1", "10", "100", "1000", "10k", "100k", "1M"]);
        // A linear axis labels its x as the step.
        assert_eq!(step_tick_label(StepAxis::All, 2500.0), "2500");
        assert_eq!(step_tick_label(StepAxis::First(1000), 20_000.0), "20k");
    }

    #[test]
    fn only_the_late_columns_of_a_log_axis_are_dense() {
        // 10⁶ steps over 1000 columns: every column holds 1000 steps on a linear axis.
        assert_eq!(dense_from(StepAxis::All, &(0.0..=1e6), 1000), Some(0.0));
        assert_eq!(dense_from(StepAxis::All, &(0.0..=1e4), 1000), None, "10 steps a column");
        // On the log axis a column spans Δx = 6/1000: at step s it holds (1 + s)(10^Δx − 1) ≈ 0.0139 (1 + s).
        let from = dense_from(StepAxis::Log, &(0.0..=1e6), 1000).expect("dense at the end");
        let dx = (1.0f64 + 1e6).log10() / 1000.0;
        let want = 16.0 / (10f64.powf(dx) - 1.0) - 1.0;
        assert!((from - want).abs() < 1.0, "{from} vs {want}");
        assert_eq!(dense_from(StepAxis::Log, &(0.0..=300.0), 1000), None, "a short run is never dense");
    }

    #[test]
    fn the_decade_spacer_is_bounded_whatever_the_span() {
        // A run that overflowed: log10 of the clamped loss spans hundreds to billions of decades.
        for (lo, hi) in [(-300.0, 15.0), (0.0, 1e15), (-1e300, 1e300), (0.0, 3.0)] {
            let marks = decade_spacer(input(lo, hi));
            assert!(marks.len() <= 100, "{lo}..{hi}: {} marks", marks.len());
            assert!(!marks.is_empty(), "{lo}..{hi}: some marks");
            assert!(marks.iter().all(|m| m.value >= lo && m.value <= hi));
        }
        assert!(decade_spacer(input(f64::NEG_INFINITY, 1.0)).is_empty());
    }

    #[test]
    fn a_short_value_axis_still_gets_labelled_marks() {
        // A weight axis from −4e6 to 3e6 on 60 points (egui's base step is the value of ~8 points).
        let input = GridInput { bounds: (-4e6, 3e6), base_step_size: 7e6 / 60.0 * 8.0 };
        let marks = value_spacer_y(input);
        let scale = 60.0 / 7e6;
        let labelled: Vec<f64> = marks.iter().filter(|m| m.step_size * scale > 20.0).map(|m| m.value).collect();
        assert!(labelled.len() >= 2, "at least two labels, not only 0: {labelled:?}");
        assert!(marks.len() <= 100);
        assert!(value_spacer_x(GridInput { bounds: (0.0, f64::NAN), base_step_size: 1.0 }).is_empty());
        let tiny = value_spacer_y(GridInput { bounds: (2.999_999, 3.000_001), base_step_size: 1e-7 });
        assert!(tiny.iter().all(|m| m.value >= 2.999_999 && m.value <= 3.000_001) && !tiny.is_empty());
    }

    #[test]
    fn log_axes_label_decades_and_2_and_5_only() {
        // The axis shows log10 of the value: the text a user reads at 10, 20, 50, 100 and 0.002.
        let label = |v: f64| log_axis_label(GridMark { value: v, step_size: 0.1 });
        assert_eq!(label(1.0), "10¹");
        assert_eq!(label(1.0 + 2f64.log10()), "2×10¹");
        assert_eq!(label(1.0 + 5f64.log10()), "5×10¹");
        assert_eq!(label(2.0), "10²");
        assert_eq!(label(-3.0 + 2f64.log10()), "2×10⁻³");
        assert_eq!(label(0.0), "10⁰");
        for m in [3.0, 4.0, 6.0, 7.0, 8.0, 9.0] {
            assert_eq!(label(1.0 + f64::log10(m)), "", "{m}×10¹ is a grid line only");
        }
    }
}
