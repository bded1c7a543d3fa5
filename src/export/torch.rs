//! A run as a self-contained PyTorch script (`descent trace --format torch`, the app's Export → "PyTorch script"):
//! torch and the standard library only, it runs the same settings with torch's own autograd, optimizers and
//! schedulers and prints the same CSV as `descent trace --format csv` (`step,w,b,loss,grad_w,grad_b,lr`, floats as
//! Python's repr without a trailing `.0`, in float32's shortest digits for an f32 run).
//!
//! What the script holds, each line with a comment naming the descent setting it comes from:
//! - the data, inlined up to [`INLINE_ROWS_MAX`] rows; beyond, it reads the same CSV path (or rebuilds the `large`
//!   preset with the preset's own arithmetic), and says so; an objective is translated into torch functions;
//! - the model ŷ = w·x (+ b) and the loss through `torch.nn.functional` (`mse_loss`, `l1_loss`, `huber_loss`, mean
//!   reduction);
//! - the gradient source: `loss.backward()` (autodiff, analytic), the notebook's own line (notebook-sum), or the
//!   central differences written out (numeric);
//! - the optimizer, `torch.optim.X(params, foreach=False, …)` with every hyperparameter; `gd` is the notebook's
//!   `with torch.no_grad(): w -= lr * w.grad`, Newton takes `torch.autograd.functional.hessian` and solves, the
//!   Armijo line search is written out;
//! - the schedule as `torch.optim.lr_scheduler` classes (a warm-up through `SequentialLR`);
//! - descent's mini-batches and gradient noise as inline lists (torch's generator is not descent's);
//! - the dtype, the tolerance, and the trainer's rules for divergence and convergence
//!   ([`crate::engine::trainer`]), in the trainer's order, so the script stops where the trace stops.
//!
//! How close the rows come: torch sums, fuses and differentiates in its own order, so an f64 script matches the
//! trace to about 1e-10 of max(1, |x|) and an f32 one to about 1e-5 (tests/torch_script.rs checks every optimizer,
//! variant, schedule, loss and objective it generates).

use std::fmt::Write as _;
use std::path::Path;

use super::{ExportError, ExportReport, write_file};
use crate::engine::batch::Batcher;
use crate::engine::gaussian::Gaussian;
use crate::engine::objective::expr::{BinOp, Expr};
use crate::engine::optim::{LineSearch, OptimizerConfig, OptimizerKind};
use crate::engine::schedule::{AnnealStrategy, ScheduleConfig, ScheduleKind, ThresholdMode};
use crate::engine::trainer::{DIVERGENCE_FACTOR, OBJECTIVE_FLOOR, STALL_STEPS};
use crate::engine::{Dataset, GradientSource, LossKind, Precision, Settings};
use crate::format::python_repr as lit;

/// The most samples a script holds inline; a larger dataset is read from its CSV path.
pub const INLINE_ROWS_MAX: usize = 10_000;

/// One run to write as a script: its data (and where it came from), settings, length and tolerance.
#[derive(Clone, Copy, Debug)]
pub struct TorchRun<'a> {
    /// The samples (unused by an objective).
    pub data: &'a Dataset,
    /// `--data` as given: a preset's name or a CSV path (the script reads that path beyond [`INLINE_ROWS_MAX`]
    /// rows).
    pub data_spec: &'a str,
    /// The run's settings.
    pub settings: &'a Settings,
    /// `--steps`: the most updates.
    pub steps: u64,
    /// `--tol`: stop once ‖gradient‖ ≤ this.
    pub tol: Option<f64>,
}

/// The script's text.
pub fn torch_script(run: &TorchRun<'_>) -> String {
    let mut py = Script::default();
    header(&mut py, run);
    data(&mut py, run);
    parameters(&mut py, run.settings);
    loss(&mut py, run);
    gradient(&mut py, run.settings);
    optimizer(&mut py, run.settings);
    schedule(&mut py, run.settings);
    update_gradient(&mut py, run);
    line_search(&mut py, run.settings);
    newton(&mut py, run.settings);
    printing(&mut py, run.settings);
    main_loop(&mut py, run.settings);
    py.0
}

/// Writes the script of `run` to `path` atomically.
///
/// # Errors
/// [`ExportError::File`] naming `path`.
pub fn export_torch_file(path: &Path, run: &TorchRun<'_>) -> Result<ExportReport, ExportError> {
    write_file(path, torch_script(run).as_bytes())
}

/// The text being written, line by line.
#[derive(Default)]
struct Script(String);

impl Script {
    fn line(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }

    /// Several lines (a raw block; its own newlines kept).
    fn block(&mut self, text: &str) {
        self.0.push_str(text);
        if !text.ends_with('\n') {
            self.0.push('\n');
        }
    }
}

