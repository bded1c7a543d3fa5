//! Exercises drawn from a seed and graded exactly: a small data set and the settings a question needs, the exact
//! answer (from the engine's own closed forms and trainer), the tolerance a typed answer is graded with, and a
//! worked explanation with the numbers plugged in. Pure: no I/O; the `exercise` command and the Exercises tab both
//! read it, so they ask, grade and explain alike.
//!
//! Every draw comes from ChaCha8 seeded by `seed_from_u64(seed)` through [`uniform_below`]'s rejection sampling
//! of integers (never a float distribution), so a seed gives the same exercise on every machine and with every
//! version of `rand` (each kind on its own ChaCha stream). Values are drawn in tenths (x = 1.3, y = −0.4), so that the data read as they are.
//!
//! The answers, for plain full-batch gradient descent on MSE, L = (1/n)·Σ(ŷ − y)², with the analytic gradient:
//!
//! ```text
//! next-weight         w₁ = w₀ − lr·∂L/∂w(w₀, b₀)               (one update of the engine's trainer)
//! critical-lr         2/λmax of the Hessian H = (2/n)·[Σx², Σx; Σx, n]   (1×1: (2/n)·Σx² without a bias)
//! one-step-lr         1/λ, λ = (2/n)·Σx²                        (no bias)
//! steps-to-tolerance  the first k with |∂L/∂w(w_k)| ≤ tol      (no bias; counted by running the trainer)
//! optimum             the least-squares w*                      (with a bias: w* of (w*, b*))
//! ```

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use super::analysis::analyze;
use super::batch::uniform_below;
use super::data::Dataset;
use super::linalg::eigenvalues;
use super::model::Params;
use super::settings::Settings;
use super::trainer::{Convergence, DynTrainer, Status};
use crate::format::{python_list, repr, rounded_repr};

/// The kinds of exercise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExerciseKind {
    /// w after one update from (w₀, b₀) at lr.
    #[default]
    NextWeight,
    /// The learning rate 2/λmax at and above which plain GD diverges.
    CriticalLr,
    /// The learning rate 1/λ that reaches w* in one step (no bias).
    OneStepLr,
    /// The number of updates until |∂L/∂w| ≤ tol (no bias).
    StepsToTolerance,
    /// The least-squares weight w*.
    Optimum,
}

impl ExerciseKind {
    /// Every kind, in menu order.
    pub const ALL: [ExerciseKind; 5] = [
        ExerciseKind::NextWeight,
        ExerciseKind::CriticalLr,
        ExerciseKind::OneStepLr,
        ExerciseKind::StepsToTolerance,
        ExerciseKind::Optimum,
    ];

    /// The name `--kind` takes.
    pub fn name(self) -> &'static str {
        match self {
            ExerciseKind::NextWeight => "next-weight",
            ExerciseKind::CriticalLr => "critical-lr",
            ExerciseKind::OneStepLr => "one-step-lr",
            ExerciseKind::StepsToTolerance => "steps-to-tolerance",
            ExerciseKind::Optimum => "optimum",
        }
    }

    /// A label for the app's menu.
    pub fn label(self) -> &'static str {
        match self {
            ExerciseKind::NextWeight => "Next weight",
            ExerciseKind::CriticalLr => "Critical lr",
            ExerciseKind::OneStepLr => "One-step lr",
            ExerciseKind::StepsToTolerance => "Steps to tolerance",
            ExerciseKind::Optimum => "Optimum w*",
        }
    }

    /// True for the kinds that may draw a model with a bias.
    pub fn may_have_bias(self) -> bool {
        matches!(self, ExerciseKind::NextWeight | ExerciseKind::CriticalLr | ExerciseKind::Optimum)
    }
}

