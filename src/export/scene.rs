//! The picture behind each frame of the animation: a static background (panel, grid, axes, the loss curve or
//! surface, the optimum) drawn once, and a per-frame overlay (the trail so far, the current point, its tangent
//! or gradient arrow, the caption).
//!
//! Without a bias the picture is the loss curve L(w) with the path walking down it; with a bias it is the
//! (w, b) loss surface as filled contour bands seen from above, with the path across it. The view is fixed for
//! the whole animation and covers the optimum and every recorded point, so nothing jumps between frames.

use super::raster::{Canvas, GLYPH_HEIGHT, Pt, Rgb, text_width};
use crate::engine::trainer::Record;
use crate::engine::{ConfigError, Dataset, GradientSource, OptimizerKind, Params, Precision, Settings};
use crate::format;
use crate::geometry::{LossSurface, bounds, nice_ticks, path_loss_range, whole_path_range};

/// Page background.
const PAGE: Rgb = Rgb(255, 255, 255);
/// Plot panel.
const PANEL: Rgb = Rgb(246, 247, 250);
/// Grid lines.
const GRID: Rgb = Rgb(226, 230, 237);
/// Axes and tick marks.
const AXIS: Rgb = Rgb(100, 106, 120);
/// Labels.
const TEXT: Rgb = Rgb(50, 56, 68);
/// The loss curve.
const CURVE: Rgb = Rgb(38, 84, 160);
/// The path taken so far.
const TRAIL: Rgb = Rgb(236, 114, 18);
/// The current point.
const POINT: Rgb = Rgb(212, 36, 44);
/// The tangent (1-D) or descent direction (2-D).
const TANGENT: Rgb = Rgb(24, 150, 72);
/// The optimum's marker and the start ring.
const MARK: Rgb = Rgb(58, 60, 66);
/// Halo drawn under markers so they stand out on any background.
const HALO: Rgb = Rgb(255, 255, 255);
/// Contour lines over the surface bands.
const CONTOUR: Rgb = Rgb(40, 60, 100);
/// The surface's colour ramp from the minimum (first) to the highest loss in view (last).
const RAMP: [Rgb; 4] = [Rgb(255, 251, 232), Rgb(216, 236, 226), Rgb(156, 200, 224), Rgb(86, 140, 194)];
/// Number of filled contour bands on the surface.
pub(crate) const BANDS: usize = 12;

/// The colours the drawing uses most, which the palette must hold exactly.
pub(crate) fn inks() -> Vec<Rgb> {
    let mut inks = vec![PAGE, PANEL, GRID, AXIS, TEXT, CURVE, TRAIL, POINT, TANGENT, MARK, HALO];
    inks.extend((0..BANDS).map(band_colour));
    inks
}

/// The fill of surface band `k`.
fn band_colour(k: usize) -> Rgb {
    let t = (k as f32 + 0.5) / BANDS as f32 * (RAMP.len() - 1) as f32;
    let i = (t.floor() as usize).min(RAMP.len() - 2);
    RAMP[i].mix(RAMP[i + 1], t - i as f32)
}

/// The data window and where it sits on the canvas.
#[derive(Clone, Copy, Debug)]
struct View {
    x_lo: f64,
    x_hi: f64,
    y_lo: f64,
    y_hi: f64,
    left: f32,
    top: f32,
    right: f32,
    bottom: f32,
}

impl View {
    /// Pixel position of data point (x, y), clamped far outside the canvas (so that f32 never overflows).
    fn px(&self, x: f64, y: f64) -> Pt {
        let fx = (x - self.x_lo) / (self.x_hi - self.x_lo);
        let fy = (y - self.y_lo) / (self.y_hi - self.y_lo);
        let sx = f64::from(self.left) + fx * f64::from(self.right - self.left);
        let sy = f64::from(self.bottom) - fy * f64::from(self.bottom - self.top);
        let clamp = |v: f64| if v.is_nan() { -1e6 } else { v.clamp(-1e6, 1e6) as f32 };
        (clamp(sx), clamp(sy))
    }

