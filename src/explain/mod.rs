//! Why a run does what it does, in one sentence computed from its numbers, and what every control and plot mark
//! of the app is ([`topics`]). UI-free: plain text from the settings, the closed-form [`Analysis`] and the state.
//!
//! The sentences rest on the closed forms of the linear model. Near the optimum the gradient is λ·(w − w*), λ = L″
//! the curvature, so a plain gradient step maps the distance w − w* to (1 − lr·λ)(w − w*): the run keeps a share
//! 1 − lr·λ of its distance each step (0 < factor < 1), overshoots (−1 < factor < 0), lands at once (lr = 1/λ),
//! or diverges (|factor| > 1, i.e. lr > 2/λ). With a bias there are two curvatures λmax ≥ λmin, one per axis of the
//! valley. Heavy-ball momentum μ turns the factor into a root of z² − (1 + μ − lr·λ)·z + μ (modulus √μ when the
//! roots are complex); the adaptive optimizers have no fixed factor.

pub mod gradcheck;
pub mod hint;
pub mod outcome;
pub mod topics;

use crate::engine::analysis::Analysis;
use crate::engine::floor::{Floor, Verdict};
use crate::engine::optim::{LineSearch, OptimizerConfig, OptimizerKind};
use crate::engine::settings::{GradientSource, Precision, Settings};
use crate::engine::trainer::{Convergence, Divergence, Record, Status};
use crate::format;

/// How a sentence reads: its colour in the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Going well.
    Calm,
    /// Reached the minimum.
    Good,
    /// Converges slowly, overshoots, or cannot meet the tolerance.
    Warning,
    /// Diverges.
    Bad,
}

/// A run's "why": one short line, the longer explanation (for a hover), and its tone.
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    /// One line, beside the run's state.
    pub short: String,
    /// What the numbers mean: λ, 2/λ, 1/λ, the tolerance.
    pub long: String,
    /// How it reads.
    pub tone: Tone,
}

/// The run a sentence is about.
#[derive(Clone, Copy, Debug)]
pub struct RunState<'a> {
    /// The settings in force.
    pub settings: &'a Settings,
    /// The closed-form analysis of its problem.
    pub analysis: &'a Analysis,
    /// Its latest state.
    pub record: &'a Record<f64>,
    /// Running, converged or diverged.
    pub status: Status,
    /// The tolerance on ‖∇L‖ in force.
    pub tolerance: Option<f64>,
    /// What keeps its ‖∇L‖ from 0 ([`crate::engine::floor::floor`] of its settings), if anything.
    pub floor: Option<Floor>,
}

/// Where a run stands after k steps along one direction of curvature λ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepFactor {
    /// Plain gradient descent: the distance to w* is multiplied by 1 − lr·λ every step.
    Plain(f64),
    /// Momentum: the roots of z² − t·z + d (heavy ball: t = 1 + μ − lr·λ, d = μ).
    Momentum(Roots),
}

impl StepFactor {
    /// The share of the distance a step keeps in the long run (|factor|, or the roots' largest modulus).
    pub fn modulus(self) -> f64 {
        match self {
            StepFactor::Plain(r) => r.abs(),
            StepFactor::Momentum(roots) => roots.modulus,
        }
    }
}

/// The roots of z² − t·z + d.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roots {
    /// The largest modulus (√d when the roots are complex).
    pub modulus: f64,
    /// True for a complex pair: the run spirals in (under-damped).
    pub complex: bool,
    /// The real root of largest modulus (the real part for a complex pair).
    pub dominant: f64,
}

/// The roots of z² − t·z + d.
pub fn quadratic_roots(t: f64, d: f64) -> Roots {
    let disc = t * t - 4.0 * d;
    if disc < 0.0 {
        return Roots { modulus: d.sqrt(), complex: true, dominant: t / 2.0 };
    }
    let s = disc.sqrt();
    let (a, b) = ((t + s) / 2.0, (t - s) / 2.0);
    let dominant = if a.abs() >= b.abs() { a } else { b };
    Roots { modulus: dominant.abs(), complex: false, dominant }
}

