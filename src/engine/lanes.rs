//! Many starts at once: the basins map's fast path. Plain gradient descent (or torch's SGD with momentum, dampening,
//! Nesterov and weight decay) on a built-in objective in f64, stepped for [`CHUNK`] starts together in
//! struct-of-arrays lanes, with no history and no allocation per step, so that the compiler vectorises the steps.
//!
//! Each lane follows the trainer's rules bit for bit ([`crate::engine::trainer::Trainer`] with a tolerance): the
//! gradient in the autodiff tape's order of operations (so the same bits as `Objective::evaluate`), the update as
//! [`crate::engine::optim`] rounds it in f64, and the same verdicts at the same step: converged when ‖∇f‖ ≤ the
//! tolerance or after [`STALL_STEPS`] unchanged steps; diverged on a non-finite point, value or gradient (keeping the
//! last finite point), on a value beyond [`DIVERGENCE_FACTOR`] × max(|f(start)|, 1) or below [`OBJECTIVE_FLOOR`].
//! [`LaneRule::for_settings`] says which settings it covers; everything else (an expression, Beale, f32, another
//! optimizer, a schedule, a line search, gradient noise, numeric gradients) runs the per-start trainer
//! ([`super::basins::run_from`]).

use super::model::Params;
use super::objective::Builtin;
use super::optim::{LineSearch, OptimizerKind};
use super::settings::{GradientSource, Precision, Settings};
use super::trainer::{DIVERGENCE_FACTOR, OBJECTIVE_FLOOR, STALL_STEPS};

/// How the run from one start ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Met the tolerance (or stalled: the parameters stopped changing).
    Converged,
    /// Diverged (or the engine refused the settings).
    Diverged,
    /// Still running after the step budget.
    Unfinished,
}

impl Outcome {
    /// As the csv and json spell it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Converged => "converged",
            Outcome::Diverged => "diverged",
            Outcome::Unfinished => "unfinished",
        }
    }
}

/// Where the run from one start ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct End {
    /// How.
    pub outcome: Outcome,
    /// The run's last finite point: where it converged, where the budget left it, or the last point before it
    /// diverged (the start when the engine refused the settings).
    pub at: Params<f64>,
    /// The step at which the outcome was decided (the budget for an unfinished run).
    pub steps: u64,
}

/// Starts stepped together: enough independent runs to keep the core's pipelines full, few enough that the last
/// runs of a batch (while no start is left to refill a lane) cost little.
pub const CHUNK: usize = 16;

// The lanes that ended in a step are bits of a u64.
const _: () = assert!(CHUNK <= 64);

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;

/// What the lanes step: a built-in objective and SGD's hyperparameters, each as the optimizer rounds it in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneRule {
    objective: Builtin,
    lr: f64,
    momentum: f64,
    one_minus_dampening: f64,
    weight_decay: f64,
    nesterov: bool,
}

impl LaneRule {
    /// The rule for `settings`, when the lanes reproduce its runs exactly: a built-in objective other than Beale, f64,
    /// the autodiff (or analytic) gradient, `gd` or `sgd`, no schedule, no line search, no gradient noise, and
    /// settings the trainer accepts. `None` otherwise: the caller runs the trainer per start.
    pub fn for_settings(settings: &Settings) -> Option<LaneRule> {
        let objective = settings.objective.as_ref()?.as_builtin()?;
        let o = &settings.optimizer;
        let plain = settings.precision == Precision::F64
            && settings.bias
            && objective != Builtin::Beale
            && settings.gradient != GradientSource::Numeric
            && !settings.schedule.is_active()
            && settings.noise == 0.0
            && o.line_search == LineSearch::None
            && settings.validate().is_ok();
        if !plain {
            return None;
        }
        let rule = LaneRule {
            objective,
            lr: o.lr,
            momentum: 0.0,
            one_minus_dampening: 1.0,
            weight_decay: 0.0,
            nesterov: false,
        };
        match o.kind {
            OptimizerKind::Gd => Some(rule),
            OptimizerKind::Sgd => Some(LaneRule {
                momentum: o.momentum,
                one_minus_dampening: 1.0 - o.dampening,
                weight_decay: o.weight_decay(),
                nesterov: o.nesterov,
                ..rule
            }),
            _ => None,
        }
    }