/// One exercise: its data, settings, question, exact answer and grading tolerance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exercise {
    /// What is asked.
    pub kind: ExerciseKind,
    /// The seed it was drawn from.
    pub seed: u64,
    /// Inputs.
    pub x: Vec<f64>,
    /// Targets.
    pub y: Vec<f64>,
    /// The model is ŷ = w·x + b (otherwise ŷ = w·x).
    pub bias: bool,
    /// The learning rate (next-weight, steps-to-tolerance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// The start weight (next-weight, steps-to-tolerance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w0: Option<f64>,
    /// The start bias (next-weight with a bias).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b0: Option<f64>,
    /// The gradient tolerance (steps-to-tolerance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// The question, in words.
    pub question: String,
    /// The exact answer.
    pub answer: f64,
    /// An answer A is right when |A − answer| ≤ accept.
    pub accept: f64,
    /// The worked explanation: the formula with the numbers.
    #[serde(skip)]
    pub explanation: String,
}

/// The verdict on one answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Grade {
    /// The answer given.
    pub given: f64,
    /// |given − answer| ≤ accept.
    pub correct: bool,
    /// One line: right or wrong, with the exact answer.
    pub verdict: String,
}

impl Exercise {
    /// The exercise of `kind` drawn from `seed`: the same everywhere for the same pair.
    pub fn generate(kind: ExerciseKind, seed: u64) -> Exercise {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Each kind reads its own stream of the seed, so one seed gives each kind its own data.
        rng.set_stream(kind as u64);
        // A few draws can be unsuitable (a run too slow, a tolerance met at the start); the next draw of the same
        // generator is taken, so the result stays a function of the seed.
        let mut last = None;
        for _ in 0..64 {
            let draw = Draw::new(&mut rng, kind);
            match solve(kind, seed, &draw) {
                Some(e) => return e,
                None => last = Some(draw),
            }
        }
        // Practically unreachable; a plain fallback keeps the function total.
        let draw = last.unwrap_or_else(|| Draw::new(&mut rng, kind));
        solve_fallback(kind, seed, &draw)
    }

    /// Grades `given`: right when within [`Exercise::accept`] of the answer.
    pub fn grade(&self, given: f64) -> Grade {
        let correct = given.is_finite() && (given - self.answer).abs() <= self.accept;
        let verdict = if correct {
            format!("correct: {} (the exact answer is {})", repr(given), repr(self.answer))
        } else {
            format!(
                "not quite: {} — the exact answer is {} (±{} accepted)",
                repr(given),
                repr(self.answer),
                repr(self.accept)
            )
        };
        Grade { given, correct, verdict }
    }

    /// The data as two Python lists, one line each.
    pub fn data_lines(&self) -> [String; 2] {
        [format!("x = {}", python_list(&self.x, false)), format!("y = {}", python_list(&self.y, false))]
    }

    /// The model and the settings given, in one line ("ŷ = w·x + b; lr = 0.03, w0 = 0.5, b0 = -1").
    pub fn settings_line(&self) -> String {
        let mut parts = Vec::new();
        for (name, v) in [("lr", self.lr), ("w0", self.w0), ("b0", self.b0), ("tol", self.tol)] {
            if let Some(v) = v {
                parts.push(format!("{name} = {}", repr(v)));
            }
        }
        let model = if self.bias { "ŷ = w·x + b" } else { "ŷ = w·x" };
        if parts.is_empty() { model.to_string() } else { format!("{model}; {}", parts.join(", ")) }
    }

    /// The mean squared error at (w, b) (b ignored without a bias).
    pub fn loss_at(&self, w: f64, b: f64) -> f64 {
        let b = if self.bias { b } else { 0.0 };
        let n = self.x.len().max(1) as f64;
        self.x.iter().zip(&self.y).map(|(&x, &y)| (w * x + b - y).powi(2)).sum::<f64>() / n
    }

    /// The data set (always valid: a handful of finite points).
    pub fn dataset(&self) -> Option<Dataset> {
        Dataset::new(self.x.clone(), self.y.clone(), format!("exercise {}", self.seed)).ok()
    }

