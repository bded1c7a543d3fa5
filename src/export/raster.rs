//! A small software rasteriser for the exported animation: an opaque RGB canvas with a clip rectangle,
//! anti-aliased lines, discs, rings and triangles, and a 5×7 bitmap font scaled by whole pixels.
//!
//! Anti-aliasing is by coverage: each pixel centre's distance to the shape's edge, so a shape's edge fades over
//! one pixel. That is exact enough for straight strokes and round dots, and needs no supersampling.

/// An opaque colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    /// `self` moved towards `other` by `t` in [0, 1].
    pub(crate) fn mix(self, other: Rgb, t: f32) -> Rgb {
        let m = |a: u8, b: u8| {
            let (a, b) = (f32::from(a), f32::from(b));
            // The clamp makes the cast exact; rounding keeps repeated blends unbiased.
            (a + (b - a) * t).round().clamp(0.0, 255.0) as u8
        };
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// A point in pixel coordinates (x right, y down; pixel (i, j) covers [i, i+1) × [j, j+1)).
pub(crate) type Pt = (f32, f32);

/// An opaque RGB image with a clip rectangle that every drawing operation respects.
#[derive(Clone, Debug)]
pub(crate) struct Canvas {
    /// Width in pixels.
    pub(crate) width: usize,
    /// Height in pixels.
    pub(crate) height: usize,
    /// Row-major pixels.
    pub(crate) px: Vec<Rgb>,
    /// Drawable pixels: columns `clip.0..clip.2`, rows `clip.1..clip.3`.
    clip: (usize, usize, usize, usize),
}

impl Canvas {
    /// A canvas filled with `background`, unclipped.
    pub(crate) fn new(width: usize, height: usize, background: Rgb) -> Canvas {
        Canvas { width, height, px: vec![background; width * height], clip: (0, 0, width, height) }
    }

    /// Restricts drawing to the pixels whose centres lie in [x0, x1) × [y0, y1) (clamped to the canvas).
    pub(crate) fn set_clip(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let cx = |v: f32| (v.round().max(0.0) as usize).min(self.width);
        let cy = |v: f32| (v.round().max(0.0) as usize).min(self.height);
        self.clip = (cx(x0), cy(y0), cx(x1), cy(y1));
    }

    /// Lifts the clip.
    pub(crate) fn reset_clip(&mut self) {
        self.clip = (0, 0, self.width, self.height);
    }

    /// Row range `lo..hi` of pixel indices covering [lo, hi] in y, within the clip.
    fn rows(&self, lo: f32, hi: f32) -> std::ops::Range<usize> {
        clamp_range(lo, hi, self.clip.1, self.clip.3)
    }

    /// Column range covering [lo, hi] in x, within the clip.
    fn cols(&self, lo: f32, hi: f32) -> std::ops::Range<usize> {
        clamp_range(lo, hi, self.clip.0, self.clip.2)
    }

    /// Blends `c` over pixel (x, y) with opacity `alpha` (indices already clipped).
    #[inline]
    fn blend_at(&mut self, x: usize, y: usize, c: Rgb, alpha: f32) {
        if alpha <= 0.0 {
            return;
        }
        if let Some(p) = self.px.get_mut(y * self.width + x) {
            *p = if alpha >= 1.0 { c } else { p.mix(c, alpha) };
        }
    }

    /// Blends `c` over pixel (x, y) when it lies inside the clip.
    pub(crate) fn blend(&mut self, x: usize, y: usize, c: Rgb, alpha: f32) {
        let (x0, y0, x1, y1) = self.clip;
        if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
            self.blend_at(x, y, c, alpha);
        }
    }

    /// Fills the pixels whose centres lie in [x0, x1) × [y0, y1) with `c` (no anti-aliasing: for panels).
    pub(crate) fn fill_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb) {
        let rows = clamp_range(y0, y1 - 1.0, self.clip.1, self.clip.3);
        let cols = clamp_range(x0, x1 - 1.0, self.clip.0, self.clip.2);
        for y in rows {
            for x in cols.clone() {
                self.blend_at(x, y, c, 1.0);
            }
        }
    }

    /// An anti-aliased straight stroke from `a` to `b` with round caps.
    pub(crate) fn line(&mut self, a: Pt, b: Pt, width: f32, c: Rgb, alpha: f32) {
        if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
            return;
        }
        let r = 0.5 * width.max(0.5);
        let reach = r + 1.0;
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        for y in self.rows(a.1.min(b.1) - reach, a.1.max(b.1) + reach) {
            let yc = y as f32 + 0.5;
            // Only the part of the segment within `reach` of this row can touch it: scan just its x-span.
            let (t0, t1) = if dy.abs() < 1e-6 {
                if (a.1 - yc).abs() > reach {
                    continue;
                }
                (0.0, 1.0)
            } else {
                let (ta, tb) = ((yc - reach - a.1) / dy, (yc + reach - a.1) / dy);
                (ta.min(tb).max(0.0), ta.max(tb).min(1.0))
            };
            if t0 > t1 {
                continue;
            }
            let (xa, xb) = (a.0 + t0 * dx, a.0 + t1 * dx);
            for x in self.cols(xa.min(xb) - reach, xa.max(xb) + reach) {
                let d = dist_to_segment((x as f32 + 0.5, yc), a, b);
                let coverage = (r + 0.5 - d).clamp(0.0, 1.0);
                self.blend_at(x, y, c, alpha * coverage);
            }
        }
    }

    /// A dashed stroke: `dash` pixels drawn, `gap` pixels skipped, starting with a dash at `a`.
    pub(crate) fn dashed_line(&mut self, a: Pt, b: Pt, width: f32, (dash, gap): (f32, f32), c: Rgb, alpha: f32) {
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        if !len.is_finite() || len <= 0.0 || dash <= 0.0 {
            return;
        }
        let dir = ((b.0 - a.0) / len, (b.1 - a.1) / len);
        let at = |s: f32| (a.0 + dir.0 * s, a.1 + dir.1 * s);
        let mut s = 0.0;
        // A dashed line longer than the canvas diagonal is clipped anyway; the bound keeps the loop finite.
        while s < len && s < 1e5 {
            self.line(at(s), at((s + dash).min(len)), width, c, alpha);
            s += dash + gap.max(0.5);
        }
    }

    /// An anti-aliased filled disc.
    pub(crate) fn disc(&mut self, centre: Pt, radius: f32, c: Rgb, alpha: f32) {
        if !(centre.0.is_finite() && centre.1.is_finite()) {
            return;
        }
        let reach = radius + 1.0;
        for y in self.rows(centre.1 - reach, centre.1 + reach) {
            for x in self.cols(centre.0 - reach, centre.0 + reach) {
                let d = (x as f32 + 0.5 - centre.0).hypot(y as f32 + 0.5 - centre.1);
                self.blend_at(x, y, c, alpha * (radius + 0.5 - d).clamp(0.0, 1.0));
            }
        }
    }

    /// An anti-aliased circle outline of the given stroke width.
    pub(crate) fn ring(&mut self, centre: Pt, radius: f32, width: f32, c: Rgb, alpha: f32) {
        if !(centre.0.is_finite() && centre.1.is_finite()) {
            return;
        }
        let half = 0.5 * width;
        let reach = radius + half + 1.0;
        for y in self.rows(centre.1 - reach, centre.1 + reach) {
            for x in self.cols(centre.0 - reach, centre.0 + reach) {
                let d = (x as f32 + 0.5 - centre.0).hypot(y as f32 + 0.5 - centre.1);
                self.blend_at(x, y, c, alpha * (half + 0.5 - (d - radius).abs()).clamp(0.0, 1.0));
            }
        }
    }

    /// An anti-aliased filled triangle.
    pub(crate) fn triangle(&mut self, p: [Pt; 3], c: Rgb, alpha: f32) {
        if p.iter().any(|q| !(q.0.is_finite() && q.1.is_finite())) {
            return;
        }
        // Orient the corners one way round so that every edge's left-hand normal points inside.
        let area = (p[1].0 - p[0].0) * (p[2].1 - p[0].1) - (p[1].1 - p[0].1) * (p[2].0 - p[0].0);
        if area.abs() < 1e-6 {
            return;
        }
        let p = if area > 0.0 { p } else { [p[0], p[2], p[1]] };
        let edges: Vec<(Pt, Pt, f32)> = (0..3)
            .map(|i| {
                let (a, b) = (p[i], p[(i + 1) % 3]);
                (a, b, (b.0 - a.0).hypot(b.1 - a.1))
            })
            .collect();
        let (xs, ys) = (p.map(|q| q.0), p.map(|q| q.1));
        let (x_lo, x_hi) = (xs.iter().copied().fold(f32::MAX, f32::min), xs.iter().copied().fold(f32::MIN, f32::max));
        let (y_lo, y_hi) = (ys.iter().copied().fold(f32::MAX, f32::min), ys.iter().copied().fold(f32::MIN, f32::max));
        for y in self.rows(y_lo - 1.0, y_hi + 1.0) {
            for x in self.cols(x_lo - 1.0, x_hi + 1.0) {
                let q = (x as f32 + 0.5, y as f32 + 0.5);
                let inside = edges
                    .iter()
                    .map(|&(a, b, len)| ((b.0 - a.0) * (q.1 - a.1) - (b.1 - a.1) * (q.0 - a.0)) / len)
                    .fold(f32::MAX, f32::min);
                self.blend_at(x, y, c, alpha * (inside + 0.5).clamp(0.0, 1.0));
            }
        }
    }

    /// A filled arrowhead whose tip is at `tip`, pointing along the unit vector `dir`.
    pub(crate) fn arrow_head(&mut self, tip: Pt, dir: Pt, size: f32, c: Rgb) {
        let base = (tip.0 - dir.0 * size, tip.1 - dir.1 * size);
        let half = 0.45 * size;
        let normal = (-dir.1 * half, dir.0 * half);
        self.triangle([tip, (base.0 + normal.0, base.1 + normal.1), (base.0 - normal.0, base.1 - normal.1)], c, 1.0);
    }

    /// Draws `text` in the 5×7 font at `scale` pixels per font pixel, top-left corner at (x, y).
    pub(crate) fn text(&mut self, x: f32, y: f32, text: &str, scale: usize, c: Rgb) {
        let (x, y) = (x.round() as i64, y.round() as i64);
        let s = scale as i64;
        for (i, ch) in text.chars().enumerate() {
            let left = x + i as i64 * GLYPH_ADVANCE as i64 * s;
            for (row, bits) in glyph(ch).iter().enumerate() {
                for col in 0..5 {
                    if bits & (0b1_0000 >> col) == 0 {
                        continue;
                    }
                    let (px, py) = (left + col * s, y + row as i64 * s);
                    for dy in 0..s {
                        for dx in 0..s {
                            if let (Ok(px), Ok(py)) = (usize::try_from(px + dx), usize::try_from(py + dy)) {
                                self.blend(px, py, c, 1.0);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Pixel indices whose centres may lie within [lo, hi], inside `min..max`.
fn clamp_range(lo: f32, hi: f32, min: usize, max: usize) -> std::ops::Range<usize> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return 0..0;
    }
    // Saturating float-to-int casts keep far-off shapes cheap: their range is simply empty.
    let lo = (lo.floor().max(0.0) as usize).max(min);
    let hi = ((hi.ceil() + 1.0).max(0.0) as usize).min(max);
    lo..hi.max(lo)
}

/// Distance from `p` to the segment `a`–`b`.
fn dist_to_segment(p: Pt, a: Pt, b: Pt) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// Font pixels from one glyph's left edge to the next one's.
pub(crate) const GLYPH_ADVANCE: usize = 6;
/// Font pixels in a glyph's height.
pub(crate) const GLYPH_HEIGHT: usize = 7;

/// Width in pixels of `text` at `scale` (no trailing gap).
pub(crate) fn text_width(text: &str, scale: usize) -> usize {
    let n = text.chars().count();
    if n == 0 { 0 } else { (n * GLYPH_ADVANCE - 1) * scale }
}

/// The 5×7 bitmap of a character: seven rows, the five low bits of each from left (bit 4) to right (bit 0).
/// Characters outside the font draw as a small box.
fn glyph(ch: char) -> [u8; 7] {
    match ch {
        ' ' => [0; 7],
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ',' => [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        '=' => [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00],
        '*' => [0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        '<' => [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
        '>' => [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        '|' => [0x04; 7],
        'A' => [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        'a' => [0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F],
        'b' => [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E],
        'c' => [0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E],
        'd' => [0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F],
        'e' => [0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E],
        'f' => [0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08],
        'g' => [0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E],
        'h' => [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11],
        'i' => [0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E],
        'j' => [0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C],
        'k' => [0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12],
        'l' => [0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'm' => [0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11],
        'n' => [0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11],
        'o' => [0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E],
        'p' => [0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10],
        'q' => [0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01],
        'r' => [0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10],
        's' => [0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E],
        't' => [0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06],
        'u' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D],
        'v' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'w' => [0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A],
        'x' => [0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11],
        'y' => [0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E],
        'z' => [0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F],
        _ => [0x00, 0x1F, 0x11, 0x11, 0x11, 0x1F, 0x00],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = Rgb(255, 255, 255);
    const BLACK: Rgb = Rgb(0, 0, 0);

    #[test]
    fn shapes_stay_inside_the_clip_and_far_shapes_are_ignored() {
        let mut c = Canvas::new(20, 10, WHITE);
        c.set_clip(5.0, 2.0, 15.0, 8.0);
        c.line((-100.0, 5.0), (100.0, 5.0), 3.0, BLACK, 1.0);
        c.disc((1e30, 1e30), 4.0, BLACK, 1.0);
        c.line((f32::NAN, 0.0), (3.0, 3.0), 2.0, BLACK, 1.0);
        for y in 0..10 {
            for x in 0..20 {
                let inside = (5..15).contains(&x) && (2..8).contains(&y);
                if !inside {
                    assert_eq!(c.px[y * 20 + x], WHITE, "({x}, {y}) is outside the clip");
                }
            }
        }
        assert_eq!(c.px[5 * 20 + 10], BLACK);
    }

    #[test]
    fn strokes_are_anti_aliased() {
        let mut c = Canvas::new(20, 20, WHITE);
        c.line((2.0, 2.3), (18.0, 15.1), 1.5, BLACK, 1.0);
        let greys = c.px.iter().filter(|p| **p != WHITE && **p != BLACK).count();
        assert!(greys > 10, "expected partially covered pixels, found {greys}");
    }

    #[test]
    fn every_printable_character_used_in_labels_has_a_glyph() {
        let unknown = glyph('\u{1}');
        for ch in "0123456789.,-+=*()/:%<>_| abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
            assert!(ch == ' ' || glyph(ch) != unknown, "{ch:?} has no glyph");
        }
        assert_eq!(text_width("ab", 2), 22);
    }
}