/// The step factor of optimizer `o` along a direction of curvature λ (`lr_lambda` = lr·λ), for the optimizers with
/// a closed form (SGD with or without momentum); `None` for the adaptive ones. Torch's SGD: buf ← μ·buf + (1 − τ)·g,
/// w ← w − lr·buf (heavy ball: t = 1 + μ − (1 − τ)·lr·λ, d = μ), or w ← w − lr·(g + μ·buf) with Nesterov
/// (t = 1 + μ − (1 + μ)·lr·λ, d = μ·(1 − lr·λ)).
pub fn step_factor(o: &OptimizerConfig, lr_lambda: f64) -> Option<StepFactor> {
    if !o.is_sgd_family() {
        return None;
    }
    let (mu, a) = (o.momentum, lr_lambda);
    if mu <= 0.0 {
        return Some(StepFactor::Plain(1.0 - a));
    }
    let (t, d) =
        if o.nesterov { (1.0 + mu - (1.0 + mu) * a, mu * (1.0 - a)) } else { (1.0 + mu - (1.0 - o.dampening) * a, mu) };
    Some(StepFactor::Momentum(quadratic_roots(t, d)))
}

/// The largest stable lr for SGD along curvature λ: [`crate::engine::analysis::stable_lr`] (2/λ plain,
/// 2(1 + μ)/((1 − τ)·λ) heavy ball, 2(1 + μ)/((1 + 2μ)·λ) Nesterov). `None` when λ ≤ 0.
pub fn stable_limit(o: &OptimizerConfig, lambda: f64) -> Option<f64> {
    crate::engine::analysis::stable_lr(o, lambda)
}

/// Why a run will not meet its gradient tolerance, when its floor says so: the [`Verdict`] (never, or only by
/// chance) and [`Floor::reason`]'s sentence. `None` without a tolerance, or when the floor is below it.
pub fn why_no_tolerance(run: &RunState<'_>) -> Option<(Verdict, String)> {
    let tol = run.tolerance.filter(|t| *t > 0.0)?;
    let floor = run.floor?;
    Some((floor.verdict(tol)?, floor.reason(run.settings, tol)))
}

/// Why a run that came to rest (stalled) stopped short of its tolerance, when its floor is a fixed point that holds
/// there ([`Floor::holds`]) above the tolerance: [`Floor::reason`]'s sentence. `None` otherwise (a stall is then
/// the float's resolution).
pub fn held_short(run: &RunState<'_>) -> Option<String> {
    run.floor.filter(Floor::holds)?;
    match why_no_tolerance(run)? {
        (Verdict::Never, reason) => Some(reason),
        (Verdict::Chance, _) => None,
    }
}

/// A number for a sentence, with a true minus sign: −0.5.
pub(crate) fn num(v: f64) -> String {
    format::short(v).replace('-', "−")
}

/// A share as a percentage: 85%.
fn percent(share: f64) -> String {
    format!("{}%", format::short(100.0 * share))
}

/// What λ is and why 2/λ and 1/λ matter, for a hover.
fn lambda_primer(name: &str, lambda: f64, lr: f64) -> String {
    format!(
        "{name} = L″ = {} is the curvature of the loss (its second derivative): near the minimum the gradient is \
         {name}·(w − w*), so one step w ← w − lr·∇L turns the distance w − w* into (1 − lr·{name})·(w − w*). Here \
         lr·{name} = {}. The factor 1 − lr·{name} must stay in (−1, 1): below −1, at lr > 2/{name} = {}, every \
         overshoot lands farther away and the run diverges. At lr = 1/{name} = {} the factor is 0: one step lands \
         on w*.",
        num(lambda),
        num(lr * lambda),
        num(2.0 / lambda),
        num(1.0 / lambda)
    )
}

/// What the tolerance means for this curvature, and how many more steps it takes at this share per step.
fn tolerance_note(run: &RunState<'_>, lambda: f64, keeps: f64) -> String {
    let Some(tol) = run.tolerance.filter(|t| *t > 0.0) else {
        return " The tolerance is 0: the run goes on until you pause it.".into();
    };
    let mut s = format!(
        " The run stops once ‖∇L‖ ≤ tol = {}: since ‖∇L‖ ≈ λ·|w − w*|, that is within tol/λ = {} of the minimum.",
        num(tol),
        num(tol / lambda)
    );
    let g = run.record.grad.norm();
    if keeps > 0.0 && keeps < 1.0 && g > tol && g.is_finite() {
        let steps = ((tol / g).ln() / keeps.ln()).ceil();
        s += &format!(" At {} kept per step that is about {} more steps.", percent(keeps), num(steps));
    }
    s
}

