//! The loss surface L(w, b) of a dataset under a run's settings, evaluated for drawing: along a line (the curve
//! L(w) at some b), on a node grid (the contour map) or at every pixel of a picture, with its cost bounded for large
//! datasets.
//!
//! Two ways to build one. The app draws in the run's own precision (an f32 run shows f32 rounding) and keeps each
//! evaluation cheap by thinning a large dataset to an evenly spaced subsample
//! ([`LossSurface::in_run_precision`]). The exported animation evaluates MSE in closed form and any other loss over
//! every sample, evaluating fewer points and interpolating between them when the data is large
//! ([`LossSurface::for_export`]).

use super::contour::Window;
use crate::engine::analysis::fit;
use crate::engine::loss::{Loss, mean_loss};
use crate::engine::scaling::Scaling;
use crate::engine::trainer::DynTrainer;
use crate::engine::{ConfigError, Dataset, GradientSource, LossKind, Params, Precision, Settings};

/// Above this many samples, [`LossSurface::in_run_precision`] draws a non-quadratic (or f32) loss from an evenly
/// spaced subsample.
pub const SUBSAMPLE_ABOVE: usize = 20_000;

/// Samples × points a [`LossSurface::for_export`] surface may cost to draw through the engine (non-quadratic
/// losses): a few tenths of a second in a release build, whatever the dataset's size (200 points for a million
/// samples); beyond it the surface is sampled more coarsely and interpolated.
pub const EVAL_BUDGET: f64 = 2e8;

/// The settings a loss surface depends on (the model, the loss and the precision; not the optimizer or the start):
/// a surface built for one settings value serves every settings value with the same key.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceKey {
    objective: Option<crate::engine::objective::Objective>,
    bias: bool,
    loss: LossKind,
    huber_delta: u64,
    precision: Precision,
    standardize: bool,
}

impl SurfaceKey {
    /// The key of `s`.
    pub fn of(s: &Settings) -> Self {
        SurfaceKey {
            objective: s.objective.clone(),
            bias: s.bias,
            loss: s.loss,
            huber_delta: s.huber_delta.to_bits(),
            precision: s.precision,
            standardize: s.standardize,
        }
    }
}

/// The mean loss anywhere in the (w, b) plane.
pub struct LossSurface {
    kind: Kind,
    /// Samples behind each engine evaluation.
    samples: usize,
    /// The number of samples drawn from when the surface is a subsample of the data.
    subsample: Option<usize>,
}

/// How the loss is evaluated.
enum Kind {
    /// MSE in closed form around its minimum: L* + mean((dw·x + db)²) = L* + dw²·E[x²] + 2·dw·db·E[x] + db², exact
    /// because the optimum zeroes the cross terms (the normal equations). Costs O(1) per point, so the surface of
    /// a million samples draws as fast as that of four.
    Quadratic { optimum: Params<f64>, min_loss: f64, mean_xx: f64, mean_x: f64 },
    /// Any loss, through the engine in the run's own precision.
    Engine(Box<DynTrainer>),
}

impl LossSurface {
    /// The surface in the run's own precision, through the engine: from an evenly spaced subsample of at most
    /// about [`SUBSAMPLE_ABOVE`] samples when the data is larger, unless the loss is MSE in f64 (which the engine
    /// evaluates in O(1) from the data's moments).
    ///
    /// # Errors
    /// The engine's, for an empty dataset or invalid settings (w₀, b₀ or Huber's δ).
    pub fn in_run_precision(data: &Dataset, settings: &Settings) -> Result<Self, ConfigError> {
        let quadratic_fast = settings.loss == LossKind::Mse && settings.precision == Precision::F64;
        let (sample, subsample) = if data.len() > SUBSAMPLE_ABOVE && !quadratic_fast {
            let stride = data.len().div_ceil(SUBSAMPLE_ABOVE);
            let x: Vec<f64> = data.x.iter().step_by(stride).copied().collect();
            let y: Vec<f64> = data.y.iter().step_by(stride).copied().collect();
            let n = x.len();
            (Dataset::new(x, y, data.name.clone()).ok(), Some(n))
        } else {
            (None, None)
        };
        let data = sample.as_ref().unwrap_or(data);
        Ok(LossSurface { kind: Kind::Engine(Box::new(engine(data, settings)?)), samples: data.len(), subsample })
    }