    /// Data x at pixel column centre `i` (absolute canvas column).
    fn x_at(&self, column: f64) -> f64 {
        self.x_lo + (column - f64::from(self.left)) / f64::from(self.right - self.left) * (self.x_hi - self.x_lo)
    }

    /// Data y at pixel row centre `j` (absolute canvas row).
    fn y_at(&self, row: f64) -> f64 {
        self.y_lo + (f64::from(self.bottom) - row) / f64::from(self.bottom - self.top) * (self.y_hi - self.y_lo)
    }

    /// Pixels per data unit along x and along y.
    fn scale(&self) -> (f64, f64) {
        (
            f64::from(self.right - self.left) / (self.x_hi - self.x_lo),
            f64::from(self.bottom - self.top) / (self.y_hi - self.y_lo),
        )
    }
}

/// Everything needed to draw any frame of one run's animation.
pub(crate) struct Scene<'a> {
    rows: &'a [Record<f64>],
    background: Canvas,
    view: View,
    two_d: bool,
    /// Size unit: 1 at 400 pixels for the shorter side.
    unit: f32,
    /// Font scale in pixels per font pixel; 0 when there is no text.
    text_scale: usize,
    /// The trail thinned to points at least a pixel apart: (row index, pixel).
    path: Vec<(usize, Pt)>,
    /// What the row gradients are multiples of the mean loss's gradient by (N under notebook-sum).
    grad_scale: f64,
}

impl<'a> Scene<'a> {
    /// Lays out the picture and draws its background.
    pub(crate) fn new(
        width: usize,
        height: usize,
        labels: bool,
        data: &Dataset,
        settings: &Settings,
        rows: &'a [Record<f64>],
    ) -> Result<Scene<'a>, ConfigError> {
        settings.validate()?;
        let optimum = LossSurface::optimum(data, settings);
        let landscape = LossSurface::for_export(data, settings, optimum)?;
        let min_loss = landscape.loss(optimum.w, optimum.b);
        let unit = (width.min(height) as f32 / 400.0).max(0.25);
        let text_scale = if labels { ((2.0 * unit).round() as usize).max(1) } else { 0 };
        let two_d = settings.bias;

        let [x_lo, x_hi, y_lo, y_hi] = data_window(rows, &landscape, optimum, min_loss, two_d);
        let view = View { x_lo, x_hi, y_lo, y_hi, left: 0.0, top: 0.0, right: width as f32, bottom: height as f32 };
        let layout = Layout::new(view, [width, height], unit, text_scale, two_d);

        let mut background = Canvas::new(width, height, PAGE);
        layout.draw_plot(&mut background, &landscape, optimum, min_loss);
        layout.draw_header(&mut background, settings, optimum);