/// The extra notes of a run's problem: the notebook-sum gradient, a local curvature, weight decay.
fn caveats(s: &Settings, a: &Analysis) -> String {
    let mut out = String::new();
    if s.gradient == GradientSource::NotebookSum {
        out +=
            " The notebook-sum gradient is N times the mean's, so λ is N times larger and every limit N times smaller.";
    }
    if a.local {
        out += " This loss is not quadratic: λ is taken at the current point, so the numbers hold only nearby.";
    }
    if s.optimizer.is_sgd_family() && s.optimizer.weight_decay() > 0.0 {
        out += &format!(" Weight decay adds {} to λ.", num(s.optimizer.weight_decay()));
    }
    out
}

/// The sentence for a run: why it moves the way it does, or why it stopped.
pub fn why(run: &RunState<'_>) -> Why {
    let s = run.settings;
    match run.status {
        Status::Converged { by: Convergence::Stalled, .. } => return stalled(run),
        Status::Converged { by: Convergence::Tolerance, .. } => return reached(run),
        Status::Diverged { why: why @ (Divergence::ScheduleOutOfRange | Divergence::BackMapOverflow), .. } => {
            return stopped(run, why);
        }
        Status::Diverged { why: Divergence::StepCap, step } => return capped(run, step),
        Status::Diverged { .. } | Status::Running => {}
    }
    let diverged = matches!(run.status, Status::Diverged { .. });
    if let Some((verdict, reason)) = why_no_tolerance(run).filter(|_| !diverged) {
        let short = match verdict {
            Verdict::Never => format!("won't meet the tolerance: {reason}"),
            Verdict::Chance => format!("won't settle: {reason}"),
        };
        let long = format!(
            "{short}. A gradient tolerance needs the gradient to vanish where the run comes to rest; a decaying \
             learning rate (a schedule) lets it settle. Without one the run stops at the step cap, {} steps.",
            crate::engine::trainer::STEP_CAP
        );
        return Why { short, long, tone: Tone::Warning };
    }
    if s.optimizer.kind == OptimizerKind::Newton {
        return newton(s, run.status);
    }
    if s.optimizer.line_search == LineSearch::Armijo {
        return line_search(s);
    }
    if !s.optimizer.is_sgd_family() {
        return adaptive(s, diverged);
    }
    match directions(s, run.analysis) {
        Some(dirs) => sgd(run, &dirs, diverged),
        None => no_curvature(run),
    }
}

/// A run stopped by its schedule or its back-map: [`crate::engine::diagnose::stop_clause`], and the cause with its
/// numbers ([`crate::engine::diagnose::schedule_cause`], [`crate::engine::diagnose::back_map_cause`]'s form) on hover.
fn stopped(run: &RunState<'_>, why: Divergence) -> Why {
    let s = run.settings;
    let clause = crate::engine::diagnose::stop_clause(s, why).unwrap_or_default();
    let (short, long) = match why {
        Divergence::ScheduleOutOfRange => (
            format!("{clause}, so no update can use it and the run stopped"),
            format!(
                "{}. A schedule multiplies or sets the lr every step; once it is not finite, or rounds to 0 or ∞ in \
                 the run's precision, an update would only produce inf or NaN. The run keeps its last state and the \
                 last lr it could use.",
                crate::engine::diagnose::schedule_cause(s, run.record)
            ),
        ),
        _ => (
            clause,
            "--standardize runs on x′ = (x − shift)/scale and reports w = w′/scale in the units of x. When x is tiny, \
             scale is tiny and w′/scale passes the largest number of the precision: the scaled run is fine, but its \
             answer cannot be written in x's units. Rescale x, or use f64."
                .to_owned(),
        ),
    };
    Why { short, long, tone: Tone::Warning }
}

