//! The background of every frame, drawn once: the title with the run's settings, the main plot's panel with its
//! grid, the loss curve or the shaded contour map, the optimum, the axes with their ticks and names, and the legend.

use super::layout::{Area, Layout, Type, tick_len};
use super::paint::{Canvas, Pt, Rgb};
use super::text::{Anchor, Fonts, Style};
use super::theme::Inks;
use crate::engine::{GradientSource, OptimizerKind, Params, Precision, Settings};
use crate::format;
use crate::geometry::{LossSurface, Window, contour_shade, log_levels, loss_contours};

/// The contour lines' grid: the app's (crate::app::plots::landscape::contour), so the lines are the same.
const CONTOUR_GRID: [usize; 2] = [161, 121];
/// Contour levels, as in the app.
const CONTOUR_LEVELS: usize = 16;

/// What the background is drawn with.
pub(super) struct Look<'a> {
    pub(super) fonts: &'a Fonts,
    pub(super) inks: &'a Inks,
    pub(super) layout: &'a Layout,
}

/// Draws the whole background onto `c` (already filled with the page colour).
pub(super) fn draw(
    c: &mut Canvas,
    look: &Look<'_>,
    landscape: &LossSurface,
    settings: &Settings,
    optimum: Params<f64>,
    min_loss: f64,
) {
    let (layout, inks) = (look.layout, look.inks);
    let p = layout.view.panel;
    c.fill_rect(p.x0, p.y0, p.x1, p.y1, inks.panel, 1.0);
    if layout.two_d {
        draw_contours(c, look, landscape, min_loss);
    } else {
        draw_grid(c, look);
        draw_curve(c, look, landscape);
    }
    draw_optimum(c, look, optimum, min_loss);
    draw_axes(c, look);
    if let Some(ty) = layout.text {
        draw_header(c, look, ty, settings);
        if let Some(area) = layout.legend {
            draw_legend(c, look, area, ty.small, optimum);
        }
    }
}

/// The title on the left and the run's settings on the right of the first row; the settings are left out, and
/// then the title shortened, when both do not fit.
fn draw_header(c: &mut Canvas, look: &Look<'_>, ty: Type, settings: &Settings) {
    let (fonts, layout, inks) = (look.fonts, look.layout, look.inks);
    let long = if layout.two_d { "Gradient descent on L(w, b)" } else { "Gradient descent on L(w)" };
    let summary = summary(settings);
    let room = layout.page.w() - 2.0 * layout.pad;
    let gap = 24.0 * layout.unit;
    let fits = |title: &str| fonts.width(ty.title, title) + gap + fonts.width(ty.label, &summary) <= room;
    let (title, with_summary) = if fits(long) {
        (long, true)
    } else if fits("Gradient descent") {
        ("Gradient descent", true)
    } else {
        (long, false)
    };
    fonts.draw(c, ty.title, title, (layout.pad, layout.title_y), Anchor::TopLeft, inks.text);
    if with_summary {
        // On the title's baseline, more or less: centred on the title's line.
        let mid = layout.title_y + 0.5 * fonts.height(ty.title);
        fonts.draw(c, ty.label, &summary, (layout.page.x1 - layout.pad, mid), Anchor::MidRight, inks.weak);
    }
}

/// The run's settings in a few words: "MSE · SGD lr 0.1 · momentum 0.9 · batch 4 · f32".
pub(super) fn summary(s: &Settings) -> String {
    let o = &s.optimizer;
    let mut parts = vec![s.loss.label().to_string(), format!("{} lr {}", o.kind.label(), o.lr)];
    if matches!(o.kind, OptimizerKind::Sgd | OptimizerKind::Rmsprop) && o.momentum != 0.0 {
        parts.push(format!("momentum {}", o.momentum));
    }
    if let Some(b) = s.batch_size {
        parts.push(format!("batch {b}"));
    }
    if s.gradient == GradientSource::NotebookSum {
        parts.push("summed gradient".into());
    }
    if s.precision == Precision::F32 {
        parts.push("f32".into());
    }
    parts.join(" · ")
}

