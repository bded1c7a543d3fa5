//! View ranges: which part of the w (and b, and loss) axis a picture of a run shows.
//!
//! Two policies. The app follows a run live, so its view is centred on the optimum and snapped to round
//! half-widths that change rarely ([`symmetric_range`], [`path_range`]); the exported animation knows the whole run
//! in advance, so its view covers every recorded point with the optimum in sight ([`whole_path_range`]).

use super::ticks::nice_ceil;

/// The smallest and largest of some values, `None` when there are none.
pub fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A range around the path widened so that the optimum `centre` has room on both sides (at least a third of the
/// other side's extent): a path that arrives from one side still shows the valley rising beyond the minimum.
pub fn both_sides(range: Option<(f64, f64)>, centre: f64) -> Option<(f64, f64)> {
    let (lo, hi) = range?;
    if !centre.is_finite() {
        return Some((lo, hi));
    }
    let (below, above) = (centre - lo, hi - centre);
    Some((lo.min(centre - above / 3.0), hi.max(centre + below / 3.0)))
}

/// A range widened by `frac` of its span on each side; a single value (or none) gets a unit-sized window.
pub fn padded(range: Option<(f64, f64)>, frac: f64) -> (f64, f64) {
    let (lo, hi) = range.unwrap_or((0.0, 0.0));
    let span = hi - lo;
    let centre = 0.5 * (lo + hi);
    // Written so that NaN spans fail the test too.
    let wide_enough = span.is_finite() && span > 1e-9 * centre.abs().max(1e-300);
    if !wide_enough {
        let half = (0.25 * centre.abs()).max(1.0);
        return (centre - half, centre + half);
    }
    (lo - frac * span, hi + frac * span)
}

/// The exported animation's view along one parameter: every finite value of the path and the optimum `centre`,
/// with room on both sides of the optimum ([`both_sides`]) and 8 % to spare at each end.
pub fn whole_path_range(values: impl Iterator<Item = f64>, centre: f64) -> (f64, f64) {
    let finite = values.chain([centre]).filter(|v| v.is_finite());
    padded(both_sides(bounds(finite), centre), 0.08)
}

/// A range centred on `center` that covers `start` and, capped, every value of `others`; snapped outward to a
/// nice half-width so it changes rarely.
pub fn symmetric_range(center: f64, start: f64, others: &[f64]) -> [f64; 2] {
    let center = if center.is_finite() { center } else { 0.0 };
    let d0 = if start.is_finite() { (start - center).abs() } else { 0.0 };
    let base = d0.max(0.25 * center.abs().max(1.0)).max(1e-9);
    let cap = 4.0 * base;
    let mut half = base;
    for &v in others {
        if v.is_finite() {
            half = half.max((v - center).abs().min(cap));
        }
    }
    let half = nice_ceil(half * 1.15);
    [center - half, center + half]
}

/// The app's view along one parameter (w or b): centred on the optimum's `center`, covering the `start`, the
/// path's `extent` (smallest and largest value, `None` before the first step) and the points in `also` (the point
/// shown, the next one), with the path's excursions capped at 4× the start's distance: a diverging run leaves the
/// view instead of shrinking the parabola to a needle.
pub fn path_range(center: f64, start: f64, extent: Option<(f64, f64)>, also: &[f64]) -> [f64; 2] {
    let mut others = also.to_vec();
    if let Some((lo, hi)) = extent {
        others.extend([lo, hi]);
    }
    symmetric_range(center, start, &others)
}

/// The loss axis over a sampled curve (`losses` all finite): from a little under its lowest value to a little more
/// above its highest, where the current point's readout goes; [0, 1] when there is nothing to show.
pub fn curve_loss_range(losses: impl Iterator<Item = f64>) -> [f64; 2] {
    let (y_min, y_max) = bounds(losses).filter(|(lo, hi)| lo.is_finite() && hi.is_finite()).unwrap_or((0.0, 1.0));
    let span = (y_max - y_min).max(1e-12 * y_max.abs().max(1.0));
    [y_min - 0.07 * span, y_max + 0.12 * span]
}

/// The loss axis of the exported 1-D picture: from 0 (or just under the minimum, when the minimum is far from 0)
/// to a little above the highest finite loss on the path, so the path fills the height and the curve leaves
/// through the top. A path that never left the minimum shows the curve at the window's two ends (`ends`) instead.
pub fn path_loss_range(
    path_losses: impl Iterator<Item = f64>,
    min_loss: f64,
    ends: impl FnOnce() -> [f64; 2],
) -> (f64, f64) {
    let path_max = path_losses.filter(|v| v.is_finite()).fold(min_loss, f64::max);
    let mut top = path_max;
    let path_moved = top > min_loss;
    if !path_moved {
        // The path never left the minimum: show the curve over the window instead.
        top = ends().into_iter().filter(|v| v.is_finite()).fold(min_loss, f64::max);
    }
    // A little room under the minimum, so that a point at L = 0 is not cut in half by the axis.
    let bottom =
        if min_loss > 0.25 * top { min_loss - 0.08 * (top - min_loss) } else { min_loss.min(0.0) - 0.04 * top };
    let usable = top > bottom && (top - bottom).is_finite();
    if !usable {
        return (bottom.min(0.0), bottom.max(0.0) + 1.0);
    }
    (bottom, top + 0.08 * (top - bottom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_ranges_cap_far_points() {
        let [lo, hi] = symmetric_range(3.0, 0.0, &[1e9]);
        assert!(lo < 0.0 && hi > 6.0 && hi < 3.0 + 4.0 * 3.0 * 1.2 + 1.0);
    }

    #[test]
    fn symmetric_ranges_are_centred_and_round() {
        // Start 3 from the optimum: half-width nice_ceil(3 × 1.15) = 4.
        assert_eq!(symmetric_range(3.0, 0.0, &[]), [-1.0, 7.0]);
        // A point a little beyond the start widens it; NaN and infinities are ignored.
        // 4.5 × 1.15 = 5.175 → 6.
        assert_eq!(symmetric_range(3.0, 0.0, &[7.5, f64::NAN, f64::INFINITY]), [-3.0, 9.0]);
        // No optimum: centred on 0 (0.5 × 1.15 = 0.575 → 0.6).
        let [lo, hi] = symmetric_range(f64::NAN, 0.5, &[]);
        assert!((lo + 0.6).abs() < 1e-12 && (hi - 0.6).abs() < 1e-12, "{lo} {hi}");
    }

    #[test]
    fn path_ranges_cover_the_extent_and_the_extra_points() {
        assert_eq!(path_range(3.0, 0.0, None, &[]), symmetric_range(3.0, 0.0, &[]));
        assert_eq!(path_range(3.0, 0.0, Some((-2.0, 3.5)), &[4.0]), symmetric_range(3.0, 0.0, &[4.0, -2.0, 3.5]));
        let [lo, hi] = path_range(0.0, 1.0, Some((-1.0, 2.5)), &[0.2]);
        assert!(lo <= -2.5 && hi >= 2.5);
    }

    #[test]
    fn degenerate_ranges_get_a_window() {
        assert_eq!(padded(Some((3.0, 3.0)), 0.1), (2.0, 4.0));
        assert_eq!(padded(None, 0.1), (-1.0, 1.0));
        let (lo, hi) = padded(Some((0.0, 10.0)), 0.1);
        assert!((lo + 1.0).abs() < 1e-12 && (hi - 11.0).abs() < 1e-12);
    }

    #[test]
    fn bounds_and_both_sides() {
        assert_eq!(bounds([2.0, -1.0, 5.0].into_iter()), Some((-1.0, 5.0)));
        assert_eq!(bounds(std::iter::empty()), None);
        // A path from 0 to 3 with the optimum at 3: a third of its extent beyond the optimum.
        assert_eq!(both_sides(Some((0.0, 3.0)), 3.0), Some((0.0, 4.0)));
        assert_eq!(both_sides(Some((0.0, 3.0)), f64::NAN), Some((0.0, 3.0)));
        assert_eq!(both_sides(None, 1.0), None);
        let (lo, hi) = whole_path_range([0.0, 3.0, f64::NAN].into_iter(), 3.0);
        assert!((lo + 0.32).abs() < 1e-12 && (hi - 4.32).abs() < 1e-12, "{lo} {hi}");
    }

    #[test]
    fn loss_axes() {
        let [y0, y1] = curve_loss_range([1.0, 3.0, 2.0].into_iter());
        assert!((y0 - 0.86).abs() < 1e-12 && (y1 - 3.24).abs() < 1e-12);
        assert_eq!(curve_loss_range(std::iter::empty()), [-0.07, 1.12]);
        let (bottom, top) = path_loss_range([4.0, 1.0, f64::INFINITY].into_iter(), 0.0, || unreachable!());
        assert!(bottom < 0.0 && top > 4.0);
        let (bottom, top) = path_loss_range([2.0].into_iter(), 2.0, || [10.0, f64::NAN]);
        assert!(bottom < 2.0 && top > 10.0);
    }
}