        let Layout { view, text_scale, .. } = layout;
        let path = thin_path(rows, |r| point_of(&view, r, two_d));
        let grad_scale = if settings.gradient == GradientSource::NotebookSum { data.len().max(1) as f64 } else { 1.0 };
        Ok(Scene { rows, background, view, two_d, unit, text_scale, path, grad_scale })
    }

    /// Draws the frame that shows the run up to row `upto` into `canvas` (same size as the scene).
    pub(crate) fn render(&self, upto: usize, canvas: &mut Canvas) {
        canvas.px.clone_from(&self.background.px);
        let Some(current) = self.rows.get(upto) else {
            return;
        };
        let u = self.unit;
        let view = &self.view;
        let here = point_of(view, current, self.two_d);
        canvas.set_clip(view.left, view.top, view.right, view.bottom);

        // The trail: thinned points up to this row, then the exact current point.
        let shown: Vec<Pt> =
            self.path.iter().take_while(|(i, _)| *i <= upto).map(|&(_, p)| p).chain(std::iter::once(here)).collect();
        let sparse = self.path.len() <= 150;
        let dot = 2.4 * u;
        for pair in shown.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            canvas.line(a, b, 1.8 * u, TRAIL, 1.0);
        }
        for pair in shown.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            // Arrowheads only where a step is long enough to carry one: short steps would turn into blots.
            if len >= 20.0 * u {
                let dir = ((b.0 - a.0) / len, (b.1 - a.1) / len);
                let back = if sparse { dot + 1.0 * u } else { 1.0 * u };
                let tip = (b.0 - dir.0 * back, b.1 - dir.1 * back);
                canvas.arrow_head(tip, dir, 7.0 * u, TRAIL);
            }
        }
        if sparse {
            for &p in &shown {
                canvas.disc(p, dot, TRAIL, 1.0);
            }
        }
        if let Some(&(_, start)) = self.path.first() {
            canvas.ring(start, 4.5 * u, 1.6 * u, MARK, 1.0);
        }

        // Where the gradient points: the tangent to the curve, or the steepest-descent direction on the surface.
        let (kx, ky) = view.scale();
        let (gw, gb) = (current.grad.w / self.grad_scale, current.grad.b / self.grad_scale);
        if self.two_d {
            let dir = (-gw * kx, gb * ky);
            let len = dir.0.hypot(dir.1);
            if len > 0.0 && len.is_finite() {
                let dir = ((dir.0 / len) as f32, (dir.1 / len) as f32);
                let reach = 38.0 * u;
                let tip = (here.0 + dir.0 * reach, here.1 + dir.1 * reach);
                let shaft_end = (tip.0 - dir.0 * 6.0 * u, tip.1 - dir.1 * 6.0 * u);
                canvas.line(here, shaft_end, 2.2 * u, TANGENT, 1.0);
                canvas.arrow_head(tip, dir, 9.0 * u, TANGENT);
            }
        } else {
            let dir = (kx, -gw * ky);
            let len = dir.0.hypot(dir.1);
            if len > 0.0 && len.is_finite() {
                // Long enough to part visibly from the curve, which it hugs near the point.
                let half = 100.0 * u;
                let d = ((dir.0 / len) as f32 * half, (dir.1 / len) as f32 * half);
                canvas.line((here.0 - d.0, here.1 - d.1), (here.0 + d.0, here.1 + d.1), 2.0 * u, TANGENT, 1.0);
            }
        }

        canvas.disc(here, 7.0 * u, HALO, 1.0);
        canvas.disc(here, 5.5 * u, POINT, 1.0);
        canvas.reset_clip();
        self.draw_caption(canvas, current);
    }

    /// The caption on the first header row: the step and the state there.
    fn draw_caption(&self, canvas: &mut Canvas, r: &Record<f64>) {
        let s = self.text_scale;
        if s == 0 {
            return;
        }
        let mut text = format!("step {}   w {}", r.step, format::gif_value(r.params.w));
        if self.two_d {
            text.push_str(&format!("   b {}", format::gif_value(r.params.b)));
        }
        text.push_str(&format!("   L {}", format::gif_value(r.loss)));
        canvas.text(self.view.left, first_row(self.unit), &text, s, TEXT);
    }
}

/// The data window `[x_lo, x_hi, y_lo, y_hi]`: w across, and b up on the surface (`two_d`) or the loss up on the
/// curve, covering every recorded point and the optimum.
fn data_window(
    rows: &[Record<f64>],
    landscape: &LossSurface,
    optimum: Params<f64>,
    min_loss: f64,
    two_d: bool,
) -> [f64; 4] {
    let (x_lo, x_hi) = whole_path_range(rows.iter().map(|r| r.params.w), optimum.w);
    let (y_lo, y_hi) = if two_d {
        whole_path_range(rows.iter().map(|r| r.params.b), optimum.b)
    } else {
        let ends = || [landscape.loss(x_lo, 0.0), landscape.loss(x_hi, 0.0)];
        path_loss_range(rows.iter().map(|r| r.loss), min_loss, ends)
    };
    [x_lo, x_hi, y_lo, y_hi]
}

