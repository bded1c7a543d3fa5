//! What an optimizer carries between steps, under torch's names, and the observer that sees each intermediate
//! value of an update as the optimizer computes it.
//!
//! [`OptimState`] holds exactly the keys torch's `optimizer.state[p]` holds: it is written to `descent trace
//! --format json`, stored with every history row, and restored by [`super::Optimizer::restore`] so that the step
//! ledger re-runs the optimizer's own `step` from any row. [`Observer`] is how that re-run is explained: each
//! optimizer's `step_observed` notes every [`Term`] it computes, and the no-op observer `()` compiles away, so the
//! ordinary step is the same code.

/// One intermediate value of an update, in the order the optimizer computes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// The gradient the rule uses: the raw gradient, plus λ·θ with (coupled) weight decay.
    Grad,
    /// AdamW's decayed parameter θ·(1 − γ·λ), before the moment update.
    Decayed,
    /// SGD's or RMSprop's momentum buffer, after its update.
    MomentumBuffer,
    /// SGD's Nesterov look-ahead gradient g + μ·buf.
    Nesterov,
    /// Adagrad's decayed learning rate γ / (1 + (t − 1)·η).
    Clr,
    /// Adagrad's accumulated sum of squared gradients, after the update.
    Sum,
    /// RMSprop's running average of squared gradients, after the update.
    SquareAvg,
    /// RMSprop's (centered) running average of gradients, after the update.
    GradAvg,
    /// Adam's first moment m, after the update.
    ExpAvg,
    /// Adam's second moment v, after the update.
    ExpAvgSq,
    /// AMSGrad's running maximum of v, after the update.
    MaxExpAvgSq,
    /// Adam's step size γ / (1 − β₁ᵗ).
    StepSize,
    /// Adam's √(1 − β₂ᵗ).
    Bc2Sqrt,
    /// The denominator of an adaptive update (√sum + ε, √ṽ + ε, √v̂/√bc₂ + ε).
    Denom,
    /// Newton's diagonal Hessian entry ∂²L/∂θ².
    Hessian,
    /// Newton's mixed Hessian entry ∂²L/∂w∂b.
    HessianCross,
    /// Newton's det H.
    Det,
    /// Newton's direction (H⁻¹g) for this parameter.
    Direction,
    /// The amount subtracted from θ.
    Update,
    /// θ after the update.
    Param,
}

/// Sees each [`Term`] of an update for parameter `param` (0 = w, 1 = b).
pub trait Observer<F> {
    /// Notes one value.
    fn note(&mut self, param: usize, term: Term, value: F);
}

/// `p ← p − update` for parameter `param`, noting the update and the new value: how every rule that subtracts its
/// rounded update ends (GD, Newton, Adagrad, Adam, and RMSprop without momentum).
#[inline(always)]
pub(super) fn subtract_update<F: super::Real>(obs: &mut impl Observer<F>, param: usize, p: &mut F, update: F) {
    obs.note(param, Term::Update, update);
    *p -= update;
    obs.note(param, Term::Param, *p);
}

/// The ordinary step: notes nothing, and compiles to nothing.
impl<F> Observer<F> for () {
    #[inline(always)]
    fn note(&mut self, _: usize, _: Term, _: F) {}
}

/// Records every note, widened to f64 (the ledger reads them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notes(pub Vec<(usize, Term, f64)>);

impl Notes {
    /// The last value noted for `term` of parameter `param`.
    pub fn get(&self, param: usize, term: Term) -> Option<f64> {
        self.0.iter().rev().find(|(p, t, _)| *p == param && *t == term).map(|n| n.2)
    }
}

impl<F: super::Real> Observer<F> for Notes {
    fn note(&mut self, param: usize, term: Term, value: F) {
        self.0.push((param, term, value.to_f64()));
    }
}

/// Most tensor entries any optimizer keeps per parameter (RMSprop centered with momentum; Adam with AMSGrad).
const SLOTS: usize = 3;

/// What torch's `optimizer.state[p]` holds for each parameter (w, then b): a key is present exactly when torch
/// holds it. Values are widened to f64 (exact for an f32 run, so restoring loses nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OptimState {
    /// torch's `state["step"]`, when the optimizer keeps one (Adagrad always; RMSprop, Adam and AdamW after their
    /// first step; SGD never).
    pub step: Option<u64>,
    keys: &'static [&'static str],
    values: [[f64; SLOTS]; 2],
}

impl OptimState {
    /// A state with `keys` (torch's tensor entries, in torch's order) and their values for w and b.
    pub(super) fn new<F: super::Real>(
        step: Option<u64>,
        keys: &'static [&'static str],
        per_param: [[F; 2]; SLOTS],
    ) -> Self {
        let mut values = [[0.0; SLOTS]; 2];
        for (slot, pair) in per_param.iter().enumerate().take(keys.len()) {
            for (param, v) in pair.iter().enumerate() {
                values[param][slot] = v.to_f64();
            }
        }
        OptimState { step, keys, values }
    }

    /// The tensor entries' names, in torch's order (`step` is apart).
    pub fn keys(&self) -> &'static [&'static str] {
        self.keys
    }

    /// The value of `key` for parameter `param` (0 = w, 1 = b), if torch holds it.
    pub fn get(&self, param: usize, key: &str) -> Option<f64> {
        let slot = self.keys.iter().position(|k| *k == key)?;
        self.values.get(param).map(|v| v[slot])
    }

    /// Every tensor entry of parameter `param`, in torch's order.
    pub fn entries(&self, param: usize) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        let values = self.values.get(param.min(1)).copied().unwrap_or_default();
        self.keys.iter().zip(values).map(|(k, v)| (*k, v))
    }

    /// True when torch holds nothing for the parameters yet (before the first step of most optimizers).
    pub fn is_empty(&self) -> bool {
        self.step.is_none() && self.keys.is_empty()
    }

    /// `key` of `param` rounded to `F` (0 when absent), for restoring an optimizer.
    pub(super) fn value<F: super::Real>(&self, param: usize, key: &str) -> F {
        F::from_f64(self.get(param, key).unwrap_or(0.0))
    }

    /// `key` for both parameters, rounded to `F`.
    pub(super) fn pair<F: super::Real>(&self, key: &str) -> [F; 2] {
        [self.value(0, key), self.value(1, key)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_absence() {
        let s = OptimState::new::<f32>(Some(3), &["exp_avg", "exp_avg_sq"], [[1.5, -2.0], [4.0, 0.25], [9.0, 9.0]]);
        assert_eq!(s.get(0, "exp_avg"), Some(1.5));
        assert_eq!(s.get(1, "exp_avg_sq"), Some(0.25));
        assert_eq!(s.get(0, "max_exp_avg_sq"), None, "a key torch does not hold is absent");
        assert_eq!(s.entries(1).collect::<Vec<_>>(), [("exp_avg", -2.0), ("exp_avg_sq", 0.25)]);
        assert!(!s.is_empty());
        assert!(OptimState::default().is_empty());
    }
}
