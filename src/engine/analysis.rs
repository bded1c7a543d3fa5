//! Closed-form analysis of a problem: the optimum, the minimum loss, the Hessian and its eigenvalues, and the
//! learning rates at which plain gradient descent changes character.
//!
//! For a quadratic loss (MSE), gradient descent w ← w − lr·H·(w − w*) contracts each eigen-direction by
//! (1 − lr·λ): monotonically while lr < 1/λmax, with oscillation while lr < 2/λmax, and it diverges at or above
//! 2/λmax. The fastest uniform contraction is at lr = 2/(λmax + λmin). Under `notebook-sum` the update follows
//! N·∇L, so the curvature it sees is N times larger and every threshold N times smaller.

use serde::Serialize;

use super::data::Dataset;
use super::linalg::{eigenvalues, mat_pow};
use super::loss::{Loss, LossKind};
use super::model::Params;
use super::objective::{KnownPoint, Objective, PointKind};
use super::optim::{OptimizerConfig, OptimizerKind};
use super::settings::{GradientSource, Settings};
use crate::format::repr;

/// The analysis of one problem.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// The minimiser (least squares for MSE; iteratively reweighted least squares for MAE and Huber).
    pub optimum: Params<f64>,
    /// The mean loss at the optimum.
    pub min_loss: f64,
    /// The Hessian the update sees (1×1, or 2×2 with a bias), N times the loss's own under notebook-sum.
    pub hessian: Vec<Vec<f64>>,
    /// Largest eigenvalue λmax.
    pub curvature_max: f64,
    /// Smallest eigenvalue λmin.
    pub curvature_min: f64,
    /// 2/λmax: plain GD diverges at or above it (`None` when λmax = 0).
    pub critical_lr: Option<f64>,
    /// 1/λmax: below it the loss falls without oscillation.
    pub monotone_lr: Option<f64>,
    /// 2/(λmax + λmin): the fastest worst-case contraction.
    pub optimal_lr: Option<f64>,
    /// λmax/λmin (`None` when λmin = 0).
    pub condition_number: Option<f64>,
    /// True when the loss is not quadratic and the curvature is taken at `at` (only valid nearby).
    pub local: bool,
    /// Where the curvature was taken, for a local analysis.
    pub at: Option<Params<f64>>,
    /// A plain-words note on what the numbers mean for this loss.
    pub note: String,
}

impl Analysis {
    /// The analysis that the Hessian the update sees determines: its eigenvalues λmax ≥ λmin ≥ 0 and the
    /// learning rates 2/λmax, 1/λmax, 2/(λmax + λmin) and the condition number λmax/λmin (each `None` where its
    /// divisor is 0 or not finite). `at` is where a local curvature was taken (`None`: the loss is quadratic).
    pub fn from_curvature(
        optimum: Params<f64>,
        min_loss: f64,
        hessian: Vec<Vec<f64>>,
        at: Option<Params<f64>>,
        note: String,
    ) -> Analysis {
        let (max, min) = eigenvalues(&hessian);
        let positive = |v: f64| (v > 0.0 && v.is_finite()).then_some(v);
        Analysis {
            optimum,
            min_loss,
            hessian,
            curvature_max: max,
            curvature_min: min,
            critical_lr: positive(max).map(|l| 2.0 / l),
            monotone_lr: positive(max).map(|l| 1.0 / l),
            optimal_lr: positive(max).map(|l| 2.0 / (l + min)),
            condition_number: positive(min).map(|m| max / m),
            local: at.is_some(),
            at,
            note,
        }
    }

