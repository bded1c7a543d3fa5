//! The step ledger: one update written out in its optimizer's own rule, with torch's symbols and the numbers
//! plugged in.
//!
//! The numbers are the engine's own. [`explain`] restores the optimizer from a history row's state
//! ([`crate::engine::optim::Optimizer::restore`]) and re-runs its `step_observed` on the row's parameters and
//! update gradient; the [`Notes`] it takes are what the lines print. The step is the same code on the same inputs
//! as the run's, so the ledger's result equals the run's next row bit for bit (tests/ledger.rs checks every
//! optimizer). Only the bias corrections' display values (m̂ = m/bc₁, v̂ = v/bc₂) and the loss's per-sample terms
//! are computed here, for reading; torch folds the corrections into `step_size` and `denom`, and so does the ledger.
//!
//! Under a learning-rate schedule, the row carries the lr (and OneCycleLR's or CyclicLR's momentum or β₁) that its
//! update used ([`Row::scheduled`]); the ledger re-runs the step with those values and prints them in its title and rules.
//!
//! Every line checks by hand. On an exact line ([`Line::exact`]) the operands and the value print alike, as
//! Python's `repr` in the run's precision ([`crate::format::repr_in`], the exact floats the engine used), and the
//! rule computed from those operands in the run's precision gives the value bit for bit: every operation rounded,
//! except where torch's f32 kernels fuse the last multiply and the add (the line's note says so, [`FUSED`]). A line
//! whose value is computed otherwise (a bias correction by `powf`, a sum over samples in another order than shown,
//! a coefficient rounded once from f64) prints its operands and its value rounded to 7 digits with "≈" on both
//! sides. tests/claims.rs parses the text and recomputes every line. Shared by `descent trace --format ledger` and
//! the app's ledger tab.

use crate::engine::gradient::Problem;
use crate::engine::line_search::{Search, armijo};
use crate::engine::loss::Loss;
use crate::engine::objective::{HessianMethod, signed_eigenvalues};
use crate::engine::optim::{LineSearch, Notes, OptimState, Optimizer, OptimizerConfig, OptimizerKind, Term};
use crate::engine::scaling::Scaling;
use crate::engine::settings::{GradientSource, Precision, Settings};
use crate::engine::trainer::Row;
use crate::engine::{ConfigError, Dataset, Grad, LossKind, Params, Real};
use crate::format::repr_in;

/// Largest number of samples whose terms are written out one by one.
pub const EXPAND_MAX_SAMPLES: usize = 8;

/// One line: `lhs ← rule = plugged = value` (`←` for an update of state, `=` for a definition).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// What is computed: `g`, `m`, `w`, `L`.
    pub lhs: String,
    /// True when the line updates a value (`←`) rather than defining one (`=`).
    pub assigns: bool,
    /// The rule in symbols: `β₁·m + (1 − β₁)·g`.
    pub rule: String,
    /// The rule with the numbers in (empty when it would repeat the value).
    pub plugged: String,
    /// The value, exactly as the engine holds it.
    pub value: f64,
    /// True when the shown operands reproduce the shown value by hand: both print as their shortest round-trip
    /// repr, and the rule computed from them in the run's precision (every operation rounded, or as the note says
    /// for torch's fused f32 kernels) gives the value bit for bit. False for values computed otherwise (bias
    /// corrections by `powf`, a sum over samples in another order, a coefficient rounded from f64): operands and
    /// value then print rounded to 7 digits with "≈" on both sides.
    pub exact: bool,
    /// A remark on the line (why it differs from the textbook formula, what it means).
    pub note: Option<String>,
}

/// The lines of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// `w` or `b`.
    pub param: &'static str,
    /// The update's lines, in the optimizer's order; the last one is the new parameter.
    pub lines: Vec<Line>,
}

/// One update explained: the loss and gradient at the row, then each parameter's update.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    /// The row the update leaves (k; the update makes row k + 1).
    pub step: u64,
    /// `Step 3 → 4 · Adam · lr 0.01, β₁ 0.9, β₂ 0.999, ε 1e-08`.
    pub title: String,
    /// The loss and the gradient the update uses, expanded over the samples when there are few.
    pub gradient: Vec<Line>,
    /// One block per parameter (w, then b with a bias).
    pub blocks: Vec<Block>,
    /// The parameters after the update, as the engine computed them.
    pub result: Params<f64>,
    /// Whether the run is in f32 (numbers print in float32's shortest digits).
    pub f32: bool,
}

impl Ledger {
    /// The value of `n` in the run's precision, as the ledger prints it.
    pub fn num(&self, n: f64) -> String {
        repr_in(n, self.f32)
    }

