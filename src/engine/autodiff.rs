//! Reverse-mode automatic differentiation in a page, in the spirit of micrograd and torch's autograd, and
//! differentiable twice as torch's is with `create_graph=True`.
//!
//! Building the loss records every operation on a [`Tape`]; each node remembers its inputs and how to push a
//! gradient back to them. [`Tape::backward`] walks the tape in reverse, as `loss.backward()` does. Nodes carry
//! torch's names (`MulBackward0`, `SubBackward0`, `PowBackward0`, `MeanBackward0`, …), so the app can show the
//! whole chain where the notebook printed only `grad_fn=<MulBackward0>`.
//!
//! Values are vectors; a length-1 vector broadcasts against a length-N one, and its gradient is summed back.
//!
//! The objectives' expressions ([`super::objective`]) add division, negation, powers and the elementary functions,
//! each with torch's backward rule beside its forward one.
//!
//! **One backward rule per operation, for both orders.** Every rule ([`rule`], and [`Unary::backward`] for the
//! functions) is written once, over an [`Algebra`]: the operations a rule may use. Run over plain values
//! ([`Tape::backward`]), the rule computes the gradient, rounding exactly as the formula is written. Run over the
//! tape itself ([`Tape::backward_graph`], torch's `create_graph=True`), the same rule records its operations as new
//! nodes, whose inputs are the original nodes: the gradient is then a node like any other, and backward from it
//! gives the second derivatives ([`Tape::hessian`]). No operation has a second-order rule of its own. The few
//! operations that only gradients use ([`Op::Sign`], [`Op::Where`], [`Op::Clamp`], [`Op::Sum`]) have torch's
//! rules too (a sign's and a mask's derivative are zero).

use super::loss::{Loss, sum_slice};
use super::model::{Grad, Params};
use super::real::{Elementary, Real, pow_const};

/// A function of one argument in an objective's expression, with its torch node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    /// sin(a), `SinBackward0`: g·cos(a).
    Sin,
    /// cos(a), `CosBackward0`: g·(−sin(a)).
    Cos,
    /// tan(a), `TanBackward0`: g·(1 + tan(a)²).
    Tan,
    /// exp(a), `ExpBackward0`: g·exp(a).
    Exp,
    /// The natural log, `LogBackward0`: g/a.
    Log,
    /// √a, `SqrtBackward0`: g/(2√a).
    Sqrt,
    /// |a|, `AbsBackward0`: g·sgn(a).
    Abs,
    /// tanh(a), `TanhBackward0`: g·(1 − tanh(a)²).
    Tanh,
    /// sinh(a), `SinhBackward0`: g·cosh(a).
    Sinh,
    /// cosh(a), `CoshBackward0`: g·sinh(a).
    Cosh,
    /// asin(a) on [−1, 1], `AsinBackward0`: g·(1/√(1 − a²)).
    Asin,
    /// acos(a) on [−1, 1], `AcosBackward0`: g·(−1/√(1 − a²)).
    Acos,
    /// atan(a), `AtanBackward0`: g/(a² + 1).
    Atan,
    /// 1/(1 + exp(−a)), `SigmoidBackward0`: g·(1 − σ)·σ.
    Sigmoid,
    /// torch's softplus with β = 1 and threshold 20: a above 20, log1p(exp(a)) otherwise; `SoftplusBackward0`:
    /// g above 20, g·z/(z + 1) with z = exp(a) otherwise.
    Softplus,
    /// ln(1 + a) on a > −1, `Log1PBackward0`: g/(a + 1).
    Log1p,
    /// exp(a) − 1, `Expm1Backward0`: g·(expm1(a) + 1).
    Expm1,
    /// max(a, 0), `ReluBackward0`: g where the output is positive, 0 elsewhere (0 at the kink, as torch).
    Relu,
}

impl Unary {
    /// Every function, in the order the parser lists them.
    pub const ALL: [Unary; 18] = [
        Unary::Sin,
        Unary::Cos,
        Unary::Tan,
        Unary::Exp,
        Unary::Log,
        Unary::Sqrt,
        Unary::Abs,
        Unary::Tanh,
        Unary::Sinh,
        Unary::Cosh,
        Unary::Asin,
        Unary::Acos,
        Unary::Atan,
        Unary::Sigmoid,
        Unary::Softplus,
        Unary::Log1p,
        Unary::Expm1,
        Unary::Relu,
    ];