    /// The end of the run from each start: at most `max_steps` updates, stopping at ‖∇f‖ ≤ `tolerance`.
    pub fn run(&self, starts: &[Params<f64>], max_steps: u64, tolerance: f64) -> Vec<End> {
        let test = NormTest::new(tolerance);
        let mut work = Work { starts, next: 0, max_steps, test, ends: vec![None; starts.len()] };
        Lanes::default().run(self, &mut work);
        // Every start is run (a lane is refilled until none is left); a missing end cannot happen, and would read
        // as the start, unfinished.
        let unrun = |p: &Params<f64>| End { outcome: Outcome::Unfinished, at: *p, steps: 0 };
        work.ends.into_iter().zip(starts).map(|(e, p)| e.unwrap_or_else(|| unrun(p))).collect()
    }
}

/// The built-ins the lanes step, as const parameters (each step loop is compiled for one of them).
const HIMMELBLAU: u8 = 0;
const ROSENBROCK: u8 = 1;
const SADDLE: u8 = 2;
const RASTRIGIN: u8 = 3;

/// f, ∂f/∂w and ∂f/∂b of a built-in, in the order the autodiff tape computes them (bit for bit its result: a test
/// compares). Each gradient starts from the tape's +0 (so that −0 contributions sum to +0, as there).
pub fn evaluate(objective: Builtin, w: f64, b: f64) -> Option<(f64, f64, f64)> {
    Some(match objective {
        Builtin::Himmelblau => eval::<HIMMELBLAU>(w, b),
        Builtin::Rosenbrock => eval::<ROSENBROCK>(w, b),
        Builtin::Saddle => eval::<SADDLE>(w, b),
        Builtin::Rastrigin => eval::<RASTRIGIN>(w, b),
        Builtin::Beale => return None,
    })
}

/// [`evaluate`] for one built-in, written out so that it inlines into the lanes' loop.
#[inline(always)]
fn eval<const OBJ: u8>(w: f64, b: f64) -> (f64, f64, f64) {
    match OBJ {
        HIMMELBLAU => {
            // (w² + b − 11)² + (w + b² − 7)²: ∂w = 2B + 2A·2w, ∂b = 2B·2b + 2A
            let (a, c) = (w * w + b - 11.0, w + b * b - 7.0);
            (a * a + c * c, 0.0 + 2.0 * c + (2.0 * a) * (2.0 * w), 0.0 + (2.0 * c) * (2.0 * b) + 2.0 * a)
        }
        ROSENBROCK => {
            // (1 − w)² + 100·(b − w²)²: ∂w = −(100·2C)·2w + −(2A), ∂b = 100·2C
            let (a, c) = (1.0 - w, b - w * w);
            let g_c = 100.0 * (2.0 * c);
            (a * a + 100.0 * (c * c), 0.0 + (-g_c) * (2.0 * w) + -(2.0 * a), 0.0 + g_c)
        }
        SADDLE => (w * w - b * b, 0.0 + 2.0 * w, 0.0 + -(2.0 * b)),
        _ => {
            // 20 + w² − 10·cos(2πw) + b² − 10·cos(2πb): ∂w = (−10·−sin(2πw))·2π + 2w
            let (xw, xb) = (TWO_PI * w, TWO_PI * b);
            let f = 20.0 + w * w - 10.0 * xw.cos() + b * b - 10.0 * xb.cos();
            (f, 0.0 + (-10.0 * -xw.sin()) * TWO_PI + 2.0 * w, 0.0 + (-10.0 * -xb.sin()) * TWO_PI + 2.0 * b)
        }
    }
}