/// Where the plot panel sits, its ticks and the sizes everything is drawn at.
struct Layout {
    view: View,
    ticks: Ticks,
    /// Size unit: 1 at 400 pixels for the shorter side.
    unit: f32,
    /// Font scale; 0 when there is no text (not asked for, or no room).
    text_scale: usize,
    /// The (w, b) surface rather than the curve L(w).
    two_d: bool,
}

impl Layout {
    /// Margins around the panel for the caption, tick labels and axis names, dropped (with the text) when the image
    /// is too small; on the surface, one axis widened so that w and b units are equally long (see
    /// [`equalise_aspect`]). `view` holds the data window and the whole image.
    fn new(mut view: View, [width, height]: [usize; 2], unit: f32, mut text_scale: usize, two_d: bool) -> Layout {
        let mut ticks = Ticks::default();
        for pass in 0..2 {
            ticks = Ticks::new(&view, unit);
            let margins = margins(&ticks, unit, text_scale);
            let (l, t, r, b) = margins;
            if (width as f32) < l + r + 24.0 || (height as f32) < t + b + 24.0 {
                // Too small for labels: the plot takes the whole image.
                text_scale = 0;
                view = View { left: 0.0, top: 0.0, right: width as f32, bottom: height as f32, ..view };
                ticks = Ticks::new(&view, unit);
                break;
            }
            view = View { left: l, top: t, right: width as f32 - r, bottom: height as f32 - b, ..view };
            if pass == 0 && two_d {
                equalise_aspect(&mut view);
            }
        }
        Layout { view, ticks, unit, text_scale, two_d }
    }

    /// The panel, the grid, the surface or the curve with the optimum marked, and the axes.
    fn draw_plot(&self, c: &mut Canvas, landscape: &LossSurface, optimum: Params<f64>, min_loss: f64) {
        let (view, unit) = (&self.view, self.unit);
        c.fill_rect(view.left, view.top, view.right, view.bottom, PANEL);
        draw_grid(c, view, &self.ticks, unit);
        c.set_clip(view.left, view.top, view.right, view.bottom);
        if self.two_d {
            draw_surface(c, view, landscape, unit);
            let p = view.px(optimum.w, optimum.b);
            draw_cross(c, p, 5.0 * unit, unit);
        } else {
            draw_curve(c, view, landscape, unit);
            // A dashed line through the whole height marks w*: it stays visible under the converging trail.
            let p = view.px(optimum.w, min_loss);
            c.dashed_line((p.0, view.top), (p.0, view.bottom), 1.3 * unit, (5.0 * unit, 4.0 * unit), MARK, 0.5);
            draw_cross(c, p, 4.5 * unit, unit);
        }
        c.reset_clip();
        let names = if self.two_d { ("w", "b") } else { ("w", "L(w)") };
        draw_axes(c, view, &self.ticks, unit, self.text_scale, names);
    }

    /// The text that is the same in every frame: the run's settings above the panel and, on the curve, "w*".
    fn draw_header(&self, c: &mut Canvas, settings: &Settings, optimum: Params<f64>) {
        let (view, unit, text_scale) = (&self.view, self.unit, self.text_scale);
        let summary = summary(settings);
        if text_scale == 0 {
            return;
        }
        // The settings: right-aligned on the second header row, above the panel.
        let sw = text_width(&summary, text_scale) as f32;
        let name_w = text_width(if self.two_d { "b" } else { "L(w)" }, text_scale) as f32;
        if view.right - sw > view.left + name_w {
            c.text(view.right - sw, second_row(view, text_scale, unit), &summary, text_scale, AXIS);
        }
        // Name w* at the top of its dashed line, where the curve rarely is. (On the surface the × stands alone: the
        // path ends at it, and a label there would sit under the trail.)
        c.set_clip(view.left, view.top, view.right, view.bottom);
        if !self.two_d {
            let (w_star, _) = view.px(optimum.w, view.y_lo);
            c.text(w_star + 5.0 * unit, view.top + 5.0 * unit, "w*", text_scale, MARK);
        }
        c.reset_clip();
    }
}