    /// The first result that overflowed f64 ("the optimum", "the minimum loss", "the Hessian", "the critical lr"),
    /// or `None` when every number is finite. Data near the top of the f64 range can make the fit's sums or
    /// 2/λmax overflow; a report then says so instead of printing NaN or "zero curvature".
    pub fn non_finite(&self) -> Option<&'static str> {
        let finite = |v: f64| v.is_finite();
        let lrs = [self.critical_lr, self.monotone_lr, self.optimal_lr, self.condition_number];
        if !(finite(self.optimum.w) && finite(self.optimum.b)) {
            Some("the optimum")
        } else if !finite(self.min_loss) {
            Some("the minimum loss")
        } else if !self.hessian.iter().flatten().all(|&v| finite(v)) || !finite(self.curvature_max) {
            Some("the Hessian")
        } else if !finite(self.curvature_min) {
            Some("the smallest curvature")
        } else if !lrs.into_iter().flatten().all(finite) {
            Some("a critical learning rate (the curvature is too small)")
        } else {
            None
        }
    }

    /// The learning rates at which optimizer `o` changes character on this problem: [`Limits::of`].
    pub fn limits(&self, o: &OptimizerConfig) -> Limits {
        Limits::of(self, o)
    }

    /// The regime plain GD is in at `lr`.
    pub fn regime(&self, lr: f64) -> Regime {
        match (self.monotone_lr, self.critical_lr) {
            (Some(m), _) if lr < m => Regime::Monotone,
            (_, Some(c)) if lr < c => Regime::Oscillating,
            (_, Some(_)) => Regime::Divergent,
            _ => Regime::Monotone,
        }
    }

    /// The exact trajectory of full-batch plain GD on MSE from `start`: w_k = w* + (I − lr·H)^k (w₀ − w*).
    /// Returns `None` for other losses (no closed form).
    pub fn predicted_params(&self, start: Params<f64>, lr: f64, k: u64) -> Option<Params<f64>> {
        if self.local {
            return None;
        }
        let (dw, db) = (start.w - self.optimum.w, start.b - self.optimum.b);
        let h = &self.hessian;
        // Repeated squaring of the 2×2 (or 1×1) iteration matrix keeps this O(log k).
        let m = if h.len() == 2 {
            [[1.0 - lr * h[0][0], -lr * h[0][1]], [-lr * h[1][0], 1.0 - lr * h[1][1]]]
        } else {
            [[1.0 - lr * h[0][0], 0.0], [0.0, 1.0]]
        };
        let p = mat_pow(m, k);
        Some(Params {
            w: self.optimum.w + p[0][0] * dw + p[0][1] * db,
            b: self.optimum.b + p[1][0] * dw + p[1][1] * db,
        })
    }
}

/// The bound on lr·λ below which SGD is stable along a direction of curvature λ: 2 for plain GD, 2(1 + μ)/(1 − τ)
/// for heavy-ball momentum μ with dampening τ, (2 + 2μ)/(1 + 2μ) for Nesterov (torch's SGD; the roots of the
/// distance's recurrence, see [`momentum`], reach modulus 1 there). Momentum counts only for the SGD family; any
/// other optimizer gets plain GD's 2 (the map of the adaptive ones is plain GD's). The one formula every sentence,
/// the stability map and the divergence diagnosis quote.
pub fn stable_product(o: &OptimizerConfig) -> f64 {
    let (mu, gain, nesterov) = momentum_terms(o);
    if nesterov { (2.0 + 2.0 * mu) / (1.0 + 2.0 * mu) } else { (2.0 + 2.0 * mu) / gain }
}

/// The largest stable lr along curvature λ, [`stable_product`]/λ; `None` when λ ≤ 0 or is not finite (no bound).
pub fn stable_lr(o: &OptimizerConfig, lambda: f64) -> Option<f64> {
    (lambda > 0.0 && lambda.is_finite()).then(|| stable_product(o) / lambda).filter(|v| v.is_finite())
}

/// The largest lr at which the distance along curvature λ shrinks without changing sign: 1/λ for plain GD,
/// (1 − √μ)²/((1 − τ)·λ) for heavy ball (real, positive roots); `None` for Nesterov (no such band) or λ ≤ 0.
pub fn smooth_lr(o: &OptimizerConfig, lambda: f64) -> Option<f64> {
    let (mu, gain, nesterov) = momentum_terms(o);
    (!nesterov && lambda > 0.0 && lambda.is_finite()).then(|| (1.0 - mu.sqrt()).powi(2) / (gain * lambda))
}