/// A run stopped at the step cap: why it could not get there (its floor), or that it is only slow.
fn capped(run: &RunState<'_>, step: u64) -> Why {
    let short = match why_no_tolerance(run) {
        Some((_, reason)) => format!("stopped at the step cap: {reason}"),
        None => format!("stopped at {}", crate::engine::diagnose::step_cap_clause(run.tolerance)),
    };
    let long =
        crate::engine::diagnose::step_cap_cause(run.settings, run.record, run.floor, run.tolerance.unwrap_or(0.0));
    let long = format!("Stopped at step {step}: {long}. Start again (R) with other settings to go on.");
    Why { short, long, tone: Tone::Warning }
}

/// No positive curvature where the run is: flat only where the gradient vanishes too; otherwise the curvature is
/// zero or negative (towards a saddle or a maximum) and the gradient still pulls w downhill.
fn no_curvature(run: &RunState<'_>) -> Why {
    let s = run.settings;
    let g = run.record.grad;
    let lambda =
        run.analysis.curvature_max + if s.optimizer.is_sgd_family() { s.optimizer.weight_decay() } else { 0.0 };
    let gn = g.norm();
    if gn == 0.0 || run.tolerance.is_some_and(|t| gn <= t) {
        return Why {
            short: format!(
                "the loss is flat here (∇L = 0, λ = {}): the gradient does not pull w anywhere",
                num(lambda)
            ),
            long: "Both the gradient and the curvature λ = L″ vanish here: a step does not move w, whatever the lr."
                .into(),
            tone: Tone::Warning,
        };
    }
    let grad = if s.n_params() == 2 { format!("({}, {})", num(g.w), num(g.b)) } else { num(g.w) };
    let shape = if lambda < 0.0 { "curves downward" } else { "has no curvature" };
    Why {
        short: format!(
            "the loss {shape} here (λmax = {}), so no step factor applies; the gradient ∇L = {grad} still pulls w downhill",
            num(lambda)
        ),
        long: format!(
            "λmax = L″ is the largest curvature of the loss at this point; where it is ≤ 0 the closed forms 1 − lr·λ and \
             2/λ do not apply: near a maximum or a saddle the steps grow as the slope steepens. The gradient here is \
             {grad}, |∇L| = {}.",
            num(gn)
        ),
        tone: Tone::Warning,
    }
}

/// One direction of curvature: its name (λ, λmax, λmin), λ as the update sees it, and the step factor there.
#[derive(Clone, Copy, Debug)]
struct Direction {
    name: &'static str,
    lambda: f64,
    factor: StepFactor,
}

/// The directions of the run's problem (one without a bias, two with), for SGD; `None` without curvature.
fn directions(s: &Settings, a: &Analysis) -> Option<Vec<Direction>> {
    let wd = s.optimizer.weight_decay();
    let lr = s.optimizer.lr;
    let make = |name, l: f64| {
        let lambda = l + wd;
        (lambda > 0.0 && lambda.is_finite())
            .then(|| step_factor(&s.optimizer, lr * lambda).map(|factor| Direction { name, lambda, factor }))
            .flatten()
    };
    if !s.bias {
        return make("λ", a.curvature_max).map(|d| vec![d]);
    }
    let max = make("λmax", a.curvature_max)?;
    Some([Some(max), make("λmin", a.curvature_min)].into_iter().flatten().collect())
}