/// Top of the first header row (the caption).
fn first_row(unit: f32) -> f32 {
    (6.0 * unit).round()
}

/// Top of the second header row (axis name, settings), just above the panel.
fn second_row(view: &View, text_scale: usize, unit: f32) -> f32 {
    (view.top - (GLYPH_HEIGHT * text_scale) as f32 - 6.0 * unit).round()
}

/// The pixel of a row: (w, loss) on the curve, or (w, b) on the surface.
fn point_of(view: &View, r: &Record<f64>, two_d: bool) -> Pt {
    if two_d { view.px(r.params.w, r.params.b) } else { view.px(r.params.w, r.loss) }
}

/// The rows' pixels, keeping only points at least a pixel from the last kept one (always the first): a million
/// converged steps piled on one pixel draw as one.
fn thin_path(rows: &[Record<f64>], at: impl Fn(&Record<f64>) -> Pt) -> Vec<(usize, Pt)> {
    let mut path: Vec<(usize, Pt)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let p = at(r);
        match path.last() {
            Some(&(_, q)) if (p.0 - q.0).hypot(p.1 - q.1) < 1.0 => {}
            _ => path.push((i, p)),
        }
    }
    path
}

/// The run's settings in a few words: "SGD lr 0.1  momentum 0.9  MSE  f32".
fn summary(s: &Settings) -> String {
    let o = &s.optimizer;
    let mut text = format!("{} lr {}", o.kind.label(), o.lr);
    if matches!(o.kind, OptimizerKind::Sgd | OptimizerKind::Rmsprop) && o.momentum != 0.0 {
        text.push_str(&format!("  momentum {}", o.momentum));
    }
    if let Some(b) = s.batch_size {
        text.push_str(&format!("  batch {b}"));
    }
    text.push_str("  ");
    text.push_str(s.loss.label());
    if s.precision == Precision::F32 {
        text.push_str("  f32");
    }
    text
}

/// Widens one axis so that a unit of w and a unit of b are as long on screen — then the descent direction is
/// drawn at right angles to the contours, as it truly is — unless that would shrink the path to under a third.
fn equalise_aspect(view: &mut View) {
    let (kx, ky) = view.scale();
    let ratio = kx / ky;
    if !(ratio.is_finite() && (1.0 / 3.0..=3.0).contains(&ratio)) {
        return;
    }
    if kx > ky {
        let extra = (view.x_hi - view.x_lo) * (ratio - 1.0) * 0.5;
        view.x_lo -= extra;
        view.x_hi += extra;
    } else {
        let extra = (view.y_hi - view.y_lo) * (1.0 / ratio - 1.0) * 0.5;
        view.y_lo -= extra;
        view.y_hi += extra;
    }
}

/// Tick positions and labels of both axes.
#[derive(Default)]
struct Ticks {
    x: Vec<(f64, String)>,
    y: Vec<(f64, String)>,
}

impl Ticks {
    /// About one tick per 90 units across and per 60 units up.
    fn new(view: &View, unit: f32) -> Ticks {
        let across = f64::from((view.right - view.left) / (90.0 * unit)).clamp(2.0, 10.0);
        let up = f64::from((view.bottom - view.top) / (60.0 * unit)).clamp(2.0, 10.0);
        Ticks { x: nice_ticks(view.x_lo, view.x_hi, across), y: nice_ticks(view.y_lo, view.y_hi, up) }
    }
}

