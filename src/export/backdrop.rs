//! The background of every frame, drawn once: the title naming the problem with one run's settings, the main
//! plot's panel with its grid, the loss curve or the shaded contour map, the optima, the axes with their ticks and
//! names, and the legend (what the marks mean for one run; each run's colour, mark and name for several).

use super::layout::{Area, LEGEND_LINE, Layout, Type, tick_len};
use super::paint::{Canvas, Pt, Rgb};
use super::text::{Anchor, Fonts, Style};
use super::theme::{Inks, RunInk};
use crate::engine::{GradientSource, LossKind, OptimizerKind, Params, Precision, Settings};
use crate::format;
use crate::geometry::{LossSurface, Window, contour_shade, log_levels, loss_contours};
use crate::run_look::Dash;

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

/// What the background shows besides the landscape: the header, the optima and the runs of the legend.
pub(super) struct Problem<'a> {
    /// The title, naming the problem ([`title`]).
    pub(super) title: String,
    /// Beside the title: the one run's settings ([`summary`]); empty with several runs, which the legend names.
    pub(super) summary: String,
    /// The optima the runs head for, each once (the first also sets the legend's numbers).
    pub(super) optima: &'a [Params<f64>],
    /// The lowest loss (the curve's minimum).
    pub(super) min_loss: f64,
    /// Every run's name and ink, in order; one run gets the legend of marks, several a legend of runs.
    pub(super) runs: &'a [(&'a str, RunInk)],
}

/// The lines of the legend of `runs` runs: five marks for one run; a line per run and the minimum for several.
pub(super) fn legend_lines(runs: usize) -> usize {
    if runs <= 1 { 5 } else { runs + 1 }
}

/// Draws the whole background onto `c` (already filled with the page colour).
pub(super) fn draw(c: &mut Canvas, look: &Look<'_>, landscape: &LossSurface, problem: &Problem<'_>) {
    let (layout, inks) = (look.layout, look.inks);
    let p = layout.view.panel;
    c.fill_rect(p.x0, p.y0, p.x1, p.y1, inks.panel, 1.0);
    if layout.two_d {
        draw_contours(c, look, landscape, problem.min_loss);
    } else {
        draw_grid(c, look);
        draw_curve(c, look, landscape);
    }
    for &optimum in problem.optima {
        draw_optimum(c, look, optimum, problem.min_loss);
    }
    draw_axes(c, look);
    if let Some(ty) = layout.text {
        draw_header(c, look, ty, problem);
        let optimum = problem.optima.first().copied().unwrap_or_default();
        match (problem.runs, layout.legend) {
            ([(_, ink)], Some(area)) => draw_legend(c, look, area, ty.small, optimum, *ink),
            ([], _) | ([_], None) => {}
            (runs, area) => draw_run_legend(c, look, area, ty.small, runs, problem.optima),
        }
    }
}

/// The title naming the problem: a built-in objective by its name ("Rosenbrock", "Himmelblau"), an expression as
/// "f(w, b) = …", and a data loss by its name and its parameters ("MSE loss L(w)", "Huber δ = 1 loss L(w, b)"):
/// the loss is named only for data, never for an objective, which has none.
pub fn title(s: &Settings) -> String {
    if let Some(o) = &s.objective {
        return match o.as_builtin() {
            Some(b) => {
                let name = b.name();
                name.chars().take(1).flat_map(char::to_uppercase).chain(name.chars().skip(1)).collect()
            }
            None => format!("f(w, b) = {}", o.text()),
        };
    }
    let loss = match s.loss {
        LossKind::Huber => format!("Huber δ = {}", format::short(s.huber_delta)),
        other => other.label().to_string(),
    };
    let params = if s.bias { "L(w, b)" } else { "L(w)" };
    let scaled = if s.standardize { " on standardized x" } else { "" };
    format!("{loss} loss {params}{scaled}")
}

