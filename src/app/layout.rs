//! Where the central area's views go: the app's own layout (the landscape at the left, the loss and weight plots
//! stacked at its right, the tab strip in a bottom panel), and a lesson page's ([`lesson_grid`]), which gives the
//! area to the views the page names ([`crate::lesson::View`]) while the settings, the run list and the strip fold
//! away.
//!
//! A lesson page's grid, for the plots it names (in the order landscape, loss, weights) and the tab:
//!
//! ```text
//!  one plot      two plots        three plots         plots and a tab       a tab alone
//! ┌────────┐   ┌───────┬──────┐  ┌──────────┬─────┐  ┌──────┬──────┬─────┐  ┌─────────────┐
//! │        │   │       │      │  │          │ loss│  │ land │ loss │ w   │  │             │
//! │        │   │       │      │  │landscape ├─────┤  ├──────┴──────┴─────┤  │     tab     │
//! │        │   │       │      │  │          │  w  │  │       tab         │  │             │
//! └────────┘   └───────┴──────┘  └──────────┴─────┘  └───────────────────┘  └─────────────┘
//! ```
//!
//! No rect of the grid overlaps another, and at most two rows share the height: at 1280 × 720 every view is about
//! 250 points tall (see tests/app_layout.rs, which measures each at 1280 × 720 and 1366 × 768).

use egui::{Rect, pos2, vec2};

use crate::lesson::View;

/// The gap between two views, in points.
pub const GAP: f32 = 8.0;

/// The share of the width the landscape takes beside the two plots stacked at its right.
const LANDSCAPE_SHARE: f32 = 0.58;

/// The app's own layout of the three plots in `avail`: the landscape at the left, the loss over the weights at its
/// right.
pub fn app_grid(avail: Rect) -> Vec<(View, Rect)> {
    three_plots(avail, 0.6)
}

/// A lesson page's grid: a rect for each view of `views` (the plots in the order [`View::PLOTS`], then the tab), in
/// `avail`. Views the grid has no place for (the settings, beside the page; a second tab, refused by the lesson
/// file's check) get none.
pub fn lesson_grid(avail: Rect, views: &[View]) -> Vec<(View, Rect)> {
    let plots: Vec<View> = View::PLOTS.into_iter().filter(|p| views.contains(p)).collect();
    let tab = views.iter().copied().find(|v| v.tab().is_some());
    let (plot_area, tab_area) = match (plots.is_empty(), tab) {
        (_, None) => (avail, None),
        (true, Some(_)) => (Rect::NOTHING, Some(avail)),
        (false, Some(_)) => {
            let mid = avail.top() + ((avail.height() - GAP) / 2.0).floor();
            let top = Rect::from_min_max(avail.min, pos2(avail.right(), mid));
            (top, Some(Rect::from_min_max(pos2(avail.left(), mid + GAP), avail.max)))
        }
    };
    let mut out = match (plots.len(), tab_area.is_some()) {
        (0, _) => Vec::new(),
        (1, _) => vec![(plots[0], plot_area)],
        (3, false) => three_plots(plot_area, LANDSCAPE_SHARE),
        (n, _) => side_by_side(plot_area, n).into_iter().zip(plots).map(|(r, v)| (v, r)).collect(),
    };
    if let (Some(tab), Some(area)) = (tab, tab_area) {
        out.push((tab, area));
    }
    out
}

/// `n` columns of equal width with a gap between them.
fn side_by_side(area: Rect, n: usize) -> Vec<Rect> {
    let n_f = n as f32;
    let w = ((area.width() - GAP * (n_f - 1.0)) / n_f).floor();
    (0..n)
        .map(|i| {
            let left = area.left() + i as f32 * (w + GAP);
            let right = if i + 1 == n { area.right() } else { left + w };
            Rect::from_min_max(pos2(left, area.top()), pos2(right, area.bottom()))
        })
        .collect()
}

/// The landscape at the left (`share` of the width), the loss over the weights at its right.
fn three_plots(area: Rect, share: f32) -> Vec<(View, Rect)> {
    let left_w = (area.width() * share).floor();
    let left = Rect::from_min_size(area.min, vec2(left_w, area.height()));
    let right = Rect::from_min_max(pos2(left.max.x + GAP, area.min.y), area.max);
    let mid = right.center().y;
    let top_right = Rect::from_min_max(right.min, pos2(right.max.x, mid - GAP / 2.0));
    let bottom_right = Rect::from_min_max(pos2(right.min.x, mid + GAP / 2.0), right.max);
    vec![(View::LossLandscape, left), (View::LossVsStep, top_right), (View::WeightVsStep, bottom_right)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tab::Tab;

    fn disjoint(rects: &[(View, Rect)]) -> bool {
        rects.iter().enumerate().all(|(i, (_, a))| rects[i + 1..].iter().all(|(_, b)| !a.intersects(b.shrink(0.5))))
    }

    #[test]
    fn every_named_view_gets_a_disjoint_rect_inside_the_area_with_half_the_height_at_least() {
        let avail = Rect::from_min_size(pos2(10.0, 130.0), vec2(990.0, 511.0));
        let tab = View::Tab(Tab::NotebookLog);
        let pages: [&[View]; 7] = [
            &[View::LossLandscape],
            &[View::LossVsStep, View::LossLandscape],
            &View::PLOTS,
            &[tab],
            &[View::WeightVsStep, tab],
            &[View::LossLandscape, View::LossVsStep, tab],
            &[View::LossLandscape, View::LossVsStep, View::WeightVsStep, tab],
        ];
        for views in pages {
            let grid = lesson_grid(avail, views);
            assert_eq!(grid.len(), views.len(), "{views:?}");
            for v in views {
                let (_, r) = grid.iter().find(|(g, _)| g == v).expect("placed");
                assert!(avail.expand(0.01).contains_rect(*r), "{v} inside: {r:?}");
                assert!(r.height() >= (avail.height() - GAP) / 2.0 - 1.0, "{v} is {} tall in {views:?}", r.height());
                assert!(r.width() >= 300.0, "{v} is {} wide", r.width());
            }
            assert!(disjoint(&grid), "{views:?}: {grid:?}");
        }
        // The plots keep the order of View::PLOTS whatever order the page names them in.
        let grid = lesson_grid(avail, &[View::LossVsStep, View::LossLandscape]);
        assert_eq!(grid[0].0, View::LossLandscape);
        assert!(grid[0].1.left() < grid[1].1.left());
    }
}
