//! The drawing backend of the animation: an opaque RGB canvas painted by tiny-skia (anti-aliased paths, strokes,
//! dashes and alpha) with an optional clip rectangle, and text by [`super::text`].
//!
//! Coordinates are pixels, x right and y down; pixel (i, j) covers [i, i+1) × [j, j+1). Every operation is safe
//! with any input: shapes with non-finite or degenerate coordinates are skipped, and huge coordinates are
//! clamped far outside the canvas.

use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, Pixmap, Rect, Stroke, StrokeDash, Transform,
};

/// An opaque colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    /// `self` moved towards `other` by `t` in [0, 1].
    pub(crate) fn mix(self, other: Rgb, t: f32) -> Rgb {
        let m = |a: u8, b: u8| {
            let (a, b) = (f32::from(a), f32::from(b));
            (a + (b - a) * t).round().clamp(0.0, 255.0) as u8
        };
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// As tiny-skia's colour, with opacity `alpha` in [0, 1].
    fn with_alpha(self, alpha: f32) -> Color {
        let a = (alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
        Color::from_rgba8(self.0, self.1, self.2, a)
    }
}

/// A point in pixel coordinates.
pub(crate) type Pt = (f32, f32);

/// How far outside the canvas a coordinate may lie before it is clamped (keeps tiny-skia's fixed point exact).
const FAR: f32 = 1.0e5;

/// An opaque RGB image painted with tiny-skia.
pub(crate) struct Canvas {
    pixmap: Pixmap,
    /// Drawing is restricted to this mask while it is set.
    clip: Option<Mask>,
}

impl Canvas {
    /// A `width × height` canvas filled with `background`; `None` for a zero or absurd size.
    pub(crate) fn new(width: u32, height: u32, background: Rgb) -> Option<Canvas> {
        let mut pixmap = Pixmap::new(width, height)?;
        pixmap.fill(background.with_alpha(1.0));
        Some(Canvas { pixmap, clip: None })
    }

    /// Width in pixels.
    pub(crate) fn width(&self) -> usize {
        self.pixmap.width() as usize
    }

    /// Height in pixels.
    pub(crate) fn height(&self) -> usize {
        self.pixmap.height() as usize
    }

    /// Makes this canvas a copy of `other` (same size): how each frame starts from the static background.
    pub(crate) fn copy_from(&mut self, other: &Canvas) {
        self.pixmap.data_mut().copy_from_slice(other.pixmap.data());
    }

    /// The pixel at index `i` (row-major).
    pub(crate) fn pixel(&self, i: usize) -> Rgb {
        let d = &self.pixmap.data()[4 * i..4 * i + 4];
        Rgb(d[0], d[1], d[2])
    }

    /// Every pixel, row by row.
    pub(crate) fn pixels(&self) -> impl Iterator<Item = Rgb> + '_ {
        self.pixmap.data().chunks_exact(4).map(|d| Rgb(d[0], d[1], d[2]))
    }

    /// The pixels as RGBA bytes, fully opaque.
    pub(crate) fn rgba(&self) -> Vec<u8> {
        // The canvas is opaque, so its premultiplied bytes are the plain ones.
        self.pixmap.data().to_vec()
    }

    /// Restricts drawing to the rectangle [x0, x1) × [y0, y1) (pixel edges) until [`Canvas::reset_clip`].
    pub(crate) fn set_clip(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let (w, h) = (self.pixmap.width(), self.pixmap.height());
        let Some(mut mask) = Mask::new(w, h) else {
            return;
        };
        if let Some(rect) = Rect::from_ltrb(x0.max(0.0), y0.max(0.0), x1.min(w as f32), y1.min(h as f32)) {
            mask.fill_path(&PathBuilder::from_rect(rect), FillRule::Winding, false, Transform::identity());
        }
        self.clip = Some(mask);
    }

    /// Lifts the clip.
    pub(crate) fn reset_clip(&mut self) {
        self.clip = None;
    }

    /// Fills the rectangle [x0, x1) × [y0, y1) with `c` at opacity `alpha`.
    pub(crate) fn fill_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb, alpha: f32) {
        if let Some(rect) = Rect::from_ltrb(clamp(x0), clamp(y0), clamp(x1), clamp(y1)) {
            self.pixmap.fill_rect(rect, &paint(c, alpha), Transform::identity(), self.clip.as_ref());
        }
    }

    /// A polyline of width `width` with round joins and caps, dashed `(dash, gap)` when given.
    pub(crate) fn stroke(&mut self, points: &[Pt], width: f32, c: Rgb, alpha: f32, dash: Option<(f32, f32)>) {
        let Some(path) = polyline(points, false) else {
            return;
        };
        let stroke = Stroke {
            width: width.max(0.1),
            line_cap: if dash.is_some() { LineCap::Butt } else { LineCap::Round },
            line_join: LineJoin::Round,
            dash: dash.and_then(|(d, g)| StrokeDash::new(vec![d.max(0.5), g.max(0.5)], 0.0)),
            ..Stroke::default()
        };
        self.pixmap.stroke_path(&path, &paint(c, alpha), &stroke, Transform::identity(), self.clip.as_ref());
    }

    /// A straight stroke from `a` to `b` with round caps.
    pub(crate) fn line(&mut self, a: Pt, b: Pt, width: f32, c: Rgb, alpha: f32) {
        self.stroke(&[a, b], width, c, alpha, None);
    }

    /// A filled polygon.
    pub(crate) fn polygon(&mut self, points: &[Pt], c: Rgb, alpha: f32) {
        self.fill(polyline(points, true), c, alpha);
    }

    /// A filled disc.
    pub(crate) fn disc(&mut self, (x, y): Pt, radius: f32, c: Rgb, alpha: f32) {
        if finite(x, y) {
            self.fill(PathBuilder::from_circle(clamp(x), clamp(y), radius.max(0.1)), c, alpha);
        }
    }

    /// A circle's outline of stroke width `width`.
    pub(crate) fn ring(&mut self, (x, y): Pt, radius: f32, width: f32, c: Rgb, alpha: f32) {
        if !finite(x, y) {
            return;
        }
        if let Some(path) = PathBuilder::from_circle(clamp(x), clamp(y), radius.max(0.1)) {
            let stroke = Stroke { width: width.max(0.1), ..Stroke::default() };
            self.pixmap.stroke_path(&path, &paint(c, alpha), &stroke, Transform::identity(), self.clip.as_ref());
        }
    }

    /// A diamond of half-diagonal `r` around `centre`: the optimum's mark, as in the app.
    pub(crate) fn diamond(&mut self, (x, y): Pt, r: f32, c: Rgb, alpha: f32) {
        self.polygon(&[(x, y - r), (x + r, y), (x, y + r), (x - r, y)], c, alpha);
    }

    /// A run's marker of radius `r` around `centre` (as the app draws it: filled shapes, a cross of strokes).
    pub(crate) fn marker(&mut self, (x, y): Pt, marker: crate::run_look::Marker, r: f32, c: Rgb, alpha: f32) {
        use crate::run_look::Marker;
        match marker {
            Marker::Circle => self.disc((x, y), r, c, alpha),
            Marker::Square => self.fill_rect(x - 0.8 * r, y - 0.8 * r, x + 0.8 * r, y + 0.8 * r, c, alpha),
            Marker::Diamond => self.diamond((x, y), 1.15 * r, c, alpha),
            Marker::Up => {
                self.polygon(&[(x, y - r), (x + 0.95 * r, y + 0.75 * r), (x - 0.95 * r, y + 0.75 * r)], c, alpha)
            }
            Marker::Down => {
                self.polygon(&[(x, y + r), (x + 0.95 * r, y - 0.75 * r), (x - 0.95 * r, y - 0.75 * r)], c, alpha)
            }
            Marker::Cross => {
                let (d, w) = (0.8 * r, 0.45 * r);
                self.line((x - d, y - d), (x + d, y + d), w, c, alpha);
                self.line((x - d, y + d), (x + d, y - d), w, c, alpha);
            }
        }
    }

    /// A filled arrowhead with its tip at `tip`, pointing along the unit vector `dir`, `size` long.
    pub(crate) fn arrow_head(&mut self, tip: Pt, dir: Pt, size: f32, c: Rgb, alpha: f32) {
        let (nx, ny) = (-dir.1, dir.0);
        let base = (tip.0 - dir.0 * size, tip.1 - dir.1 * size);
        let half = 0.5 * size;
        let left = (base.0 + nx * half, base.1 + ny * half);
        let right = (base.0 - nx * half, base.1 - ny * half);
        self.polygon(&[tip, left, right], c, alpha);
    }

    /// Sets the pixels of the rectangle starting at (`x0`, `y0`), `w` wide, row by row from `colours` (no blending:
    /// for the shaded loss surface). Pixels outside the canvas are skipped.
    pub(crate) fn put_block(&mut self, (x0, y0): (usize, usize), w: usize, colours: impl Iterator<Item = Rgb>) {
        let (width, height) = (self.width(), self.height());
        let data = self.pixmap.data_mut();
        for (k, c) in colours.enumerate() {
            let (x, y) = (x0 + k % w.max(1), y0 + k / w.max(1));
            if x < width && y < height {
                let at = 4 * (y * width + x);
                data[at..at + 4].copy_from_slice(&[c.0, c.1, c.2, 255]);
            }
        }
    }

    /// Blends `c` over pixel (x, y) with opacity `alpha` (outside the canvas: nothing). For text coverage.
    pub(crate) fn blend(&mut self, x: i32, y: i32, c: Rgb, alpha: f32) {
        let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
            return;
        };
        if x >= self.width() || y >= self.height() || alpha <= 0.0 {
            return;
        }
        let at = 4 * (y * self.width() + x);
        let data = self.pixmap.data_mut();
        let now = Rgb(data[at], data[at + 1], data[at + 2]).mix(c, alpha.min(1.0));
        data[at..at + 3].copy_from_slice(&[now.0, now.1, now.2]);
    }

    /// Fills `path` (when there is one) with `c` at opacity `alpha`.
    fn fill(&mut self, path: Option<Path>, c: Rgb, alpha: f32) {
        if let Some(path) = path {
            self.pixmap.fill_path(
                &path,
                &paint(c, alpha),
                FillRule::Winding,
                Transform::identity(),
                self.clip.as_ref(),
            );
        }
    }
}

