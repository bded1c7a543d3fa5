//! The geometry and layout of each frame of the animation, and what it shows.
//!
//! A frame is a slide: a title with the run's settings, a caption with the step and the values there, the main plot
//! (the loss curve L(w) with the path walking down it, or with a bias the (w, b) contour map with the path across
//! it), and beside it (or under it, on a tall image) the loss inset, the loss by step on a log scale, above a small
//! legend. Everything that is the same in every frame (panels, axes, ticks, the curve or the contours, the optimum,
//! the legend) is drawn once into a background ([`super::backdrop`]); each frame copies it and adds the path so
//! far, the current point with its tangent or descent arrow, the caption and the inset's line.
//!
//! The view is fixed for the whole animation and covers the optimum and every recorded point, so nothing jumps
//! between frames. Sizes scale with the shorter side of the image; the text is left out when there is no room.

use super::ExportError;
use super::backdrop;
use super::gif::GifOptions;
use super::inset::Inset;
use super::paint::{Canvas, Pt};
use super::text::{Anchor, Fonts, Style};
use super::theme::Inks;
use crate::engine::trainer::Record;
use crate::engine::{Dataset, Params, Settings};
use crate::format;
use crate::geometry::{LossSurface, nice_ticks, path_loss_range, whole_path_range};

/// A rectangle in pixels, [x0, x1) × [y0, y1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Area {
    pub(super) x0: f32,
    pub(super) y0: f32,
    pub(super) x1: f32,
    pub(super) y1: f32,
}

impl Area {
    /// Width in pixels.
    pub(super) fn w(&self) -> f32 {
        self.x1 - self.x0
    }

    /// Height in pixels.
    pub(super) fn h(&self) -> f32 {
        self.y1 - self.y0
    }
}

/// A data window and the panel it is drawn in.
#[derive(Clone, Copy, Debug)]
pub(super) struct View {
    pub(super) x_lo: f64,
    pub(super) x_hi: f64,
    pub(super) y_lo: f64,
    pub(super) y_hi: f64,
    pub(super) panel: Area,
}

impl View {
    /// Pixel position of data point (x, y), clamped far outside the canvas (so that f32 never overflows).
    pub(super) fn px(&self, x: f64, y: f64) -> Pt {
        let p = &self.panel;
        let fx = (x - self.x_lo) / (self.x_hi - self.x_lo);
        let fy = (y - self.y_lo) / (self.y_hi - self.y_lo);
        let sx = f64::from(p.x0) + fx * f64::from(p.w());
        let sy = f64::from(p.y1) - fy * f64::from(p.h());
        let clamp = |v: f64| if v.is_nan() { -1e6 } else { v.clamp(-1e6, 1e6) as f32 };
        (clamp(sx), clamp(sy))
    }

    /// Data x at canvas column position `column`.
    pub(super) fn x_at(&self, column: f64) -> f64 {
        let p = &self.panel;
        self.x_lo + (column - f64::from(p.x0)) / f64::from(p.w()) * (self.x_hi - self.x_lo)
    }

    /// Data y at canvas row position `row`.
    pub(super) fn y_at(&self, row: f64) -> f64 {
        let p = &self.panel;
        self.y_lo + (f64::from(p.y1) - row) / f64::from(p.h()) * (self.y_hi - self.y_lo)
    }

    /// Pixels per data unit along x and along y.
    pub(super) fn scale(&self) -> (f64, f64) {
        (f64::from(self.panel.w()) / (self.x_hi - self.x_lo), f64::from(self.panel.h()) / (self.y_hi - self.y_lo))
    }
}

/// The text sizes of a frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Type {
    /// The title.
    pub(super) title: Style,
    /// The caption (monospace, so that it keeps still as the digits change).
    pub(super) caption: Style,
    /// Tick labels and axis names.
    pub(super) label: Style,
    /// The inset's and the legend's text.
    pub(super) small: Style,
}

/// Tick positions and labels of both axes of the main plot.
#[derive(Default)]
pub(super) struct Ticks {
    pub(super) x: Vec<(f64, String)>,
    pub(super) y: Vec<(f64, String)>,
}

