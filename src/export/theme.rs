//! The animation's two themes, dark and light, with the app's colours: the same curve, optimum, tangent and run
//! colours as the app's palette (crate::app::theme), and the same contour shading (crate::geometry::shade).

use super::paint::Rgb;
use crate::run_look::{RunMark, RunPalette, on_light};

/// The colours of a GIF: dark (the default, as the app opens) or light (for printed handouts and bright rooms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum GifTheme {
    /// Light marks on a dark background.
    #[default]
    Dark,
    /// Dark marks on a white background.
    Light,
}

impl GifTheme {
    /// The name shown in menus and accepted by `--theme`.
    pub fn label(self) -> &'static str {
        match self {
            GifTheme::Dark => "dark",
            GifTheme::Light => "light",
        }
    }

    /// True for the dark theme.
    pub fn is_dark(self) -> bool {
        self == GifTheme::Dark
    }
}

/// Every colour a frame is drawn with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Inks {
    /// True for the dark theme (the contour shading depends on it).
    pub(crate) dark: bool,
    /// The page around the plots.
    pub(crate) page: Rgb,
    /// The plot panels.
    pub(crate) panel: Rgb,
    /// Grid lines.
    pub(crate) grid: Rgb,
    /// Axes and tick marks.
    pub(crate) axis: Rgb,
    /// Titles, the caption and tick labels.
    pub(crate) text: Rgb,
    /// Secondary text: the settings, axis names, the legend.
    pub(crate) weak: Rgb,
    /// The loss curve L(w) and the start mark.
    pub(crate) curve: Rgb,
    /// The tangent (1-D) or the steepest-descent arrow (2-D).
    pub(crate) tangent: Rgb,
    /// The optimum.
    pub(crate) optimum: Rgb,
    /// Contour lines, drawn at [`Inks::contour_alpha`].
    pub(crate) contour: Rgb,
    /// Opacity of the contour lines.
    pub(crate) contour_alpha: f32,
}

/// How one run is drawn: its colour and its mark (dash pattern of its path, shape of its current point).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RunInk {
    /// Its path, step arrows, current point, inset line and legend swatch.
    pub(crate) colour: Rgb,
    /// Its path's dash pattern and its current point's marker.
    pub(crate) mark: RunMark,
}

impl Inks {
    /// The inks of `theme`.
    pub(crate) fn of(theme: GifTheme) -> Inks {
        match theme {
            GifTheme::Dark => Inks {
                dark: true,
                page: Rgb(24, 26, 31),
                panel: Rgb(31, 34, 41),
                grid: Rgb(50, 54, 64),
                axis: Rgb(120, 126, 138),
                text: Rgb(222, 225, 232),
                weak: Rgb(156, 161, 172),
                curve: Rgb(200, 205, 215),
                tangent: Rgb(150, 225, 255),
                optimum: Rgb(255, 215, 90),
                contour: Rgb(200, 220, 255),
                contour_alpha: 0.28,
            },
            GifTheme::Light => Inks {
                dark: false,
                page: Rgb(255, 255, 255),
                panel: Rgb(246, 247, 250),
                grid: Rgb(224, 228, 235),
                axis: Rgb(100, 106, 120),
                text: Rgb(34, 38, 46),
                weak: Rgb(96, 101, 112),
                curve: Rgb(50, 55, 65),
                tangent: Rgb(0, 120, 170),
                optimum: Rgb(175, 120, 0),
                contour: Rgb(40, 60, 100),
                contour_alpha: 0.3,
            },
        }
    }

    /// The ink of the run whose identity colour is `color`: its colour in `palette` (darkened on the light theme,
    /// as the app draws it) and its mark, both from [`crate::run_look`], so the GIF and the app agree.
    pub(crate) fn run_ink(&self, palette: RunPalette, color: [u8; 3]) -> RunInk {
        let shown = palette.shown(color);
        let [r, g, b] = if self.dark { shown } else { on_light(shown) };
        RunInk { colour: Rgb(r, g, b), mark: RunMark::of(color) }
    }

    /// The colours the palette of a GIF must hold exactly: the flat fills and the inks of thin marks and text (the
    /// runs' colours are added by the caller).
    pub(crate) fn exact(&self) -> Vec<Rgb> {
        vec![self.page, self.panel, self.grid, self.axis, self.text, self.weak, self.curve, self.tangent, self.optimum]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_differ_in_background_and_keep_text_readable() {
        let (dark, light) = (Inks::of(GifTheme::Dark), Inks::of(GifTheme::Light));
        assert_ne!(dark.page, light.page);
        let luma = |c: Rgb| 0.2126 * f32::from(c.0) + 0.7152 * f32::from(c.1) + 0.0722 * f32::from(c.2);
        for inks in [dark, light] {
            assert!((luma(inks.text) - luma(inks.page)).abs() > 150.0, "{inks:?}");
            assert!((luma(inks.text) - luma(inks.panel)).abs() > 150.0, "{inks:?}");
        }
        assert_eq!(GifTheme::default(), GifTheme::Dark);
        assert_eq!(GifTheme::Light.label(), "light");
    }
}