    /// The settings of plain full-batch GD on MSE that the answers assume.
    pub fn settings(&self) -> Settings {
        let mut s = Settings { bias: self.bias, ..Settings::default() };
        s.w0 = self.w0.unwrap_or(0.0);
        s.b0 = self.b0.unwrap_or(0.0);
        s.optimizer.lr = self.lr.unwrap_or(0.01);
        s
    }
}

/// A uniform integer in `lo..=hi`.
fn int_in(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    lo + uniform_below(rng, (hi - lo + 1) as u64) as i64
}

/// `tenths`/10, the nearest f64 to the decimal (1.3, not 1.3000000000000003).
fn tenths(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// d·10^e as the nearest f64 to the decimal (0.03, not 0.030000000000000002).
fn decimal(d: i64, e: i32) -> f64 {
    if e < 0 { d as f64 / 10f64.powi(-e) } else { d as f64 * 10f64.powi(e) }
}

/// v rounded down to one significant digit (0.0374 → 0.03), v > 0.
fn one_digit_below(v: f64) -> f64 {
    let e = v.log10().floor() as i32;
    let d = (v / 10f64.powi(e)).floor().clamp(1.0, 9.0) as i64;
    decimal(d, e)
}

/// One unit in the 4th significant digit of `answer` (at least of 0.01): the grading tolerance of a real answer.
fn accept_for(answer: f64) -> f64 {
    let e = answer.abs().max(0.01).log10().floor() as i32;
    decimal(1, e - 3)
}

/// The raw draws of one exercise.
#[derive(Clone, Debug)]
struct Draw {
    x: Vec<f64>,
    y: Vec<f64>,
    bias: bool,
    w0: f64,
    b0: f64,
    /// The lr as a share of the critical lr, in hundredths.
    lr_share: i64,
    /// tol = 10^−tol_digits.
    tol_digits: i32,
}

impl Draw {
    fn new(rng: &mut ChaCha8Rng, kind: ExerciseKind) -> Draw {
        let n = int_in(rng, 3, 8) as usize;
        let bias = kind.may_have_bias() && uniform_below(rng, 2) == 1;
        let slope = int_in(rng, -30, 30);
        let intercept = if bias { int_in(rng, -20, 20) } else { 0 };
        let (mut x, mut y) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            // Without a bias the points sit right of 0; with one, anywhere in [−3, 3].
            let xt = if bias { int_in(rng, -30, 30) } else { int_in(rng, 1, 30) };
            let noise = int_in(rng, -5, 5);
            // y in tenths: slope·x + intercept, rounded, plus noise (integer arithmetic, exact).
            let yt = (slope * xt).div_euclid(10) + intercept + noise;
            x.push(tenths(xt));
            y.push(tenths(yt));
        }
        Draw {
            x,
            y,
            bias,
            w0: tenths(int_in(rng, -20, 50)),
            b0: if bias { tenths(int_in(rng, -20, 20)) } else { 0.0 },
            lr_share: int_in(rng, 5, 75),
            tol_digits: int_in(rng, 2, 4) as i32,
        }
    }

    /// The data determine w (and b): some x ≠ 0, and not all x equal with a bias.
    fn determined(&self) -> bool {
        let sxx: f64 = self.x.iter().map(|v| v * v).sum();
        let first = self.x.first().copied().unwrap_or(0.0);
        sxx > 0.0 && (!self.bias || self.x.iter().any(|&v| v != first))
    }
}

/// Sums of the data: n, Σx, Σy, Σx², Σxy.
struct Sums {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    sxy: f64,
}

impl Sums {
    fn of(x: &[f64], y: &[f64]) -> Sums {
        let mut s = Sums { n: x.len() as f64, sx: 0.0, sy: 0.0, sxx: 0.0, sxy: 0.0 };
        for (&xi, &yi) in x.iter().zip(y) {
            s.sx += xi;
            s.sy += yi;
            s.sxx += xi * xi;
            s.sxy += xi * yi;
        }
        s
    }
}