    /// The ledger as plain text, one line each (`descent trace --format ledger`).
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        let section = |out: &mut String, lines: &[Line]| {
            for l in lines {
                out.push_str("  ");
                out.push_str(&self.line_text(l));
                out.push('\n');
            }
        };
        section(&mut out, &self.gradient);
        for b in &self.blocks {
            out.push_str(&format!(" {}:\n", b.param));
            section(&mut out, &b.lines);
        }
        out
    }

    /// The sign between a line's rule, its numbers and its value: `=`, or `≈` when they are rounded.
    pub fn sign(l: &Line) -> &'static str {
        if l.exact || l.plugged.is_empty() { "=" } else { "≈" }
    }

    /// A line's value as it prints: its shortest repr, or rounded to 7 digits on a line of rounded numbers.
    pub fn value_text(&self, l: &Line) -> String {
        if Ledger::sign(l) == "=" { self.num(l.value) } else { crate::format::rounded_repr(l.value, 7, self.f32) }
    }

    /// One line as text: `m ← β₁·m + (1 − β₁)·g = 0.9·0 + 0.09999999999999998·(-45) = -4.5   (note)`.
    pub fn line_text(&self, l: &Line) -> String {
        let arrow = if l.assigns { "←" } else { "=" };
        let sign = Ledger::sign(l);
        let mut s = format!("{} {arrow} {}", l.lhs, l.rule);
        if !l.plugged.is_empty() {
            s.push_str(&format!(" {sign} {}", l.plugged));
        }
        s.push_str(&format!(" {sign} {}", self.value_text(l)));
        if let Some(note) = &l.note {
            s.push_str(&format!("   ({note})"));
        }
        s
    }
}

/// Explains the update leaving `row` of a run on `data` under `settings` (the settings that update used).
///
/// # Errors
/// Settings the optimizer rejects (never the case for a row the run recorded under them).
pub fn explain(data: &Dataset, settings: &Settings, row: &Row) -> Result<Ledger, ConfigError> {
    // Under a schedule, the update used the row's scheduled lr (and momentum or β₁), not the configured one.
    let scheduled;
    let searched = settings.optimizer.line_search == LineSearch::Armijo;
    let configured = settings;
    let settings = if !settings.schedule.is_active() && !searched {
        settings
    } else {
        scheduled = Settings { optimizer: row.scheduled.apply_to(&settings.optimizer), ..settings.clone() };
        &scheduled
    };
    let f32 = settings.precision == Precision::F32;
    let (notes, result) = match settings.precision {
        Precision::F32 => rerun::<f32>(data, settings, row)?,
        Precision::F64 => rerun::<f64>(data, settings, row)?,
    };
    let fmt = Fmt { f32, exact: true };
    let mut blocks = Vec::new();
    for (i, param) in ["w", "b"].into_iter().enumerate().take(settings.n_params()) {
        let ctx =
            ParamCtx { i, name: param, theta: row.params.get(i), grad: row.update_grad.get(i), state: &row.state };
        let mut lines = optimizer_lines(&fmt, &settings.optimizer, &ctx, &notes);
        if settings.objective.is_some()
            && let Some(first) = lines.first_mut()
        {
            // An objective's gradient is of f, and with noise the update's g is the noisy one.
            let noisy = if row.update_grad != row.grad { " + noise" } else { "" };
            first.rule = first.rule.replace("∂L/", "∂f/") + noisy;
            for l in lines.iter_mut().skip(1) {
                l.rule = l.rule.replace("∂²L", "∂²f");
            }
        }
        blocks.push(Block { param, lines });
    }
    Ok(Ledger {
        step: row.step,
        title: title(settings, configured.optimizer.lr, row.step),
        gradient: [gradient_lines(&fmt, data, settings, row), extra_lines(&fmt, data, configured, row)].concat(),
        blocks,
        result,
        f32,
    })
}

/// Re-runs the optimizer's step from the row, in precision `F`.
fn rerun<F: Real>(data: &Dataset, settings: &Settings, row: &Row) -> Result<(Notes, Params<f64>), ConfigError> {
    let mut optimizer = Optimizer::<F>::restore(&settings.optimizer, &row.state)?;
    let mut notes = Notes::default();
    let p = Params::<F>::from_f64(row.params);
    if settings.optimizer.kind == OptimizerKind::Newton {
        // The trainer's own Hessian: the same function at the same point, rounded the same way.
        let (h, _) = Problem::<F>::new(data, settings).hessian(p);
        optimizer.set_hessian(h.map(|r| r.map(F::from_f64)));
    }
    let g = Grad::<F>::from_f64(row.update_grad);
    let out = if settings.bias {
        let mut a = [p.w, p.b];
        optimizer.step_observed(&mut a, &[g.w, g.b], &mut notes);
        Params { w: a[0], b: a[1] }
    } else {
        let mut a = [p.w];
        optimizer.step_observed(&mut a, &[g.w], &mut notes);
        Params { w: a[0], b: F::ZERO }
    };
    Ok((notes, out.to_f64()))
}