fn py_bool(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

fn is_f32(s: &Settings) -> bool {
    s.precision == Precision::F32
}

/// The docstring, imports and the run's constants.
fn header(py: &mut Script, run: &TorchRun<'_>) {
    let s = run.settings;
    let problem = match &s.objective {
        Some(o) => o.describe(),
        None => format!("{} ({} samples), {} loss", run.data.name, run.data.len(), s.loss.label()),
    };
    py.line("#!/usr/bin/env python3");
    py.line(&format!("r\"\"\"descent's run '{}' as a PyTorch script: {}.", s.default_name(), note(&problem)));
    py.line("");
    py.line(&format!(
        "Written by descent {} (`descent trace ... --format torch`). Needs only torch and the",
        env!("CARGO_PKG_VERSION")
    ));
    py.line("standard library. Prints the same CSV as `descent trace --format csv`: step,w,b,loss,grad_w,grad_b,lr, where lr");
    py.line("is the learning rate the update leaving the row uses; floats as Python's repr without a trailing .0 (in");
    py.line("float32's shortest digits for an f32 run).");
    py.line("\"\"\"");
    py.line("import csv");
    py.line("import math");
    py.line("import struct");
    py.line("import sys");
    py.line("");
    py.line("import torch");
    py.line("import torch.nn.functional as F");
    py.line("");
    let dtype = if is_f32(s) { "torch.float32" } else { "torch.float64" };
    let tol = run.tol.map_or("None".to_string(), lit);
    py.line(&format!("DTYPE = {dtype}  # --precision {}", s.precision.label()));
    py.line(&format!("STEPS = {}  # --steps: the most updates", run.steps));
    py.line(&format!("TOL = {tol}  # --tol: stop once the gradient's norm is at most this"));
    py.line(&format!(
        "DIVERGENCE_FACTOR = {}  # diverged once the loss exceeds this times max(|initial loss|, 1)",
        lit(DIVERGENCE_FACTOR)
    ));
    py.line(&format!("OBJECTIVE_FLOOR = {}  # ... or falls below this (unbounded below)", lit(OBJECTIVE_FLOOR)));
    py.line(&format!(
        "STALL_STEPS = {STALL_STEPS}  # with --tol: converged once this many full-batch updates in a row leave w, b unchanged"
    ));
    py.line(&format!("BIAS = {}  # --bias: the model has b", py_bool(s.bias)));
    py.line("");
}

/// X and Y (inlined, read from the CSV path, or rebuilt), standardized when asked; nothing for an objective.
fn data(py: &mut Script, run: &TorchRun<'_>) {
    let s = run.settings;
    if let Some(o) = &s.objective {
        objective(py, o.expr(), &o.describe());
        return;
    }
    let n = run.data.len();
    let (x, y) = (run.data.x.to_vec(), run.data.y.to_vec());
    let spec = run.data_spec;
    if n <= INLINE_ROWS_MAX {
        py.line(&format!("# --data {}: {}, inlined", note(spec), note(&run.data.name)));
        py.line(&format!("X_DATA = {}", list(&x)));
        py.line(&format!("Y_DATA = {}", list(&y)));
    } else if spec.eq_ignore_ascii_case("large") {
        py.line(&format!(
            "# --data large: {n} samples, too many to inline: rebuilt as the preset builds them, the points"
        ));
        py.line("# x evenly spaced from 0 to 1 (NumPy's linspace arithmetic) on the line y = 3x");
        py.line(&format!("_N = {n}"));
        py.line("_STEP = (1.0 - 0.0) / (_N - 1)");
        py.line("X_DATA = [i * _STEP + 0.0 for i in range(_N)]");
        py.line("X_DATA[-1] = 1.0");
        py.line("Y_DATA = [3.0 * v for v in X_DATA]");
    } else {
        py.line(&format!(
            "# --data {}: {n} samples, too many to inline: read from the same CSV file (x,y rows, an",
            note(spec)
        ));
        py.line("# optional header row)");
        py.line(&format!("DATA_PATH = {}", py_str(spec)));
        py.block(READ_CSV);
    }
    if s.standardize {
        standardize(py, s.bias);
    }
    py.line("X = torch.tensor(X_DATA, dtype=DTYPE)");
    py.line("Y = torch.tensor(Y_DATA, dtype=DTYPE)");
    py.line("");
}

/// The mean in the order descent sums (see [`crate::engine::loss`]), for the numeric gradient and the line search.
const DESCENT_MEAN: &str = r#"def descent_mean(per_sample):
    """The mean as descent sums it (--gradient numeric, --line-search armijo): left to right below 64 samples,
    from 64 on in 8 interleaved lanes (sample i in lane i % 8) added pairwise at the end. torch's own sum takes
    another order; a central difference divides that rounding by 2h, and the line search compares losses that
    differ in their last digits."""
    n = per_sample.numel()
    if n < 64:
        total = per_sample[0]
        for v in per_sample[1:]:
            total = total + v
    else:
        rows = F.pad(per_sample, (0, -n % 8)).view(-1, 8)
        lanes = rows[0]
        for r in rows[1:]:
            lanes = lanes + r
        lanes = lanes[:4] + lanes[4:]
        lanes = lanes[:2] + lanes[2:]
        total = lanes[0] + lanes[1]
    return total / n"#;

const READ_CSV: &str = r#"X_DATA, Y_DATA = [], []
with open(DATA_PATH, newline="", encoding="utf-8-sig") as f:
    for fields in csv.reader(f):
        fields = [v.strip() for v in fields]
        if not any(fields):
            continue
        try:
            xv, yv = float(fields[0]), float(fields[1])
        except ValueError:
            if X_DATA:
                raise
            continue  # the header row
        X_DATA.append(xv)
        Y_DATA.append(yv)"#;

/// `--standardize`: x′ = (x − mean)/std with a bias, x/rms without, computed as descent does (left-to-right sums).
fn standardize(py: &mut Script, bias: bool) {
    py.line("# --standardize: the optimizer runs on x' = (x - SHIFT) / SCALE; the rows print w, b for the original x");
    py.line("_n = float(len(X_DATA))");
    if bias {
        py.line("SHIFT = 0.0");
        py.line("for v in X_DATA:");
        py.line("    SHIFT += v");
        py.line("SHIFT /= _n  # the mean");
    } else {
        py.line("SHIFT = 0.0  # without a bias nothing absorbs a shift: x' = x / rms");
    }
    py.line("_sq = 0.0");
    py.line("for v in X_DATA:");
    py.line("    _sq += (v - SHIFT) * (v - SHIFT)");
    py.line("SCALE = math.sqrt(_sq / _n)");
    py.line("X_DATA = [(v - SHIFT) / SCALE for v in X_DATA]");
}

/// User text (a file name, an expression) as it may stand in a comment or the docstring: one line, no `"`.
fn note(text: &str) -> String {
    crate::format::escape_controls(text).replace('"', "'")
}

/// A Python string literal of `text` (JSON's escapes are Python's).
fn py_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// `[v, v, …]` in Python's repr, exact f64 literals.
fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&v| lit(v)).collect();
    format!("[{}]", items.join(", "))
}