    /// The surface for an exported picture: MSE in closed form around its `optimum` (in f64, whatever the run's
    /// precision), any other loss through the engine over every sample.
    ///
    /// # Errors
    /// The engine's, for an empty dataset or invalid settings.
    pub fn for_export(data: &Dataset, settings: &Settings, optimum: Params<f64>) -> Result<Self, ConfigError> {
        let kind = if settings.loss == LossKind::Mse && settings.objective.is_none() && !settings.standardize {
            let x = data.x.as_slice().unwrap_or(&[]);
            let y = data.y.as_slice().unwrap_or(&[]);
            let loss_fn = Loss::<f64>::new(settings.loss, settings.huber_delta);
            let n = x.len().max(1) as f64;
            Kind::Quadratic {
                optimum,
                min_loss: mean_loss(x, y, optimum, settings.bias, loss_fn),
                mean_xx: x.iter().map(|v| v * v).sum::<f64>() / n,
                mean_x: x.iter().sum::<f64>() / n,
            }
        } else {
            Kind::Engine(Box::new(engine(data, settings)?))
        };
        Ok(LossSurface { kind, samples: data.len(), subsample: None })
    }

    /// The optimum of the settings' loss on `data` (exact for MSE, iterated otherwise), in f64.
    pub fn optimum(data: &Dataset, settings: &Settings) -> Params<f64> {
        if let Some(o) = &settings.objective {
            // The known minimum nearest the start (the start itself for an expression).
            return o.analysis(settings.start()).optimum;
        }
        let x = data.x.as_slice().unwrap_or(&[]);
        let y = data.y.as_slice().unwrap_or(&[]);
        let optimum = fit(x, y, settings.bias, Loss::<f64>::new(settings.loss, settings.huber_delta));
        // A standardized run lives in the scaled space: its optimum is the scaled image of the original one.
        match settings.standardize.then(|| Scaling::of(x, settings.bias)).flatten() {
            Some(s) => s.to_scaled(optimum),
            None => optimum,
        }
    }

    /// L(w, b).
    pub fn loss(&self, w: f64, b: f64) -> f64 {
        match &self.kind {
            Kind::Quadratic { optimum, min_loss, mean_xx, mean_x } => {
                let (dw, db) = (w - optimum.w, b - optimum.b);
                min_loss + dw * dw * mean_xx + 2.0 * dw * db * mean_x + db * db
            }
            Kind::Engine(t) => t.loss_at(Params { w, b }),
        }
    }

    /// The exact Hessian of the mean loss at (w, b), the one Newton's method uses (of the drawn samples, for a
    /// subsampled surface).
    pub fn hessian(&self, w: f64, b: f64) -> [[f64; 2]; 2] {
        match &self.kind {
            Kind::Quadratic { mean_xx, mean_x, .. } => [[2.0 * mean_xx, 2.0 * mean_x], [2.0 * mean_x, 2.0]],
            Kind::Engine(t) => t.hessian_at(Params { w, b }).0,
        }
    }

    /// dL/dw at (w, b) by central differences of half-width `h` (exact for a parabola up to rounding; the mean of
    /// both sides at a kink); a step of 10⁻⁶ when `h` is not a positive number.
    pub fn slope_w(&self, w: f64, b: f64, h: f64) -> f64 {
        let h = if h.is_finite() && h > 0.0 { h } else { 1e-6 };
        (self.loss(w + h, b) - self.loss(w - h, b)) / (2.0 * h)
    }

    /// The number of samples the surface is drawn from when it is a subsample of the data.
    pub fn subsample(&self) -> Option<usize> {
        self.subsample
    }

    /// How many points the surface can afford to evaluate beyond a grid's (a contour map's refinement): as many as
    /// [`EVAL_BUDGET`] allows when each evaluation costs a pass over the data, without bound when it costs O(1).
    pub fn affordable_points(&self) -> usize {
        if self.is_costly() { (EVAL_BUDGET / self.samples.max(1) as f64) as usize } else { usize::MAX }
    }

    /// True when each evaluation costs a pass over the data.
    pub fn is_costly(&self) -> bool {
        matches!(self.kind, Kind::Engine(_))
    }

    /// The curve L(w) at `b` over [lo, hi]: `n` + 1 evenly spaced points `[w, L]`, leaving out those where the loss
    /// is not finite.
    pub fn curve(&self, [lo, hi]: [f64; 2], b: f64, n: usize) -> Vec<[f64; 2]> {
        (0..=n)
            .map(|i| {
                let w = lo + (hi - lo) * i as f64 / n as f64;
                [w, self.loss(w, b)]
            })
            .filter(|p| p[1].is_finite())
            .collect()
    }

