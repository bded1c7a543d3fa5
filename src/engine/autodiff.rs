//! Reverse-mode automatic differentiation in a page, in the spirit of micrograd and torch's autograd.
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
}

impl Unary {
    /// Every function, in the order the parser lists them.
    pub const ALL: [Unary; 8] =
        [Unary::Sin, Unary::Cos, Unary::Tan, Unary::Exp, Unary::Log, Unary::Sqrt, Unary::Abs, Unary::Tanh];

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
        }
    }

    /// The forward value.
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
        }
    }

    /// The backward rule: ∂out/∂a · g, from the input `a`, the output `out` and the incoming gradient `g`.
    pub fn backward<F: Real>(self, a: F, out: F, g: F) -> F {
        match self {
            Unary::Sin => g * a.elementary(Elementary::Cos),
            Unary::Cos => g * -a.elementary(Elementary::Sin),
            Unary::Tan => g * (F::ONE + out * out),
            Unary::Exp => g * out,
            Unary::Log => g / a,
            Unary::Sqrt => g / (F::from_f64(2.0) * out),
            Unary::Abs => g * a.sign0(),
            Unary::Tanh => g * (F::ONE - out * out),
        }
    }
}

/// What produced a node, with the indices of its inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op<F> {
    /// An input: a parameter (requires grad) or data.
    Leaf,
    /// a · b (elementwise, broadcasting).
    Mul(usize, usize),
    /// a + b.
    Add(usize, usize),
    /// a − b.
    Sub(usize, usize),
    /// a².
    Square(usize),
    /// |a|.
    Abs(usize),
    /// torch's huber_loss(input, target, δ) with no reduction.
    Huber(usize, usize, F),
    /// mean(a).
    Mean(usize),
    /// a / b.
    Div(usize, usize),
    /// −a.
    Neg(usize),
    /// a ^ c for a constant c (torch's `a ** c`).
    PowConst(usize, F),
    /// a ^ b for a tensor b.
    Pow(usize, usize),
    /// f(a).
    Unary(usize, Unary),
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

impl<F> Node<F> {
    /// torch's `grad_fn` name for this node, or `None` for a leaf.
    pub fn grad_fn(&self) -> Option<&'static str> {
        match self.op {
            Op::Leaf => None,
            Op::Mul(..) => Some("MulBackward0"),
            Op::Add(..) => Some("AddBackward0"),
            Op::Sub(..) => Some("SubBackward0"),
            Op::Square(_) => Some("PowBackward0"),
            Op::Abs(_) => Some("AbsBackward0"),
            Op::Huber(..) => Some("HuberLossBackward0"),
            Op::Mean(_) => Some("MeanBackward0"),
            Op::Div(..) => Some("DivBackward0"),
            Op::Neg(_) => Some("NegBackward0"),
            Op::PowConst(..) => Some("PowBackward0"),
            Op::Pow(..) => Some("PowBackward1"),
            Op::Unary(_, f) => Some(f.grad_fn()),
        }
    }

    /// Indices of the nodes this one was computed from.
    pub fn inputs(&self) -> Vec<usize> {
        match self.op {
            Op::Leaf => vec![],
            Op::Mul(a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Huber(a, b, _) | Op::Div(a, b) | Op::Pow(a, b) => {
                vec![a, b]
            }
            Op::Square(a) | Op::Abs(a) | Op::Mean(a) | Op::Neg(a) | Op::PowConst(a, _) | Op::Unary(a, _) => vec![a],
        }
    }
}

/// The recorded computation.
#[derive(Clone, Debug, Default)]
pub struct Tape<F> {
    /// Nodes in the order they were computed (inputs before outputs).
    pub nodes: Vec<Node<F>>,
}

/// Elementwise with broadcasting of length-1 operands.
fn zip_with<F: Real>(a: &[F], b: &[F], f: impl Fn(F, F) -> F) -> Vec<F> {
    let n = a.len().max(b.len());
    (0..n).map(|i| f(a[if a.len() == 1 { 0 } else { i }], b[if b.len() == 1 { 0 } else { i }])).collect()
}

impl<F: Real> Tape<F> {
    fn push(&mut self, op: Op<F>, label: &'static str, value: Vec<F>, requires_grad: bool) -> usize {
        let grad = vec![F::ZERO; value.len()];
        self.nodes.push(Node { op, label, value, grad, requires_grad });
        self.nodes.len() - 1
    }

    fn needs(&self, ids: &[usize]) -> bool {
        ids.iter().any(|&i| self.nodes[i].requires_grad)
    }

