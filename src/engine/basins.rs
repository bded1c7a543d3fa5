//! Basins of attraction: start a run of the same settings from every cell of a grid over (w, b) and see where it
//! ends: at which minimum, diverged, or still on its way after the step budget. Each start is an ordinary run, so
//! momentum and Adam move the boundaries exactly as they move the runs: stepped many at once by
//! [`super::lanes`] where it covers the settings (plain GD and SGD on a built-in, in f64), by the trainer per start
//! ([`run_from`], `DynTrainer`) otherwise, with the same ends either way (a test compares them).
//!
//! The ends are grouped into basins by [`Basins::assign`]: a known minimum when the run ends within a small radius
//! of it, otherwise a new basin at the first end found there (expressions have no list of minima). The app's Basins
//! tab and the `descent basins` command both compute their maps row by row with [`row`] (over the cores by
//! `par_map::map_rows`) and count them with [`Tally`].

use std::ops::Range;

use super::data::Dataset;
use super::lanes::LaneRule;
pub use super::lanes::{End, Outcome};
use super::model::Params;
use super::objective::PointKind;
use super::settings::Settings;
use super::trainer::{DynTrainer, Status};

/// Steps per start unless told otherwise.
pub const MAX_STEPS: u64 = 2_000;
/// ‖∇L‖ at which a start counts as arrived unless told otherwise.
pub const TOLERANCE: f64 = 1e-6;

/// What a map computes: the starts' window and grid, the step budget and the tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct BasinPlan {
    /// w range of the starts, [left, right].
    pub w: [f64; 2],
    /// b range of the starts, [bottom, top].
    pub b: [f64; 2],
    /// Cells across (w) and up (b).
    pub size: [usize; 2],
    /// Steps per start.
    pub max_steps: u64,
    /// ‖∇L‖ at which a run counts as arrived.
    pub tolerance: f64,
}

impl BasinPlan {
    /// The start at the centre of cell (`i`, `j`), `j` counted from the bottom.
    pub fn start(&self, i: usize, j: usize) -> Params<f64> {
        let ([w0, w1], [b0, b1]) = (self.w, self.b);
        let [nx, ny] = self.size;
        Params {
            w: w0 + (w1 - w0) * (i as f64 + 0.5) / nx.max(1) as f64,
            b: b0 + (b1 - b0) * (j as f64 + 0.5) / ny.max(1) as f64,
        }
    }

    /// The cell (`i`, `j` from the bottom) holding (w, b), if inside the window.
    pub fn cell_at(&self, w: f64, b: f64) -> Option<(usize, usize)> {
        let ([w0, w1], [b0, b1]) = (self.w, self.b);
        let [nx, ny] = self.size;
        let fx = (w - w0) / (w1 - w0);
        let fy = (b - b0) / (b1 - b0);
        ((0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy))
            .then_some(((fx * nx as f64) as usize, (fy * ny as f64) as usize))
    }
}

/// The end of the run of `settings` from `start`, by the trainer. Settings the engine refuses count as diverged at
/// step 0 (a start whose loss is not finite is one).
pub fn run_from(data: &Dataset, settings: &Settings, start: Params<f64>, plan: &BasinPlan) -> End {
    let mut s = settings.clone();
    s.w0 = start.w;
    s.b0 = start.b;
    let Ok(mut t) = DynTrainer::new(data, &s) else {
        return End { outcome: Outcome::Diverged, at: start, steps: 0 };
    };
    t.set_tolerance(Some(plan.tolerance));
    let status = t.run(plan.max_steps, |_| {});
    let record = t.record();
    let (outcome, steps) = match status {
        Status::Converged { step, .. } => (Outcome::Converged, step),
        Status::Diverged { step, .. } => (Outcome::Diverged, step),
        Status::Running => (Outcome::Unfinished, record.step),
    };
    End { outcome, at: record.params, steps }
}