/// The ledger's title; `lr` is the configured one (a line search's first t).
fn title(s: &Settings, lr: f64, step: u64) -> String {
    let o = &s.optimizer;
    let n = |v: f64| crate::format::compact(v);
    let mut parts = vec![format!("lr {}", n(o.lr))];
    if s.schedule.is_active() {
        parts[0].push_str(&format!(" ({} schedule)", s.schedule.label()));
    }
    let wd = o.weight_decay();
    match o.kind {
        OptimizerKind::Sgd if o.momentum != 0.0 => {
            parts.push(format!("μ {}", n(o.momentum)));
            if o.dampening != 0.0 {
                parts.push(format!("τ {}", n(o.dampening)));
            }
            if o.nesterov {
                parts.push("Nesterov".into());
            }
        }
        OptimizerKind::Gd | OptimizerKind::Sgd if o.line_search == LineSearch::Armijo => {
            parts[0] = format!("t {} (Armijo from lr {}, c {}, ρ {})", n(o.lr), n(lr), n(o.armijo_c), n(o.backtrack));
        }
        OptimizerKind::Gd | OptimizerKind::Sgd | OptimizerKind::Newton => {}
        OptimizerKind::Adagrad => parts.extend([format!("η {}", n(o.lr_decay)), format!("ε {}", n(o.eps()))]),
        OptimizerKind::Rmsprop => {
            parts.extend([format!("α {}", n(o.alpha)), format!("ε {}", n(o.eps()))]);
            if o.momentum != 0.0 {
                parts.push(format!("μ {}", n(o.momentum)));
            }
            if o.centered {
                parts.push("centered".into());
            }
        }
        OptimizerKind::Adam | OptimizerKind::Adamw => {
            parts.extend([format!("β₁ {}", n(o.beta1)), format!("β₂ {}", n(o.beta2)), format!("ε {}", n(o.eps()))]);
            if o.amsgrad {
                parts.push("AMSGrad".into());
            }
        }
    }
    if wd != 0.0 {
        parts.push(format!("λ {}", n(wd)));
    }
    format!("Step {step} → {} · {} · {}", step + 1, o.kind.label(), parts.join(", "))
}

/// Number formatting in the run's precision; negative numbers in parentheses inside a formula. Exact lines print
/// every operand as its shortest round-trip repr (the value the engine used); rounded lines to 7 digits.
#[derive(Clone, Copy)]
struct Fmt {
    f32: bool,
    exact: bool,
}

impl Fmt {
    /// The same precision, rounded to 7 digits (for a line marked [`approx`]).
    fn rounded(self) -> Fmt {
        Fmt { exact: false, ..self }
    }

    /// `v` without parentheses (a coefficient or a positive value).
    fn n(&self, v: f64) -> String {
        if self.exact { repr_in(v, self.f32) } else { crate::format::rounded_repr(v, 7, self.f32) }
    }

    /// `v` as an operand: `(-45)` for negatives, so `0.01·(-45)` reads right.
    fn o(&self, v: f64) -> String {
        let s = self.n(v);
        if s.starts_with('-') { format!("({s})") } else { s }
    }

    /// The note of a line whose last multiply and add torch fuses in f32 (one rounding); `None` in f64.
    fn fused(&self) -> Option<&'static str> {
        self.f32.then_some(FUSED)
    }
}

/// The note on an f32 line computed by torch's fused multiply-add: the hand computation rounds the last product
/// and the sum once.
pub const FUSED: &str = "f32: torch fuses the last multiply and the add, one rounding";

/// Marks a line as computed otherwise than its rule by hand: rounded numbers, "≈".
fn approx(mut l: Line) -> Line {
    l.exact = false;
    l
}

/// Adds `note` to a line's note.
fn add_note(mut l: Line, note: Option<&str>) -> Line {
    if let Some(n) = note {
        l.note = Some(match l.note.take() {
            Some(old) => format!("{old}; {n}"),
            None => n.to_string(),
        });
    }
    l
}

fn line(lhs: &str, assigns: bool, rule: &str, plugged: String, value: f64) -> Line {
    Line { lhs: lhs.into(), assigns, rule: rule.into(), plugged, value, note: None, exact: true }
}

fn with_note(mut l: Line, note: impl Into<String>) -> Line {
    l.note = Some(note.into());
    l
}