    /// A leaf: a parameter when `requires_grad`, data otherwise.
    pub fn leaf(&mut self, label: &'static str, value: Vec<F>, requires_grad: bool) -> usize {
        self.push(Op::Leaf, label, value, requires_grad)
    }

    /// a · b.
    pub fn mul(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        let v = zip_with(&self.nodes[a].value, &self.nodes[b].value, |p, q| p * q);
        let rg = self.needs(&[a, b]);
        self.push(Op::Mul(a, b), label, v, rg)
    }

    /// a + b.
    pub fn add(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        let v = zip_with(&self.nodes[a].value, &self.nodes[b].value, |p, q| p + q);
        let rg = self.needs(&[a, b]);
        self.push(Op::Add(a, b), label, v, rg)
    }

    /// a − b.
    pub fn sub(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        let v = zip_with(&self.nodes[a].value, &self.nodes[b].value, |p, q| p - q);
        let rg = self.needs(&[a, b]);
        self.push(Op::Sub(a, b), label, v, rg)
    }

    /// a².
    pub fn square(&mut self, a: usize, label: &'static str) -> usize {
        let v = self.nodes[a].value.iter().map(|&p| p * p).collect();
        let rg = self.needs(&[a]);
        self.push(Op::Square(a), label, v, rg)
    }

    /// |a|.
    pub fn abs(&mut self, a: usize, label: &'static str) -> usize {
        let v = self.nodes[a].value.iter().map(|&p| p.abs()).collect();
        let rg = self.needs(&[a]);
        self.push(Op::Abs(a), label, v, rg)
    }

    /// huber(input, target, δ), elementwise.
    pub fn huber(&mut self, input: usize, target: usize, delta: F, label: &'static str) -> usize {
        let loss = Loss::Huber(delta);
        let v = zip_with(&self.nodes[input].value, &self.nodes[target].value, |p, q| loss.value(p - q));
        let rg = self.needs(&[input, target]);
        self.push(Op::Huber(input, target, delta), label, v, rg)
    }

    /// mean(a).
    pub fn mean(&mut self, a: usize, label: &'static str) -> usize {
        let values = &self.nodes[a].value;
        let v = sum_slice(values) / F::from_usize(values.len().max(1));
        let rg = self.needs(&[a]);
        self.push(Op::Mean(a), label, vec![v], rg)
    }

    /// a / b.
    pub fn div(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        let v = zip_with(&self.nodes[a].value, &self.nodes[b].value, |p, q| p / q);
        let rg = self.needs(&[a, b]);
        self.push(Op::Div(a, b), label, v, rg)
    }

    /// −a.
    pub fn neg(&mut self, a: usize, label: &'static str) -> usize {
        let v = self.nodes[a].value.iter().map(|&p| -p).collect();
        let rg = self.needs(&[a]);
        self.push(Op::Neg(a), label, v, rg)
    }

    /// a ^ c for a constant c (a·a for c = 2, as torch squares).
    pub fn pow_const(&mut self, a: usize, c: F, label: &'static str) -> usize {
        let v = self.nodes[a].value.iter().map(|&p| pow_const(p, c)).collect();
        let rg = self.needs(&[a]);
        self.push(Op::PowConst(a, c), label, v, rg)
    }

    /// a ^ b.
    pub fn pow(&mut self, a: usize, b: usize, label: &'static str) -> usize {
        let v = zip_with(&self.nodes[a].value, &self.nodes[b].value, |p, q| p.powf(q));
        let rg = self.needs(&[a, b]);
        self.push(Op::Pow(a, b), label, v, rg)
    }

    /// f(a).
    pub fn unary(&mut self, a: usize, f: Unary, label: &'static str) -> usize {
        let v = self.nodes[a].value.iter().map(|&p| f.apply(p)).collect();
        let rg = self.needs(&[a]);
        self.push(Op::Unary(a, f), label, v, rg)
    }