/// w and b (b a constant 0 without a bias), at the start in the run's precision.
fn parameters(py: &mut Script, s: &Settings) {
    let mut start = s.start();
    if s.standardize && s.objective.is_none() {
        // The scaled image of (w0, b0), computed below from SHIFT and SCALE.
        py.line("# --w0, --b0, mapped into the standardized space: w' = w0*SCALE, b' = b0 + w0*SHIFT");
        py.line(&format!("_W0, _B0 = {}, {}", lit(start.w), lit(start.b)));
        py.line("w = torch.tensor(_W0 * SCALE, dtype=DTYPE, requires_grad=True)");
        py.line(&format!("b = torch.tensor(_B0 + _W0 * SHIFT, dtype=DTYPE, requires_grad={})", py_bool(s.bias)));
    } else {
        if !s.bias {
            start.b = 0.0;
        }
        py.line(&format!("w = torch.tensor({}, dtype=DTYPE, requires_grad=True)  # --w0", lit(start.w)));
        match s.bias {
            true => py.line(&format!("b = torch.tensor({}, dtype=DTYPE, requires_grad=True)  # --b0", lit(start.b))),
            false => py.line("b = torch.tensor(0.0, dtype=DTYPE)  # no --bias: b stays 0"),
        }
    }
    py.line(if s.bias { "params = [w, b]" } else { "params = [w]" });
    py.line("");
}

/// `loss_at(w, b, x, y)`: the mean loss (or the objective's value) at any point.
fn loss(py: &mut Script, run: &TorchRun<'_>) {
    let s = run.settings;
    if s.objective.is_some() {
        py.line("def loss_at(w, b, x=None, y=None):");
        py.line("    \"\"\"--objective: f(w, b) (no data).\"\"\"");
        py.line("    return objective(w, b)");
        py.line("");
        return;
    }
    let model = if s.bias { "w * x + b" } else { "w * x" };
    let (call, flag) = match s.loss {
        LossKind::Mse => ("F.mse_loss(y_hat, y)".to_string(), "--loss mse: torch.nn.MSELoss"),
        LossKind::Mae => ("F.l1_loss(y_hat, y)".to_string(), "--loss mae: torch.nn.L1Loss"),
        LossKind::Huber => (
            format!("F.huber_loss(y_hat, y, delta={})", lit(s.huber_delta)),
            "--loss huber (--huber-delta): torch.nn.HuberLoss",
        ),
    };
    // The numeric gradient divides the loss's rounding by 2h, and the line search compares losses that differ in
    // their last digits: both need descent's order of summing.
    let ordered = s.gradient == GradientSource::Numeric || s.optimizer.line_search == LineSearch::Armijo;
    if ordered {
        py.block(DESCENT_MEAN);
        py.line("");
    }
    py.line("def loss_at(w, b, x=None, y=None):");
    py.line("    \"\"\"The mean loss at (w, b) over the samples x, y (all of them by default).\"\"\"");
    py.line("    x = X if x is None else x");
    py.line("    y = Y if y is None else y");
    py.line(&format!("    y_hat = {model}  # the model{}", if s.bias { ", --bias" } else { "" }));
    match ordered {
        true => {
            let call = call.replace(')', ", reduction=\"none\")");
            py.line(&format!("    return descent_mean({call})  # {flag}, the mean in descent's order"));
        }
        false => py.line(&format!("    return {call}  # {flag}, mean reduction")),
    }
    py.line("");
}

/// `gradient(x, y)`: the loss and the gradient of the chosen source at the current point.
fn gradient(py: &mut Script, s: &Settings) {
    match s.gradient {
        GradientSource::Autodiff | GradientSource::Analytic => {
            py.line("def gradient(x=None, y=None):");
            py.line(&format!("    \"\"\"--gradient {}: torch's autograd, loss.backward().\"\"\"", s.gradient.label()));
            py.line("    for p in params:");
            py.line("        p.grad = None");
            py.line("    loss = loss_at(w, b, x, y)");
            py.line("    loss.backward()");
            py.line("    return loss.detach(), [p.grad.clone() for p in params]");
        }
        GradientSource::NotebookSum => notebook_sum(py, s),
        GradientSource::Numeric => numeric(py, s),
    }
    py.line("");
}

