//! Objectives: functions f(w, b) of the two parameters to minimise directly, instead of a loss over data. The
//! five built-ins (with their classic starts, known minima and saddles, and closed-form Hessians), or any
//! expression in w and b ([`expr`]).
//!
//! Values are computed in the run's precision; gradients by the autodiff tape (the default) or by central
//! differences ([`Objective::evaluate`], written beside the data's gradient sources in
//! [`gradient`](super::gradient)); an expression's Hessian by the tape differentiating its own gradient
//! ([`Objective::tape_hessian`]: exact, as torch's `autograd.functional.hessian`); its
//! [`Analysis`](super::analysis::Analysis) is [`Objective::analysis`], written in [`analysis`](super::analysis)
//! beside the data's. Everything downstream stays as it is: the parameters are still called w and b, and the "loss"
//! of a row is f(w, b).

mod builtin;
pub mod expr;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::autodiff::{LossGraph, Tape};
pub use super::linalg::signed_eigenvalues;
use super::model::{Grad, Params};
use super::real::Real;
pub use builtin::Builtin;
pub use expr::{Expr, ParseError};

/// Where an expression starts unless told otherwise.
pub const EXPRESSION_START: Params<f64> = Params { w: 1.0, b: 1.0 };

/// An objective f(w, b): a built-in or an expression. Serialised as its text (the built-in's name, or the
/// expression as typed), so sessions read as they were written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Objective {
    text: String,
    builtin: Option<Builtin>,
    expr: Arc<Expr>,
}

impl PartialEq for Objective {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl TryFrom<String> for Objective {
    type Error = ParseError;

    fn try_from(text: String) -> Result<Self, ParseError> {
        Objective::parse(&text)
    }
}

impl From<Objective> for String {
    fn from(o: Objective) -> String {
        o.text
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// What the Hessian was computed by. Both are exact (up to rounding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HessianMethod {
    /// The built-in's second derivatives, by hand.
    ClosedForm,
    /// An expression's: autodiff differentiating its own gradient (torch's `create_graph=True`), serialised
    /// `exact-autodiff`.
    #[serde(rename = "exact-autodiff")]
    Autodiff,
}

impl HessianMethod {
    /// How the reports name it: "closed form", "exact, by autodiff of the autodiff gradient".
    pub fn describe(self) -> &'static str {
        match self {
            HessianMethod::ClosedForm => "exact, in closed form",
            HessianMethod::Autodiff => "exact, by autodiff of the autodiff gradient",
        }
    }
}

/// What a point is, from its gradient and the signs of its Hessian's eigenvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PointKind {
    /// Stationary, both eigenvalues positive.
    Minimum,
    /// Stationary, both negative.
    Maximum,
    /// Stationary, one of each sign.
    Saddle,
    /// Stationary, an eigenvalue zero: the second derivatives do not decide.
    Degenerate,
    /// The gradient is not zero.
    NotStationary,
}

impl PointKind {
    /// As the JSON spells it: `minimum`, `not-stationary`, …
    pub fn label(self) -> &'static str {
        match self {
            PointKind::Minimum => "minimum",
            PointKind::Maximum => "maximum",
            PointKind::Saddle => "saddle",
            PointKind::Degenerate => "degenerate",
            PointKind::NotStationary => "not-stationary",
        }
    }
}

/// A known stationary point of a built-in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KnownPoint {
    /// Minimum, maximum or saddle.
    pub kind: PointKind,
    /// Where.
    pub at: Params<f64>,
    /// f there.
    pub value: f64,
}

/// f, ∇f and the Hessian at one point, with what the point is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointReport {
    /// Where.
    pub at: Params<f64>,
    /// f(w, b).
    pub value: f64,
    /// [∂f/∂w, ∂f/∂b] (autodiff).
    pub gradient: [f64; 2],
    /// [[f_ww, f_wb], [f_bw, f_bb]].
    pub hessian: [[f64; 2]; 2],
    /// The Hessian's eigenvalues, largest first (signed).
    pub eigenvalues: [f64; 2],
    /// What the point is.
    pub point_kind: PointKind,
    /// How the Hessian was computed.
    pub hessian_method: HessianMethod,
}

impl Objective {
    /// A built-in by name (`rosenbrock`, …), or else an expression in w and b.
    ///
    /// # Errors
    /// Text that is neither, with the column where the expression goes wrong.
    pub fn parse(text: &str) -> Result<Objective, ParseError> {
        let text = text.trim();
        if let Some(b) = Builtin::ALL.into_iter().find(|b| b.name() == text) {
            return Ok(Objective::builtin(b));
        }
        let expr = Expr::parse(text)?;
        Ok(Objective { text: text.to_string(), builtin: None, expr: Arc::new(expr) })
    }

    /// A built-in.
    pub fn builtin(b: Builtin) -> Objective {
        // The formulas are the module's own, and parse (tests check each).
        let expr = Expr::parse(b.formula()).unwrap_or(Expr::Num(0.0));
        Objective { text: b.name().to_string(), builtin: Some(b), expr: Arc::new(expr) }
    }