/// The ends of the runs from `starts`: many at once in lanes where [`LaneRule`] covers the settings, else one
/// trainer per start. Either way each end is [`run_from`]'s.
pub fn ends(data: &Dataset, settings: &Settings, plan: &BasinPlan, starts: &[Params<f64>]) -> Vec<End> {
    match LaneRule::for_settings(settings) {
        Some(rule) => rule.run(starts, plan.max_steps, plan.tolerance),
        None => starts.iter().map(|&p| run_from(data, settings, p, plan)).collect(),
    }
}

/// One row of the map (`j` from the bottom), left to right.
pub fn row(data: &Dataset, settings: &Settings, plan: &BasinPlan, j: usize) -> Vec<End> {
    rows(data, settings, plan, j..j + 1).into_iter().next().map_or_else(Vec::new, |(_, ends)| ends)
}

/// Rows `js` of the map, each (row index, its ends left to right), run as one batch of starts.
pub fn rows(data: &Dataset, settings: &Settings, plan: &BasinPlan, js: Range<usize>) -> Vec<(usize, Vec<End>)> {
    let nx = plan.size[0];
    let starts: Vec<Params<f64>> = js.clone().flat_map(|j| (0..nx).map(move |i| plan.start(i, j))).collect();
    let all = ends(data, settings, plan, &starts);
    js.zip(all.chunks(nx.max(1))).map(|(j, ends)| (j, ends.to_vec())).collect()
}

/// Starts per batch of rows that [`bands`] aims at: the lanes' last runs, while no start is left to refill a lane,
/// are a small part of a batch this size.
pub const BAND_STARTS: usize = 2_000;

/// The map's rows in batches of about [`BAND_STARTS`] starts (whole rows, at least one), bottom to top.
pub fn bands(plan: &BasinPlan) -> Vec<Range<usize>> {
    let [nx, ny] = plan.size;
    let per_band = (BAND_STARTS / nx.max(1)).max(1);
    (0..ny).step_by(per_band).map(|j0| j0..(j0 + per_band).min(ny)).collect()
}

/// The window of starts: the known minima and saddles of an objective with room around them, else the optimum
/// (`optimum`, the analysis's) and the start with room around them. Returns the w and b ranges.
pub fn default_window(settings: &Settings, optimum: Params<f64>) -> ([f64; 2], [f64; 2]) {
    let mut pts: Vec<Params<f64>> = vec![optimum, settings.start()];
    if let Some(o) = &settings.objective {
        pts.extend(o.known_points().iter().map(|k| k.at));
    }
    let span = |f: fn(&Params<f64>) -> f64| {
        let (lo, hi) = pts
            .iter()
            .map(f)
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| (a.0.min(v), a.1.max(v)));
        let half = (0.5 * (hi - lo) * 1.3).max(1.0);
        let mid = 0.5 * (lo + hi);
        if mid.is_finite() { [mid - half, mid + half] } else { [-1.0, 1.0] }
    };
    (span(|p| p.w), span(|p| p.b))
}

/// The basins an end may arrive at, before any is found: an objective's known minima, or the linear model's
/// optimum; an end belongs to one within 10⁻³ of the window's larger side.
pub fn known_basins(settings: &Settings, optimum: Params<f64>, plan: &BasinPlan) -> Basins {
    let known = match &settings.objective {
        Some(o) => o.known_points().iter().filter(|k| k.kind == PointKind::Minimum).map(|k| k.at).collect(),
        None => vec![optimum],
    };
    Basins::new(known, 1e-3 * (plan.w[1] - plan.w[0]).max(plan.b[1] - plan.b[0]))
}

/// The basins found so far: their points (known minima first), and the radius within which an end belongs to one.
#[derive(Clone, Debug, PartialEq)]
pub struct Basins {
    /// Each basin's point: a known minimum, or the first end found there.
    pub points: Vec<Params<f64>>,
    /// How many of them were given as known minima.
    pub known: usize,
    radius: f64,
}