/// (μ, 1 − τ, Nesterov) of an SGD-family optimizer with momentum; (0, 1, false) otherwise.
fn momentum_terms(o: &OptimizerConfig) -> (f64, f64, bool) {
    if !o.is_sgd_family() || o.momentum <= 0.0 {
        return (0.0, 1.0, false);
    }
    (o.momentum.min(0.999_999), (1.0 - o.dampening).max(1e-12), o.nesterov)
}

/// The learning rates at which an optimizer changes character on one problem, from its largest curvature as the
/// update sees it (weight decay added for the SGD family; 1 for Newton, whose H⁻¹ makes every curvature 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// λmax as the update sees it.
    pub lambda_max: f64,
    /// λmin as the update sees it.
    pub lambda_min: f64,
    /// At or above it the run diverges ([`stable_lr`] of λmax); `None` without positive curvature.
    pub stable: Option<f64>,
    /// Below it no overshoot ([`smooth_lr`] of λmax).
    pub smooth: Option<f64>,
    /// 2/(λmax + λmin), the fastest worst-case contraction (plain GD only).
    pub fastest: Option<f64>,
    /// True when a closed form holds: an SGD-family optimizer (or Newton) on a quadratic loss, so the bounds are
    /// exact everywhere; false for the adaptive optimizers and for a local curvature (MAE, Huber, an objective).
    pub exact: bool,
}

impl Limits {
    /// The limits of `o` on the problem `a` analyses.
    pub fn of(a: &Analysis, o: &OptimizerConfig) -> Limits {
        let newton = o.kind == OptimizerKind::Newton;
        let wd = if o.is_sgd_family() { o.weight_decay() } else { 0.0 };
        let (lambda_max, lambda_min) = if newton { (1.0, 1.0) } else { (a.curvature_max + wd, a.curvature_min + wd) };
        let plain = momentum_terms(o).0 == 0.0;
        let positive = lambda_max > 0.0 && lambda_max.is_finite();
        Limits {
            lambda_max,
            lambda_min,
            stable: stable_lr(o, lambda_max),
            smooth: smooth_lr(o, lambda_max),
            fastest: (positive && plain).then(|| 2.0 / (lambda_max + lambda_min)).filter(|v| v.is_finite()),
            exact: (o.is_sgd_family() || newton) && !a.local,
        }
    }
}

/// How plain gradient descent behaves at a learning rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Regime {
    /// lr < 1/λmax: the loss falls every step without overshooting.
    Monotone,
    /// 1/λmax ≤ lr < 2/λmax: overshoots and oscillates, but converges.
    Oscillating,
    /// lr ≥ 2/λmax: every oscillation grows.
    Divergent,
}