/// ‖(gw, gb)‖ ≤ `tol` as the trainer decides it (`hypot`), without calling `hypot` where the sum of squares already
/// decides: it is within a few ulps of ‖g‖², so outside [lo², hi²] the answer is certain.
#[derive(Clone, Copy)]
struct NormTest {
    tol: f64,
    lo2: f64,
    hi2: f64,
}

impl NormTest {
    fn new(tol: f64) -> Self {
        // Squares of values near tol are normal (no underflow or overflow) only within this range; outside it,
        // every test calls hypot.
        if (1e-140..=1e140).contains(&tol) {
            let (lo, hi) = (tol * (1.0 - 1e-9), tol * (1.0 + 1e-9));
            NormTest { tol, lo2: lo * lo, hi2: hi * hi }
        } else {
            NormTest { tol, lo2: f64::NEG_INFINITY, hi2: f64::INFINITY }
        }
    }

    /// 1 when certainly within, 0 when certainly not, 2 when `hypot` must decide.
    #[inline(always)]
    fn quick(&self, gw: f64, gb: f64) -> u64 {
        let n2 = gw * gw + gb * gb;
        if n2 < self.lo2 {
            1
        } else if n2 > self.hi2 {
            0
        } else {
            2
        }
    }

    fn exact(&self, gw: f64, gb: f64) -> bool {
        gw.hypot(gb) <= self.tol
    }
}

/// [`CHUNK`] runs in struct-of-arrays form. A lane whose run ends is refilled with the next start at once, so the
/// lanes stay busy until the starts run out (no lane waits for the slowest run of a batch).
struct Lanes {
    w: [f64; CHUNK],
    b: [f64; CHUNK],
    gw: [f64; CHUNK],
    gb: [f64; CHUNK],
    /// Momentum buffers.
    vw: [f64; CHUNK],
    vb: [f64; CHUNK],
    limit: [f64; CHUNK],
    /// Steps each lane's run has taken.
    steps: [u64; CHUNK],
    unchanged: [u64; CHUNK],
    state: [u64; CHUNK],
    /// A norm test `hypot` must decide (set by the vector pass, read by the scalar one).
    undecided: [u64; CHUNK],
    /// The start each lane runs (an index into the starts), `usize::MAX` for an idle lane.
    who: [usize; CHUNK],
}

/// A lane's state: running, its verdict, or idle.
const RUNNING: u64 = 0;
const CONVERGED: u64 = 1;
const DIVERGED: u64 = 2;
const IDLE: u64 = 3;

impl Default for Lanes {
    fn default() -> Self {
        Lanes {
            w: [0.0; CHUNK],
            b: [0.0; CHUNK],
            gw: [0.0; CHUNK],
            gb: [0.0; CHUNK],
            vw: [0.0; CHUNK],
            vb: [0.0; CHUNK],
            limit: [0.0; CHUNK],
            steps: [0; CHUNK],
            unchanged: [0; CHUNK],
            state: [IDLE; CHUNK],
            undecided: [0; CHUNK],
            who: [usize::MAX; CHUNK],
        }
    }
}

/// The starts, the budget and where the ends go, for one call of [`LaneRule::run`].
struct Work<'a> {
    starts: &'a [Params<f64>],
    next: usize,
    max_steps: u64,
    test: NormTest,
    ends: Vec<Option<End>>,
}

