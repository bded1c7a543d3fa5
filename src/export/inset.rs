//! The loss inset: the loss by step on a log scale, beside (or under) the main plot. Its axes cover every run
//! whole and are drawn once; each frame adds each run's line up to its step and a dot there, in the run's colour,
//! so a diverging run shows as a line climbing decade after decade, and a converging one as a line falling towards
//! the minimum.

use super::layout::{Area, thin_path, tick_len};
use super::paint::{Canvas, Pt};
use super::text::{Anchor, Fonts, Style};
use super::theme::{Inks, RunInk};
use crate::engine::trainer::Record;
use crate::format;
use crate::geometry::{bounds, nice_ticks};

/// Most decades the log axis spans: lower losses sit on its floor.
const MAX_DECADES: f64 = 15.0;

/// The inset's layout and its line.
pub(super) struct Inset {
    /// The whole box, title included.
    area: Area,
    /// The plot inside it.
    panel: Area,
    /// The step axis, first to last step.
    steps: [f64; 2],
    /// The log10 loss axis.
    logs: [f64; 2],
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
    /// Each run's rows' pixels, thinned to a pixel apart: (row index, pixel).
    points: Vec<Vec<(usize, Pt)>>,
    unit: f32,
}

impl Inset {
    /// Lays out the inset in `area` for the whole of every run (each run's rows in `runs`), with text in `style`.
    pub(super) fn new(area: Area, runs: &[&[Record<f64>]], fonts: &Fonts, style: Style, unit: f32) -> Inset {
        let first = runs.iter().filter_map(|rows| rows.first()).map(|r| r.step as f64).reduce(f64::min);
        let last = runs.iter().filter_map(|rows| rows.last()).map(|r| r.step as f64).reduce(f64::max);
        let (first, last) = (first.unwrap_or(0.0), last.unwrap_or(1.0));
        let steps = if last > first { [first, last] } else { [first, first + 1.0] };
        let logs = log_range(runs.iter().flat_map(|rows| rows.iter()));
        let y_ticks = log_ticks(logs);
        let across = f64::from(area.w() / (70.0 * unit)).clamp(2.0, 5.0);
        let x_ticks: Vec<(f64, String)> =
            nice_ticks(steps[0], steps[1], across).into_iter().map(|(v, _)| (v, format::step_label(v))).collect();
        let tick = tick_len(unit);
        let widest = y_ticks.iter().map(|(_, l)| fonts.width(style, l)).fold(0.0, f32::max);
        let right_label = x_ticks.last().map_or(0.0, |(_, l)| 0.5 * fonts.width(style, l));
        let panel = Area {
            x0: (area.x0 + widest + tick + 4.0 * unit).round(),
            y0: (area.y0 + fonts.height(style) + 6.0 * unit).round(),
            x1: (area.x1 - right_label.max(2.0 * unit)).round(),
            y1: (area.y1 - tick - 3.0 * unit - fonts.height(style)).round(),
        };
        let mut inset = Inset { area, panel, steps, logs, x_ticks, y_ticks, points: Vec::new(), unit };
        inset.points = runs.iter().map(|rows| thin_path(rows, |r| inset.px(r.step as f64, r.loss))).collect();
        inset
    }

    /// The pixel of a loss at a step; losses at or under the axis' floor sit on it, infinite ones at its top.
    fn px(&self, step: f64, loss: f64) -> Pt {
        let [s0, s1] = self.steps;
        let [l0, l1] = self.logs;
        let log = if loss.is_finite() && loss > 0.0 {
            loss.log10()
        } else if loss == f64::INFINITY {
            l1
        } else {
            l0
        };
        let fx = ((step - s0) / (s1 - s0)).clamp(0.0, 1.0);
        let fy = ((log - l0) / (l1 - l0)).clamp(0.0, 1.0);
        let p = &self.panel;
        (p.x0 + fx as f32 * p.w(), p.y1 - fy as f32 * p.h())
    }