/// An objective's value and gradient at the row (no samples to expand), and the noisy gradient the update uses.
fn objective_lines(f: &Fmt, o: &crate::engine::objective::Objective, s: &Settings, row: &Row) -> Vec<Line> {
    let mut lines = vec![line("f", false, o.formula(), String::new(), row.loss)];
    for (i, name) in ["w", "b"].into_iter().enumerate() {
        let rule = match s.gradient {
            GradientSource::Numeric => format!("(f({name}+h) − f({name}−h))/2h"),
            _ => "backward through f's tape".to_string(),
        };
        lines.push(line(&format!("∂f/∂{name}"), false, &rule, String::new(), row.grad.get(i)));
    }
    if row.update_grad != row.grad {
        let g = row.update_grad;
        let f = f.rounded();
        let plugged = format!("({}, {}) + σ·N(0, 1)", f.n(row.grad.w), f.n(row.grad.b));
        let note =
            format!("noise of σ = {} from seed {}: the update uses ({}, {})", f.n(s.noise), s.seed, f.n(g.w), f.n(g.b));
        lines.push(approx(with_note(line("g", false, "∇f + noise", plugged, g.w), note)));
    }
    lines
}

/// The loss at the row and the gradient the update uses.
fn gradient_lines(f: &Fmt, data: &Dataset, s: &Settings, row: &Row) -> Vec<Line> {
    if let Some(o) = &s.objective {
        return objective_lines(f, o, s, row);
    }
    let n = data.len();
    let expand = n <= EXPAND_MAX_SAMPLES;
    let p = row.params;
    let loss = Loss::<f64>::new(s.loss, s.huber_delta);
    // Per-sample terms only when they are written out: the ledger stays O(1) on large data.
    // A standardized run's rows are in the scaled space: its terms use the scaled inputs.
    let scaling = if s.standardize { Scaling::of(data.x.as_slice().unwrap_or(&[]), s.bias) } else { None };
    let (x, y): (Vec<f64>, Vec<f64>) = if expand {
        (data.x.iter().map(|&v| scaling.map_or(v, |c| c.apply(v))).collect(), data.y.iter().copied().collect())
    } else {
        Default::default()
    };
    let errors: Vec<f64> = x.iter().zip(&y).map(|(&xi, &yi)| p.predict(xi, s.bias) - yi).collect();
    let (loss_rule, d_rule) = match s.loss {
        LossKind::Mse => ("mean((ŷ − y)²)", "2(ŷ − y)"),
        LossKind::Mae => ("mean(|ŷ − y|)", "sign(ŷ − y)"),
        LossKind::Huber => ("mean(huber_δ(ŷ − y))", "clamp(ŷ − y, −δ, δ)"),
    };
    let summed = s.gradient == GradientSource::NotebookSum;
    let terms = |each: &dyn Fn(usize) -> String, mean: bool| -> String {
        if !expand {
            format!("{} over {n} samples", if mean { "mean" } else { "sum" })
        } else if mean {
            format!("({})/{n}", (0..n).map(each).collect::<Vec<_>>().join(" + "))
        } else {
            (0..n).map(each).collect::<Vec<_>>().join(" + ")
        }
    };
    let losses: Vec<f64> = errors.iter().map(|&e| loss.value(e)).collect();
    let exact = !expand || sum_in(f.f32, losses.iter().map(|&t| (t, 1.0)), true, n) == row.loss;
    let lf = if exact { *f } else { f.rounded() };
    let l = line("L", false, loss_rule, terms(&|i| lf.n(losses[i]), true), row.loss);
    let mut lines = vec![if exact { l } else { approx(l) }];
    for (i, name) in ["w", "b"].into_iter().enumerate().take(s.n_params()) {
        let factor = |k: usize| if i == 0 { x[k] } else { 1.0 };
        let pairs = || (0..errors.len()).map(|k| (loss.derivative(errors[k]), factor(k)));
        let exact = !expand || sum_in(f.f32, pairs(), !summed, n) == row.grad.get(i);
        let df = if exact { *f } else { f.rounded() };
        let input = |k: usize| if i == 0 { format!("·{}", df.o(x[k])) } else { String::new() };
        let d = |k: usize| format!("{}{}", df.o(loss.derivative(errors[k])), input(k));
        let rule = format!("mean({d_rule}{})", if i == 0 { "·x" } else { "" });
        let mut l = line(&format!("∂L/∂{name}"), false, &rule, terms(&d, !summed), row.grad.get(i));
        l = source_note(l, s.gradient, n);
        lines.push(if exact { l } else { approx(l) });
    }
    if row.update_grad != row.grad {
        let g = row.update_grad;
        let f = f.rounded();
        let plugged = if s.bias { format!("({}, {})", f.n(g.w), f.n(g.b)) } else { f.n(g.w) };
        let batch = s.batch_size.unwrap_or(n);
        lines.push(approx(with_note(
            line("g", false, "mini-batch gradient", plugged, g.w),
            format!("the update uses {batch} of the {n} samples: a noisy estimate of the full gradient"),
        )));
    }
    lines
}