/// An anti-aliased solid paint.
fn paint(c: Rgb, alpha: f32) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(c.with_alpha(alpha));
    p.anti_alias = true;
    p
}

/// True when both coordinates are finite.
fn finite(x: f32, y: f32) -> bool {
    x.is_finite() && y.is_finite()
}

/// A coordinate clamped to [−FAR, FAR].
fn clamp(v: f32) -> f32 {
    v.clamp(-FAR, FAR)
}

/// The path through `points` (closed when `closed`), skipping non-finite points; `None` with fewer than two.
fn polyline(points: &[Pt], closed: bool) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let mut started = false;
    for &(x, y) in points.iter().filter(|(x, y)| finite(*x, *y)) {
        if started {
            pb.line_to(clamp(x), clamp(y));
        } else {
            pb.move_to(clamp(x), clamp(y));
            started = true;
        }
    }
    if closed {
        pb.close();
    }
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = Rgb(255, 255, 255);
    const BLACK: Rgb = Rgb(0, 0, 0);

    fn count(c: &Canvas, pred: impl Fn(Rgb) -> bool) -> usize {
        c.pixels().filter(|&p| pred(p)).count()
    }

    #[test]
    fn strokes_are_anti_aliased_and_clipped() {
        let mut c = Canvas::new(40, 40, WHITE).expect("canvas");
        c.line((2.0, 3.0), (37.0, 31.0), 2.0, BLACK, 1.0);
        let partial = count(&c, |p| p != WHITE && p != BLACK);
        assert!(partial > 20, "{partial} blended pixels");
        let mut clipped = Canvas::new(40, 40, WHITE).expect("canvas");
        clipped.set_clip(0.0, 0.0, 20.0, 40.0);
        clipped.line((2.0, 20.0), (38.0, 20.0), 3.0, BLACK, 1.0);
        assert!((20..40).all(|x| clipped.pixel(20 * 40 + x) == WHITE));
        assert_ne!(clipped.pixel(20 * 40 + 10), WHITE);
    }

    #[test]
    fn shapes_with_bad_coordinates_are_skipped() {
        let mut c = Canvas::new(10, 10, WHITE).expect("canvas");
        c.line((f32::NAN, 0.0), (5.0, 5.0), 1.0, BLACK, 1.0);
        c.disc((f32::INFINITY, 1.0), 3.0, BLACK, 1.0);
        c.line((-1e30, -1e30), (1e30, 1e30), 1.0, BLACK, 1.0);
        c.blend(-1, 4, BLACK, 1.0);
        c.blend(4, 99, BLACK, 1.0);
        assert!(Canvas::new(0, 10, WHITE).is_none());
    }

    #[test]
    fn dashes_leave_gaps() {
        let mut c = Canvas::new(60, 5, WHITE).expect("canvas");
        c.stroke(&[(0.0, 2.5), (60.0, 2.5)], 2.0, BLACK, 1.0, Some((6.0, 6.0)));
        let row: Vec<Rgb> = (0..60).map(|x| c.pixel(2 * 60 + x)).collect();
        assert!(row.contains(&WHITE) && row.contains(&BLACK));
    }
}