    /// The name an expression calls it by.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Abs => "abs",
            Unary::Tanh => "tanh",
            Unary::Sinh => "sinh",
            Unary::Cosh => "cosh",
            Unary::Asin => "asin",
            Unary::Acos => "acos",
            Unary::Atan => "atan",
            Unary::Sigmoid => "sigmoid",
            Unary::Softplus => "softplus",
            Unary::Log1p => "log1p",
            Unary::Expm1 => "expm1",
            Unary::Relu => "relu",
        }
    }

    /// torch's node name.
    pub fn grad_fn(self) -> &'static str {
        match self {
            Unary::Sin => "SinBackward0",
            Unary::Cos => "CosBackward0",
            Unary::Tan => "TanBackward0",
            Unary::Exp => "ExpBackward0",
            Unary::Log => "LogBackward0",
            Unary::Sqrt => "SqrtBackward0",
            Unary::Abs => "AbsBackward0",
            Unary::Tanh => "TanhBackward0",
            Unary::Sinh => "SinhBackward0",
            Unary::Cosh => "CoshBackward0",
            Unary::Asin => "AsinBackward0",
            Unary::Acos => "AcosBackward0",
            Unary::Atan => "AtanBackward0",
            Unary::Sigmoid => "SigmoidBackward0",
            Unary::Softplus => "SoftplusBackward0",
            Unary::Log1p => "Log1PBackward0",
            Unary::Expm1 => "Expm1Backward0",
            Unary::Relu => "ReluBackward0",
        }
    }

    /// Where the function is defined, in words, for a function defined on part of the line only (the reason a
    /// start is refused).
    pub fn domain(self) -> Option<&'static str> {
        match self {
            Unary::Log => Some("a positive argument"),
            Unary::Sqrt => Some("an argument ≥ 0"),
            Unary::Asin | Unary::Acos => Some("an argument in [−1, 1]"),
            Unary::Log1p => Some("an argument > −1"),
            _ => None,
        }
    }

    /// The forward value, as torch's CPU kernel writes it.
    pub fn apply<F: Real>(self, a: F) -> F {
        match self {
            Unary::Sin => a.elementary(Elementary::Sin),
            Unary::Cos => a.elementary(Elementary::Cos),
            Unary::Tan => a.elementary(Elementary::Tan),
            Unary::Exp => a.elementary(Elementary::Exp),
            Unary::Log => a.elementary(Elementary::Ln),
            Unary::Sqrt => a.sqrt(),
            Unary::Abs => a.abs(),
            Unary::Tanh => a.elementary(Elementary::Tanh),
            Unary::Sinh => a.elementary(Elementary::Sinh),
            Unary::Cosh => a.elementary(Elementary::Cosh),
            Unary::Asin => a.elementary(Elementary::Asin),
            Unary::Acos => a.elementary(Elementary::Acos),
            Unary::Atan => a.elementary(Elementary::Atan),
            Unary::Sigmoid => F::ONE / (F::ONE + (-a).elementary(Elementary::Exp)),
            Unary::Softplus => {
                if a > softplus_threshold() {
                    a
                } else {
                    a.elementary(Elementary::Exp).elementary(Elementary::Ln1p)
                }
            }
            Unary::Log1p => a.elementary(Elementary::Ln1p),
            Unary::Expm1 => a.elementary(Elementary::Expm1),
            // NaN stays NaN, as torch's relu.
            Unary::Relu if a <= F::ZERO => F::ZERO,
            Unary::Relu => a,
        }
    }

    /// The backward rule, once for both orders: ∂out/∂a · g, from the input `a`, the output `out` and the incoming
    /// gradient `g`, in the operations of `alg` (torch's formulas from `derivatives.yaml`, in torch's order).
    pub fn backward<F: Real, A: Algebra<F>>(self, alg: &mut A, a: &A::V, out: &A::V, g: &A::V) -> A::V {
        let one = alg.scalar(F::ONE);
        match self {
            Unary::Sin => {
                let c = alg.unary(Unary::Cos, a);
                alg.mul(g, &c)
            }
            Unary::Cos => {
                let s = alg.unary(Unary::Sin, a);
                let s = alg.neg(&s);
                alg.mul(g, &s)
            }
            Unary::Tan | Unary::Tanh => {
                let sq = alg.mul(out, out);
                let d = if self == Unary::Tan { alg.add(&one, &sq) } else { alg.sub(&one, &sq) };
                alg.mul(g, &d)
            }
            Unary::Exp => alg.mul(g, out),
            Unary::Log => alg.div(g, a),
            Unary::Sqrt => {
                let two = alg.scalar(F::from_f64(2.0));
                let d = alg.mul(&two, out);
                alg.div(g, &d)
            }
            Unary::Abs => {
                let s = alg.apply(Op::Sign(a.clone()));
                alg.mul(g, &s)
            }
            Unary::Sinh | Unary::Cosh => {
                let d = alg.unary(if self == Unary::Sinh { Unary::Cosh } else { Unary::Sinh }, a);
                alg.mul(g, &d)
            }
            Unary::Asin | Unary::Acos => {
                // (−a·a + 1).rsqrt(), with rsqrt as torch's CPU computes it: 1/√x
                let sq = alg.mul(a, a);
                let r = alg.sub(&one, &sq);
                let r = alg.unary(Unary::Sqrt, &r);
                let r = alg.div(&one, &r);
                let r = if self == Unary::Acos { alg.neg(&r) } else { r };
                alg.mul(g, &r)
            }
            Unary::Atan => {
                let sq = alg.mul(a, a);
                let d = alg.add(&sq, &one);
                alg.div(g, &d)
            }
            Unary::Sigmoid => {
                let d = alg.sub(&one, out);
                let d = alg.mul(g, &d);
                alg.mul(&d, out)
            }
            Unary::Softplus => softplus_backward(alg, a, g),
            Unary::Log1p => {
                let d = alg.add(a, &one);
                alg.div(g, &d)
            }
            Unary::Expm1 => {
                let d = alg.add(out, &one);
                alg.mul(g, &d)
            }
            Unary::Relu => {
                // threshold_backward: g where out > 0, else 0
                let mask = alg.mask(out, |o| o > F::ZERO);
                let zero = alg.scalar(F::ZERO);
                alg.apply(Op::Where(mask, g.clone(), zero))
            }
        }
    }
}