/// The question's preamble: the model and the loss.
fn preamble(bias: bool) -> &'static str {
    if bias {
        "Plain gradient descent fits ŷ = w·x + b to the points by the mean squared error L = (1/n)·Σ(ŷ − y)²."
    } else {
        "Plain gradient descent fits ŷ = w·x to the points by the mean squared error L = (1/n)·Σ(ŷ − y)²."
    }
}

/// The exercise of `kind` for one draw, or `None` when the draw does not suit it.
fn solve(kind: ExerciseKind, seed: u64, d: &Draw) -> Option<Exercise> {
    if !d.determined() {
        return None;
    }
    let base = Exercise {
        kind,
        seed,
        x: d.x.clone(),
        y: d.y.clone(),
        bias: d.bias,
        lr: None,
        w0: None,
        b0: None,
        tol: None,
        question: String::new(),
        answer: 0.0,
        accept: 0.0,
        explanation: String::new(),
    };
    let e = match kind {
        ExerciseKind::NextWeight => next_weight(base, d)?,
        ExerciseKind::CriticalLr => critical_lr(base),
        ExerciseKind::OneStepLr => one_step_lr(base),
        ExerciseKind::StepsToTolerance => steps_to_tolerance(base, d)?,
        ExerciseKind::Optimum => optimum(base),
    };
    (e.answer.is_finite() && e.accept.is_finite()).then_some(e)
}

/// The fallback when no draw suits: the lr questions need nothing more than determined data; x = 1, 2, 3.
fn solve_fallback(kind: ExerciseKind, seed: u64, d: &Draw) -> Exercise {
    let plain =
        Draw { x: vec![1.0, 2.0, 3.0], y: vec![2.0, 4.1, 5.9], bias: false, lr_share: 25, tol_digits: 2, ..d.clone() };
    solve(kind, seed, &plain).unwrap_or_else(|| {
        let mut e = solve(ExerciseKind::OneStepLr, seed, &plain).unwrap_or_else(|| unreachable_exercise(seed));
        e.kind = kind;
        e
    })
}

/// An exercise that states its own answer, for the impossible case that even the fallback fails.
fn unreachable_exercise(seed: u64) -> Exercise {
    Exercise {
        kind: ExerciseKind::OneStepLr,
        seed,
        x: vec![1.0],
        y: vec![1.0],
        bias: false,
        lr: None,
        w0: None,
        b0: None,
        tol: None,
        question: "What is 1/λ for x = [1] (λ = 2)?".into(),
        answer: 0.5,
        accept: 0.0001,
        explanation: "λ = (2/n)·Σx² = 2, so 1/λ = 0.5.".into(),
    }
}

/// The trainer at the exercise's start, plain full-batch GD on MSE.
fn trainer(e: &Exercise) -> Option<DynTrainer> {
    DynTrainer::new(&e.dataset()?, &e.settings()).ok()
}

/// A learning rate below the critical one: `share` hundredths of 2/λmax, rounded down to one digit.
fn drawn_lr(e: &Exercise, share: i64) -> Option<f64> {
    let data = e.dataset()?;
    let critical = analyze(&data, &e.settings(), Params::default()).critical_lr?;
    Some(one_digit_below(critical * share as f64 / 100.0))
}

fn next_weight(mut e: Exercise, d: &Draw) -> Option<Exercise> {
    e.lr = Some(drawn_lr(&e, d.lr_share)?);
    e.w0 = Some(d.w0);
    e.b0 = e.bias.then_some(d.b0);
    let mut t = trainer(&e)?;
    let g = t.record().grad.w;
    t.step();
    let after = t.record();
    if after.step != 1 {
        return None;
    }
    let (lr, w0, b0) = (e.lr.unwrap_or(0.0), d.w0, d.b0);
    let residual = if e.bias { "w₀·x + b₀ − y" } else { "w₀·x − y" };
    let start =
        if e.bias { format!("(w₀, b₀) = ({}, {})", num(w0), num(b0)) } else { format!("w₀ = {}", num(w0)) };
    e.question = format!("{} From {start} with lr = {}, what is w after one update?", preamble(e.bias), num(lr));
    e.answer = after.params.w;
    e.accept = accept_for(e.answer);
    e.explanation = format!(
        "∂L/∂w = (2/n)·Σ({residual})·x = (2/{})·{} = {}; w₁ = w₀ − lr·∂L/∂w = {} − {}·{} = {}.",
        e.x.len(),
        num(g * e.x.len() as f64 / 2.0),
        num(g),
        num(w0),
        num(lr),
        paren(g),
        repr(e.answer)
    );
    Some(e)
}