/// Plain SGD or momentum along its directions.
fn sgd(run: &RunState<'_>, dirs: &[Direction], diverged: bool) -> Why {
    let s = run.settings;
    let lr = s.optimizer.lr;
    let steep = dirs[0];
    let slowest = dirs.iter().copied().fold(steep, |a, d| if d.factor.modulus() > a.factor.modulus() { d } else { a });
    let extra = caveats(s, run.analysis);
    let primer = lambda_primer(steep.name, steep.lambda, lr);
    if slowest.factor.modulus() >= 1.0 {
        return diverging(run, slowest, &primer, &extra);
    }
    if diverged {
        let short = format!(
            "diverged although the step factor {} is inside (−1, 1): a number overflowed the float",
            num(slowest.factor.modulus())
        );
        return Why { short, long: format!("{primer}{extra}"), tone: Tone::Bad };
    }
    if let StepFactor::Momentum(roots) = slowest.factor {
        return momentum(run, slowest, roots, &extra);
    }
    if let [_, shallow] = dirs
        && steep.lambda / shallow.lambda >= VALLEY
    {
        return valley(run, steep, *shallow, &extra);
    }
    let r = 1.0 - lr * slowest.lambda;
    let tail = tolerance_note(run, slowest.lambda, r.abs());
    let (short, tone) = if r.abs() < ONE_STEP {
        (format!("lr = 1/{0} lands in one step: 1 − lr·{0} = {1}", slowest.name, num(r)), Tone::Calm)
    } else if r < 0.0 {
        (
            format!(
                "each step overshoots: the factor 1 − lr·{} = {}, so w flips side and keeps {} of the distance",
                slowest.name,
                num(r),
                percent(-r)
            ),
            Tone::Warning,
        )
    } else {
        (format!("each step keeps {} of the distance: 1 − lr·{} = {}", percent(r), slowest.name, num(r)), Tone::Calm)
    };
    Why { short, long: format!("{primer}{tail}{extra}"), tone }
}

/// A condition number from which a valley counts as narrow.
const VALLEY: f64 = 50.0;
/// |1 − lr·λ| below which lr = 1/λ "lands in one step".
const ONE_STEP: f64 = 5e-3;

/// Why a run diverges: the factor is outside (−1, 1).
fn diverging(run: &RunState<'_>, d: Direction, primer: &str, extra: &str) -> Why {
    let o = &run.settings.optimizer;
    let limit = stable_limit(o, d.lambda).map(num).unwrap_or_else(|| "—".into());
    let short = match d.factor {
        StepFactor::Plain(r) => format!(
            "1 − lr·{0} = {1} is outside (−1, 1): each overshoot grows, so lr must stay below 2/{0} = {limit}",
            d.name,
            num(r)
        ),
        StepFactor::Momentum(roots) => format!(
            "with momentum μ = {} the step factor's modulus is {} > 1: each swing grows; lr must stay below {} = {limit}",
            num(o.momentum),
            hint::bound_name(o).replace("max", "").replace('λ', d.name),
            num(roots.modulus)
        ),
    };
    let long = match d.factor {
        StepFactor::Plain(_) => format!("{primer}{extra}"),
        StepFactor::Momentum(roots) => format!(
            "With momentum μ the distance to w* is multiplied each step by a root z of z² − (1 + μ − lr·{0})·z + μ \
             ({0} = L″ = {1}, the curvature). The run diverges once a root leaves the unit circle: at lr > \
             2(1 + μ)/{0} for heavy-ball momentum, 2(1 + μ)/((1 + 2μ)·{0}) with Nesterov; here the limit is {limit} \
             and the larger root has modulus {2}.{extra}",
            d.name,
            num(d.lambda),
            num(roots.modulus)
        ),
    };
    Why { short, long, tone: Tone::Bad }
}

/// Momentum that converges: spiralling in (complex roots) or not.
fn momentum(run: &RunState<'_>, d: Direction, roots: Roots, extra: &str) -> Why {
    let mu = run.settings.optimizer.momentum;
    let lr = run.settings.optimizer.lr;
    let short = if roots.complex {
        format!(
            "momentum μ = {} spirals in: each step keeps √μ = {} of the distance (plain GD's 1 − lr·{} does not apply)",
            num(mu),
            percent(roots.modulus),
            d.name
        )
    } else if roots.dominant < 0.0 {
        format!("with momentum each step overshoots: the step factor is {}", num(roots.dominant))
    } else {
        format!("with momentum μ = {} each step keeps {} of the distance", num(mu), percent(roots.modulus))
    };
    let long = format!(
        "With heavy-ball momentum the distance e to w* follows e(k+1) = (1 + μ − lr·{0})·e(k) − μ·e(k−1): each step \
         multiplies it by a root z of z² − (1 + μ − lr·{0})·z + μ (Nesterov and dampening change the coefficients). \
         Here lr·{0} = {1} and the larger root has modulus {2}. When the roots are complex the run spirals in and \
         keeps √μ per step whatever the lr; it diverges once lr ≥ {5} = {6}. Plain GD's factor 1 − lr·{0} = {3} \
         is not this run's.{4}{extra}",
        d.name,
        num(lr * d.lambda),
        num(roots.modulus),
        num(1.0 - lr * d.lambda),
        tolerance_note(run, d.lambda, roots.modulus),
        hint::bound_name(&run.settings.optimizer).replace("max", "").replace('λ', d.name),
        stable_limit(&run.settings.optimizer, d.lambda).map(num).unwrap_or_else(|| "—".into())
    );
    Why { short, long, tone: if roots.dominant < 0.0 || roots.complex { Tone::Warning } else { Tone::Calm } }
}