/// torch's softplus threshold (with β = 1): above it softplus is the identity.
fn softplus_threshold<F: Real>() -> F {
    F::from_f64(20.0)
}

/// softplus_backward: g where a > 20, g·z/(z + 1) with z = exp(a) elsewhere. The exponential is taken of a capped at
/// 20 (a itself wherever it is used), so that no ∞ enters the graph where a is large.
fn softplus_backward<F: Real, A: Algebra<F>>(alg: &mut A, a: &A::V, g: &A::V) -> A::V {
    let above = alg.mask(a, |p| p > softplus_threshold());
    let cap = alg.scalar(softplus_threshold());
    let capped = alg.apply(Op::Where(above.clone(), cap, a.clone()));
    let z = alg.unary(Unary::Exp, &capped);
    let one = alg.scalar(F::ONE);
    let num = alg.mul(g, &z);
    let den = alg.add(&z, &one);
    let below = alg.div(&num, &den);
    alg.apply(Op::Where(above, g.clone(), below))
}

/// What produced a node, with its inputs (`I`: node indices on the tape, or values while a rule runs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op<F, I = usize> {
    /// An input: a parameter (requires grad) or data.
    Leaf,
    /// a · b (elementwise, broadcasting).
    Mul(I, I),
    /// a + b.
    Add(I, I),
    /// a − b.
    Sub(I, I),
    /// a².
    Square(I),
    /// |a|.
    Abs(I),
    /// torch's huber_loss(input, target, δ) with no reduction.
    Huber(I, I, F),
    /// mean(a).
    Mean(I),
    /// a / b.
    Div(I, I),
    /// −a.
    Neg(I),
    /// a ^ c for a constant c (torch's `a ** c`).
    PowConst(I, F),
    /// a ^ b for a tensor b.
    Pow(I, I),
    /// f(a).
    Unary(I, Unary),
    /// sgn(a) with sgn(0) = 0 (in gradients: |a|'s derivative); its own derivative is zero.
    Sign(I),
    /// torch.where(cond, x, y), cond a 0/1 mask of data (in gradients: kinks and guarded branches).
    Where(I, I, I),
    /// clamp(a, lo, hi) (in gradients: the Huber loss's derivative).
    Clamp(I, F, F),
    /// sum(a) (in gradients: a scalar's gradient summed over the broadcast).
    Sum(I),
}

impl<F: Copy, I> Op<F, I> {
    /// The same operation with every input mapped by `f`.
    pub fn map<'a, J>(&'a self, mut f: impl FnMut(&'a I) -> J) -> Op<F, J> {
        match self {
            Op::Leaf => Op::Leaf,
            Op::Mul(a, b) => Op::Mul(f(a), f(b)),
            Op::Add(a, b) => Op::Add(f(a), f(b)),
            Op::Sub(a, b) => Op::Sub(f(a), f(b)),
            Op::Square(a) => Op::Square(f(a)),
            Op::Abs(a) => Op::Abs(f(a)),
            Op::Huber(a, b, d) => Op::Huber(f(a), f(b), *d),
            Op::Mean(a) => Op::Mean(f(a)),
            Op::Div(a, b) => Op::Div(f(a), f(b)),
            Op::Neg(a) => Op::Neg(f(a)),
            Op::PowConst(a, c) => Op::PowConst(f(a), *c),
            Op::Pow(a, b) => Op::Pow(f(a), f(b)),
            Op::Unary(a, u) => Op::Unary(f(a), *u),
            Op::Sign(a) => Op::Sign(f(a)),
            Op::Where(c, x, y) => Op::Where(f(c), f(x), f(y)),
            Op::Clamp(a, lo, hi) => Op::Clamp(f(a), *lo, *hi),
            Op::Sum(a) => Op::Sum(f(a)),
        }
    }