/// A number in parentheses when negative, for a product written out.
fn paren(v: f64) -> String {
    if v < 0.0 { format!("({})", num(v)) } else { num(v) }
}

/// An intermediate number of an explanation: 12 significant digits, which hides the sums' rounding noise
/// (10.13, not 10.129999999999999); answers are printed exactly with [`repr`].
fn num(v: f64) -> String {
    rounded_repr(v, 12, false)
}

fn critical_lr(mut e: Exercise) -> Exercise {
    let s = Sums::of(&e.x, &e.y);
    e.question = format!(
        "{} From which learning rate on does plain gradient descent diverge (the critical lr)?",
        preamble(e.bias)
    );
    if e.bias {
        let h = vec![vec![2.0 * s.sxx / s.n, 2.0 * s.sx / s.n], vec![2.0 * s.sx / s.n, 2.0]];
        let (max, _) = eigenvalues(&h);
        e.answer = 2.0 / max;
        e.explanation = format!(
            "H = (2/n)·[Σx², Σx; Σx, n] = [{}, {}; {}, {}]; λmax = (a + d)/2 + √(((a − d)/2)² + b²) = {}; \
             lr_crit = 2/λmax = {}.",
            num(h[0][0]),
            num(h[0][1]),
            num(h[1][0]),
            num(h[1][1]),
            num(max),
            repr(e.answer)
        );
    } else {
        let lambda = 2.0 * s.sxx / s.n;
        e.answer = 2.0 / lambda;
        e.explanation = format!(
            "λ = L″(w) = (2/n)·Σx² = (2/{})·{} = {}; lr_crit = 2/λ = {}: each step multiplies w − w* by 1 − lr·λ, \
             which reaches −1 there.",
            e.x.len(),
            num(s.sxx),
            num(lambda),
            repr(e.answer)
        );
    }
    e.accept = accept_for(e.answer);
    e
}

fn one_step_lr(mut e: Exercise) -> Exercise {
    let s = Sums::of(&e.x, &e.y);
    let lambda = 2.0 * s.sxx / s.n;
    e.question =
        format!("{} Which learning rate takes any start w₀ to the minimum w* in exactly one step?", preamble(e.bias));
    e.answer = 1.0 / lambda;
    e.accept = accept_for(e.answer);
    e.explanation = format!(
        "λ = L″(w) = (2/n)·Σx² = (2/{})·{} = {}; w₁ − w* = (1 − lr·λ)·(w₀ − w*) is 0 for lr = 1/λ = {}.",
        e.x.len(),
        num(s.sxx),
        num(lambda),
        repr(e.answer)
    );
    e
}

/// Steps run at most, and the most an exercise may ask for.
const MAX_STEPS: u64 = 499;