/// A narrow valley: the lr safe across it crawls along it.
fn valley(run: &RunState<'_>, steep: Direction, shallow: Direction, extra: &str) -> Why {
    let lr = run.settings.optimizer.lr;
    let kappa = steep.lambda / shallow.lambda;
    let along = 1.0 - lr * shallow.lambda;
    let short = format!(
        "a narrow valley: λmax/λmin = {}, so the lr that is safe across the valley crawls along it",
        format::short(kappa.round())
    );
    let halving = (0.5f64.ln() / along.ln()).ceil();
    let long = format!(
        "With a bias the loss is a valley over (w, b). Across it the curvature is λmax = {}, along it λmin = {}. lr \
         must stay below 2/λmax = {} for the steep direction, and at lr = {} each step keeps 1 − lr·λmin = {} of the \
         distance along the valley: about {} steps to halve it. Centring the data (x − mean) makes the valley much rounder.{}{extra}",
        num(steep.lambda),
        num(shallow.lambda),
        num(2.0 / steep.lambda),
        num(lr),
        percent(along),
        num(halving),
        tolerance_note(run, shallow.lambda, along.abs())
    );
    Why { short, long, tone: Tone::Warning }
}

/// Adam, AdamW, RMSprop, Adagrad: no fixed factor.
/// Newton's method: the jump to the model's minimum, (1 − lr) per step on a quadratic; a singular Hessian stops it.
fn newton(s: &Settings, status: Status) -> Why {
    let lr = s.optimizer.lr;
    if matches!(status, Status::Diverged { why: Divergence::SingularHessian, .. }) {
        return Why {
            short: "the Hessian is singular here: Newton's step H⁻¹g does not exist, so the run stopped".into(),
            long: "Newton solves H·d = g for its step; a singular H (zero curvature along some direction) has no                    solution. Plain gradient descent needs no inverse and would carry on."
                .into(),
            tone: Tone::Warning,
        };
    }
    let short = format!(
        "Newton jumps to the minimum of the local quadratic model (times lr = {}): on a quadratic loss the error          shrinks by 1 − lr = {} a step",
        num(lr),
        num(1.0 - lr)
    );
    let long = "Newton's step is H⁻¹g: it divides the gradient by the curvature, so every direction sees curvature 1                 and the condition number stops mattering. At lr 1 a quadratic loss is solved in one step; where H is                 not positive definite the model has no minimum and the step heads for a saddle or a maximum."
        .to_string();
    Why { short, long, tone: Tone::Calm }
}

/// Gradient descent with the Armijo line search: each step is shrunk until it decreases the loss enough.
fn line_search(s: &Settings) -> Why {
    let o = &s.optimizer;
    let short = format!(
        "the line search shrinks t from lr = {} by ρ = {} until L falls by c·t·‖g‖²: every step lowers the loss",
        num(o.lr),
        num(o.backtrack)
    );
    let long = "Backtracking (Armijo): try t = lr; while L(w − t·g) > L(w) − c·t·‖g‖², set t ← ρ·t. A too large lr                 cannot diverge, it is cut down each step; the accepted t is the csv's lr column."
        .to_string();
    Why { short, long, tone: Tone::Calm }
}

fn adaptive(s: &Settings, diverged: bool) -> Why {
    let name = s.optimizer.kind.label();
    let short = if diverged {
        format!("{name} diverged: its steps are about lr long, too long for this valley; lower the lr")
    } else {
        format!("{name} sizes each step from running gradient statistics: plain GD's factor 1 − lr·λ does not apply")
    };
    let long = format!(
        "{name} divides each step by a running root-mean-square of the gradient, so its steps are about lr long \
         (per parameter) whatever the slope: it has no fixed factor 1 − lr·λ and no 2/λ limit. Near the minimum \
         its steps shrink only as its statistics catch up."
    );
    Why { short, long, tone: if diverged { Tone::Bad } else { Tone::Calm } }
}