    /// The inputs, in order.
    pub fn operands(&self) -> Vec<&I> {
        match self {
            Op::Leaf => vec![],
            Op::Mul(a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Huber(a, b, _) | Op::Div(a, b) | Op::Pow(a, b) => {
                vec![a, b]
            }
            Op::Where(c, x, y) => vec![c, x, y],
            Op::Square(a)
            | Op::Abs(a)
            | Op::Mean(a)
            | Op::Neg(a)
            | Op::PowConst(a, _)
            | Op::Unary(a, _)
            | Op::Sign(a)
            | Op::Clamp(a, ..)
            | Op::Sum(a) => vec![a],
        }
    }

    /// torch's `grad_fn` name, or `None` for a leaf.
    pub fn grad_fn(&self) -> Option<&'static str> {
        Some(match self {
            Op::Leaf => return None,
            Op::Mul(..) => "MulBackward0",
            Op::Add(..) => "AddBackward0",
            Op::Sub(..) => "SubBackward0",
            Op::Square(_) | Op::PowConst(..) => "PowBackward0",
            Op::Abs(_) => "AbsBackward0",
            Op::Huber(..) => "HuberLossBackward0",
            Op::Mean(_) => "MeanBackward0",
            Op::Div(..) => "DivBackward0",
            Op::Neg(_) => "NegBackward0",
            Op::Pow(..) => "PowBackward1",
            Op::Unary(_, f) => f.grad_fn(),
            Op::Sign(_) => "SignBackward0",
            Op::Where(..) => "WhereBackward0",
            Op::Clamp(..) => "ClampBackward1",
            Op::Sum(_) => "SumBackward0",
        })
    }
}

/// Elementwise with broadcasting of length-1 operands.
fn zip_with<F: Real>(a: &[F], b: &[F], f: impl Fn(F, F) -> F) -> Vec<F> {
    let n = a.len().max(b.len());
    (0..n).map(|i| f(at(a, i), at(b, i))).collect()
}

/// Element `i` of a broadcast operand.
fn at<F: Copy>(v: &[F], i: usize) -> F {
    v[if v.len() == 1 { 0 } else { i }]
}

/// The forward value of `op` from its operands' values: the one definition both [`Tape`] and a rule over values
/// use.
fn forward<F: Real>(op: Op<F, &[F]>) -> Vec<F> {
    let map = |a: &[F], f: &dyn Fn(F) -> F| a.iter().map(|&p| f(p)).collect::<Vec<F>>();
    match op {
        Op::Leaf => vec![],
        Op::Mul(a, b) => zip_with(a, b, |p, q| p * q),
        Op::Add(a, b) => zip_with(a, b, |p, q| p + q),
        Op::Sub(a, b) => zip_with(a, b, |p, q| p - q),
        Op::Square(a) => map(a, &|p| p * p),
        Op::Abs(a) => map(a, &|p| p.abs()),
        Op::Huber(a, b, delta) => zip_with(a, b, |p, q| Loss::Huber(delta).value(p - q)),
        Op::Mean(a) => vec![sum_slice(a) / F::from_usize(a.len().max(1))],
        Op::Div(a, b) => zip_with(a, b, |p, q| p / q),
        Op::Neg(a) => map(a, &|p| -p),
        Op::PowConst(a, c) => map(a, &|p| pow_const(p, c)),
        Op::Pow(a, b) => zip_with(a, b, |p, q| p.powf(q)),
        Op::Unary(a, f) => map(a, &|p| f.apply(p)),
        Op::Sign(a) => map(a, &|p| p.sign0()),
        Op::Where(c, x, y) => {
            let n = c.len().max(x.len()).max(y.len());
            (0..n).map(|i| if at(c, i) != F::ZERO { at(x, i) } else { at(y, i) }).collect()
        }
        Op::Clamp(a, lo, hi) => map(a, &|p| p.max(lo).min(hi)),
        Op::Sum(a) => vec![sum_slice(a)],
    }
}

/// The operations a backward rule is written in: over values (the gradient), or over the tape (the gradient's
/// own graph).
pub trait Algebra<F: Real> {
    /// A value: a vector, or a node of the tape.
    type V: Clone;
    /// The result of `op` on its operands.
    fn apply(&mut self, op: Op<F, Self::V>) -> Self::V;
    /// A constant (data: no gradient flows into it).
    fn constant(&mut self, values: Vec<F>) -> Self::V;
    /// The numbers `v` holds.
    fn values<'a>(&'a self, v: &'a Self::V) -> &'a [F];

