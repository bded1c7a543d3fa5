//! The five built-in objectives: their formulas, classic starts, known stationary points, and gradients and
//! Hessians in closed form (derived by hand; the tests check them against the tape and against hand-computed
//! values).

use super::{KnownPoint, PointKind};
use crate::engine::model::Params;

/// A built-in objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// (1 − w)² + 100·(b − w²)²: a curved, narrow valley.
    Rosenbrock,
    /// (1.5 − w + w·b)² + (2.25 − w + w·b²)² + (2.625 − w + w·b³)²: flat plateaus and sharp ridges.
    Beale,
    /// (w² + b − 11)² + (w + b² − 7)²: four minima of equal value.
    Himmelblau,
    /// w² − b²: a saddle, unbounded below.
    Saddle,
    /// 20 + w² − 10·cos(2πw) + b² − 10·cos(2πb): a bowl covered in local minima.
    Rastrigin,
}

const PI2: f64 = 2.0 * std::f64::consts::PI;

impl Builtin {
    /// Every built-in, in menu order.
    pub const ALL: [Builtin; 5] =
        [Builtin::Rosenbrock, Builtin::Beale, Builtin::Himmelblau, Builtin::Saddle, Builtin::Rastrigin];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Rosenbrock => "rosenbrock",
            Builtin::Beale => "beale",
            Builtin::Himmelblau => "himmelblau",
            Builtin::Saddle => "saddle",
            Builtin::Rastrigin => "rastrigin",
        }
    }

    /// The formula, in the expression language.
    pub fn formula(self) -> &'static str {
        match self {
            Builtin::Rosenbrock => "(1 - w)^2 + 100*(b - w^2)^2",
            Builtin::Beale => "(1.5 - w + w*b)^2 + (2.25 - w + w*b^2)^2 + (2.625 - w + w*b^3)^2",
            Builtin::Himmelblau => "(w^2 + b - 11)^2 + (w + b^2 - 7)^2",
            Builtin::Saddle => "w^2 - b^2",
            Builtin::Rastrigin => "20 + w^2 - 10*cos(2*pi*w) + b^2 - 10*cos(2*pi*b)",
        }
    }

    /// The classic start: Rosenbrock's and Beale's are Moré, Garbow and Hillstrom's test points (−1.2, 1) and
    /// (1, 1); Himmelblau from the origin, which lies between its four minima; the saddle from (1, 0), on its
    /// stable axis, where plain GD stalls at the saddle; Rastrigin from (2.2, 1.8), among its local minima.
    pub fn default_start(self) -> Params<f64> {
        let (w, b) = match self {
            Builtin::Rosenbrock => (-1.2, 1.0),
            Builtin::Beale => (1.0, 1.0),
            Builtin::Himmelblau => (0.0, 0.0),
            Builtin::Saddle => (1.0, 0.0),
            Builtin::Rastrigin => (2.2, 1.8),
        };
        Params { w, b }
    }

    /// The known minima, maxima and saddles, with their values (to 17 significant digits).
    pub fn known_points(self) -> Vec<KnownPoint> {
        let p = |kind, w, b, value| KnownPoint { kind, at: Params { w, b }, value };
        use PointKind::{Maximum, Minimum, Saddle};
        match self {
            Builtin::Rosenbrock => vec![p(Minimum, 1.0, 1.0, 0.0)],
            Builtin::Beale => vec![p(Minimum, 3.0, 0.5, 0.0), p(Saddle, 0.0, 1.0, 14.203125)],
            Builtin::Himmelblau => vec![
                p(Minimum, 3.0, 2.0, 0.0),
                p(Minimum, -2.805118086952745, 3.131312518250573, 0.0),
                p(Minimum, -3.779310253377747, -3.283185991286169, 0.0),
                p(Minimum, 3.584428340330492, -1.848126526964404, 0.0),
                p(Maximum, -0.2708445906673476, -0.9230385564799815, 181.6165215225827),
                p(Saddle, 0.08667750455539635, 2.884254701174776, 67.71915008752614),
                p(Saddle, -3.07302575076439, -0.08135304428796751, 104.01516291755811),
                p(Saddle, 3.385154183607021, 0.0738518798377493, 13.31192627040559),
                p(Saddle, -0.1279613467306801, -1.953714980244576, 178.33723920192746),
            ],
            Builtin::Saddle => vec![p(Saddle, 0.0, 0.0, 0.0)],
            Builtin::Rastrigin => vec![p(Minimum, 0.0, 0.0, 0.0)],
        }
    }

    /// [∂f/∂w, ∂f/∂b] in closed form.
    pub fn gradient(self, w: f64, b: f64) -> [f64; 2] {
        match self {
            Builtin::Rosenbrock => [-2.0 * (1.0 - w) - 400.0 * w * (b - w * w), 200.0 * (b - w * w)],
            Builtin::Beale => {
                let mut g = [0.0; 2];
                for (i, c) in BEALE {
                    let (r, dw, db) = beale_term(i, c, w, b);
                    g[0] += 2.0 * r * dw;
                    g[1] += 2.0 * r * db;
                }
                g
            }
            Builtin::Himmelblau => {
                let (u, v) = (w * w + b - 11.0, w + b * b - 7.0);
                [4.0 * w * u + 2.0 * v, 2.0 * u + 4.0 * b * v]
            }
            Builtin::Saddle => [2.0 * w, -2.0 * b],
            Builtin::Rastrigin => [2.0 * w + 10.0 * PI2 * (PI2 * w).sin(), 2.0 * b + 10.0 * PI2 * (PI2 * b).sin()],
        }
    }

    /// [[f_ww, f_wb], [f_bw, f_bb]] in closed form.
    pub fn hessian(self, w: f64, b: f64) -> [[f64; 2]; 2] {
        match self {
            Builtin::Rosenbrock => [[2.0 - 400.0 * b + 1200.0 * w * w, -400.0 * w], [-400.0 * w, 200.0]],
            Builtin::Beale => {
                let mut h = [[0.0; 2]; 2];
                for (i, c) in BEALE {
                    // r = c − w + w·bⁱ; r_w = bⁱ − 1, r_b = i·w·bⁱ⁻¹, r_ww = 0, r_wb = i·bⁱ⁻¹, r_bb = i(i−1)·w·bⁱ⁻²
                    let (r, dw, db) = beale_term(i, c, w, b);
                    let fi = f64::from(i);
                    let r_wb = fi * b.powi(i - 1);
                    let r_bb = if i >= 2 { fi * (fi - 1.0) * w * b.powi(i - 2) } else { 0.0 };
                    h[0][0] += 2.0 * dw * dw;
                    h[0][1] += 2.0 * (dw * db + r * r_wb);
                    h[1][1] += 2.0 * (db * db + r * r_bb);
                }
                h[1][0] = h[0][1];
                h
            }
            Builtin::Himmelblau => {
                let (u, v) = (w * w + b - 11.0, w + b * b - 7.0);
                let mixed = 4.0 * w + 4.0 * b;
                [[4.0 * u + 8.0 * w * w + 2.0, mixed], [mixed, 2.0 + 4.0 * v + 8.0 * b * b]]
            }
            Builtin::Saddle => [[2.0, 0.0], [0.0, -2.0]],
            Builtin::Rastrigin => {
                let c = 10.0 * PI2 * PI2;
                [[2.0 + c * (PI2 * w).cos(), 0.0], [0.0, 2.0 + c * (PI2 * b).cos()]]
            }
        }
    }
}

/// Beale's terms: the power of b and the constant.
const BEALE: [(i32, f64); 3] = [(1, 1.5), (2, 2.25), (3, 2.625)];

/// One Beale residual r = c − w + w·bⁱ with ∂r/∂w and ∂r/∂b.
fn beale_term(i: i32, c: f64, w: f64, b: f64) -> (f64, f64, f64) {
    let bi = b.powi(i);
    (c - w + w * bi, bi - 1.0, f64::from(i) * w * b.powi(i - 1))
}