fn steps_to_tolerance(mut e: Exercise, d: &Draw) -> Option<Exercise> {
    let tol = decimal(1, -d.tol_digits);
    e.lr = Some(drawn_lr(&e, d.lr_share)?);
    e.w0 = Some(d.w0);
    e.tol = Some(tol);
    let mut t = trainer(&e)?;
    let g0 = t.record().grad.w.abs();
    t.set_tolerance(Some(tol));
    let mut before = g0;
    while !t.status().is_finished() && t.record().step < MAX_STEPS {
        before = t.record().grad.w.abs();
        t.step();
    }
    let Status::Converged { step: k, by: Convergence::Tolerance } = t.status() else {
        return None;
    };
    if k == 0 {
        return None;
    }
    let gk = t.record().grad.w.abs();
    // Far enough from the boundary that no rounding can move the count.
    let clear = |g: f64| ((g - tol) / tol).abs() > 1e-9;
    if !(clear(gk) && clear(before)) {
        return None;
    }
    let s = Sums::of(&e.x, &e.y);
    let (lambda, wstar, lr) = (2.0 * s.sxx / s.n, s.sxy / s.sxx, e.lr.unwrap_or(0.0));
    e.question = format!(
        "{} From w₀ = {} with lr = {}, after how many updates is |∂L/∂w| ≤ {} for the first time?",
        preamble(false),
        num(d.w0),
        num(lr),
        num(tol)
    );
    e.answer = k as f64;
    e.accept = 0.0;
    e.explanation = format!(
        "λ = (2/n)·Σx² = {}, w* = Σxy/Σx² = {}; |∂L/∂w| = λ·|w − w*| and each step multiplies w − w* by \
         1 − lr·λ = {}, so |∂L/∂w| = {}·{}^k; the first k with it ≤ {} is {} (k = ceil(ln(tol/|g₀|) / ln|1 − lr·λ|); \
         the engine's run: {} after {} updates, {} one before).",
        num(lambda),
        num(wstar),
        num(1.0 - lr * lambda),
        num(g0),
        paren((1.0 - lr * lambda).abs()),
        num(tol),
        k,
        num(gk),
        k,
        num(before)
    );
    Some(e)
}

fn optimum(mut e: Exercise) -> Exercise {
    let s = Sums::of(&e.x, &e.y);
    if e.bias {
        let (top, den) = (s.n * s.sxy - s.sx * s.sy, s.n * s.sxx - s.sx * s.sx);
        e.answer = top / den;
        let b = (s.sy - e.answer * s.sx) / s.n;
        e.question = format!("{} What is the least-squares weight w* (the w of the minimum (w*, b*))?", preamble(true));
        e.explanation = format!(
            "the normal equations give w* = (n·Σxy − Σx·Σy)/(n·Σx² − (Σx)²) = ({}·{} − {}·{})/({}·{} − {}²) \
             = {}/{} = {} (and b* = (Σy − w*·Σx)/n = {}).",
            e.x.len(),
            paren(s.sxy),
            paren(s.sx),
            paren(s.sy),
            e.x.len(),
            num(s.sxx),
            paren(s.sx),
            num(top),
            num(den),
            repr(e.answer),
            num(b)
        );
    } else {
        e.answer = s.sxy / s.sxx;
        e.question = format!("{} What is the least-squares weight w* (the minimum of L)?", preamble(false));
        e.explanation = format!(
            "∂L/∂w = (2/n)·Σ(w·x − y)·x = 0 gives w* = Σxy/Σx² = {}/{} = {}.",
            num(s.sxy),
            num(s.sxx),
            repr(e.answer)
        );
    }
    e.accept = accept_for(e.answer);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_the_nearest_doubles() {
        assert_eq!(decimal(3, -2), 0.03);
        assert_eq!(one_digit_below(0.0374), 0.03);
        assert_eq!(one_digit_below(0.999), 0.9);
        assert_eq!(accept_for(0.1333), 0.0001);
        assert_eq!(accept_for(15.0), 0.01);
        assert_eq!(accept_for(0.0), 0.00001);
    }

    #[test]
    fn the_same_seed_gives_the_same_exercise_and_others_differ() {
        for kind in ExerciseKind::ALL {
            let a = Exercise::generate(kind, 7);
            assert_eq!(a, Exercise::generate(kind, 7));
            assert_ne!(a.x, Exercise::generate(kind, 8).x, "{kind:?}");
            assert!((3..=8).contains(&a.x.len()));
        }
    }

    #[test]
    fn grading_uses_the_tolerance() {
        let e = Exercise::generate(ExerciseKind::CriticalLr, 3);
        assert!(e.grade(e.answer + 0.9 * e.accept).correct);
        assert!(!e.grade(e.answer + 2.0 * e.accept).correct);
        assert!(!e.grade(f64::NAN).correct);
    }
}