    /// The constant c.
    fn scalar(&mut self, c: F) -> Self::V {
        self.constant(vec![c])
    }
    /// A 0/1 mask of where `keep` holds for `v`'s values (a constant: a comparison has no derivative).
    fn mask(&mut self, v: &Self::V, keep: impl Fn(F) -> bool) -> Self::V {
        let m = self.values(v).iter().map(|&p| if keep(p) { F::ONE } else { F::ZERO }).collect();
        self.constant(m)
    }
    /// a · b.
    fn mul(&mut self, a: &Self::V, b: &Self::V) -> Self::V {
        self.apply(Op::Mul(a.clone(), b.clone()))
    }
    /// a + b.
    fn add(&mut self, a: &Self::V, b: &Self::V) -> Self::V {
        self.apply(Op::Add(a.clone(), b.clone()))
    }
    /// a − b.
    fn sub(&mut self, a: &Self::V, b: &Self::V) -> Self::V {
        self.apply(Op::Sub(a.clone(), b.clone()))
    }
    /// a / b.
    fn div(&mut self, a: &Self::V, b: &Self::V) -> Self::V {
        self.apply(Op::Div(a.clone(), b.clone()))
    }
    /// −a.
    fn neg(&mut self, a: &Self::V) -> Self::V {
        self.apply(Op::Neg(a.clone()))
    }
    /// f(a).
    fn unary(&mut self, f: Unary, a: &Self::V) -> Self::V {
        self.apply(Op::Unary(a.clone(), f))
    }
}

/// Rules over plain values: the gradient itself.
struct Values;

impl<F: Real> Algebra<F> for Values {
    type V = Vec<F>;

    fn apply(&mut self, op: Op<F, Vec<F>>) -> Vec<F> {
        forward(op.map(|v| v.as_slice()))
    }

    fn constant(&mut self, values: Vec<F>) -> Vec<F> {
        values
    }

    fn values<'a>(&'a self, v: &'a Vec<F>) -> &'a [F] {
        v
    }
}

/// Rules over the tape: each operation of a rule becomes a node (torch's `create_graph=True`).
struct Recording<'t, F>(&'t mut Tape<F>);

impl<F: Real> Algebra<F> for Recording<'_, F> {
    type V = usize;

    fn apply(&mut self, op: Op<F>) -> usize {
        self.0.record(op, "∂")
    }

    fn constant(&mut self, values: Vec<F>) -> usize {
        self.0.leaf("const", values, false)
    }

    fn values<'a>(&'a self, v: &'a usize) -> &'a [F] {
        &self.0.nodes[*v].value
    }
}

/// The backward rule of `op` (torch's, from `derivatives.yaml`), written once for both orders: from the operands,
/// the output `out` and the incoming gradient `up`, what flows into each operand, in [`Op::operands`]' order
/// (`None` where nothing does).
pub fn rule<F: Real, A: Algebra<F>>(alg: &mut A, op: Op<F, A::V>, out: &A::V, up: &A::V) -> Vec<Option<A::V>> {
    match op {
        Op::Leaf => vec![],
        Op::Mul(a, b) => vec![Some(alg.mul(up, &b)), Some(alg.mul(up, &a))],
        Op::Add(..) => vec![Some(up.clone()), Some(up.clone())],
        Op::Sub(..) => vec![Some(up.clone()), Some(alg.neg(up))],
        Op::Square(a) => {
            // torch's pow_backward: grad · (2 · a^1)
            let two = alg.scalar(F::from_f64(2.0));
            let d = alg.mul(&two, &a);
            vec![Some(alg.mul(up, &d))]
        }
        Op::Abs(a) => vec![Some(Unary::Abs.backward(alg, &a, out, up))],
        Op::Huber(input, target, delta) => {
            let e = alg.sub(&input, &target);
            let slope = alg.apply(Op::Clamp(e, -delta, delta));
            let d = alg.mul(up, &slope);
            let minus = alg.neg(&d);
            vec![Some(d), Some(minus)]
        }
        Op::Mean(a) => {
            let n = alg.values(&a).len().max(1);
            let n = alg.scalar(F::from_usize(n));
            vec![Some(alg.div(up, &n))]
        }
        Op::Div(a, b) => {
            // DivBackward0: g / b, and −g·a / (b·b)
            let da = alg.div(up, &b);
            let minus = alg.neg(up);
            let num = alg.mul(&minus, &a);
            let den = alg.mul(&b, &b);
            vec![Some(da), Some(alg.div(&num, &den))]
        }
        Op::Neg(_) => vec![Some(alg.neg(up))],
        Op::PowConst(a, c) => {
            // PowBackward0: g · c · a^(c − 1), zero for c = 0
            if c == F::ZERO {
                return vec![Some(alg.scalar(F::ZERO))];
            }
            let c_node = alg.scalar(c);
            let p = alg.apply(Op::PowConst(a, c - F::ONE));
            let d = alg.mul(&c_node, &p);
            vec![Some(alg.mul(up, &d))]
        }
        Op::Pow(a, b) => pow_rule(alg, a, b, out, up),
        Op::Unary(a, f) => vec![Some(f.backward(alg, &a, out, up))],
        Op::Sign(_) => vec![None],
        Op::Where(c, ..) => {
            let zero = alg.scalar(F::ZERO);
            let x = alg.apply(Op::Where(c.clone(), up.clone(), zero.clone()));
            vec![None, Some(x), Some(alg.apply(Op::Where(c, zero, up.clone())))]
        }
        Op::Clamp(a, lo, hi) => {
            // ClampBackward1: g where lo ≤ a ≤ hi, else 0
            let inside = alg.mask(&a, |p| lo <= p && p <= hi);
            let zero = alg.scalar(F::ZERO);
            vec![Some(alg.apply(Op::Where(inside, up.clone(), zero)))]
        }
        Op::Sum(_) => vec![Some(up.clone())],
    }
}