    /// The text: the built-in's name, or the expression as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The built-in, if it is one.
    pub fn as_builtin(&self) -> Option<Builtin> {
        self.builtin
    }

    /// The formula: the built-in's, or the expression.
    pub fn formula(&self) -> &str {
        self.builtin.map_or(&self.text, |b| b.formula())
    }

    /// `rosenbrock: (1 - w)^2 + …` or `f(w, b) = w^2 + b^2`.
    pub fn describe(&self) -> String {
        match self.builtin {
            Some(b) => format!("{}: f(w, b) = {}", b.name(), b.formula()),
            None => format!("f(w, b) = {}", self.text),
        }
    }

    /// The classic start of a built-in, (1, 1) for an expression.
    pub fn default_start(&self) -> Params<f64> {
        self.builtin.map_or(EXPRESSION_START, |b| b.default_start())
    }

    /// The built-in's known minima, maxima and saddles (none for an expression).
    pub fn known_points(&self) -> Vec<KnownPoint> {
        self.builtin.map_or_else(Vec::new, |b| b.known_points())
    }

    /// The parsed expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// f(w, b) in precision `F`.
    pub fn value<F: Real>(&self, p: Params<F>) -> F {
        self.expr.eval(p.w, p.b)
    }

    /// The recorded tape of f at `p`, after backward.
    pub fn graph<F: Real>(&self, p: Params<F>) -> LossGraph<F> {
        let (mut t, w, b, root) = self.record(p);
        t.backward(root);
        LossGraph { tape: t, w, b: Some(b), loss: root }
    }

    /// f recorded on a tape at `p`, not yet differentiated: the tape and the nodes of w, b and f.
    fn record<F: Real>(&self, p: Params<F>) -> (Tape<F>, usize, usize, usize) {
        let mut t = Tape::default();
        let w = t.leaf("w", vec![p.w], true);
        let b = t.leaf("b", vec![p.b], true);
        let root = self.expr.record(&mut t, w, b);
        // A constant or a bare parameter is its own root: give f a node of its own, as torch's `f = w * 1` would.
        let root = if root <= b || !t.nodes[root].requires_grad {
            let one = t.leaf("const", vec![F::ONE], false);
            t.mul(root, one, "f(w, b)")
        } else {
            root
        };
        t.nodes[root].label = "f(w, b)";
        (t, w, b, root)
    }

    /// The Hessian of the expression at `p` in f64 by autodiff, differentiating the recorded gradient again
    /// ([`Tape::hessian`]): exact up to rounding, as torch's `autograd.functional.hessian`, for built-ins too.
    pub fn tape_hessian(&self, p: Params<f64>) -> [[f64; 2]; 2] {
        let (mut t, w, b, root) = self.record(p);
        t.hessian(root, [w, b])
    }

    /// The reference gradient in f64: the built-in's closed form, or autodiff for an expression.
    pub fn reference_gradient(&self, p: Params<f64>) -> Grad<f64> {
        match self.builtin {
            Some(b) => {
                let [gw, gb] = b.gradient(p.w, p.b);
                Grad { w: gw, b: gb }
            }
            None => self.graph(p).grad(),
        }
    }

    /// The Hessian in f64: closed form for a built-in, the tape's exact second derivatives otherwise.
    pub fn hessian(&self, p: Params<f64>) -> ([[f64; 2]; 2], HessianMethod) {
        match self.builtin {
            Some(b) => (b.hessian(p.w, p.b), HessianMethod::ClosedForm),
            None => (self.tape_hessian(p), HessianMethod::Autodiff),
        }
    }

    /// f, ∇f, the Hessian, its eigenvalues and what the point is, at `p` (in f64).
    pub fn report(&self, p: Params<f64>) -> PointReport {
        let g = self.graph(p);
        let (hessian, hessian_method) = self.hessian(p);
        let eig = signed_eigenvalues(hessian);
        let gradient = [g.grad().w, g.grad().b];
        PointReport {
            at: p,
            value: g.loss_value(),
            gradient,
            hessian,
            eigenvalues: eig,
            point_kind: classify(gradient, eig),
            hessian_method,
        }
    }
}

/// Stationary when ‖∇f‖ ≤ 1e-6 · max(1, |λ|max); then the eigenvalues' signs (zero within 1e-9 · max(1, |λ|max)).
pub fn classify(gradient: [f64; 2], eig: [f64; 2]) -> PointKind {
    let scale = eig[0].abs().max(eig[1].abs()).max(1.0);
    if gradient[0].hypot(gradient[1]) > 1e-6 * scale {
        return PointKind::NotStationary;
    }
    let tol = 1e-9 * scale;
    match (eig[0] > tol, eig[1] > tol, eig[0] < -tol, eig[1] < -tol) {
        (true, true, ..) => PointKind::Minimum,
        (.., true, true) => PointKind::Maximum,
        (true, _, _, true) => PointKind::Saddle,
        _ => PointKind::Degenerate,
    }
}

#[cfg(test)]
mod tests;