    /// The loss at the nodes of an `nx × ny` grid over `window`, row by row from the top (see [`Window`]).
    pub fn grid(&self, window: Window, [nx, ny]: [usize; 2]) -> Vec<f64> {
        let mut losses = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                losses.push(self.loss(window.node_w(i, nx), window.node_b(j, ny)));
            }
        }
        losses
    }

    /// L(w, b) at each of `columns` (≥ 2) pixel columns, where `w_at(x)` is the w at `x` columns right of the
    /// first column's centre: one evaluation per column, or — when each costs a pass over a large dataset — as many
    /// as [`EVAL_BUDGET`] affords (at least 32), evenly spread and interpolated linearly in between.
    pub fn along_columns(&self, columns: usize, w_at: impl Fn(f64) -> f64, b: f64) -> Vec<f64> {
        let affordable = (EVAL_BUDGET / self.samples.max(1) as f64).max(32.0) as usize;
        let nodes = if self.is_costly() { columns.min(affordable) } else { columns };
        let node_loss: Vec<f64> = (0..nodes)
            .map(|k| self.loss(w_at(k as f64 * (columns - 1) as f64 / (nodes - 1).max(1) as f64), b))
            .collect();
        if nodes == columns {
            return node_loss;
        }
        (0..columns)
            .map(|i| {
                let t = i as f64 * (nodes - 1) as f64 / (columns - 1) as f64;
                let k = (t.floor() as usize).min(nodes - 2);
                let f = t - k as f64;
                node_loss[k] * (1.0 - f) + node_loss[k + 1] * f
            })
            .collect()
    }

    /// L at each pixel of a `w × h` block, row by row, where `at(i, j)` is the (w, b) of pixel (i, j): one evaluation
    /// per pixel, or — when each costs a pass over a large dataset — on a grid coarse enough for [`EVAL_BUDGET`]
    /// (every second pixel at least), interpolated bilinearly between its nodes.
    pub fn over_pixels(&self, [w, h]: [usize; 2], at: impl Fn(usize, usize) -> (f64, f64)) -> Vec<f64> {
        let loss = |i: usize, j: usize| {
            let (pw, pb) = at(i, j);
            self.loss(pw, pb)
        };
        if !self.is_costly() {
            return (0..h).flat_map(|j| (0..w).map(move |i| (i, j))).map(|(i, j)| loss(i, j)).collect();
        }
        let spacing = ((w * h) as f64 * self.samples.max(1) as f64 / EVAL_BUDGET).sqrt().ceil().max(2.0) as usize;
        let (gw, gh) = (w.div_ceil(spacing) + 1, h.div_ceil(spacing) + 1);
        let grid: Vec<f64> = (0..gh)
            .flat_map(|gj| (0..gw).map(move |gi| (gi, gj)))
            .map(|(gi, gj)| loss(gi * spacing, gj * spacing))
            .collect();
        let node = |gi: usize, gj: usize| grid[gj.min(gh - 1) * gw + gi.min(gw - 1)];
        (0..h)
            .flat_map(|j| (0..w).map(move |i| (i, j)))
            .map(|(i, j)| {
                let (gi, gj) = (i / spacing, j / spacing);
                let (fx, fy) = ((i % spacing) as f64 / spacing as f64, (j % spacing) as f64 / spacing as f64);
                let top = node(gi, gj) * (1.0 - fx) + node(gi + 1, gj) * fx;
                let bottom = node(gi, gj + 1) * (1.0 - fx) + node(gi + 1, gj + 1) * fx;
                top * (1.0 - fy) + bottom * fy
            })
            .collect()
    }
}

