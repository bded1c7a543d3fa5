//! The model ŷ = w·x (+ b) and its parameters.

use serde::{Deserialize, Serialize};

use super::real::Real;

/// The parameters of the linear model. `b` stays 0 (and untouched) when the model has no bias.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params<F> {
    /// Weight.
    pub w: F,
    /// Bias (0 without `--bias`).
    pub b: F,
}

impl<F: Real> Params<F> {
    /// Both parameters finite.
    pub fn is_finite(&self) -> bool {
        self.w.is_finite() && self.b.is_finite()
    }
    /// Widened to f64.
    pub fn to_f64(self) -> Params<f64> {
        Params { w: self.w.to_f64(), b: self.b.to_f64() }
    }
    /// Rounded from f64.
    pub fn from_f64(p: Params<f64>) -> Self {
        Params { w: F::from_f64(p.w), b: F::from_f64(p.b) }
    }
    /// The prediction ŷ = w·x + b (b = 0 without bias).
    #[inline(always)]
    pub fn predict(&self, x: F, bias: bool) -> F {
        if bias { self.w * x + self.b } else { self.w * x }
    }
    /// Parameter `i` (0 = w, 1 = b).
    pub fn get(&self, i: usize) -> F {
        if i == 0 { self.w } else { self.b }
    }
    /// Sets parameter `i` (0 = w, 1 = b).
    pub fn set(&mut self, i: usize, v: F) {
        if i == 0 { self.w = v } else { self.b = v }
    }
}

/// A gradient with respect to (w, b); `b` is 0 without bias.
pub type Grad<F> = Params<F>;

impl<F: Real> Grad<F> {
    /// Euclidean norm in f64 (the convergence test uses it).
    pub fn norm(&self) -> f64 {
        let (w, b) = (self.w.to_f64(), self.b.to_f64());
        w.hypot(b)
    }
}