/// Analyses the problem of `settings` on `data`; non-quadratic losses take their curvature at `at` (as does an
/// objective, see [`Objective::analysis`]). A standardized run is analysed in its scaled space (the one the
/// optimizer sees: `at` and the optimum are scaled parameters there).
pub fn analyze(data: &Dataset, settings: &Settings, at: Params<f64>) -> Analysis {
    if let Some(o) = &settings.objective {
        return o.analysis(at);
    }
    let x = data.x.as_slice().unwrap_or(&[]);
    let scaling = if settings.standardize { super::scaling::Scaling::of(x, settings.bias) } else { None };
    let scaled: Vec<f64>;
    let x = match scaling {
        Some(s) => {
            scaled = x.iter().map(|&v| s.apply(v)).collect();
            scaled.as_slice()
        }
        None => x,
    };
    let y = data.y.as_slice().unwrap_or(&[]);
    let n = x.len().max(1) as f64;
    let bias = settings.bias;
    let loss = Loss::<f64>::new(settings.loss, settings.huber_delta);
    let optimum = fit(x, y, bias, loss);
    let min_loss = super::loss::mean_loss(x, y, optimum, bias, loss);
    let local = settings.loss != LossKind::Mse;
    let point = if local { at } else { optimum };
    // H = (1/n) Σ ℓ''(eᵢ) [xᵢ², xᵢ; xᵢ, 1]
    let (mut hxx, mut hx, mut h1) = (0.0, 0.0, 0.0);
    for (&xi, &yi) in x.iter().zip(y) {
        let c = loss.curvature(point.predict(xi, bias) - yi);
        hxx += c * xi * xi;
        hx += c * xi;
        h1 += c;
    }
    let scale = if settings.gradient == GradientSource::NotebookSum { 1.0 } else { 1.0 / n };
    let hessian =
        if bias { vec![vec![hxx * scale, hx * scale], vec![hx * scale, h1 * scale]] } else { vec![vec![hxx * scale]] };
    let note = match settings.loss {
        LossKind::Mse => "MSE is quadratic: these thresholds hold everywhere for plain gradient descent.".to_string(),
        LossKind::Mae => "MAE is piecewise linear: its curvature is zero almost everywhere, so plain GD never \
                          diverges; with a fixed lr it ends oscillating around the optimum with steps of lr·|g|."
            .to_string(),
        LossKind::Huber => format!(
            "Huber is quadratic only for residuals under δ = {}: this curvature is local, taken at w = {}{}.",
            repr(settings.huber_delta),
            repr(point.w),
            if bias { format!(", b = {}", repr(point.b)) } else { String::new() }
        ),
    };
    Analysis::from_curvature(optimum, min_loss, hessian, local.then_some(point), note)
}

impl Objective {
    /// The engine's [`Analysis`] of the objective for the app's views: the known minimum nearest `at` as the
    /// optimum (`at` itself for an expression), and the curvature at `at`.
    pub fn analysis(&self, at: Params<f64>) -> Analysis {
        let minima = self.known_points().into_iter().filter(|k| k.kind == PointKind::Minimum);
        let dist = |k: &KnownPoint| (k.at.w - at.w).hypot(k.at.b - at.b);
        let nearest = minima.min_by(|a, b| dist(a).total_cmp(&dist(b)));
        let (optimum, min_loss) = nearest.map_or((at, self.value(at)), |k| (k.at, k.value));
        let (h, _) = self.hessian(at);
        let note = format!(
            "{} is not quadratic: this curvature is local, taken at w = {}, b = {}.",
            self.describe(),
            repr(at.w),
            repr(at.b)
        );
        Analysis::from_curvature(optimum, min_loss, vec![h[0].to_vec(), h[1].to_vec()], Some(at), note)
    }
}

/// The minimiser of the mean loss: normal equations for MSE, iteratively reweighted least squares otherwise
/// (Huber: weight 1 inside δ, δ/|r| outside; MAE: 1/|r|, floored).
pub fn fit(x: &[f64], y: &[f64], bias: bool, loss: Loss<f64>) -> Params<f64> {
    let mut p = weighted_least_squares(x, y, bias, |_| 1.0);
    if loss == Loss::Mse {
        return p;
    }
    for _ in 0..500 {
        let weight = |r: f64| match loss {
            Loss::Huber(delta) => {
                if r.abs() <= delta {
                    1.0
                } else {
                    delta / r.abs()
                }
            }
            _ => 1.0 / r.abs().max(1e-12),
        };
        let q = weighted_least_squares(x, y, bias, |i| weight(y[i] - p.predict(x[i], bias)));
        let moved = (q.w - p.w).abs() + (q.b - p.b).abs();
        p = q;
        if moved <= 1e-15 * (1.0 + p.w.abs() + p.b.abs()) {
            break;
        }
    }
    p
}