/// PowBackward1: g · b · a^(b − 1), and g · a^b · ln(a), 0 where a = 0 and b ≥ 0 (torch's masked_fill). The log is
/// taken of 1 where it is masked, so that no −∞ enters the graph.
fn pow_rule<F: Real, A: Algebra<F>>(alg: &mut A, a: A::V, b: A::V, out: &A::V, up: &A::V) -> Vec<Option<A::V>> {
    let one = alg.scalar(F::ONE);
    let gb = alg.mul(up, &b);
    let b1 = alg.sub(&b, &one);
    let p = alg.apply(Op::Pow(a.clone(), b1));
    let da = alg.mul(&gb, &p);
    let (va, vb) = (alg.values(&a), alg.values(&b));
    let n = va.len().max(vb.len());
    let masked = (0..n).map(|i| if at(va, i) == F::ZERO && at(vb, i) >= F::ZERO { F::ONE } else { F::ZERO }).collect();
    let masked = alg.constant(masked);
    let safe = alg.apply(Op::Where(masked.clone(), one, a));
    let ln = alg.unary(Unary::Log, &safe);
    let zero = alg.scalar(F::ZERO);
    let ln = alg.apply(Op::Where(masked, zero, ln));
    let go = alg.mul(up, out);
    vec![Some(da), Some(alg.mul(&go, &ln))]
}

/// One recorded value.
#[derive(Clone, Debug)]
pub struct Node<F> {
    /// What made it.
    pub op: Op<F>,
    /// A readable name: `w`, `x`, `ŷ = w·x`, `loss`, …
    pub label: &'static str,
    /// The value (length 1 for scalars).
    pub value: Vec<F>,
    /// ∂loss/∂value, filled by [`Tape::backward`].
    pub grad: Vec<F>,
    /// Whether gradients are wanted for it (parameters and everything computed from them).
    pub requires_grad: bool,
}

impl<F: Copy> Node<F> {
    /// torch's `grad_fn` name for this node, or `None` for a leaf.
    pub fn grad_fn(&self) -> Option<&'static str> {
        self.op.grad_fn()
    }

    /// Indices of the nodes this one was computed from.
    pub fn inputs(&self) -> Vec<usize> {
        self.op.operands().into_iter().copied().collect()
    }
}

/// The recorded computation.
#[derive(Clone, Debug, Default)]
pub struct Tape<F> {
    /// Nodes in the order they were computed (inputs before outputs).
    pub nodes: Vec<Node<F>>,
}

impl<F: Real> Tape<F> {
    fn push(&mut self, op: Op<F>, label: &'static str, value: Vec<F>, requires_grad: bool) -> usize {
        let grad = vec![F::ZERO; value.len()];
        self.nodes.push(Node { op, label, value, grad, requires_grad });
        self.nodes.len() - 1
    }

    /// Records `op` on nodes of this tape: its value by the one forward definition the rules over values use too,
    /// and a gradient wanted when any input wants one.
    pub fn record(&mut self, op: Op<F>, label: &'static str) -> usize {
        let value = forward(op.map(|&i| self.nodes[i].value.as_slice()));
        let requires_grad = op.operands().iter().any(|&&i| self.nodes[i].requires_grad);
        self.push(op, label, value, requires_grad)
    }

    /// A leaf: a parameter when `requires_grad`, data otherwise.
    pub fn leaf(&mut self, label: &'static str, value: Vec<F>, requires_grad: bool) -> usize {
        self.push(Op::Leaf, label, value, requires_grad)
    }

    /// a · b.
    pub fn mul(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        self.record(Op::Mul(a, b), label)
    }

    /// a + b.
    pub fn add(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        self.record(Op::Add(a, b), label)
    }

    /// a − b.
    pub fn sub(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        self.record(Op::Sub(a, b), label)
    }

    /// a².
    pub fn square(&mut self, a: usize, label: &'static str) -> usize {
        self.record(Op::Square(a), label)
    }

    /// |a|.
    pub fn abs(&mut self, a: usize, label: &'static str) -> usize {
        self.record(Op::Abs(a), label)
    }

    /// huber(input, target, δ), elementwise.
    pub fn huber(&mut self, input: usize, target: usize, delta: F, label: &'static str) -> usize {
        self.record(Op::Huber(input, target, delta), label)
    }

    /// mean(a).
    pub fn mean(&mut self, a: usize, label: &'static str) -> usize {
        self.record(Op::Mean(a), label)
    }