impl Ticks {
    /// About one tick per 90 units across and per 60 units up.
    fn new(view: &View, unit: f32) -> Ticks {
        let across = f64::from(view.panel.w() / (90.0 * unit)).clamp(2.0, 10.0);
        let up = f64::from(view.panel.h() / (60.0 * unit)).clamp(2.0, 10.0);
        Ticks { x: nice_ticks(view.x_lo, view.x_hi, across), y: nice_ticks(view.y_lo, view.y_hi, up) }
    }
}

/// Where everything goes.
pub(super) struct Layout {
    /// Size unit: 1 at 400 pixels for the shorter side.
    pub(super) unit: f32,
    /// Text sizes; `None` when there is no text (not asked for, or no room).
    pub(super) text: Option<Type>,
    /// The main plot.
    pub(super) view: View,
    pub(super) ticks: Ticks,
    /// The whole image.
    pub(super) page: Area,
    /// The margin around everything.
    pub(super) pad: f32,
    /// Tops of the title and the caption.
    pub(super) title_y: f32,
    pub(super) caption_y: f32,
    /// The loss inset's box and the legend's, when there is room for them.
    pub(super) inset: Option<Area>,
    pub(super) legend: Option<Area>,
    /// The (w, b) contour map rather than the curve L(w).
    pub(super) two_d: bool,
}

impl Layout {
    /// Lays out a frame around the data window `window` ([x_lo, x_hi, y_lo, y_hi]); `floor` is the lowest loss (the
    /// curve's view keeps room under it).
    fn new(opts: &GifOptions, fonts: &Fonts, window: [f64; 4], floor: f64, two_d: bool) -> Layout {
        let (width, height) = (opts.width as f32, opts.height as f32);
        let unit = width.min(height) / 400.0;
        let t = unit.max(0.75);
        let text = (opts.labels && width >= 200.0 && height >= 150.0).then(|| Type {
            title: Style::sans(17.0 * t),
            caption: Style::mono(14.0 * t),
            label: Style::sans(12.5 * t),
            small: Style::sans(11.5 * t),
        });
        let page = Area { x0: 0.0, y0: 0.0, x1: width, y1: height };
        let pad = (10.0 * unit).max(4.0);
        let [x_lo, x_hi, y_lo, y_hi] = window;
        let view = View { x_lo, x_hi, y_lo, y_hi, panel: page };
        let mut layout = Layout {
            unit,
            text,
            view,
            ticks: Ticks::default(),
            page,
            pad,
            title_y: pad,
            caption_y: pad,
            inset: None,
            legend: None,
            two_d,
        };
        let Some(ty) = text else {
            layout.view.panel = Area { x0: pad, y0: pad, x1: width - pad, y1: height - pad };
            if !two_d {
                layout.room_under(floor);
            }
            layout.ticks = Ticks::new(&layout.view, unit);
            return layout;
        };
        layout.caption_y = layout.title_y + fonts.height(ty.title) + 4.0 * t;
        // Under the caption: the y axis name's row, then the plots.
        let top = layout.caption_y + fonts.height(ty.caption) + 10.0 * t + fonts.height(ty.label) + 6.0 * t;
        let content = Area { x0: pad, y0: top, x1: width - pad, y1: height - pad };
        let main = layout.place_side(content, fonts, ty, t);
        layout.place_panel(main, fonts, ty, floor);
        if layout.view.panel.w() < 60.0 || layout.view.panel.h() < 40.0 {
            // Too cramped for text: the plot takes the whole image.
            let bare = GifOptions { labels: false, ..opts.clone() };
            return Layout::new(&bare, fonts, window, floor, two_d);
        }
        layout
    }

