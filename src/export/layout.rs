//! Where everything goes on a frame of the animation, shared by the parts that draw it: the [`Area`]s of the title,
//! caption, main plot, inset and legend, the text sizes ([`Type`]), the main plot's data window ([`View`], with w
//! and b units equally long on a contour map where that fits) and its ticks, and the path thinned to pixels
//! ([`thin_path`]). Sizes scale with the shorter side of the image; the text is left out when there is no room.

use super::paint::Pt;
use super::text::{Fonts, Style};
use crate::engine::trainer::Record;
use crate::geometry::nice_ticks;

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
    /// curve's view keeps room under it); the legend has `legend_lines` lines.
    pub(super) fn new(
        size_px: [u32; 2],
        labels: bool,
        fonts: &Fonts,
        window: [f64; 4],
        floor: f64,
        two_d: bool,
        legend_lines: usize,
    ) -> Layout {
        let (width, height) = (size_px[0] as f32, size_px[1] as f32);
        let unit = width.min(height) / 400.0;
        let t = unit.max(0.75);
        let text = (labels && width >= 200.0 && height >= 150.0).then(|| Type {
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
        let main = layout.place_side(content, fonts, ty, t, legend_lines);
        layout.place_panel(main, fonts, ty, floor);
        if layout.view.panel.w() < 60.0 || layout.view.panel.h() < 40.0 {
            // Too cramped for text: the plot takes the whole image.
            return Layout::new(size_px, false, fonts, window, floor, two_d, legend_lines);
        }
        layout
    }

    /// Sets aside the inset and the legend of `lines` lines: a column on the right of a wide image, a row under a
    /// tall one, nothing on a small one. Returns what is left for the main plot.
    fn place_side(&mut self, content: Area, fonts: &Fonts, ty: Type, t: f32, lines: usize) -> Area {
        let gap = 18.0 * t;
        let legend_h = lines as f32 * LEGEND_LINE * fonts.height(ty.small) + 8.0 * t;
        // The inset keeps at least this share of the column: 60 %, or 45 % beside a long legend (several runs).
        let inset_share = if lines <= 5 { 0.6 } else { 0.45 };
        let name_row = fonts.height(ty.label) + 6.0 * t;
        if content.w() >= 400.0 * t && content.w() >= 1.15 * content.h() && content.h() >= 200.0 * t {
            let side_w = (0.3 * content.w()).clamp(150.0 * t, 300.0 * t);
            let side = Area { x0: content.x1 - side_w, y0: content.y0 - name_row, ..content };
            let inset_h = (inset_share * side.h()).max(side.h() - legend_h - gap);
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

/// The legend's line height, in text heights.
pub(super) const LEGEND_LINE: f32 = 1.45;

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