/// Σ aᵢ·bᵢ, divided by `n` when `mean`, computed as a hand computation would in the run's precision: each operand
/// rounded to it, each product and partial sum rounded, left to right.
fn sum_in(f32: bool, terms: impl Iterator<Item = (f64, f64)>, mean: bool, n: usize) -> f64 {
    if f32 {
        let total = terms.fold(0.0f32, |acc, (a, b)| acc + (a as f32) * (b as f32));
        f64::from(if mean { total / n as f32 } else { total })
    } else {
        let total = terms.fold(0.0f64, |acc, (a, b)| acc + a * b);
        if mean { total / n as f64 } else { total }
    }
}

fn source_note(l: Line, source: GradientSource, n: usize) -> Line {
    match source {
        GradientSource::Analytic => l,
        GradientSource::Autodiff => with_note(l, "by autodiff: backward through the loss's tape"),
        GradientSource::Numeric => with_note(l, "by central differences (L(θ+h) − L(θ−h))/2h"),
        GradientSource::NotebookSum => with_note(
            Line { rule: l.rule.replacen("mean", "Σ", 1), ..l },
            format!("the notebook's np.dot(...).mean() is a sum: {n} × the mean"),
        ),
    }
}

/// What one parameter's block needs from the row.
struct ParamCtx<'a> {
    i: usize,
    name: &'static str,
    theta: f64,
    grad: f64,
    state: &'a OptimState,
}

impl ParamCtx<'_> {
    fn old(&self, key: &str) -> f64 {
        self.state.get(self.i, key).unwrap_or(0.0)
    }
}

fn optimizer_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, notes: &Notes) -> Vec<Line> {
    let note = |t: Term| notes.get(c.i, t).unwrap_or(f64::NAN);
    let mut lines = Vec::new();
    let wd = o.weight_decay();
    let g = note(Term::Grad);
    if wd != 0.0 && o.kind != OptimizerKind::Adamw {
        let plugged = format!("{} + {}·{}", f.o(c.grad), f.n(wd), f.o(c.theta));
        let l = with_note(line("g", true, "g + λ·θ", plugged, g), "weight decay adds λ·θ to the gradient");
        lines.push(add_note(l, f.fused()));
    } else {
        lines.push(line("g", false, &format!("∂L/∂{}", c.name), String::new(), g));
    }
    match o.kind {
        OptimizerKind::Gd | OptimizerKind::Sgd => sgd_lines(f, o, c, &note, &mut lines),
        OptimizerKind::Adagrad => adagrad_lines(f, o, c, &note, &mut lines),
        OptimizerKind::Rmsprop => rmsprop_lines(f, o, c, &note, &mut lines),
        OptimizerKind::Adam | OptimizerKind::Adamw => adam_lines(f, o, c, &note, &mut lines),
        OptimizerKind::Newton => newton_lines(f, o, c, &note, &mut lines),
    }
    lines
}

/// Newton's lines: the Hessian's entries, H⁻¹g by Cramer's rule, the update.
fn newton_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, note: &dyn Fn(Term) -> f64, out: &mut Vec<Line>) {
    let (h, g) = (note(Term::Hessian), note(Term::Grad));
    let d = note(Term::Direction);
    out.push(line(&format!("H_{0}{0}", c.name), false, &format!("∂²L/∂{}²", c.name), String::new(), h));
    match notes_has(note, Term::Det) {
        None => {
            let plugged = format!("{}/{}", f.o(g), f.o(h));
            out.push(with_note(line("d", false, "g/H", plugged, d), "H⁻¹g: the step to the model's minimum"));
        }
        Some(det) => {
            let cross = note(Term::HessianCross);
            out.push(line("H_wb", false, "∂²L/∂w∂b", String::new(), cross));
            out.push(line("det", false, "H_ww·H_bb − H_wb²", String::new(), det));
            let (rule, note_text) = if c.i == 0 {
                ("(H_bb·g_w − H_wb·g_b)/det", "(H⁻¹g)_w by Cramer's rule")
            } else {
                ("(H_ww·g_b − H_wb·g_w)/det", "(H⁻¹g)_b by Cramer's rule")
            };
            out.push(with_note(line("d", false, rule, String::new(), d), note_text));
        }
    }
    let update = note(Term::Update);
    out.push(line("u", false, "lr·d", format!("{}·{}", f.n(o.lr), f.o(d)), update));
    let plugged = format!("{} − {}", f.o(c.theta), f.o(update));
    out.push(update_line(c, "u", plugged, note(Term::Param)));
}