/// Grid lines at the ticks, crisp on whole pixels.
fn draw_grid(c: &mut Canvas, look: &Look<'_>) {
    let (layout, ink) = (look.layout, look.inks.grid);
    let (view, p) = (&layout.view, layout.view.panel);
    let w = layout.unit.round().max(1.0);
    for (v, _) in &layout.ticks.x {
        let x = view.px(*v, 0.0).0.round();
        c.fill_rect(x, p.y0, x + w, p.y1, ink, 1.0);
    }
    for (v, _) in &layout.ticks.y {
        let y = view.px(0.0, *v).1.round();
        c.fill_rect(p.x0, y, p.x1, y + w, ink, 1.0);
    }
}

/// The loss curve L(w) across the panel, with a light tint underneath.
fn draw_curve(c: &mut Canvas, look: &Look<'_>, landscape: &LossSurface) {
    let (view, u, ink) = (&look.layout.view, look.layout.unit, look.inks.curve);
    let p = view.panel;
    let (first, last) = (p.x0.floor() as i64, p.x1.ceil() as i64);
    let columns = usize::try_from(last - first + 1).unwrap_or(0).max(2);
    let losses = landscape.along_columns(columns, |x| view.x_at(first as f64 + x), 0.0);
    // A loss too large to evaluate leaves through the top of the panel, like a large one.
    let points: Vec<Pt> = losses
        .iter()
        .enumerate()
        .map(|(i, &loss)| {
            let y = if loss.is_finite() { view.px(0.0, loss).1 } else { p.y0 - 50.0 * u };
            ((first as f64 + i as f64) as f32, y)
        })
        .collect();
    c.set_clip(p.x0, p.y0, p.x1, p.y1);
    let mut under = points.clone();
    under.extend([(p.x1 + 1.0, p.y1 + 1.0), (p.x0 - 1.0, p.y1 + 1.0)]);
    c.polygon(&under, ink, 0.06);
    c.stroke(&points, 2.4 * u, ink, 1.0, None);
    c.reset_clip();
}

/// The (w, b) loss surface shaded pixel by pixel with the app's colour map, and the app's contour lines.
fn draw_contours(c: &mut Canvas, look: &Look<'_>, landscape: &LossSurface, min_loss: f64) {
    let (view, inks) = (&look.layout.view, look.inks);
    let p = view.panel;
    let (x0, y0) = (p.x0.max(0.0) as usize, p.y0.max(0.0) as usize);
    let (w, h) = ((p.x1.max(0.0) as usize).saturating_sub(x0), (p.y1.max(0.0) as usize).saturating_sub(y0));
    if w == 0 || h == 0 {
        return;
    }
    let field =
        landscape.over_pixels([w, h], |i, j| (view.x_at((x0 + i) as f64 + 0.5), view.y_at((y0 + j) as f64 + 0.5)));
    let shade = |t: f64| {
        let [r, g, b] = contour_shade(t, inks.dark);
        Rgb(r, g, b)
    };
    let window = Window { w: [view.x_lo, view.x_hi], b: [view.y_lo, view.y_hi] };
    let grid = landscape.grid(window, CONTOUR_GRID);
    // An objective may fall below its known minimum's value in view (the saddle): shade f − f_min over the view.
    let min_loss = field.iter().chain(&grid).copied().filter(|v| v.is_finite()).fold(min_loss, f64::min);
    c.put_block((x0, y0), w, log_levels(&field, min_loss).into_iter().map(shade));
    c.set_clip(p.x0, p.y0, p.x1, p.y1);
    let width = look.layout.unit.max(0.8);
    for line in loss_contours(landscape, window, CONTOUR_GRID, &grid, min_loss, CONTOUR_LEVELS) {
        let points: Vec<Pt> = line.iter().map(|&[w, b]| view.px(w, b)).collect();
        c.stroke(&points, width, inks.contour, inks.contour_alpha, None);
    }
    c.reset_clip();
}

