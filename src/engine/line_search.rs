//! Backtracking line search with the Armijo test, for plain gradient descent.
//!
//! From p with gradient g, start at t = lr and shrink t until the step decreases the loss enough:
//!
//! ```text
//! t ← lr
//! while L(p − t·g) > L(p) − c·t·‖g‖²  and fewer than 60 shrinks so far:   t ← ρ·t
//! p ← p − t·g                          (the last t, whether or not it passed, after 60 shrinks)
//! ```
//!
//! t and c·t are computed in f64 (as a Python float would be) and rounded to the run's precision where they meet
//! the tensors; the trial point is computed exactly as SGD's update with lr = t computes it (fused in f32), so the
//! accepted trial is the next row bit for bit. The trainer runs it before each update and SGD then steps with the
//! accepted t; the ledger re-runs it from the row.

use super::model::{Grad, Params};
use super::optim::OptimizerConfig;
use super::real::Real;

/// Most shrinks of t before the line search takes the last one.
pub const MAX_SHRINKS: usize = 60;

/// One trial step of the line search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial {
    /// The step size tried.
    pub t: f64,
    /// L(p − t·g).
    pub loss: f64,
    /// The Armijo bound L(p) − c·t·‖g‖².
    pub bound: f64,
    /// The trial point p − t·g.
    pub at: Params<f64>,
    /// True when loss ≤ bound.
    pub passes: bool,
}

/// A line search: every trial in order (the last is the accepted one) and the loss at the start.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// The trials, largest t first; the last one's t is taken.
    pub trials: Vec<Trial>,
    /// L(p).
    pub loss: f64,
    /// ‖g‖² in the run's precision.
    pub grad_sq: f64,
}

impl Search {
    /// The accepted step size.
    pub fn t(&self) -> f64 {
        self.trials.last().map_or(0.0, |t| t.t)
    }
}

/// The point p − t·g as SGD computes it with lr = t (`bias`: b moves too).
pub fn trial_point<F: Real>(p: Params<F>, g: Grad<F>, t: F, bias: bool) -> Params<F> {
    let step = |x: F, gx: F| if F::TORCH_KERNELS { (-t).mul_add(gx, x) } else { x + (-t) * gx };
    Params { w: step(p.w, g.w), b: if bias { step(p.b, g.b) } else { p.b } }
}

/// Backtracks from t = `cfg.lr` with `cfg.armijo_c` and `cfg.backtrack` on the mean loss `loss`, from `p` along `g`.
pub fn armijo<F: Real>(
    loss: impl Fn(Params<F>) -> F,
    p: Params<F>,
    g: Grad<F>,
    bias: bool,
    cfg: &OptimizerConfig,
) -> Search {
    let l0 = loss(p);
    let grad_sq = if bias { g.w * g.w + g.b * g.b } else { g.w * g.w };
    let mut trials = Vec::new();
    let mut t = cfg.lr;
    for shrinks in 0..=MAX_SHRINKS {
        let at = trial_point(p, g, F::from_f64(t), bias);
        let l = loss(at);
        let bound = l0 - F::from_f64(cfg.armijo_c * t) * grad_sq;
        let passes = l <= bound;
        trials.push(Trial { t, loss: l.to_f64(), bound: bound.to_f64(), at: at.to_f64(), passes });
        if passes || shrinks == MAX_SHRINKS {
            break;
        }
        t *= cfg.backtrack;
    }
    Search { trials, loss: l0.to_f64(), grad_sq: grad_sq.to_f64() }
}