    /// Sets aside the inset and the legend: a column on the right of a wide image, a row under a tall one, nothing
    /// on a small one. Returns what is left for the main plot.
    fn place_side(&mut self, content: Area, fonts: &Fonts, ty: Type, t: f32) -> Area {
        let gap = 18.0 * t;
        let legend_h = 5.0 * 1.45 * fonts.height(ty.small) + 8.0 * t;
        let name_row = fonts.height(ty.label) + 6.0 * t;
        if content.w() >= 400.0 * t && content.w() >= 1.15 * content.h() && content.h() >= 200.0 * t {
            let side_w = (0.3 * content.w()).clamp(150.0 * t, 300.0 * t);
            let side = Area { x0: content.x1 - side_w, y0: content.y0 - name_row, ..content };
            let inset_h = (0.6 * side.h()).max(side.h() - legend_h - gap);
            self.inset = Some(Area { y1: side.y0 + inset_h, ..side });
            self.legend = (side.h() - inset_h >= legend_h).then_some(Area { y0: side.y0 + inset_h + gap, ..side });
            return Area { x1: side.x0 - gap, ..content };
        }
        if content.h() >= 400.0 * t && content.h() >= 1.15 * content.w() && content.w() >= 240.0 * t {
            let side_h = (0.32 * content.h()).clamp(150.0 * t, 320.0 * t);
            let side = Area { y0: content.y1 - side_h, ..content };
            let inset_w = (0.55 * side.w()).max(side.w() - 200.0 * t);
            self.inset = Some(Area { x1: side.x0 + inset_w, ..side });
            self.legend = (side.h() >= legend_h && side.w() - inset_w >= 120.0 * t)
                .then_some(Area { x0: side.x0 + inset_w + gap, ..side });
            return Area { y1: side.y0 - gap - name_row, ..content };
        }
        content
    }

    /// Places the main panel inside `main`, leaving margins for the tick labels and axis names; on the contour
    /// map, one axis is widened so that w and b units are equally long (see [`equalise_aspect`]).
    fn place_panel(&mut self, main: Area, fonts: &Fonts, ty: Type, floor: f64) {
        let u = self.unit;
        for pass in 0..2 {
            self.ticks = Ticks::new(&self.view, u);
            let widest = self.ticks.y.iter().map(|(_, l)| fonts.width(ty.label, l)).fold(0.0, f32::max);
            let left = widest + tick_len(u) + 5.0 * u;
            let bottom = tick_len(u) + 4.0 * u + fonts.height(ty.label);
            let right = fonts.width(ty.label, "w") + 10.0 * u;
            self.view.panel = Area {
                x0: (main.x0 + left).round(),
                y0: main.y0.round(),
                x1: (main.x1 - right).round(),
                y1: (main.y1 - bottom).round(),
            };
            if pass == 0 && self.two_d {
                equalise_aspect(&mut self.view);
            }
            if !self.two_d {
                self.room_under(floor);
            }
        }
    }

    /// Lowers the bottom of the curve's view until the minimum `floor` sits at least 12 units above the panel's
    /// bottom edge, so that the point resting there is not drawn over the axis.
    fn room_under(&mut self, floor: f64) {
        let view = &mut self.view;
        let (margin, height) = (f64::from(12.0 * self.unit), f64::from(view.panel.h()));
        let above = view.y_hi - floor;
        if !(floor.is_finite() && above > 0.0 && height > 2.0 * margin) {
            return;
        }
        // With d = floor − y_lo: d / (above + d) = margin / height.
        let d = margin * above / (height - margin);
        view.y_lo = view.y_lo.min(floor - d);
    }
}

/// Length of a tick mark.
pub(super) fn tick_len(unit: f32) -> f32 {
    (5.0 * unit).round().max(2.0)
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

/// Everything needed to draw any frame of one run's animation.
pub(crate) struct Scene<'a> {
    rows: &'a [Record<f64>],
    background: Canvas,
    fonts: Fonts,
    inks: Inks,
    layout: Layout,
    landscape: LossSurface,
    /// The trail thinned to points at least a pixel apart: (row index, pixel).
    path: Vec<(usize, Pt)>,
    inset: Option<Inset>,
    /// The caption's size, shrunk when the longest caption would not fit.
    caption: Style,
}