/// `text`, or its beginning and "…", as much as fits in `room` pixels (at least one character).
fn cut_to_fit(fonts: &Fonts, style: Style, text: &str, room: f32) -> String {
    if fonts.width(style, text) <= room {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    // The longest prefix that fits with the ellipsis, found by bisection (widths grow with the prefix).
    let (mut lo, mut hi) = (1, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(['…'].iter()).collect();
        if fonts.width(style, &candidate) <= room { lo = mid } else { hi = mid - 1 }
    }
    chars[..lo.min(chars.len())].iter().chain(['…'].iter()).collect()
}

/// The title on the left and the run's settings on the right of the first row; the settings are left out, and
/// then the title cut, when both do not fit.
fn draw_header(c: &mut Canvas, look: &Look<'_>, ty: Type, problem: &Problem<'_>) {
    let (fonts, layout, inks) = (look.fonts, look.layout, look.inks);
    let room = layout.page.w() - 2.0 * layout.pad;
    let gap = 24.0 * layout.unit;
    let summary = &problem.summary;
    let with_summary =
        !summary.is_empty() && fonts.width(ty.title, &problem.title) + gap + fonts.width(ty.label, summary) <= room;
    let title = cut_to_fit(fonts, ty.title, &problem.title, room);
    fonts.draw(c, ty.title, &title, (layout.pad, layout.title_y), Anchor::TopLeft, inks.text);
    if with_summary {
        // On the title's baseline, more or less: centred on the title's line.
        let mid = layout.title_y + 0.5 * fonts.height(ty.title);
        fonts.draw(c, ty.label, summary, (layout.page.x1 - layout.pad, mid), Anchor::MidRight, inks.weak);
    }
}

/// The run's optimizer settings in a few words: "SGD lr 0.1 · momentum 0.9 · batch 4 · f32" (the problem, loss
/// included, is the [`title`]'s).
pub(super) fn summary(s: &Settings) -> String {
    let o = &s.optimizer;
    let mut parts = vec![format!("{} lr {}", o.kind.label(), o.lr)];
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
    if s.noise > 0.0 {
        parts.push(format!("noise {}", s.noise));
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
    Path(RunInk),
    Point(RunInk),
    Tangent,
    Descent,
    Optimum,
    /// A run of several: a stretch of its path in its dash and its marker.
    Run(RunInk),
}

/// What the marks mean, one entry a line, for the one run drawn in `ink`.
fn draw_legend(c: &mut Canvas, look: &Look<'_>, area: Area, style: Style, optimum: Params<f64>, ink: RunInk) {
    let entry = |mark, text: &str, short: &str| Entry { mark, text: text.into(), short: short.into() };
    let last = optimum_entry(optimum, 1, look.layout.two_d);
    let entries = if look.layout.two_d {
        [
            entry(Mark::Start, "start", "start"),
            entry(Mark::Path(ink), "path, an arrow per step", "path"),
            entry(Mark::Point(ink), "the current point", "current point"),
            entry(Mark::Descent, "−∇L: steepest descent", "−∇L"),
            last,
        ]
    } else {
        [
            entry(Mark::Start, "start", "start"),
            entry(Mark::Path(ink), "path, an arrow per step", "path"),
            entry(Mark::Point(ink), "the current point", "current point"),
            entry(Mark::Tangent, "tangent: the slope dL/dw", "tangent"),
            last,
        ]
    };
    draw_entries(c, look, area, style, &entries);
}

/// The legend's last line: the minimum (w*, b*) on the map or w* on the curve with its value, or "minima" for
/// several.
fn optimum_entry(optimum: Params<f64>, optima: usize, two_d: bool) -> Entry {
    if optima > 1 {
        return Entry { mark: Mark::Optimum, text: "the minima nearest the starts".into(), short: "minima".into() };
    }
    let scale = optimum.w.abs().max(optimum.b.abs());
    let (w_star, b_star) =
        (format::short(format::clean(optimum.w, scale)), format::short(format::clean(optimum.b, scale)));
    if !two_d {
        return Entry {
            mark: Mark::Optimum,
            text: format!("minimum at w* = {w_star}"),
            short: format!("w* = {w_star}"),
        };
    }
    Entry {
        mark: Mark::Optimum,
        text: format!("minimum (w*, b*) = ({w_star}, {b_star})"),
        short: format!("min ({w_star}, {b_star})"),
    }
}

/// The legend of several runs: each run's mark (its colour, dash and marker) and its name, then the minimum. In
/// `area` when the layout set one aside, else in a box in the main panel's top right corner.
fn draw_run_legend(
    c: &mut Canvas,
    look: &Look<'_>,
    area: Option<Area>,
    style: Style,
    runs: &[(&str, RunInk)],
    optima: &[Params<f64>],
) {
    let optimum = optima.first().copied().unwrap_or_default();
    let mut entries: Vec<Entry> = runs
        .iter()
        .map(|&(name, ink)| Entry { mark: Mark::Run(ink), text: name.to_string(), short: name.to_string() })
        .collect();
    entries.push(optimum_entry(optimum, optima.len(), look.layout.two_d));
    let area = area.unwrap_or_else(|| corner_box(c, look, style, &entries));
    draw_entries(c, look, area, style, &entries);
}

/// A box for the legend `entries` in the main panel's top right corner, filled with the panel's colour so that
/// the marks read over the landscape.
fn corner_box(c: &mut Canvas, look: &Look<'_>, style: Style, entries: &[Entry]) -> Area {
    let (fonts, inks, u) = (look.fonts, look.inks, look.layout.unit.max(0.75));
    let p = look.layout.view.panel;
    let widest = entries.iter().map(|e| fonts.width(style, &e.short)).fold(0.0, f32::max);
    let w = (widest + 38.0 * u).min(0.6 * p.w());
    let h = (entries.len() as f32 * LEGEND_LINE * fonts.height(style) + 8.0 * u).min(p.h());
    let area = Area { x0: p.x1 - w - 4.0 * u, y0: p.y0 + 4.0 * u, x1: p.x1 - 4.0 * u, y1: p.y0 + 4.0 * u + h };
    c.fill_rect(area.x0, area.y0, area.x1, area.y1, inks.panel, 0.88);
    area
}

/// The entries one a line in `area`, each text cut to fit (the short text first, when the long one does not).
fn draw_entries(c: &mut Canvas, look: &Look<'_>, area: Area, style: Style, entries: &[Entry]) {
    let (fonts, inks, u) = (look.fonts, look.inks, look.layout.unit);
    let line = LEGEND_LINE * fonts.height(style);
    let text_x = area.x0 + 30.0 * u.max(0.75);
    for (k, e) in entries.iter().enumerate() {
        let mid = area.y0 + 4.0 * u + (k as f32 + 0.5) * line;
        let mark_at = (area.x0 + 12.0 * u.max(0.75), mid);
        draw_mark(c, &e.mark, mark_at, u.max(0.75), inks);
        let room = area.x1 - text_x;
        let text =
            if fonts.width(style, &e.text) <= room { e.text.clone() } else { cut_to_fit(fonts, style, &e.short, room) };
        fonts.draw(c, style, &text, (text_x, mid), Anchor::MidLeft, inks.weak);
    }
}

/// A legend's dash pattern for `dash`, shortened to show within a mark 16 units long.
fn legend_dash(dash: Dash, u: f32) -> Option<(f32, f32)> {
    match dash {
        Dash::Solid => None,
        Dash::Dashed { length } => Some((f32::from(length).min(6.0) * u, 3.0 * u)),
        Dash::Dotted { .. } => Some((1.6 * u, 3.0 * u)),
    }
}

/// A legend entry's mark centred on `at`, about 24 units wide.
fn draw_mark(c: &mut Canvas, mark: &Mark, (x, y): Pt, u: f32, inks: &Inks) {
    match mark {
        Mark::Start => c.ring((x, y), 5.0 * u, 1.5 * u, inks.curve, 0.9),
        Mark::Path(ink) => {
            let dash = legend_dash(ink.mark.dash, u);
            c.stroke(&[(x - 11.0 * u, y + 3.0 * u), (x + 5.0 * u, y - 1.0 * u)], 1.6 * u, ink.colour, 0.6, dash);
            c.arrow_head((x + 11.0 * u, y - 2.5 * u), (0.97, -0.243), 8.0 * u, ink.colour, 0.9);
        }
        Mark::Point(ink) => {
            c.disc((x, y), 9.0 * u, ink.colour, 0.25);
            c.marker((x, y), ink.mark.marker, 5.0 * u, ink.colour, 1.0);
        }
        Mark::Tangent => c.line((x - 11.0 * u, y + 4.0 * u), (x + 11.0 * u, y - 4.0 * u), 1.8 * u, inks.tangent, 0.95),
        Mark::Descent => {
            c.line((x - 11.0 * u, y), (x + 4.0 * u, y), 2.2 * u, inks.tangent, 1.0);
            c.arrow_head((x + 11.0 * u, y), (1.0, 0.0), 9.0 * u, inks.tangent, 1.0);
        }
        Mark::Optimum => c.diamond((x, y), 6.0 * u, inks.optimum, 1.0),
        Mark::Run(ink) => {
            // A solid swatch, so that the legend always shows the run's exact colour, then its dashed path and
            // its marker.
            c.fill_rect(x - 12.0 * u, y - 1.5 * u, x - 7.0 * u, y + 1.5 * u, ink.colour, 1.0);
            c.stroke(&[(x - 6.0 * u, y), (x + 5.0 * u, y)], 2.0 * u, ink.colour, 1.0, legend_dash(ink.mark.dash, u));
            c.marker((x + 9.0 * u, y), ink.mark.marker, 4.0 * u, ink.colour, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::objective::{Builtin, Objective};

    #[test]
    fn titles_name_the_problem_and_the_loss_only_for_data() {
        let data = |loss, bias| Settings { loss, bias, ..Settings::default() };
        assert_eq!(title(&data(LossKind::Mse, false)), "MSE loss L(w)");
        assert_eq!(title(&data(LossKind::Mae, true)), "MAE loss L(w, b)");
        let huber = Settings { huber_delta: 1.5, ..data(LossKind::Huber, true) };
        assert_eq!(title(&huber), "Huber δ = 1.5 loss L(w, b)");
        let on = |o: Objective| Settings { objective: Some(o), bias: true, ..Settings::default() };
        assert_eq!(title(&on(Objective::builtin(Builtin::Rosenbrock))), "Rosenbrock");
        assert_eq!(title(&on(Objective::builtin(Builtin::Himmelblau))), "Himmelblau");
        let expr = on(Objective::parse("w^2 + 3*b^2").expect("an expression"));
        assert_eq!(title(&expr), "f(w, b) = w^2 + 3*b^2");
        // An objective keeps the default loss setting (MSE), which it does not use: never named.
        for s in [on(Objective::builtin(Builtin::Rosenbrock)), expr] {
            assert!(!title(&s).contains("MSE") && !summary(&s).contains("MSE"), "{}", title(&s));
        }
        assert!(!summary(&data(LossKind::Mse, false)).contains("MSE"), "the loss is the title's");
    }

    #[test]
    fn long_titles_are_cut_to_fit_with_an_ellipsis() {
        let fonts = Fonts::load().expect("fonts");
        let style = Style::sans(17.0);
        let long = "f(w, b) = (1.5 - w + w*b)^2 + (2.25 - w + w*b^2)^2 + (2.625 - w + w*b^3)^2";
        let cut = cut_to_fit(&fonts, style, long, 200.0);
        assert!(cut.ends_with('…') && fonts.width(style, &cut) <= 200.0, "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')), "{cut}");
        assert_eq!(cut_to_fit(&fonts, style, "Rosenbrock", 200.0), "Rosenbrock");
    }
}