/// The notebook's hand-written gradient: per-sample gradients summed, not averaged.
fn notebook_sum(py: &mut Script, s: &Settings) {
    let (derivative, note) = match s.loss {
        LossKind::Mse => ("2*X", "the notebook's own line"),
        LossKind::Mae => ("torch.sign(y_pred-y_true)", "its line for MAE: sgn(e)"),
        LossKind::Huber => ("torch.clamp(y_pred-y_true, -DELTA, DELTA)", "its line for Huber: clamp(e, -delta, delta)"),
    };
    if s.loss == LossKind::Huber {
        py.line(&format!("DELTA = {}  # --huber-delta", lit(s.huber_delta)));
    }
    py.line("def Gradient_function(X, y_true, y_pred):");
    py.line(&format!("    # {note}, np.dot written as torch.dot: a sum over the samples, not a mean"));
    match s.loss {
        LossKind::Mse => py.line("    return torch.dot(2*X , y_pred-y_true).mean()"),
        _ => py.line(&format!("    return torch.dot({derivative}, X).mean()")),
    }
    py.line("");
    py.line("def gradient(x=None, y=None):");
    py.line("    \"\"\"--gradient notebook-sum: the per-sample gradients summed (N times the mean loss's).\"\"\"");
    py.line("    x = X if x is None else x");
    py.line("    y = Y if y is None else y");
    py.line("    with torch.no_grad():");
    py.line(if s.bias { "        y_pred = w * x + b" } else { "        y_pred = w * x" });
    py.line("        grads = [Gradient_function(x, y, y_pred)]");
    if s.bias {
        let db = match s.loss {
            LossKind::Mse => "(2*(y_pred-y)).sum()",
            LossKind::Mae => "torch.sign(y_pred-y).sum()",
            LossKind::Huber => "torch.clamp(y_pred-y, -DELTA, DELTA).sum()",
        };
        py.line(&format!("        grads.append({db})  # d/db: the same sum without x"));
    }
    py.line("        return loss_at(w, b, x, y), grads");
}

/// Central differences, (L(p+h) − L(p−h)) / ((p+h) − (p−h)) with h = ∛ε·max(1, |p|).
fn numeric(py: &mut Script, s: &Settings) {
    let cbrt_eps = if is_f32(s) { f64::from(f32::EPSILON.cbrt()) } else { f64::EPSILON.cbrt() };
    py.line(&format!("CBRT_EPS = {}  # the cube root of DTYPE's machine epsilon", lit(cbrt_eps)));
    py.line("");
    py.line("def gradient(x=None, y=None):");
    py.line("    \"\"\"--gradient numeric: central differences, h = CBRT_EPS * max(1, |p|), divided by (p+h) - (p-h).\"\"\"");
    py.line("    with torch.no_grad():");
    py.line("        hw = CBRT_EPS * torch.clamp(w.abs(), min=1.0)");
    py.line("        grads = [(loss_at(w + hw, b, x, y) - loss_at(w - hw, b, x, y)) / ((w + hw) - (w - hw))]");
    if s.bias {
        py.line("        hb = CBRT_EPS * torch.clamp(b.abs(), min=1.0)");
        py.line("        grads.append((loss_at(w, b + hb, x, y) - loss_at(w, b - hb, x, y)) / ((b + hb) - (b - hb)))");
    }
    py.line("        return loss_at(w, b, x, y), grads");
}

/// The optimizer: `opt` (torch.optim, or an SGD that only holds a scheduled lr for gd and Newton) and `LR`.
fn optimizer(py: &mut Script, s: &Settings) {
    let o = &s.optimizer;
    py.line(&format!("LR = {}  # --lr", lit(o.lr)));
    match torch_optimizer(o) {
        Some(ctor) => py.line(&format!("opt = {ctor}")),
        None if s.schedule.is_active() => py.line(&format!(
            "opt = torch.optim.SGD(params, lr=LR, foreach=False)  # only holds the lr the scheduler sets: {}'s update is written out below",
            o.kind.label()
        )),
        None => py.line("opt = None"),
    }
    py.line("");
}

/// `torch.optim.X(params, foreach=False, …)` with every hyperparameter; `None` for gd and Newton.
fn torch_optimizer(o: &OptimizerConfig) -> Option<String> {
    let (wd, eps) = (lit(o.weight_decay()), lit(o.eps()));
    Some(match o.kind {
        OptimizerKind::Gd | OptimizerKind::Newton => return None,
        OptimizerKind::Sgd => format!(
            "torch.optim.SGD(params, lr=LR, momentum={}, dampening={}, weight_decay={wd}, nesterov={}, foreach=False)  # --optimizer sgd, --momentum, --dampening, --weight-decay, --nesterov",
            lit(o.momentum),
            lit(o.dampening),
            py_bool(o.nesterov)
        ),
        OptimizerKind::Adagrad => format!(
            "torch.optim.Adagrad(params, lr=LR, lr_decay={}, weight_decay={wd}, initial_accumulator_value={}, eps={eps}, foreach=False)  # --optimizer adagrad, --lr-decay, --weight-decay, --initial-accumulator-value, --eps",
            lit(o.lr_decay),
            lit(o.initial_accumulator_value)
        ),
        OptimizerKind::Rmsprop => format!(
            "torch.optim.RMSprop(params, lr=LR, alpha={}, eps={eps}, weight_decay={wd}, momentum={}, centered={}, foreach=False)  # --optimizer rmsprop, --alpha, --eps, --weight-decay, --momentum, --centered",
            lit(o.alpha),
            lit(o.momentum),
            py_bool(o.centered)
        ),
        OptimizerKind::Adam | OptimizerKind::Adamw => format!(
            "torch.optim.{}(params, lr=LR, betas=({}, {}), eps={eps}, weight_decay={wd}, amsgrad={}, foreach=False)  # --optimizer {}, --beta1, --beta2, --eps, --weight-decay, --amsgrad",
            if o.kind == OptimizerKind::Adam { "Adam" } else { "AdamW" },
            lit(o.beta1),
            lit(o.beta2),
            py_bool(o.amsgrad),
            if o.kind == OptimizerKind::Adam { "adam" } else { "adamw" },
        ),
    })
}