impl<'a> Scene<'a> {
    /// Lays out the frames and draws their background.
    pub(crate) fn new(
        opts: &GifOptions,
        data: &Dataset,
        settings: &Settings,
        rows: &'a [Record<f64>],
    ) -> Result<Scene<'a>, ExportError> {
        settings.validate()?;
        let fonts = Fonts::load().map_err(|e| ExportError::Gif(format!("loading egui's fonts: {e}")))?;
        let inks = Inks::of(opts.theme);
        let optimum = LossSurface::optimum(data, settings);
        let landscape = LossSurface::for_export(data, settings, optimum)?;
        let min_loss = landscape.loss(optimum.w, optimum.b);
        let two_d = settings.bias;
        let window = data_window(rows, &landscape, optimum, min_loss, two_d);
        let layout = Layout::new(opts, &fonts, window, min_loss, two_d);
        let inset = match (layout.inset, layout.text) {
            (Some(area), Some(ty)) => Some(Inset::new(area, rows, &fonts, ty.small, layout.unit)),
            _ => None,
        };
        let caption = layout.text.map_or(Style::mono(1.0), |ty| fit_caption(&fonts, ty.caption, rows, &layout));
        let mut background = Canvas::new(opts.width, opts.height, inks.page)
            .ok_or_else(|| ExportError::Gif(format!("cannot make a {}×{} frame", opts.width, opts.height)))?;
        let look = backdrop::Look { fonts: &fonts, inks: &inks, layout: &layout };
        backdrop::draw(&mut background, &look, &landscape, settings, optimum, min_loss);
        if let (Some(inset), Some(ty)) = (&inset, layout.text) {
            inset.draw_frame(&mut background, &fonts, &inks, ty.small);
        }
        let view = layout.view;
        let path = thin_path(rows, |r| point_of(&view, r, two_d));
        Ok(Scene { rows, background, fonts, inks, layout, landscape, path, inset, caption })
    }

    /// A canvas of the frames' size, showing the background.
    pub(crate) fn canvas(&self) -> Option<Canvas> {
        let mut c = Canvas::new(self.background.width() as u32, self.background.height() as u32, self.inks.page)?;
        c.copy_from(&self.background);
        Some(c)
    }

    /// Draws the frame that shows the run up to row `upto` into `canvas` (same size as the scene).
    pub(crate) fn render(&self, upto: usize, canvas: &mut Canvas) {
        canvas.copy_from(&self.background);
        let Some(current) = self.rows.get(upto) else {
            return;
        };
        let p = self.layout.view.panel;
        canvas.set_clip(p.x0, p.y0, p.x1, p.y1);
        let here = point_of(&self.layout.view, current, self.layout.two_d);
        self.draw_trail(canvas, upto, here);
        self.draw_direction(canvas, current, here);
        // Unclipped: a point at the minimum, on the panel's edge, shows whole.
        canvas.reset_clip();
        self.draw_current(canvas, here);
        if let Some(inset) = &self.inset {
            inset.draw_upto(canvas, upto, current, &self.inks);
        }
        self.draw_caption(canvas, current);
    }

    /// The path up to row `upto` ending at the current point `here`: a line, a dot at each step while the steps
    /// are few, an arrowhead on each of the latest steps long enough to carry one, and the start's ring.
    fn draw_trail(&self, canvas: &mut Canvas, upto: usize, here: Pt) {
        /// Steps that get an arrowhead (the latest ones).
        const ARROWS: usize = 40;
        let (u, ink) = (self.layout.unit, self.inks.run);
        let shown: Vec<Pt> =
            self.path.iter().take_while(|(i, _)| *i <= upto).map(|&(_, p)| p).chain(std::iter::once(here)).collect();
        canvas.stroke(&shown, (1.6 * u).max(1.0), ink, 0.6, None);
        let sparse = self.path.len() <= 150;
        let dot = (2.3 * u).max(1.0);
        let skip = shown.len().saturating_sub(ARROWS + 1);
        for pair in shown[skip..].windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            if len >= 18.0 * u {
                let dir = ((b.0 - a.0) / len, (b.1 - a.1) / len);
                let back = if sparse { dot + 0.5 * u } else { 0.5 * u };
                canvas.arrow_head((b.0 - dir.0 * back, b.1 - dir.1 * back), dir, 8.0 * u, ink, 0.9);
            }
        }
        if sparse {
            for &p in &shown[..shown.len() - 1] {
                canvas.disc(p, dot, ink, 0.9);
            }
        }
        if let Some(&(_, start)) = self.path.first() {
            canvas.ring(start, 5.5 * u, (1.5 * u).max(1.0), self.inks.curve, 0.9);
        }
    }

    /// Where the gradient points: the tangent to the curve at the current point, or on the contour map the
    /// steepest-descent direction −∇L of the step, as an arrow.
    fn draw_direction(&self, canvas: &mut Canvas, current: &Record<f64>, here: Pt) {
        let (u, view, ink) = (self.layout.unit, &self.layout.view, self.inks.tangent);
        let (kx, ky) = view.scale();
        if self.layout.two_d {
            let dir = (-current.grad.w * kx, current.grad.b * ky);
            let len = dir.0.hypot(dir.1);
            if len > 0.0 && len.is_finite() {
                let dir = ((dir.0 / len) as f32, (dir.1 / len) as f32);
                let tip = (here.0 + dir.0 * 42.0 * u, here.1 + dir.1 * 42.0 * u);
                let shaft_end = (tip.0 - dir.0 * 6.0 * u, tip.1 - dir.1 * 6.0 * u);
                canvas.line(here, shaft_end, 2.2 * u, ink, 1.0);
                canvas.arrow_head(tip, dir, 10.0 * u, ink, 1.0);
            }
            return;
        }
        // The exact slope of the full loss, also when the step used a mini-batch's gradient.
        let h = 1e-6 * (view.x_hi - view.x_lo);
        let slope = self.landscape.slope_w(current.params.w, 0.0, h);
        let dir = (kx, -slope * ky);
        let len = dir.0.hypot(dir.1);
        if len > 0.0 && len.is_finite() {
            let half = 95.0 * u;
            let d = ((dir.0 / len) as f32 * half, (dir.1 / len) as f32 * half);
            canvas.line((here.0 - d.0, here.1 - d.1), (here.0 + d.0, here.1 + d.1), 1.8 * u, ink, 0.95);
        }
    }

    /// The current point: a soft halo, a rim in the panel's colour, and the point in the run's colour.
    fn draw_current(&self, canvas: &mut Canvas, here: Pt) {
        let (u, ink) = (self.layout.unit, self.inks.run);
        canvas.disc(here, 11.0 * u, ink, 0.25);
        canvas.disc(here, 7.0 * u, self.inks.panel, 1.0);
        canvas.disc(here, 5.5 * u, ink, 1.0);
    }

    /// The caption under the title: the step and the state there.
    fn draw_caption(&self, canvas: &mut Canvas, r: &Record<f64>) {
        if self.layout.text.is_none() {
            return;
        }
        let at = (self.layout.pad, self.layout.caption_y);
        let text = caption(r, self.layout.two_d);
        self.fonts.draw(canvas, self.caption, &text, at, Anchor::TopLeft, self.inks.text);
    }
}