/// The optimum: on the curve a dashed line through w* and a diamond at (w*, L*); on the map a diamond at (w*, b*).
fn draw_optimum(c: &mut Canvas, look: &Look<'_>, optimum: Params<f64>, min_loss: f64) {
    let (view, u, inks) = (&look.layout.view, look.layout.unit, look.inks);
    let p = view.panel;
    c.set_clip(p.x0, p.y0, p.x1, p.y1);
    let at = if look.layout.two_d {
        view.px(optimum.w, optimum.b)
    } else {
        let at = view.px(optimum.w, min_loss);
        let dash = Some((5.0 * u, 4.0 * u));
        c.stroke(&[(at.0, p.y0), (at.0, p.y1)], (1.2 * u).max(1.0), inks.optimum, 0.7, dash);
        at
    };
    c.diamond(at, 8.0 * u, inks.panel, 1.0);
    c.diamond(at, 6.0 * u, inks.optimum, 1.0);
    c.reset_clip();
}

/// The axes along the panel's left and bottom edges, tick marks, tick labels and the axis names.
fn draw_axes(c: &mut Canvas, look: &Look<'_>) {
    let (layout, fonts, inks) = (look.layout, look.fonts, look.inks);
    let (view, p, u) = (&layout.view, layout.view.panel, layout.unit);
    let w = (1.2 * u).round().max(1.0);
    c.fill_rect(p.x0 - w, p.y0, p.x0, p.y1 + w, inks.axis, 1.0);
    c.fill_rect(p.x0 - w, p.y1, p.x1, p.y1 + w, inks.axis, 1.0);
    let tick = tick_len(u);
    let label = layout.text.map(|ty| ty.label);
    let x_name = (p.x1 + 6.0 * u, p.y1 + w + tick + 3.0 * u);
    for (v, text) in &layout.ticks.x {
        let x = view.px(*v, 0.0).0.round();
        c.fill_rect(x, p.y1 + w, x + w, p.y1 + w + tick, inks.axis, 1.0);
        if let Some(style) = label {
            let at = (x + 0.5 * w, x_name.1);
            let [left, _, right, _] = fonts.bounds(style, text, at, Anchor::TopCentre);
            // Left out where it would run into the axis name or off the image.
            if right + 4.0 * u < x_name.0 && left >= 0.0 {
                fonts.draw(c, style, text, at, Anchor::TopCentre, inks.weak);
            }
        }
    }
    for (v, text) in &layout.ticks.y {
        let y = view.px(0.0, *v).1.round();
        c.fill_rect(p.x0 - w - tick, y, p.x0 - w, y + w, inks.axis, 1.0);
        if let Some(style) = label {
            fonts.draw(c, style, text, (p.x0 - w - tick - 4.0 * u, y + 0.5 * w), Anchor::MidRight, inks.weak);
        }
    }
    if let Some(style) = label {
        let names = if layout.two_d { ("w", "b") } else { ("w", "L(w)") };
        fonts.draw(c, style, names.0, x_name, Anchor::TopLeft, inks.text);
        let top = p.y0 - fonts.height(style) - 6.0 * u;
        let left = (p.x0 - 0.5 * fonts.width(style, names.1)).max(layout.pad);
        fonts.draw(c, style, names.1, (left, top), Anchor::TopLeft, inks.text);
    }
}

/// One entry of the legend: its mark and its text (a shorter one for a narrow legend).
struct Entry {
    mark: Mark,
    text: String,
    short: String,
}

/// The mark drawn before a legend entry.
enum Mark {
    Start,
    Path,
    Point,
    Tangent,
    Descent,
    Optimum,
}