/// The scheduler (`sched`, or `None`): torch.optim.lr_scheduler's class, after a warm-up through `SequentialLR`.
fn schedule(py: &mut Script, s: &Settings) {
    let c = &s.schedule;
    if !c.is_active() {
        py.line("sched = None  # no --schedule: the lr stays LR");
        py.line("PLATEAU = False");
        py.line("");
        return;
    }
    py.line("S = torch.optim.lr_scheduler");
    let main = (c.kind != ScheduleKind::Constant).then(|| scheduler_ctor(c));
    match (c.warmup_iters, main) {
        (Some(n), None) => py.line(&format!(
            "sched = S.LinearLR(opt, start_factor={}, end_factor=1.0, total_iters={n})  # --warmup-iters, --warmup-start-factor",
            lit(c.warmup_start_factor)
        )),
        (Some(n), Some(main)) => {
            py.line(&format!(
                "_warmup = S.LinearLR(opt, start_factor={}, end_factor=1.0, total_iters={n})  # --warmup-iters, --warmup-start-factor",
                lit(c.warmup_start_factor)
            ));
            py.line(&format!("_main = {main}  # --schedule {}", c.kind.label()));
            py.line(&format!("sched = S.SequentialLR(opt, [_warmup, _main], milestones=[{n}])  # the warm-up, then the schedule"));
        }
        (None, Some(main)) => py.line(&format!("sched = {main}  # --schedule {}", c.kind.label())),
        (None, None) => py.line("sched = None"),
    }
    let plateau = c.kind == ScheduleKind::Plateau;
    py.line(&format!(
        "PLATEAU = {}  # ReduceLROnPlateau steps on the full-batch loss at the row the update left",
        py_bool(plateau)
    ));
    py.line("");
}

/// The constructor of the schedule's own class, with every parameter.
fn scheduler_ctor(c: &ScheduleConfig) -> String {
    let opt_u = |v: Option<u64>| v.unwrap_or(1);
    let opt_f = |v: Option<f64>| lit(v.unwrap_or(0.0));
    let gamma = lit(c.gamma_or_default());
    match c.kind {
        ScheduleKind::Constant => "None".into(),
        ScheduleKind::Step => format!("S.StepLR(opt, step_size={}, gamma={gamma})", opt_u(c.step_size)),
        ScheduleKind::Multistep => {
            let m: Vec<String> = c.milestones.iter().map(u64::to_string).collect();
            format!("S.MultiStepLR(opt, milestones=[{}], gamma={gamma})", m.join(", "))
        }
        ScheduleKind::Exponential => format!("S.ExponentialLR(opt, gamma={gamma})"),
        ScheduleKind::Multiplicative => {
            format!("S.MultiplicativeLR(opt, lr_lambda=lambda epoch: {})", opt_f(c.multiplicative_factor))
        }
        ScheduleKind::Cosine => {
            format!("S.CosineAnnealingLR(opt, T_max={}, eta_min={})", opt_u(c.t_max), lit(c.eta_min))
        }
        ScheduleKind::WarmRestarts => format!(
            "S.CosineAnnealingWarmRestarts(opt, T_0={}, T_mult={}, eta_min={})",
            opt_u(c.t_0),
            c.t_mult,
            lit(c.eta_min)
        ),
        ScheduleKind::Linear => format!(
            "S.LinearLR(opt, start_factor={}, end_factor={}, total_iters={})",
            lit(c.start_factor),
            lit(c.end_factor),
            c.total_iters
        ),
        ScheduleKind::Constantlr => {
            format!("S.ConstantLR(opt, factor={}, total_iters={})", lit(c.constant_factor), c.total_iters)
        }
        ScheduleKind::Polynomial => {
            format!("S.PolynomialLR(opt, total_iters={}, power={})", c.total_iters, lit(c.power))
        }
        ScheduleKind::Onecycle => format!(
            "S.OneCycleLR(opt, max_lr={}, total_steps={}, pct_start={}, anneal_strategy=\"{}\", div_factor={}, final_div_factor={}, three_phase={}, cycle_momentum={}, base_momentum={}, max_momentum={})",
            opt_f(c.max_lr),
            opt_u(c.total_steps),
            lit(c.pct_start),
            if c.anneal_strategy == AnnealStrategy::Cos { "cos" } else { "linear" },
            lit(c.div_factor),
            lit(c.final_div_factor),
            py_bool(c.three_phase),
            py_bool(c.cycle_momentum),
            lit(c.base_momentum),
            lit(c.max_momentum)
        ),
        ScheduleKind::Cyclic => format!(
            "S.CyclicLR(opt, base_lr={}, max_lr={}, step_size_up={}, step_size_down={}, mode=\"{}\", gamma={gamma}, cycle_momentum={}, base_momentum={}, max_momentum={})",
            opt_f(c.base_lr),
            opt_f(c.max_lr),
            c.step_size_up,
            c.step_size_down.map_or("None".to_string(), |v| v.to_string()),
            c.mode.label(),
            py_bool(c.cycle_momentum),
            lit(c.cyclic_base_momentum),
            lit(c.cyclic_max_momentum)
        ),
        ScheduleKind::Plateau => format!(
            "S.ReduceLROnPlateau(opt, mode=\"min\", factor={}, patience={}, threshold={}, threshold_mode=\"{}\", cooldown={}, min_lr={})",
            lit(c.factor),
            c.patience,
            lit(c.threshold),
            if c.threshold_mode == ThresholdMode::Rel { "rel" } else { "abs" },
            c.cooldown,
            lit(c.min_lr)
        ),
    }
}

