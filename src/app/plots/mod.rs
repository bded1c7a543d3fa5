//! The plots: loss vs step ([`loss`]), weights vs step ([`weights`]) and the loss landscape ([`landscape`]),
//! plus what they share: plot cards, the linked step axis, hover readouts and value clamping.

pub mod landscape;
pub mod loss;
pub mod overlays;
pub mod theory;
pub mod weights;

use egui::{RichText, Ui};
use egui_plot::{GridInput, GridMark, Plot, PlotPoint};

use super::format;
use super::theme::Palette;
use crate::geometry::nice_125;
use crate::history::Row;
use crate::worker::Snapshot;

pub use super::view::{PLOT_LIMIT, ViewCtx, decimated, plottable};

/// The id that links the x axes (and cursors) of the plots over steps.
pub fn step_link() -> egui::Id {
    egui::Id::unique("descent-step-axis")
}

/// A framed card with a title line (title, a weak subtitle, and optional widgets on the right) around a plot.
pub fn card_ui<R>(
    ui: &mut Ui,
    palette: Palette,
    title: &str,
    subtitle: &str,
    right: impl FnOnce(&mut Ui),
    body: impl FnOnce(&mut Ui) -> R,
) -> R {
    egui::Frame::new()
        .fill(palette.card)
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(8, 6))
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            ui.horizontal(|ui| {
                ui.label(RichText::new(title).strong().size(15.0));
                ui.label(RichText::new(subtitle).small().color(palette.weak_text));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), right);
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

/// The hover text of a plot over steps: the row of the nearest step of the first run that has one.
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

/// The x range to decimate for a plot over steps: the whole history under auto bounds, the visible range otherwise.
pub fn visible_steps(plot_ui: &egui_plot::PlotUi<'_>, history_last: u64) -> std::ops::RangeInclusive<f64> {
    let bounds = plot_ui.plot_bounds();
    if plot_ui.auto_bounds().x || !bounds.is_valid_x() {
        0.0..=(history_last.max(1) as f64)
    } else {
        let [x0, _] = bounds.min();
        let [x1, _] = bounds.max();
        x0..=x1
    }
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

/// A tick label for a value axis: 0.5, 120, 2.5e6 (short, no trailing zeros).
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e5).contains(&a) {
        let s = format!("{v:.2e}");
        match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                format!("{m}e{e}")
            }
            None => s,
        }
    } else {
        format::short(v)
    }
}

/// A step count for an axis: 750, 12k, 3.5M.
pub fn step_label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", format::short(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", format::short(v / 1e3))
    } else {
        format!("{v:.0}")
    }
}

/// A plot over steps with the shared look: linked x axis and cursor, step axis label, no boxed zoom.
pub fn step_plot<'a>(id: &str, y_label: &str, snap: &'a Snapshot) -> Plot<'a> {
    Plot::new(id)
        .link_axis(step_link(), [true, false])
        .link_cursor(step_link(), [true, false])
        .x_grid_spacer(step_spacer)
        .x_axis_formatter(|mark, _| step_label(mark.value))
        .x_axis_label("step")
        .y_axis_label(y_label.to_owned())
        .allow_boxed_zoom(false)
        .y_axis_min_width(44.0)
        .set_margin_fraction(egui::vec2(0.02, 0.08))
        // Hovering anywhere reads out every run at the step under the pointer.
        .label_formatter(move |pos| {
            let x = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position.x,
                egui_plot::HoverPosition::Elsewhere { position } => position.x,
            };
            step_hover(snap, x)
        })
}

/// Grid marks on an axis that shows log10 of a value: every decade, with the 2…9 sub-decades when zoomed in.
pub fn decade_spacer(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let span = hi - lo;
    let stride = if span > 120.0 {
        20
    } else if span > 60.0 {
        10
    } else if span > 24.0 {
        5
    } else if span > 12.0 {
        2
    } else {
        1
    };
    let mut marks = Vec::new();
    let (first, last) = (lo.floor() as i64, hi.ceil() as i64);
    for k in first..=last {
        if k.rem_euclid(stride) == 0 && (k as f64) >= lo && (k as f64) <= hi {
            let size = if k.rem_euclid(stride * 5) == 0 { 5.0 * stride as f64 } else { stride as f64 };
            marks.push(GridMark { value: k as f64, step_size: size });
        }
        if span < 4.0 {
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

/// Tick label for a log10 axis: 10ᵏ at decades, m×10ᵏ in between.
pub fn decade_label(mark: GridMark) -> String {
    let v = mark.value;
    let k = v.floor();
    let frac = v - k;
    if frac.abs() < 1e-9 || (1.0 - frac).abs() < 1e-9 {
        format::power_of_ten(v.round())
    } else {
        let m = 10f64.powf(frac).round();
        format!("{m}×{}", format::power_of_ten(k))
    }
}

/// Where to place a text label in plot coordinates, `frac` of the way across the current bounds.
pub fn bounds_point(plot_ui: &egui_plot::PlotUi<'_>, fx: f64, fy: f64) -> PlotPoint {
    let b = plot_ui.plot_bounds();
    let [x0, y0] = b.min();
    let [x1, y1] = b.max();
    PlotPoint::new(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
}