/// A trainer that only evaluates the loss: `settings` with a plain optimizer, full batches and the analytic
/// gradient, so that construction cannot fail for reasons that do not change the loss.
fn engine(data: &Dataset, settings: &Settings) -> Result<DynTrainer, ConfigError> {
    let mut s = settings.clone();
    s.optimizer = Default::default();
    s.batch_size = None;
    // An objective's surface needs only its values (its gradient source is autodiff, which analytic is not).
    s.gradient = if s.objective.is_some() { GradientSource::Numeric } else { GradientSource::Analytic };
    s.noise = 0.0;
    DynTrainer::new(data, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(loss: LossKind, precision: Precision, bias: bool) -> Settings {
        Settings { loss, precision, bias, ..Settings::default() }
    }

    #[test]
    fn the_closed_form_matches_the_engine() {
        let data = Dataset::preset("noisy").unwrap();
        let s = settings(LossKind::Mse, Precision::F64, true);
        let optimum = LossSurface::optimum(&data, &s);
        let exact = LossSurface::for_export(&data, &s, optimum).unwrap();
        let engine = LossSurface::in_run_precision(&data, &s).unwrap();
        assert!(!exact.is_costly() && engine.is_costly());
        for (w, b) in [(0.0, 0.0), (3.0, 1.0), (-2.0, 4.5), (optimum.w, optimum.b)] {
            let (a, e) = (exact.loss(w, b), engine.loss(w, b));
            assert!((a - e).abs() <= 1e-9 * e.abs().max(1.0), "L({w}, {b}): {a} vs {e}");
        }
    }

    #[test]
    fn large_data_is_subsampled_unless_the_loss_is_cheap() {
        let data = Dataset::preset("large").unwrap();
        let mse = LossSurface::in_run_precision(&data, &settings(LossKind::Mse, Precision::F64, false)).unwrap();
        assert_eq!(mse.subsample(), None);
        let mae = LossSurface::in_run_precision(&data, &settings(LossKind::Mae, Precision::F64, false)).unwrap();
        let n = mae.subsample().expect("a subsample");
        assert!(n <= SUBSAMPLE_ABOVE && n > SUBSAMPLE_ABOVE / 2, "{n}");
        let f32_mse = LossSurface::in_run_precision(&data, &settings(LossKind::Mse, Precision::F32, false)).unwrap();
        assert!(f32_mse.subsample().is_some());
        // The subsample's loss is close to the whole data's: y = 3x on [0, 1], MAE at w = 2 is E|x| = 0.5.
        assert!((mae.loss(2.0, 0.0) - 0.5).abs() < 1e-3);
        let small = Dataset::notebook();
        assert_eq!(
            LossSurface::in_run_precision(&small, &settings(LossKind::Mae, Precision::F32, true)).unwrap().subsample(),
            None
        );
    }

    #[test]
    fn slopes_curves_and_grids() {
        let data = Dataset::notebook();
        let s = settings(LossKind::Mse, Precision::F64, false);
        let surface = LossSurface::in_run_precision(&data, &s).unwrap();
        // y = 3x at x = 1..4: L(w) = 7.5 (w − 3)², dL/dw = 15 (w − 3).
        assert!((surface.slope_w(1.0, 0.0, 1e-3) + 30.0).abs() < 1e-6);
        assert!((surface.slope_w(1.0, 0.0, f64::NAN) + 30.0).abs() < 1e-4);
        let curve = surface.curve([1.0, 5.0], 0.0, 4);
        assert_eq!(curve, [[1.0, 30.0], [2.0, 7.5], [3.0, 0.0], [4.0, 7.5], [5.0, 30.0]]);
        let window = Window { w: [2.0, 4.0], b: [-1.0, 1.0] };
        let grid = surface.grid(window, [3, 2]);
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[1], surface.loss(3.0, 1.0));
        assert_eq!(grid[3], surface.loss(2.0, -1.0));
    }

    #[test]
    fn costly_surfaces_interpolate_between_fewer_nodes() {
        let data = Dataset::preset("large").unwrap();
        let s = settings(LossKind::Mae, Precision::F64, true);
        let surface = LossSurface::for_export(&data, &s, LossSurface::optimum(&data, &s)).unwrap();
        assert!(surface.is_costly());
        // 2e8 / 1e6 = 200 nodes for 1000 columns, linear in between: exact on a straight stretch of the curve.
        let w_at = |x: f64| 2.0 + x / 1000.0;
        let row = surface.along_columns(1000, w_at, 0.0);
        assert_eq!(row.len(), 1000);
        assert!((row[500] - surface.loss(w_at(500.0), 0.0)).abs() < 1e-6);
        // A 20 × 20 block: nodes every 2 pixels (the least spacing), interpolated between.
        let pixels = surface.over_pixels([20, 20], |i, j| (2.0 + i as f64 * 0.01, j as f64 * 0.01));
        assert_eq!(pixels.len(), 400);
        let node = |i: usize, j: usize| surface.loss(2.0 + i as f64 * 0.01, j as f64 * 0.01);
        assert_eq!(pixels[0], node(0, 0));
        assert_eq!(pixels[2 * 20 + 2], node(2, 2));
        // Pixel (1, 1) is halfway between four nodes: their mean.
        let mean = 0.25 * (node(0, 0) + node(2, 0) + node(0, 2) + node(2, 2));
        assert!((pixels[21] - mean).abs() < 1e-12, "{} vs {mean}", pixels[21]);
    }
}