    /// Back-propagates from scalar node `root` (seeded with ∂root/∂root = 1), filling every `grad`.
    pub fn backward(&mut self, root: usize) {
        for node in &mut self.nodes {
            node.grad.iter_mut().for_each(|g| *g = F::ZERO);
        }
        self.nodes[root].grad = vec![F::ONE];
        for id in (0..=root).rev() {
            if !self.nodes[id].requires_grad {
                continue;
            }
            let up = self.nodes[id].grad.clone();
            match self.nodes[id].op {
                Op::Leaf => {}
                Op::Mul(a, b) => {
                    let (va, vb) = (self.nodes[a].value.clone(), self.nodes[b].value.clone());
                    self.accumulate(a, &zip_with(&up, &vb, |g, q| g * q));
                    self.accumulate(b, &zip_with(&up, &va, |g, p| g * p));
                }
                Op::Add(a, b) => {
                    self.accumulate(a, &up);
                    self.accumulate(b, &up);
                }
                Op::Sub(a, b) => {
                    self.accumulate(a, &up);
                    self.accumulate(b, &up.iter().map(|&g| -g).collect::<Vec<_>>());
                }
                Op::Square(a) => {
                    // torch's pow_backward: grad · (2 · a^1)
                    let two = F::from_f64(2.0);
                    let d = zip_with(&up, &self.nodes[a].value, |g, p| g * (two * p));
                    self.accumulate(a, &d);
                }
                Op::Abs(a) => {
                    let d = zip_with(&up, &self.nodes[a].value, |g, p| g * p.sign0());
                    self.accumulate(a, &d);
                }
                Op::Huber(input, target, delta) => {
                    let e = zip_with(&self.nodes[input].value, &self.nodes[target].value, |p, q| p - q);
                    let d = zip_with(&up, &e, |g, e| g * Loss::Huber(delta).derivative(e));
                    self.accumulate(input, &d);
                    self.accumulate(target, &d.iter().map(|&g| -g).collect::<Vec<_>>());
                }
                Op::Mean(a) => {
                    let n = self.nodes[a].value.len();
                    let share = up[0] / F::from_usize(n.max(1));
                    self.accumulate(a, &vec![share; n]);
                }
                op => self.backward_expression(op, id, &up),
            }
        }
    }

    /// The backward rules of the objectives' operations (torch's, in `derivatives.yaml`).
    fn backward_expression(&mut self, op: Op<F>, id: usize, up: &[F]) {
        let value = |t: &Self, i: usize| t.nodes[i].value.clone();
        match op {
            Op::Div(a, b) => {
                // DivBackward0: g / b, and −g·a / (b·b)
                let (va, vb) = (value(self, a), value(self, b));
                self.accumulate(a, &zip_with(up, &vb, |g, q| g / q));
                let d = zip_with(&zip_with(up, &va, |g, p| -g * p), &vb, |n, q| n / (q * q));
                self.accumulate(b, &d);
            }
            Op::Neg(a) => self.accumulate(a, &up.iter().map(|&g| -g).collect::<Vec<_>>()),
            Op::PowConst(a, c) => {
                // PowBackward0: g · c · a^(c − 1), zero for c = 0
                let d = zip_with(up, &value(self, a), |g, p| {
                    if c == F::ZERO { F::ZERO } else { g * (c * pow_const(p, c - F::ONE)) }
                });
                self.accumulate(a, &d);
            }
            Op::Pow(a, b) => {
                // PowBackward1: g · b · a^(b − 1), and g · a^b · ln(a) (0 where a = 0 and b ≥ 0)
                let (va, vb, out) = (value(self, a), value(self, b), value(self, id));
                let da = zip_with(
                    &zip_with(up, &vb, |g, q| g * q),
                    &zip_with(&va, &vb, |p, q| p.powf(q - F::ONE)),
                    |x, y| x * y,
                );
                self.accumulate(a, &da);
                let ln = |p: F, q: F| if p == F::ZERO && q >= F::ZERO { F::ZERO } else { p.elementary(Elementary::Ln) };
                let db = zip_with(&zip_with(up, &out, |g, o| g * o), &zip_with(&va, &vb, ln), |x, y| x * y);
                self.accumulate(b, &db);
            }
            Op::Unary(a, f) => {
                let (va, out) = (value(self, a), value(self, id));
                let d: Vec<F> =
                    va.iter().zip(&out).zip(up.iter().cycle()).map(|((&p, &o), &g)| f.backward(p, o, g)).collect();
                self.accumulate(a, &d);
            }
            _ => {}
        }
    }

    /// Adds `g` into node `id`'s gradient, summing over the broadcast dimension for scalars.
    fn accumulate(&mut self, id: usize, g: &[F]) {
        let node = &mut self.nodes[id];
        if !node.requires_grad {
            return;
        }
        if node.grad.len() == 1 && g.len() != 1 {
            node.grad[0] += sum_slice(g);
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
    fn bias_gradient_sums_over_the_broadcast() {
        // L = mean((y − (w·x + b))²) at w = b = 0: ∂L/∂b = −2·mean(y) = −15 for the notebook's y.
        let g = LossGraph::record(&[1.0, 2.0, 3.0, 4.0], &[3.0, 6.0, 9.0, 12.0], Params::default(), true, Loss::Mse);
        assert_eq!(g.grad().b, -15.0);
    }
}
