//! Feature scaling (`--standardize`): the optimizer runs on x′ = (x − shift)/scale, and its parameters map back
//! exactly to the original ŷ = w·x + b.
//!
//! With a bias, x′ = (x − mean)/std (population std): ŷ = w′·x′ + b′ = (w′/std)·x + (b′ − w′·mean/std), so
//! w = w′/std and b = b′ − w′·mean/std. Without a bias there is nothing to absorb a shift, so x′ = x/rms and
//! w = w′/rms. Scaling leaves the loss unchanged and makes the MSE Hessian (1/n)·2·Σ[x′², x′; x′, 1] the identity
//! times 2 with a bias: condition number 1.

use serde::{Deserialize, Serialize};

use super::model::Params;

/// x′ = (x − shift)/scale.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// The mean (with a bias), or 0.
    pub shift: f64,
    /// The std (with a bias), or the rms.
    pub scale: f64,
}

impl Scaling {
    /// The scaling of `x` for a model with or without `bias`; `None` when it is not defined (constant x with a
    /// bias, all-zero x without, or no samples).
    pub fn of(x: &[f64], bias: bool) -> Option<Scaling> {
        let n = x.len() as f64;
        if x.is_empty() {
            return None;
        }
        let shift = if bias { x.iter().sum::<f64>() / n } else { 0.0 };
        let scale = (x.iter().map(|v| (v - shift) * (v - shift)).sum::<f64>() / n).sqrt();
        (scale > 0.0 && scale.is_finite()).then_some(Scaling { shift, scale })
    }

    /// x′ of one input.
    pub fn apply(&self, x: f64) -> f64 {
        (x - self.shift) / self.scale
    }

    /// The original-space parameters of scaled ones: w = w′/scale, b = b′ − w′·shift/scale.
    pub fn to_original(&self, p: Params<f64>) -> Params<f64> {
        Params { w: p.w / self.scale, b: p.b - p.w * self.shift / self.scale }
    }

    /// The scaled parameters of original ones: w′ = w·scale, b′ = b + w·shift.
    pub fn to_scaled(&self, p: Params<f64>) -> Params<f64> {
        Params { w: p.w * self.scale, b: p.b + p.w * self.shift }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_there_and_back() {
        let s = Scaling::of(&[1.0, 2.0, 3.0], true).unwrap();
        assert_eq!(s.shift, 2.0);
        let p = Params { w: 3.0, b: -1.0 };
        let q = s.to_original(s.to_scaled(p));
        assert!((q.w - p.w).abs() < 1e-12 && (q.b - p.b).abs() < 1e-12);
        // The same prediction at x = 3 in both spaces.
        let sp = s.to_scaled(p);
        assert!((sp.w * s.apply(3.0) + sp.b - (p.w * 3.0 + p.b)).abs() < 1e-12);
        assert!(Scaling::of(&[2.0, 2.0], true).is_none());
    }
}