/// `update_gradient(k, grad)`: the gradient update k + 1 uses: the full one, descent's mini-batch's, plus its
/// gradient noise; the batches and the noise inlined in descent's order.
fn update_gradient(py: &mut Script, run: &TorchRun<'_>) {
    let s = run.settings;
    let draws = usize::try_from(run.steps.saturating_add(1)).unwrap_or(usize::MAX);
    let n = run.data.len();
    let batch = s.batch_size.filter(|&b| s.objective.is_none() && b < n);
    if let Some(size) = batch {
        py.line(&format!(
            "# --batch-size {size}, --seed {}: descent's mini-batches, in its order (a fresh shuffle of the samples every",
            s.seed
        ));
        py.line(
            "# epoch; torch's generator is not descent's, so the indices are written out): BATCHES[k] is update k+1's",
        );
        let mut batcher = Batcher::new(n, size, s.seed);
        py.0.push_str("BATCHES = [\n");
        for _ in 0..draws {
            let idx: Vec<String> = batcher.next_batch().iter().map(usize::to_string).collect();
            let _ = writeln!(py.0, "    [{}],", idx.join(", "));
        }
        py.line("]");
    }
    let noise = s.objective.is_some() && s.noise > 0.0;
    if noise {
        py.line(&format!(
            "# --noise {}, --seed {}: the Gaussian noise descent adds to each update's gradient, in its order",
            lit(s.noise),
            s.seed
        ));
        let mut rng = Gaussian::new(s.seed);
        py.0.push_str("NOISE = [\n");
        for _ in 0..draws {
            let (nw, nb) = (s.noise * rng.sample(), s.noise * rng.sample());
            let _ = writeln!(py.0, "    ({}, {}),", lit(nw), lit(nb));
        }
        py.line("]");
    }
    py.line("");
    py.line("def update_gradient(k, grad):");
    py.line("    \"\"\"The gradient update k+1 uses (the row's own, over all samples, unless said below).\"\"\"");
    if batch.is_some() {
        py.line("    idx = BATCHES[k]");
        py.line("    _, grad = gradient(X[idx], Y[idx])  # the mini-batch's mean loss's gradient");
    }
    if noise {
        py.line("    grad = [g + torch.tensor(v, dtype=DTYPE) for g, v in zip(grad, NOISE[k])]");
    }
    py.line("    return grad");
    py.line("");
}

/// The Armijo line search, written out (`line_search(g)` returns the accepted step size).
fn line_search(py: &mut Script, s: &Settings) {
    let o = &s.optimizer;
    if o.line_search != LineSearch::Armijo {
        return;
    }
    py.line(&format!("ARMIJO_C = {}  # --armijo-c", lit(o.armijo_c)));
    py.line(&format!("BACKTRACK = {}  # --backtrack", lit(o.backtrack)));
    py.line(&format!("MAX_SHRINKS = {}", crate::engine::line_search::MAX_SHRINKS));
    py.line("");
    py.line("def line_search(g):");
    py.line(
        "    \"\"\"--line-search armijo: from t = LR, t *= BACKTRACK until L(p - t*g) <= L(p) - c*t*|g|^2 (the last t",
    );
    py.line("    after MAX_SHRINKS shrinks); the trial point is computed as SGD's update computes it.\"\"\"");
    py.line("    with torch.no_grad():");
    py.line("        l0 = loss_at(w, b)");
    py.line(if s.bias { "        grad_sq = g[0] * g[0] + g[1] * g[1]" } else { "        grad_sq = g[0] * g[0]" });
    py.line("        t = LR");
    py.line("        for shrinks in range(MAX_SHRINKS + 1):");
    py.line("            tw = torch.add(w, g[0], alpha=-t)");
    py.line(if s.bias { "            tb = torch.add(b, g[1], alpha=-t)" } else { "            tb = b" });
    py.line("            if loss_at(tw, tb) <= l0 - torch.tensor(ARMIJO_C * t, dtype=DTYPE) * grad_sq or shrinks == MAX_SHRINKS:");
    py.line("                return t");
    py.line("            t *= BACKTRACK");
    py.line("");
}

/// Newton's Hessian and the singular test.
fn newton(py: &mut Script, s: &Settings) {
    if s.optimizer.kind != OptimizerKind::Newton {
        return;
    }
    py.line("EPS = torch.finfo(DTYPE).eps");
    py.line("");
    py.line("def hessian():");
    py.line("    \"\"\"--optimizer newton: the Hessian of the mean loss at (w, b), by torch.autograd.functional.hessian.\"\"\"");
    py.line(
        "    # taken in float64 at the run's point and rounded to DTYPE, as descent takes it (a float32 Hessian of",
    );
    py.line("    # Rosenbrock's valley, 2 - 400b + 1200w^2, loses most of its digits to cancellation)");
    if s.bias {
        py.line("    at = (w.detach().double(), b.detach().double())");
        py.line("    h = torch.autograd.functional.hessian(lambda w_, b_: loss_at(w_, b_), at)");
        py.line("    return torch.stack([torch.stack([h[0][0], h[0][1]]), torch.stack([h[1][0], h[1][1]])]).to(DTYPE)");
    } else {
        py.line("    h = torch.autograd.functional.hessian(lambda w_: loss_at(w_, b.double()), w.detach().double())");
        py.line("    return h.to(DTYPE)");
    }
    py.line("");
    py.line("def singular(h):");
    py.line("    \"\"\"No Newton step exists: H is not finite, or its determinant is 0 to within rounding.\"\"\"");
    if s.bias {
        py.line("    det = h[0, 0] * h[1, 1] - h[0, 1] * h[0, 1]");
        py.line("    scale = (h[0, 0] * h[1, 1]).abs() + h[0, 1] * h[0, 1]");
        py.line("    return not (bool(torch.isfinite(h).all()) and bool(torch.isfinite(det))) or bool(det.abs() <= 4 * EPS * scale)");
    } else {
        py.line("    return not bool(torch.isfinite(h)) or float(h) == 0.0");
    }
    py.line("");
}

