//! Text in the animation, in the app's own fonts: egui's default fonts (Ubuntu Light for prose and labels, Hack
//! for the caption's numbers, whose fixed width keeps the caption still as the digits change), taken from the
//! `epaint_default_fonts` crate that egui itself uses, and rasterised by ab_glyph.
//!
//! A character that Ubuntu Light lacks is taken from Hack, as egui falls back from one font to the next.

use ab_glyph::{Font, FontRef, GlyphId, InvalidFont, PxScale, ScaleFont, point};

use super::paint::{Canvas, Rgb};

/// Which of the two fonts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    /// Ubuntu Light, egui's proportional font.
    Sans,
    /// Hack, egui's monospace font.
    Mono,
}

/// A face at a size in pixels (the height from the font's descent to its ascent, as egui sizes fonts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Style {
    /// The font.
    pub(crate) face: Face,
    /// Its size in pixels.
    pub(crate) size: f32,
}

impl Style {
    /// Ubuntu Light at `size` pixels.
    pub(crate) fn sans(size: f32) -> Style {
        Style { face: Face::Sans, size }
    }

    /// Hack at `size` pixels.
    pub(crate) fn mono(size: f32) -> Style {
        Style { face: Face::Mono, size }
    }
}

/// Where text is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// (x, y) is the top-left corner of the text's line box.
    TopLeft,
    /// (x, y) is the middle of the left edge.
    MidLeft,
    /// (x, y) is the middle of the right edge.
    MidRight,
    /// (x, y) is the middle of the top edge.
    TopCentre,
}

/// The two fonts, parsed.
pub(crate) struct Fonts {
    sans: FontRef<'static>,
    mono: FontRef<'static>,
}

/// One laid-out glyph: its font, id and pen position along the line.
struct Placed {
    face: Face,
    id: GlyphId,
    x: f32,
}

impl Fonts {
    /// Parses egui's default fonts.
    ///
    /// # Errors
    /// When a font cannot be parsed (never with the fonts shipped by `epaint_default_fonts`).
    pub(crate) fn load() -> Result<Fonts, InvalidFont> {
        Ok(Fonts {
            sans: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT)?,
            mono: FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR)?,
        })
    }

    fn font(&self, face: Face) -> &FontRef<'static> {
        match face {
            Face::Sans => &self.sans,
            Face::Mono => &self.mono,
        }
    }

    /// True when one of the fonts has a glyph for `c`.
    #[cfg(test)]
    pub(crate) fn covers(&self, c: char) -> bool {
        self.sans.glyph_id(c).0 != 0 || self.mono.glyph_id(c).0 != 0
    }

    /// The glyphs of `text` along one line from x = 0, each from `style`'s face or else the other one.
    fn layout(&self, style: Style, text: &str) -> (Vec<Placed>, f32) {
        let scale = PxScale::from(style.size);
        let other = if style.face == Face::Sans { Face::Mono } else { Face::Sans };
        let mut placed = Vec::with_capacity(text.len());
        let mut x = 0.0;
        let mut previous: Option<(Face, GlyphId)> = None;
        for c in text.chars() {
            let mut face = style.face;
            let mut id = self.font(face).glyph_id(c);
            if id.0 == 0 && self.font(other).glyph_id(c).0 != 0 {
                face = other;
                id = self.font(other).glyph_id(c);
            }
            let scaled = self.font(face).as_scaled(scale);
            if let Some((pf, pid)) = previous
                && pf == face
            {
                x += scaled.kern(pid, id);
            }
            placed.push(Placed { face, id, x });
            x += scaled.h_advance(id);
            previous = Some((face, id));
        }
        (placed, x)
    }

    /// The width of `text` in pixels.
    pub(crate) fn width(&self, style: Style, text: &str) -> f32 {
        self.layout(style, text).1
    }

    /// The height of a line in pixels (the face's ascent to its descent).
    pub(crate) fn height(&self, style: Style) -> f32 {
        let scaled = self.font(style.face).as_scaled(PxScale::from(style.size));
        scaled.ascent() - scaled.descent()
    }

    /// The box `text` takes when drawn at (x, y) from `anchor`: (left, top, right, bottom).
    pub(crate) fn bounds(&self, style: Style, text: &str, (x, y): (f32, f32), anchor: Anchor) -> [f32; 4] {
        let (w, h) = (self.width(style, text), self.height(style));
        let (left, top) = match anchor {
            Anchor::TopLeft => (x, y),
            Anchor::MidLeft => (x, y - 0.5 * h),
            Anchor::MidRight => (x - w, y - 0.5 * h),
            Anchor::TopCentre => (x - 0.5 * w, y),
        };
        [left, top, left + w, top + h]
    }

    /// Draws `text` in colour `c` at (x, y) from `anchor`, on whole pixels for crisp stems.
    pub(crate) fn draw(&self, canvas: &mut Canvas, style: Style, text: &str, at: (f32, f32), anchor: Anchor, c: Rgb) {
        let [left, top, ..] = self.bounds(style, text, at, anchor);
        let scale = PxScale::from(style.size);
        let ascent = self.font(style.face).as_scaled(scale).ascent();
        let (x0, baseline) = (left.round(), (top + ascent).round());
        for g in self.layout(style, text).0 {
            let glyph = g.id.with_scale_and_position(scale, point(x0 + g.x, baseline));
            let Some(outlined) = self.font(g.face).outline_glyph(glyph) else {
                continue;
            };
            let b = outlined.px_bounds();
            let (bx, by) = (b.min.x as i32, b.min.y as i32);
            outlined.draw(|gx, gy, coverage| {
                // A slight boost of partial coverage: Ubuntu Light's thin stems stay legible at small sizes.
                let alpha = coverage.clamp(0.0, 1.0).powf(0.8);
                canvas.blend(bx + gx as i32, by + gy as i32, c, alpha);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_cover_every_character_the_frames_use() {
        let fonts = Fonts::load().expect("egui's fonts");
        let used =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;=+-−()[]*/|%·×ŷ∇≈→⁰¹²³⁴⁵⁶⁷⁸⁹⁻αβδ";
        for c in used.chars() {
            assert!(fonts.covers(c), "no glyph for {c:?}");
        }
    }

    #[test]
    fn widths_grow_with_the_text_and_mono_digits_are_even() {
        let fonts = Fonts::load().expect("egui's fonts");
        let s = Style::sans(14.0);
        assert!(fonts.width(s, "step 10") > fonts.width(s, "step 1"));
        assert_eq!(fonts.width(s, ""), 0.0);
        let m = Style::mono(14.0);
        assert_eq!(fonts.width(m, "1111"), fonts.width(m, "8888"));
        assert!((fonts.height(s) - 14.0).abs() < 0.5, "{}", fonts.height(s));
    }

    #[test]
    fn text_leaves_anti_aliased_ink() {
        let fonts = Fonts::load().expect("egui's fonts");
        let (white, black) = (Rgb(255, 255, 255), Rgb(0, 0, 0));
        let mut canvas = Canvas::new(80, 24, white).expect("canvas");
        fonts.draw(&mut canvas, Style::sans(16.0), "L = 0.5", (2.0, 2.0), Anchor::TopLeft, black);
        let inked = canvas.pixels().filter(|&p| p != white).count();
        let partial = canvas.pixels().filter(|&p| p != white && p != black).count();
        assert!(inked > 30 && partial > 10, "{inked} inked, {partial} partial");
    }
}