/// The caption of row `r`: "step 12   w = 2.9981   L = 0.012345" (and b with a bias).
fn caption(r: &Record<f64>, two_d: bool) -> String {
    let mut text = format!("step {}   w = {}", r.step, format::gif_value(r.params.w));
    if two_d {
        text.push_str(&format!("   b = {}", format::gif_value(r.params.b)));
    }
    text.push_str(&format!("   L = {}", format::gif_value(r.loss)));
    text
}

/// The caption's size: `style`, or smaller so that the longest caption of the run fits across the image.
fn fit_caption(fonts: &Fonts, style: Style, rows: &[Record<f64>], layout: &Layout) -> Style {
    let room = layout.page.w() - 2.0 * layout.pad;
    // Every caption has the same pattern in a monospace font: the longest text is the widest.
    let longest = rows.iter().map(|r| caption(r, layout.two_d).chars().count()).max().unwrap_or(0);
    let widest = fonts.width(style, &"0".repeat(longest));
    if widest <= room || widest <= 0.0 { style } else { Style { size: style.size * room / widest, ..style } }
}

/// The data window `[x_lo, x_hi, y_lo, y_hi]`: w across, and b up on the contour map (`two_d`) or the loss up on
/// the curve, covering every recorded point and the optimum.
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

/// The pixel of a row: (w, loss) on the curve, or (w, b) on the contour map.
fn point_of(view: &View, r: &Record<f64>, two_d: bool) -> Pt {
    if two_d { view.px(r.params.w, r.params.b) } else { view.px(r.params.w, r.loss) }
}

/// The rows' pixels, keeping only points at least a pixel from the last kept one (always the first): a million
/// converged steps piled on one pixel draw as one.
pub(super) fn thin_path(rows: &[Record<f64>], at: impl Fn(&Record<f64>) -> Pt) -> Vec<(usize, Pt)> {
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