/// `fmt` (descent's repr), `row` (one CSV row) and the finiteness checks.
fn printing(py: &mut Script, s: &Settings) {
    py.block(FMT);
    py.line("");
    py.line("def row(step, loss, grad, lr):");
    py.line("    \"\"\"One CSV row: the parameters after `step` updates, the loss and gradient there, and the next update's lr.\"\"\"");
    py.line("    pw, pb = w.item(), b.item()");
    if s.standardize && s.objective.is_none() {
        py.line("    pw, pb = pw / SCALE, pb - pw * SHIFT / SCALE  # --standardize: back to the original x");
    }
    py.line("    g = [v.item() for v in grad] + [0.0] * (2 - len(grad))");
    py.line("    print(\",\".join([str(step)] + [fmt(v) for v in (pw, pb, loss.item(), g[0], g[1], lr)]))");
    py.line("");
    py.block(FINITE);
    py.line("");
}

const FMT: &str = r#"def fmt(v):
    """A float as descent prints it: Python's repr (of the float32, in its shortest digits, for an f32 run), an
    integral value without its ".0"."""
    if DTYPE == torch.float32:
        v = struct.unpack("f", struct.pack("f", v))[0]
        for digits in range(1, 10):
            shortest = float("%.*g" % (digits, v))
            if struct.unpack("f", struct.pack("f", shortest))[0] == v:
                v = shortest
                break
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text"#;

const FINITE: &str = r#"def finite(*tensors):
    return all(bool(torch.isfinite(t).all()) for t in tensors)

def state_is_finite():
    """The optimizer's state (momentum, moments) is finite: an overflowing moment diverges the run too."""
    if opt is None:
        return True
    return finite(*[v for st in opt.state.values() for v in st.values() if torch.is_tensor(v)])

def current_lr():
    return LR if opt is None else opt.param_groups[0]["lr"]"#;

/// The update itself, at the main loop's indentation.
fn update(py: &mut Script, s: &Settings) {
    let o = &s.optimizer;
    let armijo = o.line_search == LineSearch::Armijo;
    py.line("    for p, g in zip(params, u_grad):");
    py.line("        p.grad = g");
    match o.kind {
        OptimizerKind::Gd => {
            py.line(
                "    with torch.no_grad():  # --optimizer gd: the notebook's own update, W -= (learning_rate * W.grad)",
            );
            py.line("        w -= lr * w.grad");
            if s.bias {
                py.line("        b -= lr * b.grad");
            }
        }
        OptimizerKind::Newton => {
            py.line("    with torch.no_grad():  # --optimizer newton: d = H^-1 g, then w -= lr * d");
            if s.bias {
                py.line("        # the 2x2 solve by Cramer's rule, as descent solves it (torch.linalg.solve's LU rounds otherwise,");
                py.line("        # which an ill-conditioned float32 Hessian shows in the 4th digit)");
                py.line("        g0, g1 = u_grad");
                py.line("        det = h[0, 0] * h[1, 1] - h[0, 1] * h[0, 1]");
                py.line("        d = [(h[1, 1] * g0 - h[0, 1] * g1) / det, (h[0, 0] * g1 - h[0, 1] * g0) / det]");
                py.line("        w -= lr * d[0]");
                py.line("        b -= lr * d[1]");
            } else {
                py.line("        d = u_grad[0] / h");
                py.line("        w -= lr * d");
            }
        }
        _ => {
            if armijo {
                py.line("    opt.param_groups[0][\"lr\"] = lr  # the step size the line search accepted");
            }
            py.line("    opt.step()");
        }
    }
}

/// The trainer's loop: row 0, then update, check, record, schedule, next gradient, row, stop rules.
fn main_loop(py: &mut Script, s: &Settings) {
    let armijo = s.optimizer.line_search == LineSearch::Armijo;
    let next_lr = if armijo { "line_search(u_grad)" } else { "current_lr()" };
    let batches = s.batch_size.is_some() && s.objective.is_none();
    py.line("loss, grad = gradient()  # row 0: the start");
    py.line("u_grad = update_gradient(0, grad)");
    py.line(&format!("lr = {next_lr}"));
    py.line("LOSS_LIMIT = torch.tensor(DIVERGENCE_FACTOR * max(abs(loss.item()), 1.0), dtype=DTYPE)");
    py.line("print(\"step,w,b,loss,grad_w,grad_b,lr\")");
    py.line("row(0, loss, grad, lr)");
    py.line("norm = lambda g: math.hypot(g[0].item(), g[1].item() if len(g) > 1 else 0.0)");
    py.line("status = None");
    py.line("if TOL is not None and norm(grad) <= TOL:");
    py.line("    status = (\"converged\", 0, \"\")");
    py.line("unchanged, step = 0, 0");
    py.line("while status is None and step < STEPS:");
    py.line("    before = [p.detach().clone() for p in params]");
    py.line("    loss_before = loss.item()");
    if s.optimizer.kind == OptimizerKind::Newton {
        py.line("    h = hessian()");
        py.line("    if singular(h):");
        py.line("        status = (\"stopped\", step + 1, \": Newton's Hessian is singular\")");
        py.line("        break");
    }
    update(py, s);
    py.line("    step += 1");
    py.line("    if not (finite(*[p.detach() for p in params]) and state_is_finite()):");
    py.line("        status = (\"diverged\", step, \": not finite\")");
    py.line("        break");
    py.line("    loss, grad = gradient()");
    py.line("    if not finite(loss, *grad):");
    py.line("        status = (\"diverged\", step, \": not finite\")");
    py.line("        break");
    py.line("    if sched is not None:");
    py.line("        sched.step(loss_before) if PLATEAU else sched.step()");
    py.line("    u_grad = update_gradient(step, grad)");
    py.line(&format!("    lr = {next_lr}"));
    py.line("    row(step, loss, grad, lr)");
    py.line("    if loss > LOSS_LIMIT:");
    py.line("        status = (\"diverged\", step, \": the loss exploded\")");
    py.line("    elif loss.item() < OBJECTIVE_FLOOR:");
    py.line("        status = (\"diverged\", step, \": unbounded below\")");
    py.line("    else:");
    let same = "all(torch.equal(p.detach(), q) for p, q in zip(params, before))";
    match batches {
        true => py.line("        unchanged = 0  # mini-batches: never stalled"),
        false => py.line(&format!("        unchanged = unchanged + 1 if {same} else 0")),
    }
    py.line("        if TOL is not None and norm(grad) <= TOL:");
    py.line("            status = (\"converged\", step, \"\")");
    py.line("        elif TOL is not None and unchanged >= STALL_STEPS:");
    py.line("            status = (\"converged\", step, \" (stalled)\")");
    py.line("if status is not None and (status[0] != \"converged\" or TOL is not None):");
    py.line("    print(f\"{status[0]} at step {status[1]}{status[2]}\", file=sys.stderr)");
    py.line("sys.exit(0 if status is None or status[0] == \"converged\" else 3)");
}