/// argmin Σ cᵢ (yᵢ − w·xᵢ − b)²; the minimum-norm solution when the data do not determine it.
fn weighted_least_squares(x: &[f64], y: &[f64], bias: bool, c: impl Fn(usize) -> f64) -> Params<f64> {
    let (mut s1, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len().min(y.len()) {
        let ci = c(i);
        s1 += ci;
        sx += ci * x[i];
        sy += ci * y[i];
        sxx += ci * x[i] * x[i];
        sxy += ci * x[i] * y[i];
    }
    if !bias {
        return Params { w: if sxx > 0.0 { sxy / sxx } else { 0.0 }, b: 0.0 };
    }
    let det = s1 * sxx - sx * sx;
    if det > 1e-12 * (s1 * sxx).max(f64::MIN_POSITIVE) {
        return Params { w: (s1 * sxy - sx * sy) / det, b: (sxx * sy - sx * sxy) / det };
    }
    // All x equal: only w·x̄ + b is determined; take the smallest (w, b) that fits ȳ.
    let (xbar, ybar) = if s1 > 0.0 { (sx / s1, sy / s1) } else { (0.0, 0.0) };
    let norm = xbar * xbar + 1.0;
    Params { w: xbar * ybar / norm, b: ybar / norm }
}

/// Momentum on a quadratic of curvature λ, as torch's SGD runs it, with `a` = lr·(1 − τ)·λ and momentum β.
///
/// With e = w − w* and torch's buffer, the error and the buffer evolve linearly; the per-step factor of the
/// distance (the spectral radius ρ of that map) is the largest |z| among the roots of
///
/// ```text
/// heavy ball (plain momentum):  z² − (1 + β − a)·z + β       = 0    (buf ← β·buf + g;  w ← w − lr·buf)
/// Nesterov:                     z² − (1 + β)(1 − a)·z + β(1 − a) = 0 (w ← w − lr·(g + β·buf))
/// ```
///
/// β = 0 gives plain gradient descent's |1 − a| for both.
pub mod momentum {
    /// The largest root modulus of z² − t·z + d.
    fn spectral_radius(t: f64, d: f64) -> f64 {
        let disc = t * t - 4.0 * d;
        if disc >= 0.0 {
            let r = disc.sqrt();
            ((t + r) / 2.0).abs().max(((t - r) / 2.0).abs())
        } else {
            d.abs().sqrt()
        }
    }

    /// ρ of plain (heavy-ball) momentum: the factor by which the distance to w* shrinks per step, in the long run.
    pub fn heavy_ball_rate(a: f64, beta: f64) -> f64 {
        spectral_radius(1.0 + beta - a, beta)
    }

    /// ρ of Nesterov momentum (torch's form).
    pub fn nesterov_rate(a: f64, beta: f64) -> f64 {
        spectral_radius((1.0 + beta) * (1.0 - a), beta * (1.0 - a))
    }

    /// The critical momentum of the heavy ball, β = (1 − √a)²: below it the roots are real (over-damped, no
    /// spiral), above it complex (under-damped: the path spirals in, |z| = √β). `None` unless 0 < a.
    pub fn critical_beta(a: f64) -> Option<f64> {
        (a > 0.0 && a.is_finite()).then(|| (1.0 - a.sqrt()).powi(2))
    }

    /// Damping regime of the heavy ball at momentum β.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Damping {
        /// Real roots: the error decays without spiralling.
        Over,
        /// A double root: the fastest non-oscillating decay.
        Critical,
        /// Complex roots: the path spirals in (or out).
        Under,
    }

    /// The heavy ball's regime at β (critical within 1e-9).
    pub fn damping(a: f64, beta: f64) -> Damping {
        let t = 1.0 + beta - a;
        let disc = t * t - 4.0 * beta;
        if disc.abs() <= 1e-9 {
            Damping::Critical
        } else if disc > 0.0 {
            Damping::Over
        } else {
            Damping::Under
        }
    }
}