fn notes_has(note: &dyn Fn(Term) -> f64, t: Term) -> Option<f64> {
    let v = note(t);
    (!v.is_nan()).then_some(v)
}

/// Lines after the gradient: Newton's Hessian method, or the line search's trials with their Armijo tests.
fn extra_lines(f: &Fmt, data: &Dataset, s: &Settings, row: &Row) -> Vec<Line> {
    let o = &s.optimizer;
    if o.kind == OptimizerKind::Newton {
        let (h, method) = Problem::<f64>::new(data, s).hessian(row.params);
        let mut note = match method {
            HessianMethod::ClosedForm if s.objective.is_some() => "H is f's exact Hessian, in closed form".to_string(),
            HessianMethod::ClosedForm => "H is the exact Hessian of the mean loss, in closed form".to_string(),
            HessianMethod::Autodiff => "H is f's exact Hessian, by autodiff of the autodiff gradient".to_string(),
        };
        let (plugged, min) = if s.bias {
            let m = format!("H = [[{}, {}], [{}, {}]]", f.n(h[0][0]), f.n(h[0][1]), f.n(h[1][0]), f.n(h[1][1]));
            (m, signed_eigenvalues(h)[1])
        } else {
            (format!("H = {}", f.n(h[0][0])), h[0][0])
        };
        if min <= 0.0 {
            note.push_str(
                "; not positive definite: Newton heads for the model's stationary point, a saddle or a maximum",
            );
        }
        return vec![with_note(
            line(
                "λmin",
                false,
                if s.objective.is_some() { "smallest eigenvalue of ∇²f" } else { "smallest eigenvalue of ∇²L" },
                plugged,
                min,
            ),
            note,
        )];
    }
    if o.line_search != LineSearch::Armijo {
        return Vec::new();
    }
    let search = match s.precision {
        Precision::F32 => search_at::<f32>(data, s, row),
        Precision::F64 => search_at::<f64>(data, s, row),
    };
    let mut lines = vec![line("‖g‖²", false, "g·g", String::new(), search.grad_sq)];
    let last = search.trials.len();
    for (k, t) in search.trials.iter().enumerate() {
        let verdict = match (t.passes, k + 1 == last) {
            (true, _) => "≤ the bound: accepted",
            (false, true) => "> the bound, but after 60 shrinks: taken",
            (false, false) => "> the bound: shrink",
        };
        let test = format!(
            "L(p − t·g) = {} {verdict}; bound L(p) − c·t·‖g‖² = {} − {}·{}·{} = {}",
            f.n(t.loss),
            f.n(search.loss),
            f.n(o.armijo_c),
            f.n(t.t),
            f.n(search.grad_sq),
            f.n(t.bound)
        );
        let rule = if k == 0 { "lr" } else { "ρ·t" };
        lines.push(with_note(line(&format!("t{}", subscript(k + 1)), true, rule, String::new(), t.t), test));
    }
    lines
}

/// `n` in subscript digits (t₁, t₁₂).
fn subscript(n: usize) -> String {
    n.to_string().chars().map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)).collect()
}

/// The row's line search, run as the trainer ran it (the configured lr, or a schedule's, is the first t).
fn search_at<F: Real>(data: &Dataset, s: &Settings, row: &Row) -> Search {
    let problem = Problem::<F>::new(data, s);
    let cfg = OptimizerConfig { lr: s.optimizer.lr, ..s.optimizer.clone() };
    armijo(|q| problem.loss(q), Params::from_f64(row.params), Grad::from_f64(row.update_grad), s.bias, &cfg)
}

/// The last line of a block: `w ← w − rule = plugged = new w`.
fn update_line(c: &ParamCtx<'_>, rule: &str, plugged: String, new: f64) -> Line {
    line(c.name, true, &format!("{} − {rule}", c.name), plugged, new)
}