/// `def objective(w, b)`: the expression in torch functions.
fn objective(py: &mut Script, e: &Expr, describe: &str) {
    py.line(&format!("# --objective {}", note(describe)));
    py.line("def objective(w, b):");
    py.line("    \"\"\"f(w, b) in torch functions, evaluated in the expression's order.\"\"\"");
    py.line(&format!("    return {}", expr(e, true)));
    py.line("");
}

/// An operator's precedence in Python (higher binds tighter).
fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Bin(BinOp::Add | BinOp::Sub, ..) => 1,
        Expr::Bin(BinOp::Mul | BinOp::Div, ..) => 2,
        Expr::Neg(_) => 3,
        Expr::Bin(BinOp::Pow, ..) => 4,
        Expr::Num(_) | Expr::W | Expr::B | Expr::Call(..) => 5,
    }
}

/// True when `e` holds neither w nor b.
fn constant(e: &Expr) -> bool {
    match e {
        Expr::Num(_) => true,
        Expr::W | Expr::B => false,
        Expr::Neg(a) | Expr::Call(_, a) => constant(a),
        Expr::Bin(_, l, r) => constant(l) && constant(r),
    }
}

/// `e` as Python; `tensor`: a constant must be a DTYPE tensor here (torch functions take tensors, and an
/// operation between constants rounds in the run's precision, as descent computes it).
fn expr(e: &Expr, tensor: bool) -> String {
    let wrap = |child: &Expr, text: String, tighter: bool| {
        let p = precedence(child);
        if p < precedence(e) || (tighter && p == precedence(e)) { format!("({text})") } else { text }
    };
    match e {
        Expr::Num(v) => {
            let text = if *v == std::f64::consts::PI {
                "math.pi".to_string()
            } else if *v == std::f64::consts::E {
                "math.e".to_string()
            } else {
                lit(*v)
            };
            if tensor { format!("torch.tensor({text}, dtype=DTYPE)") } else { text }
        }
        Expr::W => "w".into(),
        Expr::B => "b".into(),
        Expr::Neg(a) => format!("-{}", wrap(a, expr(a, tensor), false)),
        Expr::Call(f, a) => format!("torch.{}({})", f.name(), expr(a, true)),
        Expr::Bin(op, l, r) => {
            let both = constant(l) && constant(r);
            let symbol = match op {
                BinOp::Add => "+",
                BinOp::Sub => "-",
                BinOp::Mul => "*",
                BinOp::Div => "/",
                BinOp::Pow => "**",
            };
            // Python's ** groups to the right, the others to the left: the other side needs brackets at a tie.
            let pow = *op == BinOp::Pow;
            let left = wrap(l, expr(l, both), pow);
            // A constant exponent other than 2 as a tensor: torch then takes `pow` itself, as descent does, where a
            // Python number 3 or 0.5 would take torch's shortcuts (x·x·x, sqrt). 2 is x·x in both.
            let tensor_exponent = pow && !matches!(r.as_ref(), Expr::Num(c) if *c == 2.0);
            let right = wrap(r, expr(r, tensor_exponent), !pow);
            format!("{left} {symbol} {right}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::objective::Objective;

    fn python(text: &str) -> String {
        expr(Objective::parse(text).unwrap().expr(), true)
    }

    #[test]
    fn expressions_keep_their_grouping_in_python() {
        // Python's precedence and ** grouping to the right, with brackets only where the order would change.
        assert_eq!(python("w - (b - 1)"), "w - (b - 1.0)");
        assert_eq!(python("(w - b) - 1"), "w - b - 1.0");
        assert_eq!(python("w / (b * 2)"), "w / (b * 2.0)");
        assert_eq!(python("-w^2"), "-w ** 2.0");
        assert_eq!(python("(-w)^2"), "(-w) ** 2.0");
        assert_eq!(python("2^3^w"), "2.0 ** 3.0 ** w");
        assert_eq!(python("(w^2)^3"), "(w ** 2.0) ** torch.tensor(3.0, dtype=DTYPE)");
        // Constants meet in the run's precision, and functions take tensors.
        assert_eq!(python("2*3*w"), "torch.tensor(2.0, dtype=DTYPE) * 3.0 * w");
        assert_eq!(python("sin(2*pi) + e*b"), "torch.sin(torch.tensor(2.0, dtype=DTYPE) * math.pi) + math.e * b");
        assert_eq!(python("7"), "torch.tensor(7.0, dtype=DTYPE)");
    }
}
