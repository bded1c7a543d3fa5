//! Colours, fonts and visuals. One colour per run, the same in every plot; state colours (converged, diverged,
//! warning) keep their meaning in the dark and the light theme.

use egui::{Color32, FontFamily, FontId, TextStyle};

pub use crate::presets::{RUN_COLORS, run_color};

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
            }
        }
    }

    /// A run's colour in this theme (darkened on the light background).
    pub fn run(&self, rgb: [u8; 3]) -> Color32 {
        let [r, g, b] = rgb;
        if self.dark {
            Color32::from_rgb(r, g, b)
        } else {
            let d = |c: u8| (f32::from(c) * 0.72) as u8;
            Color32::from_rgb(d(r), d(g), d(b))
        }
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

/// Applies the dark or light theme with the app's text sizes and spacing.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark { egui::Theme::Dark } else { egui::Theme::Light });
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::new(19.0, FontFamily::Proportional)),
            (TextStyle::Body, FontId::new(14.0, FontFamily::Proportional)),
            (TextStyle::Monospace, FontId::new(13.5, FontFamily::Monospace)),
            (TextStyle::Button, FontId::new(14.0, FontFamily::Proportional)),
            (TextStyle::Small, FontId::new(11.5, FontFamily::Proportional)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(9.0, 4.0);
        style.spacing.slider_width = 170.0;
        style.spacing.interact_size.y = 22.0;
    });
}