impl Basins {
    /// Basins around the `known` minima, an end belonging to one within `radius` of it.
    pub fn new(known: Vec<Params<f64>>, radius: f64) -> Self {
        Basins { known: known.len(), points: known, radius }
    }

    /// The basin of a converged end (a new one when it is near none of them).
    pub fn assign(&mut self, p: Params<f64>) -> usize {
        let near = |q: &Params<f64>| (q.w - p.w).hypot(q.b - p.b) <= self.radius;
        match self.points.iter().position(near) {
            Some(k) => k,
            None => {
                self.points.push(p);
                self.points.len() - 1
            }
        }
    }
}

/// How many starts ended where: per basin (in [`Basins::points`] order), diverged, unfinished, and how many are
/// counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Converged starts per basin.
    pub per_basin: Vec<usize>,
    /// Diverged starts.
    pub diverged: usize,
    /// Unfinished starts.
    pub unfinished: usize,
    /// Starts counted.
    pub done: usize,
}

impl Tally {
    /// Counts `ends` into the tally, finding new basins in `basins` as they come.
    pub fn add<'a>(&mut self, basins: &mut Basins, ends: impl IntoIterator<Item = &'a End>) {
        for end in ends {
            self.done += 1;
            match end.outcome {
                Outcome::Converged => {
                    let k = basins.assign(end.at);
                    if k >= self.per_basin.len() {
                        self.per_basin.resize(k + 1, 0);
                    }
                    self.per_basin[k] += 1;
                }
                Outcome::Diverged => self.diverged += 1,
                Outcome::Unfinished => self.unfinished += 1,
            }
        }
    }

    /// `n` as a share of the starts counted, in [0, 1].
    pub fn share(&self, n: usize) -> f64 {
        n as f64 / self.done.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_starts_agree() {
        let plan = BasinPlan { w: [-5.0, 5.0], b: [-5.0, 5.0], size: [10, 10], max_steps: 10, tolerance: 1e-6 };
        assert_eq!(plan.start(0, 0), Params { w: -4.5, b: -4.5 });
        assert_eq!(plan.cell_at(-4.5, -4.5), Some((0, 0)));
        assert_eq!(plan.cell_at(4.99, 0.1), Some((9, 5)));
        assert_eq!(plan.cell_at(5.0, 0.0), None, "outside the window");
        let mut basins = Basins::new(vec![Params { w: 3.0, b: 2.0 }], 0.01);
        assert_eq!(basins.assign(Params { w: 3.001, b: 2.0 }), 0);
        assert_eq!(basins.assign(Params { w: -3.0, b: 2.0 }), 1, "a new basin");
        assert_eq!(basins.assign(Params { w: -3.005, b: 2.0 }), 1);
        assert_eq!(basins.known, 1);
    }

    /// Himmelblau's four minima each gather a basin: plain gradient descent from a grid of starts over [−5, 5]² ends
    /// at all four, and at nothing else.
    #[test]
    fn himmelblau_has_four_basins() {
        use crate::engine::objective::{Builtin, Objective, PointKind};
        let objective = Objective::builtin(Builtin::Himmelblau);
        let minima: Vec<Params<f64>> =
            objective.known_points().iter().filter(|k| k.kind == PointKind::Minimum).map(|k| k.at).collect();
        assert_eq!(minima.len(), 4);
        let mut settings = Settings::default();
        settings.set_objective(Some(objective), true);
        settings.optimizer.lr = 0.005;
        let plan = BasinPlan { w: [-5.0, 5.0], b: [-5.0, 5.0], size: [10, 10], max_steps: 4000, tolerance: 1e-6 };
        let data = Dataset::notebook();
        let mut basins = Basins::new(minima, 1e-3);
        let mut reached = std::collections::BTreeSet::new();
        for j in 0..plan.size[1] {
            for end in row(&data, &settings, &plan, j) {
                if end.outcome == Outcome::Converged {
                    reached.insert(basins.assign(end.at));
                }
            }
        }
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3], "every minimum, no other end");
        assert_eq!(basins.points.len(), 4);
    }
}