/// A run whose tolerance was met: what ‖∇L‖ ≤ tol says about the distance to w*.
fn reached(run: &RunState<'_>) -> Why {
    if let Some(o) = &run.settings.objective {
        let r = outcome::reached_point(o, run.record.params);
        let long = "The tolerance stops a run where ‖∇f‖ is small: at any stationary point. What the point is comes \
                    from the Hessian's eigenvalues there (both positive: a minimum; one of each sign: a saddle) and \
                    the objective's known minima."
            .to_string();
        let tone = if r.global { Tone::Good } else { Tone::Warning };
        return Why { short: format!("stopped at {}", r.text), long, tone };
    }
    let g = run.record.grad.norm();
    let tol = run.tolerance.unwrap_or(0.0);
    // |∇L| ≥ λmin·|w − w*| on a quadratic: the distance is bounded by tol over the weakest curvature.
    let a = run.analysis;
    let (name, lambda) = if run.settings.bias && a.curvature_min > 0.0 && a.curvature_min.is_finite() {
        ("λmin", a.curvature_min)
    } else {
        ("λ", a.curvature_max)
    };
    let flat = lambda > 0.0 && lambda.is_finite();
    let short = if flat {
        format!("‖∇L‖ = {} ≤ tol = {} means w is within tol/{name} = {} of w*", num(g), num(tol), num(tol / lambda))
    } else {
        format!("‖∇L‖ = {} ≤ tol = {}: the slope is flat enough to call it the minimum", num(g), num(tol))
    };
    let within = if flat {
        format!(
            " Near w* the gradient is H·(w − w*), at least {name}·|w − w*| with {name} = L″ = {}, so ‖∇L‖ ≤ tol puts w \
             within tol/{name} of w*.",
            num(lambda)
        )
    } else {
        String::new()
    };
    let long = format!(
        "The tolerance is a stopping rule on the gradient's size: the run stops once ‖∇L‖ ≤ tol, because the \
         gradient vanishes only at the minimum.{within}"
    );
    Why { short, long, tone: Tone::Good }
}

/// The spacing of `precision`'s numbers next to `w`.
pub fn resolution(precision: Precision, w: f64) -> f64 {
    match precision {
        Precision::F32 => {
            let x = (w as f32).abs();
            (f32::from_bits(x.to_bits() + 1) - x) as f64
        }
        Precision::F64 => {
            let x = w.abs();
            f64::from_bits(x.to_bits() + 1) - x
        }
    }
}

/// A run whose parameters stopped changing: the update is below the float's resolution, or its floor holds it
/// (weight decay's fixed point, where the update is exactly 0).
fn stalled(run: &RunState<'_>) -> Why {
    let s = run.settings;
    if let Some(reason) = held_short(run) {
        let long = format!(
            "{reason}. The update there is 0 to rounding (not a step rounded away): the run is at rest where its settings hold \
             it, and no number of steps meets the tolerance."
        );
        return Why { short: format!("at rest, short of the tolerance: {reason}"), long, tone: Tone::Warning };
    }
    let w = run.record.params.w;
    let (float, bits) = match s.precision {
        Precision::F32 => ("float32", 24),
        Precision::F64 => ("float64", 53),
    };
    let short = format!("the update is below {float}'s resolution at w = {}", format::short(w));
    let update = s.optimizer.lr * run.record.grad.norm();
    let long = format!(
        "{float} keeps {bits} significant bits: next to w = {} the nearest other {float} is {} away. The update lr·‖∇L‖ \
         = {} is under half of that, so w − lr·∇L rounds back to w and the run cannot move, although ‖∇L‖ = {} is \
         still above the tolerance.",
        format::short(w),
        num(resolution(s.precision, w)),
        num(update),
        num(run.record.grad.norm())
    );
    Why { short, long, tone: Tone::Warning }
}

#[cfg(test)]
mod tests;