impl Lanes {
    /// Runs every start of `work` to its end: the step loop built for AVX2 where the CPU has it (4 lanes per
    /// instruction, the same IEEE operations and so the same bits), for the baseline otherwise.
    fn run(&mut self, rule: &LaneRule, work: &mut Work<'_>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU was just checked to support AVX2, the only requirement of `run_avx2`.
            return unsafe { self.run_avx2(rule, work) };
        }
        self.dispatch(rule, work)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&mut self, rule: &LaneRule, work: &mut Work<'_>) {
        self.dispatch(rule, work)
    }

    /// One step loop per built-in, inlined into the caller's instruction set.
    #[inline(always)]
    fn dispatch(&mut self, rule: &LaneRule, work: &mut Work<'_>) {
        match rule.objective {
            Builtin::Himmelblau => self.run_on::<HIMMELBLAU>(rule, work),
            Builtin::Rosenbrock => self.run_on::<ROSENBROCK>(rule, work),
            Builtin::Saddle => self.run_on::<SADDLE>(rule, work),
            Builtin::Rastrigin => self.run_on::<RASTRIGIN>(rule, work),
            Builtin::Beale => {}
        }
    }

    /// [`Lanes::run`] on built-in `OBJ`.
    #[inline(always)]
    fn run_on<const OBJ: u8>(&mut self, rule: &LaneRule, work: &mut Work<'_>) {
        for i in 0..CHUNK {
            self.refill::<OBJ>(i, work);
        }
        let momentum = rule.momentum != 0.0;
        while self.state.contains(&RUNNING) {
            match (momentum, rule.weight_decay != 0.0) {
                (false, false) => self.step::<OBJ, false, false>(rule, &work.test),
                (false, true) => self.step::<OBJ, false, true>(rule, &work.test),
                (true, false) => self.step::<OBJ, true, false>(rule, &work.test),
                (true, true) => self.step::<OBJ, true, true>(rule, &work.test),
            }
            self.settle(&work.test);
            // Which lanes ended, found without a branch per lane; most steps end none.
            let mut ended = 0u64;
            for i in 0..CHUNK {
                let done = self.state[i] == CONVERGED || self.state[i] == DIVERGED;
                let budget = self.state[i] == RUNNING && self.steps[i] >= work.max_steps;
                ended |= u64::from(done || budget) << i;
            }
            while ended != 0 {
                self.refill::<OBJ>(ended.trailing_zeros() as usize, work);
                ended &= ended - 1;
            }
        }
    }

    /// Records lane `i`'s end (if it ran a start) and loads the next start into it (idle when none is left). A
    /// start is evaluated and judged as the trainer judges step 0; one that ends there is recorded at once.
    fn refill<const OBJ: u8>(&mut self, i: usize, work: &mut Work<'_>) {
        loop {
            if let Some(slot) = work.ends.get_mut(self.who[i]) {
                let at = Params { w: self.w[i], b: self.b[i] };
                let outcome = match self.state[i] {
                    CONVERGED => Outcome::Converged,
                    DIVERGED => Outcome::Diverged,
                    _ => Outcome::Unfinished,
                };
                *slot = Some(End { outcome, at, steps: self.steps[i] });
            }
            let Some(&p) = work.starts.get(work.next) else {
                (self.who[i], self.state[i]) = (usize::MAX, IDLE);
                return;
            };
            self.who[i] = work.next;
            work.next += 1;
            let (f, gw, gb) = eval::<OBJ>(p.w, p.b);
            (self.w[i], self.b[i], self.gw[i], self.gb[i]) = (p.w, p.b, gw, gb);
            (self.vw[i], self.vb[i], self.unchanged[i], self.steps[i]) = (0.0, 0.0, 0, 0);
            self.limit[i] = DIVERGENCE_FACTOR * f.abs().max(1.0);
            self.state[i] = if !(f.is_finite() && gw.is_finite() && gb.is_finite()) {
                DIVERGED
            } else if work.test.exact(gw, gb) {
                CONVERGED
            } else {
                RUNNING
            };
            if self.state[i] == RUNNING && work.max_steps > 0 {
                return;
            }
        }
    }

    /// One update of every running lane: the vector pass. Verdicts the norm alone cannot settle wait in `undecided`.
    #[inline(always)]
    fn step<const OBJ: u8, const MOMENTUM: bool, const DECAY: bool>(&mut self, rule: &LaneRule, test: &NormTest) {
        let (lr, mu, damp, decay) = (rule.lr, rule.momentum, rule.one_minus_dampening, rule.weight_decay);
        for i in 0..CHUNK {
            let running = self.state[i] == RUNNING;
            let (w, b) = (self.w[i], self.b[i]);
            let (mut gw, mut gb) = (self.gw[i], self.gb[i]);
            if DECAY {
                (gw, gb) = (gw + decay * w, gb + decay * b);
            }
            let mut state_ok = true;
            if MOMENTUM {
                // torch keeps no buffer before the first step: the first one is the gradient itself.
                let first = self.steps[i] == 0;
                let vw = if first { gw } else { self.vw[i] * mu + damp * gw };
                let vb = if first { gb } else { self.vb[i] * mu + damp * gb };
                (self.vw[i], self.vb[i]) = (vw, vb);
                state_ok = vw.is_finite() && vb.is_finite();
                (gw, gb) = if rule.nesterov { (gw + mu * vw, gb + mu * vb) } else { (vw, vb) };
            }
            let (nw, nb) = (w - lr * gw, b - lr * gb);
            let (f, ngw, ngb) = eval::<OBJ>(nw, nb);
            let finite =
                nw.is_finite() && nb.is_finite() && state_ok && f.is_finite() && ngw.is_finite() && ngb.is_finite();
            let accept = running && finite;
            let bad = f > self.limit[i] || f < OBJECTIVE_FLOOR;
            let still = nw == w && nb == b;
            let near = test.quick(ngw, ngb);
            self.w[i] = if accept { nw } else { w };
            self.b[i] = if accept { nb } else { b };
            self.gw[i] = if accept { ngw } else { self.gw[i] };
            self.gb[i] = if accept { ngb } else { self.gb[i] };
            let unchanged = if still { self.unchanged[i] + 1 } else { 0 };
            self.unchanged[i] = if accept { unchanged } else { self.unchanged[i] };
            let verdict = if !finite || bad {
                DIVERGED
            } else if near == 1 || near == 0 && unchanged >= u64::from(STALL_STEPS) {
                CONVERGED
            } else {
                RUNNING
            };
            self.undecided[i] = u64::from(running && finite && !bad && near == 2);
            self.state[i] = if running { verdict } else { self.state[i] };
            self.steps[i] += u64::from(running);
        }
    }

    /// The scalar pass: `hypot` decides the few norms the vector pass could not.
    fn settle(&mut self, test: &NormTest) {
        for i in 0..CHUNK {
            if self.undecided[i] != 0 {
                let within = test.exact(self.gw[i], self.gb[i]);
                let stalled = self.unchanged[i] >= u64::from(STALL_STEPS);
                self.state[i] = if within || stalled { CONVERGED } else { RUNNING };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::basins::{BasinPlan, run_from};
    use crate::engine::data::Dataset;
    use crate::engine::objective::Objective;

    fn settings(objective: Builtin, kind: OptimizerKind, lr: f64) -> Settings {
        let mut s = Settings::default();
        s.set_objective(Some(Objective::builtin(objective)), true);
        s.optimizer.kind = kind;
        s.optimizer.lr = lr;
        s
    }

    /// The lanes' f and ∇f are the autodiff tape's, bit for bit, near and far from the minima.
    #[test]
    fn the_lanes_gradient_is_the_tapes() {
        let values = [-1e6, -7.3, -3.0, -2.5, -1.0 / 3.0, -1e-9, 0.0, 1e-7, 0.1, 0.7, 1.0, 2.0, 3.2, 5.0, 1e5, 3e150];
        for objective in [Builtin::Himmelblau, Builtin::Rosenbrock, Builtin::Saddle, Builtin::Rastrigin] {
            let o = Objective::builtin(objective);
            for &w in &values {
                for &b in &values {
                    let tape = o.evaluate(Params { w, b }, GradientSource::Autodiff);
                    let Some((f, gw, gb)) = evaluate(objective, w, b) else { panic!("{objective:?} not stepped") };
                    let bits = |x: f64| x.to_bits();
                    assert_eq!(
                        [bits(f), bits(gw), bits(gb)],
                        [bits(tape.loss), bits(tape.grad.w), bits(tape.grad.b)],
                        "{objective:?} at ({w}, {b}): lanes ({f}, {gw}, {gb}), tape {tape:?}"
                    );
                }
            }
        }
        assert_eq!(evaluate(Builtin::Beale, 1.0, 1.0), None);
    }

    /// Every cell of a small map ends where the trainer's run from it ends: the same outcome, the same point to the
    /// bit and the same step, for plain GD, SGD with momentum, Nesterov and weight decay, on each built-in the lanes
    /// step, with lrs that converge, stall, diverge and leave runs unfinished.
    #[test]
    fn every_start_ends_where_the_trainers_run_ends() {
        let data = Dataset::notebook();
        let mut cases = vec![
            (settings(Builtin::Himmelblau, OptimizerKind::Gd, 0.01), 2000),
            (settings(Builtin::Himmelblau, OptimizerKind::Gd, 0.035), 300),
            (settings(Builtin::Rosenbrock, OptimizerKind::Gd, 0.001), 500),
            (settings(Builtin::Rosenbrock, OptimizerKind::Sgd, 0.004), 200),
            (settings(Builtin::Saddle, OptimizerKind::Gd, 0.1), 400),
            (settings(Builtin::Rastrigin, OptimizerKind::Gd, 0.002), 600),
        ];
        let mut momentum = settings(Builtin::Himmelblau, OptimizerKind::Sgd, 0.01);
        (momentum.optimizer.momentum, momentum.optimizer.dampening) = (0.9, 0.1);
        cases.push((momentum.clone(), 1000));
        momentum.optimizer.nesterov = true;
        momentum.optimizer.dampening = 0.0;
        momentum.optimizer.weight_decay = Some(0.05);
        cases.push((momentum, 1000));
        let mut outcomes = std::collections::BTreeSet::new();
        for (s, max_steps) in cases {
            let rule = LaneRule::for_settings(&s).expect("the lanes cover these settings");
            let plan = BasinPlan { w: [-5.0, 5.0], b: [-5.0, 5.0], size: [13, 11], max_steps, tolerance: 1e-6 };
            let starts: Vec<Params<f64>> =
                (0..11).flat_map(|j| (0..13).map(move |i| (i, j))).map(|(i, j)| plan.start(i, j)).collect();
            let fast = rule.run(&starts, max_steps, plan.tolerance);
            assert_eq!(fast.len(), starts.len());
            for (start, end) in starts.iter().zip(&fast) {
                let slow = run_from(&data, &s, *start, &plan);
                assert_eq!(
                    *end,
                    slow,
                    "{} lr {} from {start:?}",
                    s.objective.as_ref().map_or("", |o| o.text()),
                    s.optimizer.lr
                );
                outcomes.insert(end.outcome.label());
            }
        }
        assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), ["converged", "diverged", "unfinished"]);
    }

    #[test]
    fn the_lanes_leave_other_settings_to_the_trainer() {
        let covered = settings(Builtin::Himmelblau, OptimizerKind::Gd, 0.01);
        assert!(LaneRule::for_settings(&covered).is_some());
        let mut cases = vec![
            settings(Builtin::Beale, OptimizerKind::Gd, 0.01),
            settings(Builtin::Himmelblau, OptimizerKind::Adam, 0.01),
        ];
        let mut s = covered.clone();
        s.precision = Precision::F32;
        cases.push(s);
        let mut s = covered.clone();
        s.set_objective(Objective::parse("w^2 + b^2").ok(), true);
        cases.push(s);
        let mut s = covered.clone();
        s.gradient = GradientSource::Numeric;
        cases.push(s);
        let mut s = covered;
        s.noise = 0.1;
        cases.push(s);
        cases.push(Settings::default());
        for s in cases {
            assert_eq!(LaneRule::for_settings(&s), None, "{s:?}");
        }
    }
}