/// Left, top, right and bottom margins around the plot panel.
fn margins(ticks: &Ticks, unit: f32, text_scale: usize) -> (f32, f32, f32, f32) {
    let pad = 10.0 * unit;
    if text_scale == 0 {
        return (pad, pad, pad, pad);
    }
    let s = text_scale;
    let line = (GLYPH_HEIGHT * s) as f32;
    let widest = ticks.y.iter().map(|(_, l)| text_width(l, s)).max().unwrap_or(0).max(text_width("L(w)", s));
    let left = widest as f32 + 14.0 * unit;
    let top = 2.0 * line + 18.0 * unit;
    let bottom = line + 16.0 * unit;
    // The right margin holds the x axis name, beside the last tick label.
    let right = pad.max(text_width("w", s) as f32 + 12.0 * unit);
    (left.round(), top.round(), right.round(), bottom.round())
}

/// Grid lines at the ticks, under everything else.
fn draw_grid(c: &mut Canvas, view: &View, ticks: &Ticks, unit: f32) {
    let w = unit.round().max(1.0);
    for (v, _) in &ticks.x {
        let x = view.px(*v, 0.0).0.round();
        c.fill_rect(x, view.top, x + w, view.bottom, GRID);
    }
    for (v, _) in &ticks.y {
        let y = view.px(0.0, *v).1.round();
        c.fill_rect(view.left, y, view.right, y + w, GRID);
    }
}

/// The axes along the panel's left and bottom edges, tick marks, tick labels and axis names.
fn draw_axes(c: &mut Canvas, view: &View, ticks: &Ticks, unit: f32, s: usize, names: (&str, &str)) {
    let w = (1.2 * unit).round().max(1.0);
    c.fill_rect(view.left - w, view.top, view.left, view.bottom + w, AXIS);
    c.fill_rect(view.left - w, view.bottom, view.right, view.bottom + w, AXIS);
    let tick = (5.0 * unit).round().max(2.0);
    let sf = s as f32;
    let label_gap = 4.0 * unit;
    // The x axis name sits in the right margin on the tick labels' row; a label it would touch is left out.
    let name_x = view.right + 6.0 * unit;
    for (v, label) in &ticks.x {
        let x = view.px(*v, 0.0).0.round();
        c.fill_rect(x, view.bottom + w, x + w, view.bottom + w + tick, AXIS);
        if s > 0 {
            let lw = text_width(label, s) as f32;
            let lx = (x + 0.5 * w - 0.5 * lw).round();
            if lx + lw + sf * 3.0 < name_x && lx >= 0.0 {
                c.text(lx, view.bottom + w + tick + label_gap, label, s, TEXT);
            }
        }
    }
    for (v, label) in &ticks.y {
        let y = view.px(0.0, *v).1.round();
        c.fill_rect(view.left - w - tick, y, view.left - w, y + w, AXIS);
        if s > 0 {
            let lw = text_width(label, s) as f32;
            let ly = (y + 0.5 * w - 0.5 * (GLYPH_HEIGHT * s) as f32).round();
            c.text(view.left - w - tick - label_gap - lw, ly, label, s, TEXT);
        }
    }
    if s > 0 {
        c.text(name_x, view.bottom + w + tick + label_gap, names.0, s, MARK);
        let nw = text_width(names.1, s) as f32;
        c.text((view.left - w - tick - label_gap - nw).max(0.0), second_row(view, s, unit), names.1, s, MARK);
    }
}

/// A marker for the optimum: a dark × on a white halo.
fn draw_cross(c: &mut Canvas, p: Pt, r: f32, unit: f32) {
    for (width, colour) in [(4.0 * unit, HALO), (1.8 * unit, MARK)] {
        c.line((p.0 - r, p.1 - r), (p.0 + r, p.1 + r), width, colour, 1.0);
        c.line((p.0 - r, p.1 + r), (p.0 + r, p.1 - r), width, colour, 1.0);
    }
}