    /// The part every frame shares: the title, the panel, its grid, axes and tick labels.
    pub(super) fn draw_frame(&self, c: &mut Canvas, fonts: &Fonts, inks: &Inks, style: Style) {
        let (p, u) = (self.panel, self.unit);
        fonts.draw(c, style, "loss by step (log scale)", (self.area.x0, self.area.y0), Anchor::TopLeft, inks.text);
        c.fill_rect(p.x0, p.y0, p.x1, p.y1, inks.panel, 1.0);
        let w = (1.2 * u).round().max(1.0);
        let tick = tick_len(u);
        for (v, label) in &self.y_ticks {
            let y = self.px(self.steps[0], 10f64.powf(*v)).1.round();
            c.fill_rect(p.x0, y, p.x1, y + u.round().max(1.0), inks.grid, 1.0);
            c.fill_rect(p.x0 - w - tick, y, p.x0 - w, y + w, inks.axis, 1.0);
            fonts.draw(c, style, label, (p.x0 - w - tick - 3.0 * u, y + 0.5 * w), Anchor::MidRight, inks.weak);
        }
        for (v, label) in &self.x_ticks {
            let x = self.px(*v, 1.0).0.round();
            c.fill_rect(x, p.y1 + w, x + w, p.y1 + w + tick, inks.axis, 1.0);
            fonts.draw(c, style, label, (x + 0.5 * w, p.y1 + w + tick + 2.0 * u), Anchor::TopCentre, inks.weak);
        }
        c.fill_rect(p.x0 - w, p.y0, p.x0, p.y1 + w, inks.axis, 1.0);
        c.fill_rect(p.x0 - w, p.y1, p.x1, p.y1 + w, inks.axis, 1.0);
    }

    /// The loss of run `run` up to its row `upto` (the row `current`) and a dot there, in the run's `ink`.
    pub(super) fn draw_upto(&self, c: &mut Canvas, run: usize, upto: usize, current: &Record<f64>, ink: RunInk) {
        let (p, u) = (self.panel, self.unit);
        let here = self.px(current.step as f64, current.loss);
        let points = self.points.get(run).map_or(&[][..], Vec::as_slice);
        let shown: Vec<Pt> =
            points.iter().take_while(|(i, _)| *i <= upto).map(|&(_, p)| p).chain(std::iter::once(here)).collect();
        // The clip leaves room for the dot on the panel's edges.
        let r = 3.2 * u.max(0.75);
        c.set_clip(p.x0 - r, p.y0 - r, p.x1 + r, p.y1);
        c.stroke(&shown, (1.5 * u).max(1.0), ink.colour, 1.0, None);
        c.disc(here, r, ink.colour, 1.0);
        c.reset_clip();
    }
}

/// The log10 loss axis: the runs' positive finite losses, at most [`MAX_DECADES`] below the highest, at least a
/// decade wide, with 6 % to spare at each end.
fn log_range<'a>(rows: impl Iterator<Item = &'a Record<f64>>) -> [f64; 2] {
    let logs = rows.map(|r| r.loss).filter(|l| l.is_finite() && *l > 0.0).map(f64::log10);
    let (lo, hi) = bounds(logs).unwrap_or((-1.0, 0.0));
    let lo = lo.max(hi - MAX_DECADES);
    let (lo, hi) = if hi - lo < 1.0 {
        let mid = 0.5 * (lo + hi);
        (mid - 0.5, mid + 0.5)
    } else {
        (lo, hi)
    };
    let spare = 0.06 * (hi - lo);
    [lo - spare, hi + spare]
}

/// Ticks of the log axis, in log10 units: decades (every second or third one over a wide range), or 1, 2 and
/// 5 × 10ᵏ when fewer than two decades are in view.
fn log_ticks([lo, hi]: [f64; 2]) -> Vec<(f64, String)> {
    let decades: Vec<f64> = (lo.ceil() as i64..=hi.floor() as i64).map(|k| k as f64).collect();
    let ticks: Vec<f64> = if decades.len() >= 2 {
        let every = decades.len().div_ceil(4);
        decades.into_iter().filter(|k| (*k as i64).rem_euclid(every as i64) == 0).collect()
    } else {
        (lo.floor() as i64..=hi.ceil() as i64)
            .flat_map(|k| [1.0f64, 2.0, 5.0].map(|m| k as f64 + m.log10()))
            .filter(|v| (lo..=hi).contains(v))
            .collect()
    };
    ticks.into_iter().map(|v| (v, format::decade_label(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_decades_or_their_multiples() {
        let labels = |r| log_ticks(r).into_iter().map(|(_, l)| l).collect::<Vec<_>>();
        assert_eq!(labels([-3.2, 1.1]), ["10⁻²", "10⁰"]);
        assert_eq!(labels([-1.5, -0.2]), ["5×10⁻²", "10⁻¹", "2×10⁻¹", "5×10⁻¹"]);
        assert!(labels([-15.0, 15.0]).len() <= 5);
    }

    #[test]
    fn the_log_range_spans_at_least_a_decade_and_at_most_fifteen() {
        let row = |loss| Record { loss, ..Record::default() };
        let [lo, hi] = log_range([row(1.0), row(1.0)].iter());
        assert!(hi - lo >= 1.0 && lo < 0.0 && hi > 0.0);
        let [lo, hi] = log_range([row(1e-300), row(1e20), row(0.0), row(f64::NAN)].iter());
        assert!(hi > 20.0 && lo > 4.0 && lo < 5.0, "{lo} {hi}");
        assert_eq!(log_range([].iter()).len(), 2);
    }
}