    /// a / b.
    pub fn div(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        self.record(Op::Div(a, b), label)
    }

    /// −a.
    pub fn neg(&mut self, a: usize, label: &'static str) -> usize {
        self.record(Op::Neg(a), label)
    }

    /// a ^ c for a constant c (a·a for c = 2, as torch squares).
    pub fn pow_const(&mut self, a: usize, c: F, label: &'static str) -> usize {
        self.record(Op::PowConst(a, c), label)
    }

    /// a ^ b.
    pub fn pow(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        self.record(Op::Pow(a, b), label)
    }

    /// f(a).
    pub fn unary(&mut self, a: usize, f: Unary, label: &'static str) -> usize {
        self.record(Op::Unary(a, f), label)
    }

    /// Back-propagates from scalar node `root` (seeded with ∂root/∂root = 1), filling every `grad` with numbers:
    /// each node's [`rule`] run over values.
    pub fn backward(&mut self, root: usize) {
        for node in &mut self.nodes {
            node.grad.iter_mut().for_each(|g| *g = F::ZERO);
        }
        self.nodes[root].grad = vec![F::ONE];
        for id in (0..=root).rev() {
            let node = &self.nodes[id];
            if !node.requires_grad || node.op == Op::Leaf {
                continue;
            }
            let op = node.op.map(|&i| self.nodes[i].value.clone());
            let (out, up) = (node.value.clone(), node.grad.clone());
            let flows = rule(&mut Values, op, &out, &up);
            for (input, flow) in self.nodes[id].inputs().into_iter().zip(flows) {
                if let Some(g) = flow {
                    self.accumulate(input, &g);
                }
            }
        }
    }

    /// Back-propagates from scalar node `root` as torch's `backward(create_graph=True)`: every node's [`rule`] is
    /// run over the tape, so each gradient is a node computed from the original ones. Returns the node of
    /// ∂root/∂(node) for each node up to `root` (`None` where no gradient flows). The `grad` fields are untouched.
    pub fn backward_graph(&mut self, root: usize) -> Vec<Option<usize>> {
        let mut grads: Vec<Option<usize>> = vec![None; root + 1];
        grads[root] = Some(self.leaf("1", vec![F::ONE], false));
        for id in (0..=root).rev() {
            let (Some(up), true) = (grads[id], self.nodes[id].requires_grad) else { continue };
            let op = self.nodes[id].op;
            let flows = rule(&mut Recording(self), op, &id, &up);
            for (input, flow) in self.nodes[id].inputs().into_iter().zip(flows) {
                let Some(mut g) = flow else { continue };
                if !self.nodes[input].requires_grad {
                    continue;
                }
                if self.nodes[input].value.len() == 1 && self.nodes[g].value.len() != 1 {
                    g = self.record(Op::Sum(g), "∂ summed");
                }
                grads[input] = Some(match grads[input] {
                    Some(sum) => self.add(sum, g, "∂"),
                    None => g,
                });
            }
        }
        grads
    }

    /// The Hessian of scalar node `root` with respect to the scalar leaves `params`, as torch's
    /// `autograd.functional.hessian`: the gradient recorded by [`Tape::backward_graph`], then backward from each of
    /// its entries. Row i is ∂(∂root/∂pᵢ)/∂p; the mixed entries agree to rounding. Leaves the tape longer (the
    /// gradient's nodes) and the `grad` fields those of the last row.
    pub fn hessian<const N: usize>(&mut self, root: usize, params: [usize; N]) -> [[F; N]; N] {
        let grads = self.backward_graph(root);
        let mut h = [[F::ZERO; N]; N];
        for (row, &p) in h.iter_mut().zip(&params) {
            let Some(g) = grads.get(p).copied().flatten() else { continue };
            self.backward(g);
            for (entry, &q) in row.iter_mut().zip(&params) {
                *entry = self.nodes[q].grad[0];
            }
        }
        h
    }

    /// Adds `g` into node `id`'s gradient: summed over the broadcast dimension for a scalar, spread over it for a
    /// scalar `g`.
    fn accumulate(&mut self, id: usize, g: &[F]) {
        let node = &mut self.nodes[id];
        if !node.requires_grad {
            return;
        }
        if node.grad.len() == 1 && g.len() != 1 {
            node.grad[0] += sum_slice(g);
        } else if g.len() == 1 {
            node.grad.iter_mut().for_each(|dst| *dst += g[0]);
        } else {
            for (dst, &src) in node.grad.iter_mut().zip(g) {
                *dst += src;
            }
        }
    }
}

/// The recorded loss of a linear model, after `backward`.
#[derive(Clone, Debug)]
pub struct LossGraph<F> {
    /// The tape, every node's value and gradient filled in.
    pub tape: Tape<F>,
    /// Node of w.
    pub w: usize,
    /// Node of b, with a bias.
    pub b: Option<usize>,
    /// Node of the loss.
    pub loss: usize,
}