/// What the marks mean, one entry a line.
fn draw_legend(c: &mut Canvas, look: &Look<'_>, area: Area, style: Style, optimum: Params<f64>) {
    let (fonts, inks, u) = (look.fonts, look.inks, look.layout.unit);
    let scale = optimum.w.abs().max(optimum.b.abs());
    let (w_star, b_star) =
        (format::short(format::clean(optimum.w, scale)), format::short(format::clean(optimum.b, scale)));
    let entry = |mark, text: &str, short: &str| Entry { mark, text: text.into(), short: short.into() };
    let entries = if look.layout.two_d {
        [
            entry(Mark::Start, "start", "start"),
            entry(Mark::Path, "path, an arrow per step", "path"),
            entry(Mark::Point, "the current point", "current point"),
            entry(Mark::Descent, "−∇L: steepest descent", "−∇L"),
            Entry {
                mark: Mark::Optimum,
                text: format!("minimum (w*, b*) = ({w_star}, {b_star})"),
                short: format!("min ({w_star}, {b_star})"),
            },
        ]
    } else {
        [
            entry(Mark::Start, "start", "start"),
            entry(Mark::Path, "path, an arrow per step", "path"),
            entry(Mark::Point, "the current point", "current point"),
            entry(Mark::Tangent, "tangent: the slope dL/dw", "tangent"),
            Entry { mark: Mark::Optimum, text: format!("minimum at w* = {w_star}"), short: format!("w* = {w_star}") },
        ]
    };
    let line = 1.45 * fonts.height(style);
    let text_x = area.x0 + 30.0 * u.max(0.75);
    for (k, e) in entries.iter().enumerate() {
        let mid = area.y0 + 4.0 * u + (k as f32 + 0.5) * line;
        let mark_at = (area.x0 + 12.0 * u.max(0.75), mid);
        draw_mark(c, &e.mark, mark_at, u.max(0.75), inks);
        let text = if text_x + fonts.width(style, &e.text) <= area.x1 { &e.text } else { &e.short };
        fonts.draw(c, style, text, (text_x, mid), Anchor::MidLeft, inks.weak);
    }
}

/// A legend entry's mark centred on `at`, about 24 units wide.
fn draw_mark(c: &mut Canvas, mark: &Mark, (x, y): Pt, u: f32, inks: &Inks) {
    match mark {
        Mark::Start => c.ring((x, y), 5.0 * u, 1.5 * u, inks.curve, 0.9),
        Mark::Path => {
            let dash = match inks.run_mark.dash {
                crate::run_look::Dash::Solid => None,
                crate::run_look::Dash::Dashed { length } => Some((f32::from(length).min(6.0) * u, 3.0 * u)),
                crate::run_look::Dash::Dotted { .. } => Some((1.6 * u, 3.0 * u)),
            };
            c.stroke(&[(x - 11.0 * u, y + 3.0 * u), (x + 5.0 * u, y - 1.0 * u)], 1.6 * u, inks.run, 0.6, dash);
            c.arrow_head((x + 11.0 * u, y - 2.5 * u), (0.97, -0.243), 8.0 * u, inks.run, 0.9);
        }
        Mark::Point => {
            c.disc((x, y), 9.0 * u, inks.run, 0.25);
            c.marker((x, y), inks.run_mark.marker, 5.0 * u, inks.run, 1.0);
        }
        Mark::Tangent => c.line((x - 11.0 * u, y + 4.0 * u), (x + 11.0 * u, y - 4.0 * u), 1.8 * u, inks.tangent, 0.95),
        Mark::Descent => {
            c.line((x - 11.0 * u, y), (x + 4.0 * u, y), 2.2 * u, inks.tangent, 1.0);
            c.arrow_head((x + 11.0 * u, y), (1.0, 0.0), 9.0 * u, inks.tangent, 1.0);
        }
        Mark::Optimum => c.diamond((x, y), 6.0 * u, inks.optimum, 1.0),
    }
}
