//! Basins of attraction: start a run of the same settings from every cell of a grid over (w, b) and see where it
//! ends: at which minimum, diverged, or still on its way after the step budget. Each start is an ordinary run
//! (`DynTrainer`), so momentum and Adam move the boundaries exactly as they move the runs.
//!
//! The ends are grouped into basins by [`Basins::assign`]: a known minimum when the run ends within a small radius
//! of it, otherwise a new basin at the first end found there (expressions have no list of minima).

use super::data::Dataset;
use super::model::Params;
use super::settings::Settings;
use super::trainer::{DynTrainer, Status};

/// Where the run from one start ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    /// Met the tolerance at this point.
    Converged(Params<f64>),
    /// Diverged.
    Diverged,
    /// Still running after the step budget, at this point.
    Unfinished(Params<f64>),
}

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

/// The end of the run of `settings` from `start`. Settings the engine refuses count as diverged (a start whose
/// loss is not finite is one).
pub fn run_from(data: &Dataset, settings: &Settings, start: Params<f64>, plan: &BasinPlan) -> End {
    let mut s = settings.clone();
    s.w0 = start.w;
    s.b0 = start.b;
    let Ok(mut t) = DynTrainer::new(data, &s) else {
        return End::Diverged;
    };
    t.set_tolerance(Some(plan.tolerance));
    match t.run(plan.max_steps, |_| {}) {
        Status::Converged { .. } => End::Converged(t.record().params),
        Status::Diverged { .. } => End::Diverged,
        Status::Running => End::Unfinished(t.record().params),
    }
}

/// One row of the map (`j` from the bottom), left to right.
pub fn row(data: &Dataset, settings: &Settings, plan: &BasinPlan, j: usize) -> Vec<End> {
    (0..plan.size[0]).map(|i| run_from(data, settings, plan.start(i, j), plan)).collect()
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
                if let End::Converged(p) = end {
                    reached.insert(basins.assign(p));
                }
            }
        }
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3], "every minimum, no other end");
        assert_eq!(basins.points.len(), 4);
    }
}
