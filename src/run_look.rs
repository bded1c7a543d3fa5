//! How a run looks, besides its settings: the run palette it is drawn from (the default colours or a
//! colour-blind-safe set) and its mark, a dash pattern and a marker shape, so that runs stay apart without colour.
//!
//! A run keeps its identity colour (a [`crate::presets::RUN_COLORS`] entry, as runs, sessions and presets store it);
//! [`RunPalette::shown`] maps it to the colour drawn, and [`RunMark::of`] to its dash and marker, both by its slot
//! in that list. The app (plots, legend) and the GIF export read both from here, so they agree. GUI-free: the app
//! turns a [`Dash`] and a [`Marker`] into egui_plot's styles, the GIF into its own strokes.
//!
//! The colour-blind set is Okabe & Ito's (2008, "Color Universal Design"), six of its seven chromatic colours (the
//! dark blue is left out: it vanishes on the dark theme's background). `colorvision`'s test checks that every pair
//! stays apart (CIEDE2000 ΔE ≥ 10) for a protanope and a deuteranope, in both themes.

use crate::presets::RUN_COLORS;
use crate::run::MAX_RUNS;

/// The run colours the app and the GIF draw with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
pub enum RunPalette {
    /// The app's own colours (amber, sky blue, violet, pink, teal, sand).
    #[default]
    Default,
    /// Okabe–Ito's colour-blind-safe colours (orange, sky blue, bluish green, vermillion, reddish purple, yellow).
    Colorblind,
}

/// Okabe–Ito's colours in slot order (sRGB): orange, sky blue, bluish green, vermillion, reddish purple, yellow.
pub const COLORBLIND_RUN_COLORS: [[u8; 3]; MAX_RUNS] =
    [[230, 159, 0], [86, 180, 233], [0, 158, 115], [213, 94, 0], [204, 121, 167], [240, 228, 66]];

impl RunPalette {
    /// Every palette, in menu order.
    pub const ALL: [RunPalette; 2] = [RunPalette::Default, RunPalette::Colorblind];

    /// The name shown in the View menu and accepted by `--palette`.
    pub fn label(self) -> &'static str {
        match self {
            RunPalette::Default => "default",
            RunPalette::Colorblind => "colour-blind safe (Okabe–Ito)",
        }
    }

    /// The run colours of this palette, in slot order.
    pub fn colors(self) -> &'static [[u8; 3]; MAX_RUNS] {
        match self {
            RunPalette::Default => &RUN_COLORS,
            RunPalette::Colorblind => &COLORBLIND_RUN_COLORS,
        }
    }

    /// The colour drawn for a run whose identity colour is `color`: the same slot of this palette; a colour that
    /// is no slot's (a session written by hand) is drawn as it is.
    pub fn shown(self, color: [u8; 3]) -> [u8; 3] {
        slot_of(color).map_or(color, |slot| self.colors()[slot])
    }
}

/// A run colour as drawn on a light background: darkened to 72 %, so that pale colours (sand, yellow) keep their
/// contrast on white. The app's light theme and the GIF's light theme both draw runs so.
pub fn on_light([r, g, b]: [u8; 3]) -> [u8; 3] {
    let d = |c: u8| (f32::from(c) * 0.72) as u8;
    [d(r), d(g), d(b)]
}

/// The slot of an identity colour in [`RUN_COLORS`], if it is one.
pub fn slot_of(color: [u8; 3]) -> Option<usize> {
    RUN_COLORS.iter().position(|c| *c == color)
}

/// A line's dash pattern, in points (pixels in the GIF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dash {
    /// A solid line.
    Solid,
    /// Dashes of `length` with gaps as long.
    Dashed {
        /// Dash (and gap) length.
        length: u8,
    },
    /// Dots `spacing` apart.
    Dotted {
        /// Distance between dots.
        spacing: u8,
    },
}

/// A marker's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    /// A filled disc.
    Circle,
    /// A filled square.
    Square,
    /// A filled diamond.
    Diamond,
    /// A filled triangle pointing up.
    Up,
    /// A filled triangle pointing down.
    Down,
    /// A diagonal cross.
    Cross,
}

/// How a run is told apart besides its colour: its line's dash pattern and its marker's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunMark {
    /// The dash pattern of its lines over steps and its path.
    pub dash: Dash,
    /// The shape of its current point and of its line's end.
    pub marker: Marker,
}

/// The marks in slot order: the first run solid with a disc (a single run looks as it always did).
const MARKS: [RunMark; MAX_RUNS] = [
    RunMark { dash: Dash::Solid, marker: Marker::Circle },
    RunMark { dash: Dash::Dashed { length: 12 }, marker: Marker::Square },
    RunMark { dash: Dash::Dotted { spacing: 5 }, marker: Marker::Diamond },
    RunMark { dash: Dash::Dashed { length: 5 }, marker: Marker::Up },
    RunMark { dash: Dash::Dotted { spacing: 9 }, marker: Marker::Down },
    RunMark { dash: Dash::Dashed { length: 20 }, marker: Marker::Cross },
];

impl RunMark {
    /// The mark of the run whose identity colour is `color` (a colour that is no slot's gets the first slot's).
    pub fn of(color: [u8; 3]) -> RunMark {
        MARKS[slot_of(color).unwrap_or(0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_slot_has_its_own_colour_dash_and_marker() {
        for palette in RunPalette::ALL {
            let colors: BTreeSet<[u8; 3]> = palette.colors().iter().copied().collect();
            assert_eq!(colors.len(), MAX_RUNS, "{palette:?}");
        }
        let dashes: BTreeSet<String> = MARKS.iter().map(|m| format!("{:?}", m.dash)).collect();
        let markers: BTreeSet<String> = MARKS.iter().map(|m| format!("{:?}", m.marker)).collect();
        assert_eq!((dashes.len(), markers.len()), (MAX_RUNS, MAX_RUNS));
        for (slot, color) in RUN_COLORS.iter().enumerate() {
            assert_eq!(RunPalette::Default.shown(*color), *color);
            assert_eq!(RunPalette::Colorblind.shown(*color), COLORBLIND_RUN_COLORS[slot]);
            assert_eq!(RunMark::of(*color), MARKS[slot]);
        }
        // A colour from a hand-written session is drawn as given.
        assert_eq!(RunPalette::Colorblind.shown([1, 2, 3]), [1, 2, 3]);
        assert_eq!(RunMark::of([1, 2, 3]), MARKS[0]);
    }
}