fn sgd_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, note: &dyn Fn(Term) -> f64, out: &mut Vec<Line>) {
    let g = note(Term::Grad);
    let mut used = ("g", g);
    if o.momentum != 0.0 {
        let buf = note(Term::MomentumBuffer);
        out.push(match c.state.get(c.i, "momentum_buffer") {
            None => with_note(line("buf", true, "g", String::new(), buf), "first step: torch copies g, no dampening"),
            Some(old) => {
                let plugged = format!("{}·{} + {}·{}", f.n(o.momentum), f.o(old), f.n(1.0 - o.dampening), f.o(g));
                add_note(line("buf", true, "μ·buf + (1 − τ)·g", plugged, buf), f.fused())
            }
        });
        used = ("buf", buf);
        if o.nesterov {
            let look = note(Term::Nesterov);
            let plugged = format!("{} + {}·{}", f.o(g), f.n(o.momentum), f.o(buf));
            let l = with_note(line("g", true, "g + μ·buf", plugged, look), "Nesterov: look ahead along the buffer");
            out.push(add_note(l, f.fused()));
            used = ("g", look);
        }
    }
    let plugged = format!("{} − {}·{}", f.o(c.theta), f.n(o.lr), f.o(used.1));
    // gd rounds the product and the difference (the notebook's two lines); torch's SGD fuses them in f32.
    let fused = if o.kind == OptimizerKind::Gd { None } else { f.fused() };
    out.push(add_note(update_line(c, &format!("lr·{}", used.0), plugged, note(Term::Param)), fused));
}

fn adagrad_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, note: &dyn Fn(Term) -> f64, out: &mut Vec<Line>) {
    let (g, clr) = (note(Term::Grad), note(Term::Clr));
    let t = c.state.step.unwrap_or(0) + 1;
    if o.lr_decay != 0.0 {
        // Computed in f64 and rounded once to the run's precision: by hand only in f64.
        let cf = if f.f32 { f.rounded() } else { *f };
        let plugged = format!("{}/(1 + {}·{})", cf.n(o.lr), t - 1, cf.n(o.lr_decay));
        let l = line("clr", false, "lr/(1 + (t − 1)·η)", plugged, clr);
        out.push(if f.f32 { approx(l) } else { l });
    } else {
        out.push(with_note(line("clr", false, "lr", String::new(), clr), "no lr decay (η = 0)"));
    }
    let sum = note(Term::Sum);
    let l = line("sum", true, "sum + g²", format!("{} + {}·{}", f.o(c.old("sum")), f.o(g), f.o(g)), sum);
    out.push(add_note(l, f.fused()));
    let denom = note(Term::Denom);
    out.push(line("denom", false, "√sum + ε", format!("√{} + {}", f.n(sum), f.n(o.eps())), denom));
    let plugged = format!("{} − {}·{}/{}", f.o(c.theta), f.n(clr), f.o(g), f.n(denom));
    out.push(update_line(c, "clr·g/denom", plugged, note(Term::Param)));
}

fn rmsprop_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, note: &dyn Fn(Term) -> f64, out: &mut Vec<Line>) {
    let g = note(Term::Grad);
    let (a, oma) = (f.n(o.alpha), f.n(1.0 - o.alpha));
    let v = note(Term::SquareAvg);
    let plugged = format!("{a}·{} + {oma}·{}·{}", f.o(c.old("square_avg")), f.o(g), f.o(g));
    out.push(add_note(line("square_avg", true, "α·square_avg + (1 − α)·g²", plugged, v), f.fused()));
    let denom = note(Term::Denom);
    if o.centered {
        let ga = note(Term::GradAvg);
        out.push(lerp_line(f, ("grad_avg", "α·grad_avg + (1 − α)·g"), (o.alpha, c.old("grad_avg"), g), ga));
        // torch's addcmul inside the square root: fused in f32, so by hand only in f64.
        let df = if f.f32 { f.rounded() } else { *f };
        let plugged = format!("√({} − {}·{}) + {}", df.n(v), df.o(ga), df.o(ga), df.n(o.eps()));
        let l = line("denom", false, "√(square_avg − grad_avg²) + ε", plugged, denom);
        out.push(if f.f32 { approx(l) } else { l });
    } else {
        out.push(line("denom", false, "√square_avg + ε", format!("√{} + {}", f.n(v), f.n(o.eps())), denom));
    }
    let (theta, lr, new) = (f.o(c.theta), f.n(o.lr), note(Term::Param));
    if o.momentum > 0.0 {
        let buf = note(Term::MomentumBuffer);
        let plugged = format!("{}·{} + {}/{}", f.n(o.momentum), f.o(c.old("momentum_buffer")), f.o(g), f.n(denom));
        out.push(line("buf", true, "μ·buf + g/denom", plugged, buf));
        out.push(add_note(update_line(c, "lr·buf", format!("{theta} − {lr}·{}", f.o(buf)), new), f.fused()));
    } else {
        out.push(update_line(c, "lr·g/denom", format!("{theta} − {lr}·{}/{}", f.o(g), f.n(denom)), new));
    }
}

