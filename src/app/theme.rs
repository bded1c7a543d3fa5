//! Colours, fonts and visuals. One colour per run, the same in every plot, from the run palette the user chose
//! (default or colour-blind safe, [`RunPalette`]), with a dash pattern and a marker per run ([`RunMark`]); state
//! colours (converged, diverged, warning) keep their meaning in the dark and the light theme. Presentation mode (for
//! a projector) scales text by [`PRESENT_TEXT_SCALE`] and lines by [`PRESENT_LINE_SCALE`], and draws in high contrast.

use egui::{Color32, FontFamily, FontId, TextStyle};

pub use crate::presets::{RUN_COLORS, run_color};
pub use crate::run_look::{Dash, Marker, RunMark, RunPalette};

/// Presentation mode's text size, relative to the usual.
pub const PRESENT_TEXT_SCALE: f32 = 1.3;
/// Presentation mode's line widths, relative to the usual.
pub const PRESENT_LINE_SCALE: f32 = 1.8;

/// The colours of one theme.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    /// True for the dark theme.
    pub dark: bool,
    /// The loss curve L(w) and other neutral geometry.
    pub curve: Color32,
    /// The optimum w* and its guide lines.
    pub optimum: Color32,
    /// The tangent line.
    pub tangent: Color32,
    /// Converged: "minimum reached".
    pub converged: Color32,
    /// Diverged.
    pub diverged: Color32,
    /// A warning (a learning rate above a threshold, the notebook's summed gradient).
    pub warning: Color32,
    /// Settings-change markers.
    pub marker: Color32,
    /// Secondary text.
    pub weak_text: Color32,
    /// Background of the banner for a diverged run.
    pub diverged_fill: Color32,
    /// Background of the banner for a converged run.
    pub converged_fill: Color32,
    /// Background of plot cards.
    pub card: Color32,
    /// The run colours.
    pub runs: RunPalette,
    /// Presentation mode: thicker lines, higher contrast.
    pub present: bool,
}

impl Palette {
    /// The palette of the dark or light theme.
    pub fn new(dark: bool) -> Palette {
        if dark {
            Palette {
                dark,
                curve: Color32::from_rgb(200, 205, 215),
                optimum: Color32::from_rgb(255, 215, 90),
                tangent: Color32::from_rgb(150, 225, 255),
                converged: Color32::from_rgb(70, 220, 120),
                diverged: Color32::from_rgb(255, 85, 85),
                warning: Color32::from_rgb(255, 190, 60),
                marker: Color32::from_rgb(170, 170, 190),
                weak_text: Color32::from_rgb(150, 155, 165),
                diverged_fill: Color32::from_rgb(120, 24, 28),
                converged_fill: Color32::from_rgb(20, 80, 45),
                card: Color32::from_rgb(24, 26, 31),
                runs: RunPalette::Default,
                present: false,
            }
        } else {
            Palette {
                dark,
                curve: Color32::from_rgb(50, 55, 65),
                optimum: Color32::from_rgb(175, 120, 0),
                tangent: Color32::from_rgb(0, 120, 170),
                converged: Color32::from_rgb(20, 140, 60),
                diverged: Color32::from_rgb(200, 30, 30),
                warning: Color32::from_rgb(190, 110, 0),
                marker: Color32::from_rgb(110, 110, 130),
                weak_text: Color32::from_rgb(100, 105, 115),
                diverged_fill: Color32::from_rgb(255, 220, 220),
                converged_fill: Color32::from_rgb(215, 245, 222),
                card: Color32::from_rgb(250, 250, 252),
                runs: RunPalette::Default,
                present: false,
            }
        }
    }

    /// The palette of a theme with a run palette, in presentation mode or not (high contrast: the cards on pure
    /// black or white, neutral marks and secondary text close to the text's colour).
    pub fn of(dark: bool, runs: RunPalette, present: bool) -> Palette {
        let mut p = Palette { runs, present, ..Palette::new(dark) };
        if present {
            if dark {
                (p.card, p.curve, p.weak_text, p.marker) = (
                    Color32::BLACK,
                    Color32::WHITE,
                    Color32::from_rgb(215, 218, 225),
                    Color32::from_rgb(210, 210, 225),
                );
            } else {
                (p.card, p.curve, p.weak_text, p.marker) =
                    (Color32::WHITE, Color32::BLACK, Color32::from_rgb(40, 42, 48), Color32::from_rgb(60, 60, 80));
            }
        }
        p
    }

    /// The colour of the run whose identity colour is `rgb`, in this run palette and theme (darkened on the light
    /// background).
    pub fn run(&self, rgb: [u8; 3]) -> Color32 {
        let shown = self.runs.shown(rgb);
        let [r, g, b] = if self.dark { shown } else { crate::run_look::on_light(shown) };
        Color32::from_rgb(r, g, b)
    }

    /// A line width `points` wide normally, thicker in presentation mode.
    pub fn stroke(&self, points: f32) -> f32 {
        if self.present { points * PRESENT_LINE_SCALE } else { points }
    }
}

/// `c` with opacity `alpha` (0–1).
pub fn faded(c: Color32, alpha: f32) -> Color32 {
    c.gamma_multiply(alpha.clamp(0.0, 1.0))
}

/// Installs fonts (the monospace Hack also serves symbols such as ▶ ↺ ∇ in proportional text) and text sizes.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}

/// Applies the dark or light theme with the app's text sizes and spacing; in presentation mode, larger text and
/// high contrast (text in pure white or black, panels in pure black or white, thicker widget strokes).
pub fn apply(ctx: &egui::Context, dark: bool, present: bool) {
    let theme = if dark { egui::Theme::Dark } else { egui::Theme::Light };
    ctx.set_theme(theme);
    let mut visuals = theme.default_visuals();
    if present {
        high_contrast(&mut visuals, dark);
    }
    ctx.set_visuals_of(theme, visuals);
    let k = if present { PRESENT_TEXT_SCALE } else { 1.0 };
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::new(19.0 * k, FontFamily::Proportional)),
            (TextStyle::Body, FontId::new(14.0 * k, FontFamily::Proportional)),
            (TextStyle::Monospace, FontId::new(13.5 * k, FontFamily::Monospace)),
            (TextStyle::Button, FontId::new(14.0 * k, FontFamily::Proportional)),
            (TextStyle::Small, FontId::new(11.5 * k, FontFamily::Proportional)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(9.0, 4.0);
        style.spacing.slider_width = 170.0;
        style.spacing.interact_size.y = 22.0;
    });
}

/// High-contrast visuals for a projector: text in pure white or black, panels and windows in pure black or white,
/// widget outlines and the plots' axes thicker and stronger.
fn high_contrast(v: &mut egui::Visuals, dark: bool) {
    let (text, back, faint) = if dark {
        (Color32::WHITE, Color32::BLACK, Color32::from_gray(28))
    } else {
        (Color32::BLACK, Color32::WHITE, Color32::from_gray(235))
    };
    v.override_text_color = Some(text);
    (v.panel_fill, v.window_fill, v.extreme_bg_color, v.faint_bg_color) = (back, back, back, faint);
    for w in [&mut v.widgets.noninteractive, &mut v.widgets.inactive, &mut v.widgets.hovered, &mut v.widgets.active] {
        w.fg_stroke = egui::Stroke::new(w.fg_stroke.width.max(1.0) * 1.5, text);
        w.bg_stroke.width = w.bg_stroke.width.max(1.0) * 1.5;
    }
    v.widgets.noninteractive.bg_stroke.color = text.gamma_multiply(0.6);
}