impl<F: Real> LossGraph<F> {
    /// Records ŷ = w·x (+ b) and the loss exactly as the notebook writes it (MSE: `((y − ŷ)**2).mean()`),
    /// then runs backward.
    pub fn record(x: &[F], y: &[F], p: Params<F>, bias: bool, loss: Loss<F>) -> Self {
        let mut t = Tape::default();
        let w = t.leaf("w", vec![p.w], true);
        let xs = t.leaf("x", x.to_vec(), false);
        let mut y_hat = t.mul(w, xs, "ŷ = w·x");
        let b = bias.then(|| t.leaf("b", vec![p.b], true));
        if let Some(b) = b {
            y_hat = t.add(y_hat, b, "ŷ = w·x + b");
        }
        let ys = t.leaf("y", y.to_vec(), false);
        let root = match loss {
            Loss::Mse => {
                let r = t.sub(ys, y_hat, "r = y − ŷ");
                let sq = t.square(r, "r²");
                t.mean(sq, "loss = mean(r²)")
            }
            Loss::Mae => {
                let r = t.sub(ys, y_hat, "r = y − ŷ");
                let a = t.abs(r, "|r|");
                t.mean(a, "loss = mean|r|")
            }
            Loss::Huber(delta) => {
                let h = t.huber(y_hat, ys, delta, "huber(ŷ, y)");
                t.mean(h, "loss = mean(huber)")
            }
        };
        t.backward(root);
        LossGraph { tape: t, w, b, loss: root }
    }

    /// The loss value.
    pub fn loss_value(&self) -> F {
        self.tape.nodes[self.loss].value[0]
    }

    /// ∂loss/∂(w, b).
    pub fn grad(&self) -> Grad<F> {
        Grad { w: self.tape.nodes[self.w].grad[0], b: self.b.map_or(F::ZERO, |b| self.tape.nodes[b].grad[0]) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_first_gradient_is_minus_45() {
        let g =
            LossGraph::record(&[1.0f32, 2.0, 3.0, 4.0], &[3.0, 6.0, 9.0, 12.0], Params::default(), false, Loss::Mse);
        assert_eq!(g.loss_value(), 67.5);
        assert_eq!(g.grad().w, -45.0);
        let names: Vec<_> = g.tape.nodes.iter().filter_map(|n| n.grad_fn()).collect();
        assert_eq!(names, ["MulBackward0", "SubBackward0", "PowBackward0", "MeanBackward0"]);
    }

    #[test]
    fn the_recorded_gradient_is_the_gradient_and_differentiates_again() {
        // f = sin(w·b) + w³/b at (0.7, −1.3).
        let mut t = Tape::<f64>::default();
        let (w, b) = (t.leaf("w", vec![0.7], true), t.leaf("b", vec![-1.3], true));
        let wb = t.mul(w, b, "w·b");
        let s = t.unary(wb, Unary::Sin, "sin");
        let cube = t.pow_const(w, 3.0, "w³");
        let q = t.div(cube, b, "w³/b");
        let f = t.add(s, q, "f");
        t.backward(f);
        let (gw, gb) = (t.nodes[w].grad[0], t.nodes[b].grad[0]);
        // The same rules over the tape give the same numbers, bit for bit, as nodes of their own.
        let grads = t.backward_graph(f);
        let node = |g: Option<usize>| g.map(|g| t.nodes[g].value.clone());
        assert_eq!((node(grads[w]), node(grads[b])), (Some(vec![gw]), Some(vec![gb])));
        assert!(t.nodes.len() > f + 1, "backward recorded the gradient's operations");
        // Differentiated again: f_ww = −b²·sin(wb) + 6w/b, f_wb = cos(wb) − wb·sin(wb) − 3w²/b², f_bb = −w²·sin(wb) + 2w³/b³.
        let h = t.hessian(f, [w, b]);
        let (x, y) = (0.7f64, -1.3f64);
        let (sn, cs) = ((x * y).sin(), (x * y).cos());
        let want = [
            [-y * y * sn + 6.0 * x / y, cs - x * y * sn - 3.0 * x * x / (y * y)],
            [cs - x * y * sn - 3.0 * x * x / (y * y), -x * x * sn + 2.0 * x.powi(3) / y.powi(3)],
        ];
        for r in 0..2 {
            for c in 0..2 {
                assert!((h[r][c] - want[r][c]).abs() <= 1e-15 * want[r][c].abs().max(1.0), "H[{r}][{c}] = {h:?}");
            }
        }
    }

    #[test]
    fn bias_gradient_sums_over_the_broadcast() {
        // L = mean((y − (w·x + b))²) at w = b = 0: ∂L/∂b = −2·mean(y) = −15 for the notebook's y.
        let g = LossGraph::record(&[1.0, 2.0, 3.0, 4.0], &[3.0, 6.0, 9.0, 12.0], Params::default(), true, Loss::Mse);
        assert_eq!(g.grad().b, -15.0);
    }
}
