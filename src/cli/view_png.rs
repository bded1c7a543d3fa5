//! What `descent --export-view VIEW --size WxH --out PATH` and the app's Export ▸ "PNG of a view…" share, GUI-free:
//! the views that export alone (one list, [`exportable_views`], from the lesson's [`View`] names and
//! [`crate::tab::Tab::is_view`]), the PNG's size limits, and the parsers of the two flags. The drawing is the app's
//! (`app::solo`).

use std::ops::RangeInclusive;

use crate::lesson::View;
use crate::tab::Tab;

/// The sides a view's PNG may have, in pixels: large enough for a 4K slide, small enough that a title and axes fit.
pub const PNG_SIDE_PX: RangeInclusive<u32> = 200..=4096;

/// The size of `--export-view`'s PNG when `--size` is not given.
pub const DEFAULT_PNG_SIZE: [u32; 2] = [1600, 900];

/// Every view that exports alone as a PNG, in the app's order: the three plots, then the tabs that are views.
pub fn exportable_views() -> Vec<View> {
    View::PLOTS.into_iter().chain(Tab::all().iter().copied().filter(|t| t.is_view()).map(View::Tab)).collect()
}

/// The view `--export-view` names (a lesson page's name for it, case-insensitive), or a one-line error listing the
/// names.
///
/// # Errors
/// An unknown name, or a view that does not export alone (the settings panel, a tab of tables and text).
pub fn parse_export_view(text: &str) -> Result<View, String> {
    let views = exportable_views();
    match View::from_name(text) {
        Some(view) if views.contains(&view) => Ok(view),
        found => {
            let names: Vec<String> = views.iter().map(|v| v.name()).collect();
            let what = if found.is_some() { "does not export alone" } else { "is not a view" };
            Err(format!("“{}” {what} (views: {})", crate::format::echo(text, 40), names.join(", ")))
        }
    }
}

/// Parses `--size WxH` in pixels (for example `1600x900`), each side in [`PNG_SIDE_PX`].
///
/// # Errors
/// A one-line message: not a size, or a side out of range.
pub fn parse_png_size(text: &str) -> Result<[u32; 2], String> {
    let bad = || format!("“{}” is not a size like 1600x900", crate::format::echo(text, 40));
    let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |v: &str| -> Result<u32, String> {
        let v: u32 = v.trim().parse().map_err(|_| bad())?;
        if PNG_SIDE_PX.contains(&v) {
            Ok(v)
        } else {
            Err(format!("{v} px is outside {}…{} px", PNG_SIDE_PX.start(), PNG_SIDE_PX.end()))
        }
    };
    Ok([side(w)?, side(h)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_views_are_the_plots_and_the_tabs_that_are_views() {
        let names: Vec<String> = exportable_views().iter().map(|v| v.name()).collect();
        let expected = [
            "loss-landscape",
            "loss-vs-step",
            "weight-vs-step",
            "ledger",
            "inside",
            "phase",
            "basins",
            "lr-sweep",
            "fair-race",
            "data",
        ];
        assert_eq!(names, expected);
        for name in expected {
            let view = parse_export_view(&format!(" {} ", name.to_uppercase())).expect(name);
            assert_eq!(view.name(), name);
        }
    }

    #[test]
    fn unknown_views_and_views_that_are_not_pictures_are_refused_with_the_list() {
        for (name, why) in [
            ("histogram", "is not a view"),
            ("settings", "does not export alone"),
            ("exercises", "does not export alone"),
            ("notebook-log", "does not export alone"),
            ("gradient-check", "does not export alone"),
        ] {
            let e = parse_export_view(name).expect_err(name);
            assert!(e.contains(why) && e.contains("loss-vs-step") && e.contains("basins"), "{e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }

    #[test]
    fn sizes_are_pixels_within_the_limits() {
        assert_eq!(parse_png_size("1600x900"), Ok([1600, 900]));
        assert_eq!(parse_png_size(" 4096 × 200 "), Ok([4096, 200]));
        assert_eq!(parse_png_size("200X4096"), Ok([200, 4096]));
        for (text, why) in [
            ("4097x900", "4097 px is outside 200…4096 px"),
            ("1600x199", "199 px is outside"),
            ("1600", "not a size"),
            ("axb", "not a size"),
            ("-5x900", "not a size"),
        ] {
            let e = parse_png_size(text).expect_err(text);
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