/// The loss curve L(w) across the panel, with a light tint underneath.
fn draw_curve(c: &mut Canvas, view: &View, landscape: &LossSurface, unit: f32) {
    let (first, last) = (view.left.floor() as i64, view.right.ceil() as i64);
    let columns = usize::try_from(last - first + 1).unwrap_or(0).max(2);
    let losses = landscape.along_columns(columns, |x| view.x_at(first as f64 + 0.5 + x), 0.0);
    let points: Vec<Pt> = (0..columns)
        .map(|i| {
            let px = first as f64 + 0.5 + i as f64;
            let loss = losses[i];
            (px as f32, view.px(view.x_at(px), if loss.is_finite() { loss } else { view.y_hi * 10.0 }).1)
        })
        .collect();
    let tint_rows = view.bottom;
    for &(px, py) in &points {
        let column = px.floor();
        if column < 0.0 {
            continue;
        }
        let top = py.max(view.top);
        // The pixel the curve crosses is tinted in proportion to how much of it lies under the curve.
        let full_from = top.ceil();
        let (col, first_row) = (column as usize, top.floor());
        if first_row >= 0.0 && first_row < full_from {
            c.blend(col, first_row as usize, CURVE, 0.07 * (full_from - top));
        }
        let mut row = full_from;
        while row < tint_rows {
            c.blend(col, row as usize, CURVE, 0.07);
            row += 1.0;
        }
    }
    for pair in points.windows(2) {
        c.line(pair[0], pair[1], 2.6 * unit, CURVE, 1.0);
    }
}

/// The (w, b) surface: filled bands between contours evenly spaced in √(L − L_min), which makes the nested
/// ellipses of a quadratic evenly spaced, and anti-aliased contour lines between bands.
fn draw_surface(c: &mut Canvas, view: &View, landscape: &LossSurface, unit: f32) {
    let x0 = view.left.max(0.0) as usize;
    let y0 = view.top.max(0.0) as usize;
    let x1 = (view.right.max(0.0) as usize).min(c.width);
    let y1 = (view.bottom.max(0.0) as usize).min(c.height);
    let (w, h) = (x1.saturating_sub(x0), y1.saturating_sub(y0));
    if w == 0 || h == 0 {
        return;
    }
    let field =
        landscape.over_pixels([w, h], |i, j| (view.x_at((x0 + i) as f64 + 0.5), view.y_at((y0 + j) as f64 + 0.5)));
    let finite = field.iter().copied().filter(|v| v.is_finite());
    let Some((lo, hi)) = bounds(finite) else {
        return;
    };
    let span = hi - lo;
    let level: Vec<f32> = field
        .iter()
        .map(|&v| {
            if span.is_nan() || span <= 0.0 {
                0.0
            } else if v.is_finite() {
                (BANDS as f64 * ((v - lo) / span).clamp(0.0, 1.0).sqrt()) as f32
            } else {
                BANDS as f32
            }
        })
        .collect();
    let line_half = 0.6 * unit;
    for j in 0..h {
        for i in 0..w {
            let u = level[j * w + i];
            let band = (u.floor() as usize).min(BANDS - 1);
            c.blend(x0 + i, y0 + j, band_colour(band), 1.0);
            let k = u.round();
            if k < 1.0 || k >= BANDS as f32 {
                continue;
            }
            // Distance to the contour in pixels: the level's offset over its rate of change per pixel.
            let get = |i: usize, j: usize| level[j * w + i];
            let gx = 0.5 * (get((i + 1).min(w - 1), j) - get(i.saturating_sub(1), j));
            let gy = 0.5 * (get(i, (j + 1).min(h - 1)) - get(i, j.saturating_sub(1)));
            let rate = gx.hypot(gy).max(1e-6);
            let distance = (u - k).abs() / rate;
            let coverage = (line_half + 0.5 - distance).clamp(0.0, 1.0);
            c.blend(x0 + i, y0 + j, CONTOUR, 0.35 * coverage);
        }
    }
}