fn adam_lines(f: &Fmt, o: &OptimizerConfig, c: &ParamCtx<'_>, note: &dyn Fn(Term) -> f64, out: &mut Vec<Line>) {
    let g = note(Term::Grad);
    let t = c.state.step.unwrap_or(0) + 1;
    let mut theta = c.theta;
    if o.kind == OptimizerKind::Adamw && o.weight_decay() != 0.0 {
        let d = note(Term::Decayed);
        // 1 − lr·λ is computed in f64 and rounded once: by hand only in f64.
        let df = if f.f32 { f.rounded() } else { *f };
        let plugged = format!("{}·(1 − {}·{})", df.o(theta), df.n(o.lr), df.n(o.weight_decay()));
        let rule = format!("{}·(1 − lr·λ)", c.name);
        let l = with_note(line(c.name, true, &rule, plugged, d), "AdamW decays the weight itself, not g");
        out.push(if f.f32 { approx(l) } else { l });
        theta = d;
    }
    let (m, v) = (note(Term::ExpAvg), note(Term::ExpAvgSq));
    out.push(lerp_line(f, ("m", "β₁·m + (1 − β₁)·g"), (o.beta1, c.old("exp_avg"), g), m));
    let plugged =
        format!("{}·{} + {}·{}·{}", f.n(o.beta2), f.o(c.old("exp_avg_sq")), f.n(1.0 - o.beta2), f.o(g), f.o(g));
    out.push(add_note(line("v", true, "β₂·v + (1 − β₂)·g²", plugged, v), f.fused()));
    let mut v_used = v;
    if o.amsgrad {
        v_used = note(Term::MaxExpAvgSq);
        let plugged = format!("max({}, {})", f.o(c.old("max_exp_avg_sq")), f.o(v));
        out.push(line("v_max", true, "max(v_max, v)", plugged, v_used));
    }
    let bc1 = 1.0 - o.beta1.powf(t as f64);
    let bc2 = 1.0 - o.beta2.powf(t as f64);
    // The bias corrections are powers computed in f64, and m̂, v̂ are for reading: rounded, "≈".
    let r = f.rounded();
    out.push(approx(line("bc1", false, "1 − β₁^t", format!("1 − {}^{t}", r.n(o.beta1)), bc1)));
    out.push(approx(line("bc2", false, "1 − β₂^t", format!("1 − {}^{t}", r.n(o.beta2)), bc2)));
    let hat = "for reading: torch folds bc₁ into step_size and √bc₂ into denom";
    out.push(approx(with_note(line("m_hat", false, "m/bc₁", format!("{}/{}", r.o(m), r.n(bc1)), m / bc1), hat)));
    out.push(approx(line("v_hat", false, "v/bc₂", format!("{}/{}", r.n(v_used), r.n(bc2)), v_used / bc2)));
    let step_size = note(Term::StepSize);
    let l = line("step_size", false, "lr/bc₁", format!("{}/{}", r.n(o.lr), r.n(bc1)), step_size);
    out.push(approx(l));
    let (denom, root) = (note(Term::Denom), note(Term::Bc2Sqrt));
    let plugged = format!("√{}/{} + {}", f.n(v_used), f.n(root), f.n(o.eps()));
    out.push(line("denom", false, "√v/√bc₂ + ε", plugged, denom));
    let plugged = format!("{} − {}·{}/{}", f.o(theta), f.n(step_size), f.o(m), f.n(denom));
    let mut l = update_line(c, "step_size·m/denom", plugged, note(Term::Param));
    l.note = Some(format!(
        "the update ≈ lr·m_hat/√v_hat = {}: about lr, whatever the size of g",
        r.n(o.lr * (m / bc1) / ((v_used / bc2).sqrt()))
    ));
    out.push(l);
}

/// A running average as torch updates it: `β·old + (1 − β)·g` in f64; in f32 torch's `lerp`,
/// `old + (1 − β)·(g − old)` with the last multiply and the add fused (the other branch, 1 − β ≥ ½, rounded, "≈").
fn lerp_line(f: &Fmt, (lhs, rule): (&str, &str), (beta, old, g): (f64, f64, f64), value: f64) -> Line {
    let w = 1.0 - beta;
    if !f.f32 {
        return line(lhs, true, rule, format!("{}·{} + {}·{}", f.n(beta), f.o(old), f.n(w), f.o(g)), value);
    }
    if (w as f32).abs() < 0.5 {
        let plugged = format!("{} + {}·({} − {})", f.o(old), f.n(w), f.o(g), f.o(old));
        return add_note(
            line(lhs, true, rule, plugged, value),
            Some("f32: torch's lerp, old + (1 − β)·(g − old), fused"),
        );
    }
    let r = f.rounded();
    approx(line(lhs, true, rule, format!("{}·{} + {}·{}", r.n(beta), r.o(old), r.n(w), r.o(g)), value))
}
