//! The command line: engine options shared by every command and the app, and the `trace`, `analyze`,
//! `gradcheck`, `gif`, `exercise`, `replay`, `sweep`, `race` and `basins` commands, a file each (`objective`
//! analyses and checks an objective for `analyze` and `gradcheck`; `sheet` is `exercise --sheet/--grade`;
//! `interrupt` ends a stream on SIGINT/SIGTERM). `dispatch` runs a command; `common` holds what the commands share
//! (exit codes, `CliError`, the checked setup).

mod analyze;
mod basins;
mod common;
mod dispatch;
mod exercise;
mod gif;
mod gradcheck;
mod interrupt;
mod objective;
mod race;
mod replay;
mod sheet;
mod sweep;
mod trace;
pub mod values;
pub mod view_png;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::objective::Objective;
use crate::engine::optim::LineSearch;
use crate::engine::schedule::{AnnealStrategy, CyclicMode, ScheduleConfig, ScheduleKind, ThresholdMode};
use crate::engine::{DataError, Dataset, GradientSource, LossKind, OptimizerKind, Precision, Settings};

pub use basins::BasinsArgs;
pub use common::{EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_OK, EXIT_STOPPED};
pub use dispatch::run_command;
pub use exercise::{EXIT_WRONG_ANSWER, ExerciseArgs, ExerciseFormat};
pub use gif::GifArgs;
pub use race::RaceArgs;
pub use replay::ReplayArgs;
pub use sweep::SweepArgs;

/// descent: watch gradient descent happen, exactly. With no command, opens the app.
#[derive(Debug, Parser)]
#[command(name = "descent", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A command to run instead of opening the app.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Engine options for the app.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Options of the app itself.
    #[command(flatten)]
    pub gui: GuiArgs,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the trajectory of a run (csv, json, the notebook's printout, or only the last row).
    Trace(TraceArgs),
    /// Print the optimum, the curvature and the critical learning rates.
    Analyze(AnalyzeArgs),
    /// Compare the analytic, autodiff, numeric and notebook-sum gradients at a point.
    Gradcheck(GradcheckArgs),
    /// Render the descent as an animated GIF, without a window (the parabola, or with --bias the contour map, with
    /// the path and the loss inset).
    Gif(GifArgs),
    /// An exercise drawn from a seed (next weight, critical lr, one-step lr, steps to tolerance, optimum), graded
    /// exactly with --answer (exit 0 right, 1 wrong); with --sheet N, a printable sheet and its key, or with --grade
    /// a student's answers to it.
    Exercise(ExerciseArgs),
    /// Replay a saved session headless and print each run's trace (csv with a leading run column, or json).
    Replay(ReplayArgs),
    /// The Basins tab's map: where the run from each cell of a grid of starts ends (csv per start, json per basin,
    /// --png the map).
    Basins(BasinsArgs),
    /// The lr sweep tab's numbers: per learning rate, the steps to the tolerance, the final loss and the outcome.
    Sweep(SweepArgs),
    /// The fair race: each run's lr tuned by a sweep of its own settings, its tuning curve, and the ranking under
    /// both criteria.
    Race(RaceArgs),
}

/// Options that define a run, shared by every command and the app. Unset options keep their defaults
/// (in the app: the saved settings).
#[derive(Debug, Clone, Default, Args)]
pub struct EngineArgs {
    /// Data: a preset (notebook, noisy, outliers, large) or a CSV file of x,y.
    #[arg(long, value_name = "PRESET|PATH")]
    pub data: Option<String>,
    /// Fit ŷ = w·x + b instead of ŷ = w·x.
    #[arg(long)]
    pub bias: bool,
    /// Loss function.
    #[arg(long, value_enum)]
    pub loss: Option<LossKind>,
    /// Huber's δ.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub huber_delta: Option<f64>,
    /// Gradient source.
    #[arg(long, value_enum)]
    pub gradient: Option<GradientSource>,
    /// Floating-point precision of the whole run.
    #[arg(long, value_enum)]
    pub precision: Option<Precision>,
    /// Optimizer (default gd, the notebook's own loop; without --optimizer, --momentum, --dampening, --nesterov,
    /// --weight-decay or a onecycle or cyclic schedule that cycles the momentum select sgd, torch.optim.SGD, which
    /// has them).
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerKind>,
    /// Learning rate (default 0.01, the notebook's).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub lr: Option<f64>,
    /// Momentum (SGD, RMSprop).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub momentum: Option<f64>,
    /// Dampening (SGD).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub dampening: Option<f64>,
    /// Nesterov momentum (SGD).
    #[arg(long)]
    pub nesterov: bool,
    /// Weight decay (AdamW defaults to 0.01, the others to 0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub weight_decay: Option<f64>,
    /// Learning-rate decay (Adagrad).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub lr_decay: Option<f64>,
    /// Initial accumulator value (Adagrad).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub initial_accumulator_value: Option<f64>,
    /// Smoothing constant α (RMSprop).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub alpha: Option<f64>,
    /// Centered RMSprop.
    #[arg(long)]
    pub centered: bool,
    /// β₁ (Adam, AdamW).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub beta1: Option<f64>,
    /// β₂ (Adam, AdamW).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub beta2: Option<f64>,
    /// ε of the denominator (Adagrad 1e-10, the others 1e-8).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub eps: Option<f64>,
    /// AMSGrad variant (Adam, AdamW).
    #[arg(long)]
    pub amsgrad: bool,
    /// Initial weight.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub w0: Option<f64>,
    /// Initial bias (with --bias or --objective).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub b0: Option<f64>,
    /// Mini-batch size (full batch when absent).
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Seed of the mini-batch shuffle (and of the gradient noise).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Minimise f(w, b) instead of a loss over data: rosenbrock, beale, himmelblau, saddle, rastrigin, or an
    /// expression in w and b such as "w^2 + 10*b^2" (+ - * / ^, pi, e, sin cos tan exp log sqrt abs tanh sinh
    /// cosh asin acos atan sigmoid softplus log1p expm1 relu).
    #[arg(long, value_name = "NAME|EXPR", value_parser = parse_objective, allow_hyphen_values = true)]
    pub objective: Option<Objective>,
    /// σ of Gaussian noise added to each update's gradient (with --objective), drawn from --seed.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub noise: Option<f64>,
    /// Backtracking line search for plain gradient descent (sgd without momentum): t from --lr, shrunk by
    /// --backtrack until the Armijo test L(p − t·g) ≤ L(p) − c·t·‖g‖² holds.
    #[arg(long, value_enum, value_name = "KIND")]
    pub line_search: Option<LineSearch>,
    /// The Armijo constant c of --line-search (default 1e-4).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub armijo_c: Option<f64>,
    /// The backtracking factor ρ of --line-search, t ← ρ·t (default 0.5).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub backtrack: Option<f64>,
    /// Run the optimizer on standardized inputs: x′ = (x − mean)/std with --bias, x′ = x/rms without; the
    /// trace's w, b are mapped back to the original x.
    #[arg(long)]
    pub standardize: bool,
    /// Learning-rate schedules (torch.optim.lr_scheduler).
    #[command(flatten)]
    pub schedule: ScheduleArgs,
}

/// Parses `--objective`: a built-in's name or an expression (a bad one is refused with its column).
fn parse_objective(text: &str) -> Result<Objective, String> {
    Objective::parse(text).map_err(|e| e.to_string())
}

/// The learning-rate schedule and its parameters, with torch's names and defaults (`--schedule` picks the class).
#[derive(Debug, Clone, Default, Args)]
pub struct ScheduleArgs {
    /// Learning-rate schedule, stepped after each update (torch.optim.lr_scheduler).
    #[arg(long, value_enum, value_name = "NAME")]
    pub schedule: Option<ScheduleKind>,
    /// StepLR: multiply the lr by --gamma every N steps (required).
    #[arg(long, value_name = "N")]
    pub step_size: Option<u64>,
    /// StepLR and MultiStepLR (default 0.1), ExponentialLR (required), CyclicLR's exp_range (default 1): the lr's
    /// factor.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub gamma: Option<f64>,
    /// CosineAnnealingLR: steps of half a cosine period (required).
    #[arg(long, value_name = "N")]
    pub t_max: Option<u64>,
    /// CosineAnnealingLR, CosineAnnealingWarmRestarts: the lowest lr (default 0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub eta_min: Option<f64>,
    /// LinearLR: the first step's factor of the lr (default 1/3).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub start_factor: Option<f64>,
    /// LinearLR: the factor reached after --total-iters steps (default 1).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub end_factor: Option<f64>,
    /// LinearLR, ConstantLR, PolynomialLR: steps of the schedule (default 5).
    #[arg(long, value_name = "N")]
    pub total_iters: Option<u64>,
    /// OneCycleLR, CyclicLR: the peak lr (required; the schedule sets the lr, so --lr is refused).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub max_lr: Option<f64>,
    /// OneCycleLR: the length of the cycle in steps (required; --steps may not exceed it).
    #[arg(long, value_name = "N")]
    pub total_steps: Option<u64>,
    /// OneCycleLR: the share of the cycle spent raising the lr (default 0.3).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub pct_start: Option<f64>,
    /// OneCycleLR: the shape of the anneal (default cos).
    #[arg(long, value_enum, value_name = "SHAPE")]
    pub anneal_strategy: Option<AnnealStrategy>,
    /// OneCycleLR: the first lr is --max-lr / this (default 25).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub div_factor: Option<f64>,
    /// OneCycleLR: the last lr is the first / this (default 1e4).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub final_div_factor: Option<f64>,
    /// OneCycleLR: three phases (up, down to the first lr, then annihilate) instead of two.
    #[arg(long)]
    pub three_phase: bool,
    /// OneCycleLR, CyclicLR: leave the momentum (β₁ for Adam) alone; Adagrad needs it.
    #[arg(long)]
    pub no_cycle_momentum: bool,
    /// OneCycleLR (default 0.85), CyclicLR (default 0.8): the momentum (β₁) at the peak lr.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub base_momentum: Option<f64>,
    /// OneCycleLR (default 0.95), CyclicLR (default 0.9): the momentum (β₁) at the lowest lr.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub max_momentum: Option<f64>,
    /// ReduceLROnPlateau: the lr's factor at each reduction (default 0.1); ConstantLR: the lr's factor until
    /// --total-iters (default 1/3); MultiplicativeLR: the lr's factor at each step (required).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub factor: Option<f64>,
    /// ReduceLROnPlateau: steps without improvement before reducing (default 10).
    #[arg(long, value_name = "N")]
    pub patience: Option<u64>,
    /// ReduceLROnPlateau: the improvement that counts (default 1e-4).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub threshold: Option<f64>,
    /// ReduceLROnPlateau: relative or absolute threshold (default rel).
    #[arg(long, value_enum, value_name = "MODE")]
    pub threshold_mode: Option<ThresholdMode>,
    /// ReduceLROnPlateau: steps to wait after a reduction (default 0).
    #[arg(long, value_name = "N")]
    pub cooldown: Option<u64>,
    /// ReduceLROnPlateau: the lowest lr (default 0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub min_lr: Option<f64>,
    /// MultiStepLR: the steps at which the lr is multiplied by --gamma, increasing (required).
    #[arg(long, value_name = "N,N,…", value_delimiter = ',')]
    pub milestones: Option<Vec<u64>>,
    /// PolynomialLR: the power of the decay (default 1).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub power: Option<f64>,
    /// CyclicLR: the lower lr of the cycle, and the first (required; the schedule sets the lr, so --lr is refused).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub base_lr: Option<f64>,
    /// CyclicLR: steps from --base-lr up to --max-lr (default 2000).
    #[arg(long, value_name = "N")]
    pub step_size_up: Option<u64>,
    /// CyclicLR: steps from --max-lr down to --base-lr (default: --step-size-up).
    #[arg(long, value_name = "N")]
    pub step_size_down: Option<u64>,
    /// CyclicLR: the amplitude's policy (default triangular).
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Option<CyclicMode>,
    /// CosineAnnealingWarmRestarts: steps until the first restart (required).
    #[arg(long, value_name = "N")]
    pub t_0: Option<u64>,
    /// CosineAnnealingWarmRestarts: the factor of the period after each restart (default 1).
    #[arg(long, value_name = "N")]
    pub t_mult: Option<u64>,
    /// Warm up for N steps: LinearLR(--warmup-start-factor, 1, N) alone, or before --schedule as torch's
    /// SequentialLR([LinearLR(…), schedule], milestones=[N]) (not with onecycle, cyclic or plateau).
    #[arg(long, value_name = "N")]
    pub warmup_iters: Option<u64>,
    /// The warm-up's first factor of the lr (default 1/3).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub warmup_start_factor: Option<f64>,
}

impl ScheduleArgs {
    /// Overrides the fields of `c` that were given on the command line.
    pub fn apply(&self, c: &mut ScheduleConfig) {
        set(&mut c.kind, self.schedule);
        if self.step_size.is_some() {
            c.step_size = self.step_size;
        }
        if self.gamma.is_some() {
            c.gamma = self.gamma;
        }
        if self.t_max.is_some() {
            c.t_max = self.t_max;
        }
        if self.max_lr.is_some() {
            c.max_lr = self.max_lr;
        }
        if self.total_steps.is_some() {
            c.total_steps = self.total_steps;
        }
        set(&mut c.eta_min, self.eta_min);
        set(&mut c.start_factor, self.start_factor);
        set(&mut c.end_factor, self.end_factor);
        set(&mut c.total_iters, self.total_iters);
        set(&mut c.pct_start, self.pct_start);
        set(&mut c.anneal_strategy, self.anneal_strategy);
        set(&mut c.div_factor, self.div_factor);
        set(&mut c.final_div_factor, self.final_div_factor);
        c.three_phase |= self.three_phase;
        c.cycle_momentum &= !self.no_cycle_momentum;
        if c.kind == ScheduleKind::Cyclic {
            set(&mut c.cyclic_base_momentum, self.base_momentum);
            set(&mut c.cyclic_max_momentum, self.max_momentum);
        } else {
            set(&mut c.base_momentum, self.base_momentum);
            set(&mut c.max_momentum, self.max_momentum);
        }
        match c.kind {
            ScheduleKind::Constantlr => set(&mut c.constant_factor, self.factor),
            ScheduleKind::Multiplicative if self.factor.is_some() => c.multiplicative_factor = self.factor,
            _ => set(&mut c.factor, self.factor),
        }
        set(&mut c.patience, self.patience);
        set(&mut c.threshold, self.threshold);
        set(&mut c.threshold_mode, self.threshold_mode);
        set(&mut c.cooldown, self.cooldown);
        set(&mut c.min_lr, self.min_lr);
        set(&mut c.milestones, self.milestones.clone());
        set(&mut c.power, self.power);
        if self.base_lr.is_some() {
            c.base_lr = self.base_lr;
        }
        set(&mut c.step_size_up, self.step_size_up);
        if self.step_size_down.is_some() {
            c.step_size_down = self.step_size_down;
        }
        set(&mut c.mode, self.mode);
        if self.t_0.is_some() {
            c.t_0 = self.t_0;
        }
        set(&mut c.t_mult, self.t_mult);
        if self.warmup_iters.is_some() {
            c.warmup_iters = self.warmup_iters;
        }
        set(&mut c.warmup_start_factor, self.warmup_start_factor);
    }

    /// The first schedule flag given that the chosen schedule does not read, with the schedules that do.
    pub fn stray_flag(&self, kind: ScheduleKind) -> Option<(&'static str, &'static str)> {
        use ScheduleKind::{
            Constantlr, Cosine, Cyclic, Exponential, Linear, Multiplicative, Multistep, Onecycle, Plateau, Polynomial,
            Step, WarmRestarts,
        };
        let cycling: &[ScheduleKind] = &[Onecycle, Cyclic];
        let flags: [(&str, bool, &[ScheduleKind], &str); 31] = [
            ("--step-size", self.step_size.is_some(), &[Step], "step"),
            (
                "--gamma",
                self.gamma.is_some(),
                &[Step, Multistep, Exponential, Cyclic],
                "step, multistep, exponential and cyclic",
            ),
            ("--t-max", self.t_max.is_some(), &[Cosine], "cosine"),
            ("--eta-min", self.eta_min.is_some(), &[Cosine, WarmRestarts], "cosine and warm-restarts"),
            ("--start-factor", self.start_factor.is_some(), &[Linear], "linear"),
            ("--end-factor", self.end_factor.is_some(), &[Linear], "linear"),
            (
                "--total-iters",
                self.total_iters.is_some(),
                &[Linear, Constantlr, Polynomial],
                "linear, constantlr and polynomial",
            ),
            ("--max-lr", self.max_lr.is_some(), cycling, "onecycle and cyclic"),
            ("--total-steps", self.total_steps.is_some(), &[Onecycle], "onecycle"),
            ("--pct-start", self.pct_start.is_some(), &[Onecycle], "onecycle"),
            ("--anneal-strategy", self.anneal_strategy.is_some(), &[Onecycle], "onecycle"),
            ("--div-factor", self.div_factor.is_some(), &[Onecycle], "onecycle"),
            ("--final-div-factor", self.final_div_factor.is_some(), &[Onecycle], "onecycle"),
            ("--three-phase", self.three_phase, &[Onecycle], "onecycle"),
            ("--no-cycle-momentum", self.no_cycle_momentum, cycling, "onecycle and cyclic"),
            ("--base-momentum", self.base_momentum.is_some(), cycling, "onecycle and cyclic"),
            ("--max-momentum", self.max_momentum.is_some(), cycling, "onecycle and cyclic"),
            (
                "--factor",
                self.factor.is_some(),
                &[Plateau, Constantlr, Multiplicative],
                "plateau, constantlr and multiplicative",
            ),
            ("--patience", self.patience.is_some(), &[Plateau], "plateau"),
            ("--threshold", self.threshold.is_some(), &[Plateau], "plateau"),
            ("--threshold-mode", self.threshold_mode.is_some(), &[Plateau], "plateau"),
            ("--cooldown", self.cooldown.is_some(), &[Plateau], "plateau"),
            ("--min-lr", self.min_lr.is_some(), &[Plateau], "plateau"),
            ("--milestones", self.milestones.is_some(), &[Multistep], "multistep"),
            ("--power", self.power.is_some(), &[Polynomial], "polynomial"),
            ("--base-lr", self.base_lr.is_some(), &[Cyclic], "cyclic"),
            ("--step-size-up", self.step_size_up.is_some(), &[Cyclic], "cyclic"),
            ("--step-size-down", self.step_size_down.is_some(), &[Cyclic], "cyclic"),
            ("--mode", self.mode.is_some(), &[Cyclic], "cyclic"),
            ("--t-0", self.t_0.is_some(), &[WarmRestarts], "warm-restarts"),
            ("--t-mult", self.t_mult.is_some(), &[WarmRestarts], "warm-restarts"),
        ];
        flags.into_iter().find(|(_, given, kinds, _)| *given && !kinds.contains(&kind)).map(|(f, _, _, k)| (f, k))
    }
}

impl EngineArgs {
    /// Overrides the fields of `settings` that were given on the command line.
    pub fn apply(&self, settings: &mut Settings) {
        let s = settings;
        if self.objective.is_some() {
            // First, so that the objective's default start yields to --w0 and --b0.
            s.set_objective(self.objective.clone(), true);
        }
        set(&mut s.noise, self.noise);
        s.bias |= self.bias;
        set(&mut s.loss, self.loss);
        set(&mut s.huber_delta, self.huber_delta);
        set(&mut s.gradient, self.gradient);
        set(&mut s.precision, self.precision);
        set(&mut s.w0, self.w0);
        set(&mut s.b0, self.b0);
        if self.batch_size.is_some() {
            s.batch_size = self.batch_size;
        }
        set(&mut s.seed, self.seed);
        let o = &mut s.optimizer;
        set(&mut o.kind, self.optimizer);
        set(&mut o.lr, self.lr);
        set(&mut o.momentum, self.momentum);
        set(&mut o.dampening, self.dampening);
        o.nesterov |= self.nesterov;
        if self.weight_decay.is_some() {
            o.weight_decay = self.weight_decay;
        }
        set(&mut o.lr_decay, self.lr_decay);
        set(&mut o.initial_accumulator_value, self.initial_accumulator_value);
        set(&mut o.alpha, self.alpha);
        o.centered |= self.centered;
        set(&mut o.beta1, self.beta1);
        set(&mut o.beta2, self.beta2);
        if self.eps.is_some() {
            o.eps = self.eps;
        }
        o.amsgrad |= self.amsgrad;
        if o.kind == OptimizerKind::Newton && self.optimizer.is_some() && self.lr.is_none() {
            // Newton's natural step is the whole step to the model's minimum: lr 1.
            o.lr = 1.0;
        }
        set(&mut o.line_search, self.line_search);
        set(&mut o.armijo_c, self.armijo_c);
        set(&mut o.backtrack, self.backtrack);
        s.standardize |= self.standardize;
        self.schedule.apply(&mut s.schedule);
        let cycles_momentum = s.schedule.cycles_momentum();
        let sgd_only =
            self.momentum.is_some() || self.dampening.is_some() || self.nesterov || self.weight_decay.is_some();
        if self.optimizer.is_none() && s.optimizer.kind == OptimizerKind::Gd && (sgd_only || cycles_momentum) {
            // gd has only a learning rate: SGD's hyperparameters (or a schedule that cycles the momentum) without
            // --optimizer ask for torch.optim.SGD, which has them.
            s.optimizer.kind = OptimizerKind::Sgd;
        }
    }

    /// A hyperparameter flag the chosen optimizer does not have (`--optimizer adam --momentum 0.9`, Newton with
    /// weight decay), as a one-line usage error naming the optimizers that have it.
    pub fn optimizer_conflict(&self, settings: &Settings) -> Option<String> {
        use OptimizerKind::{Adagrad, Adam, Adamw, Rmsprop, Sgd};
        let kind = settings.optimizer.kind;
        let flags: [(&str, bool, &[OptimizerKind], &str); 12] = [
            ("--momentum", self.momentum.is_some(), &[Sgd, Rmsprop], "sgd and rmsprop"),
            ("--dampening", self.dampening.is_some(), &[Sgd], "sgd"),
            ("--nesterov", self.nesterov, &[Sgd], "sgd"),
            (
                "--weight-decay",
                self.weight_decay.is_some(),
                &[Sgd, Adagrad, Rmsprop, Adam, Adamw],
                "sgd, adagrad, rmsprop, adam and adamw",
            ),
            ("--lr-decay", self.lr_decay.is_some(), &[Adagrad], "adagrad"),
            ("--initial-accumulator-value", self.initial_accumulator_value.is_some(), &[Adagrad], "adagrad"),
            ("--alpha", self.alpha.is_some(), &[Rmsprop], "rmsprop"),
            ("--centered", self.centered, &[Rmsprop], "rmsprop"),
            ("--beta1", self.beta1.is_some(), &[Adam, Adamw], "adam and adamw"),
            ("--beta2", self.beta2.is_some(), &[Adam, Adamw], "adam and adamw"),
            ("--eps", self.eps.is_some(), &[Adagrad, Rmsprop, Adam, Adamw], "adagrad, rmsprop, adam and adamw"),
            ("--amsgrad", self.amsgrad, &[Adam, Adamw], "adam and adamw"),
        ];
        let name = |k: OptimizerKind| k.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
        flags.iter().find(|(_, given, kinds, _)| *given && !kinds.contains(&kind)).map(|(flag, _, _, which)| {
            format!("{flag} is a hyperparameter of --optimizer {which}, not of {}", name(kind))
        })
    }

    /// A line-search parameter without `--line-search armijo`, or a line search under a schedule, as a one-line
    /// usage error.
    pub fn line_search_conflict(&self, settings: &Settings) -> Option<String> {
        let searching = settings.optimizer.line_search == LineSearch::Armijo;
        let stray = [("--armijo-c", self.armijo_c.is_some()), ("--backtrack", self.backtrack.is_some())];
        if let Some((flag, _)) = stray.iter().find(|(_, given)| *given && !searching) {
            return Some(format!("{flag} applies to --line-search armijo"));
        }
        (searching && settings.schedule.is_active())
            .then(|| "--line-search picks each step size itself: drop --schedule".to_string())
    }

    /// What the command line may not ask under its schedule: a flag of another schedule, a warm-up's start factor
    /// without a warm-up, or under OneCycleLR and CyclicLR `--lr` and the momentum (or β₁) they cycle, which the
    /// schedule sets itself. One line, for a usage error.
    pub fn schedule_conflict(&self, settings: &Settings) -> Option<String> {
        let kind = settings.schedule.kind;
        if let Some((flag, kinds)) = self.schedule.stray_flag(kind) {
            return Some(format!("{flag} applies to --schedule {kinds}, not {}", kind.label()));
        }
        if self.schedule.warmup_start_factor.is_some() && settings.schedule.warmup_iters.is_none() {
            return Some("--warmup-start-factor applies to --warmup-iters".into());
        }
        let from = match kind {
            ScheduleKind::Onecycle => "--max-lr",
            ScheduleKind::Cyclic => "--base-lr and --max-lr",
            _ => return None,
        };
        let name = kind.label();
        if self.lr.is_some() {
            return Some(format!("--schedule {name} sets the lr itself (from {from}): drop --lr"));
        }
        let adam = matches!(settings.optimizer.kind, OptimizerKind::Adam | OptimizerKind::Adamw);
        let (flag, given) =
            if adam { ("--beta1", self.beta1.is_some()) } else { ("--momentum", self.momentum.is_some()) };
        (settings.schedule.cycle_momentum && given).then(|| {
            format!("--schedule {name} cycles {flag} between --base-momentum and --max-momentum: drop {flag} or add --no-cycle-momentum")
        })
    }

    /// The default settings with these options applied.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::default();
        self.apply(&mut s);
        s
    }

    /// The first option that does not apply with `--objective` (data, model and loss options, a data-only
    /// gradient source, mini-batches), or `--noise` without an objective, as a one-line usage error.
    pub fn objective_conflict(&self) -> Option<String> {
        if self.objective.is_none() {
            return self.noise.map(|_| "--noise applies to objectives only: give --objective".to_string());
        }
        let data_source = matches!(self.gradient, Some(GradientSource::Analytic | GradientSource::NotebookSum));
        let given = [
            ("--data", self.data.is_some()),
            ("--bias", self.bias),
            ("--loss", self.loss.is_some()),
            ("--huber-delta", self.huber_delta.is_some()),
            ("--batch-size", self.batch_size.is_some()),
        ];
        if let Some((name, _)) = given.iter().find(|(_, on)| *on) {
            return Some(format!(
                "{name} does not apply to an objective: f(w, b) has no data, model or loss (and always has b)"
            ));
        }
        data_source.then(|| {
            let label = self.gradient.map_or("", GradientSource::label);
            format!("--gradient {label} is for a loss over data: an objective takes autodiff (default) or numeric")
        })
    }

    /// The dataset named by `--data` (the notebook's when absent).
    pub fn dataset(&self) -> Result<Dataset, DataError> {
        Dataset::load(self.data.as_deref().unwrap_or("notebook"))
    }

    /// True when any option was given (the app then starts from them rather than from its saved settings).
    pub fn any_given(&self) -> bool {
        self.settings() != Settings::default() || self.data.is_some()
    }
}

fn set<T>(dst: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *dst = v;
    }
}

/// Options of the app.
#[derive(Debug, Clone, Default, Args)]
pub struct GuiArgs {
    /// Start running at launch.
    #[arg(long)]
    pub run: bool,
    /// Stop after N steps (with --run or --screenshot).
    #[arg(long, value_name = "N")]
    pub after_steps: Option<u64>,
    /// Save a PNG of the window once the run has reached --after-steps, converged or diverged (or after the first
    /// frames when not running), then exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Open a saved session file.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Start with one of the app's presets (notebook, race, rosenbrock, saddle, himmelblau, rastrigin).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Open the window at exactly this size in points, e.g. 1280x720 (otherwise: the size of the last launch, or
    /// a size that fits the screen).
    #[arg(long, value_name = "WxH", value_parser = parse_window_size)]
    pub window_size: Option<[f32; 2]>,
    /// UI zoom, as Ctrl + and Ctrl − set it (0.5 to 3; 1.5 shows the layout of a HiDPI laptop at 150%).
    #[arg(long, value_name = "F", value_parser = parse_zoom)]
    pub zoom: Option<f32>,
    /// Open this tab of the bottom strip at launch (unfolded, even on a short window).
    #[arg(long, value_enum, value_name = "TAB")]
    pub tab: Option<crate::tab::Tab>,
    /// Show the loss over (w, b) as a 3-D surface instead of the contour map (with two parameters).
    #[arg(long)]
    pub surface: bool,
    /// The colour theme to start with (otherwise the one saved at the last exit; dark the first time).
    #[arg(long, value_enum, value_name = "THEME")]
    pub theme: Option<crate::export::GifTheme>,
    /// The run colours: default, or colorblind (Okabe–Ito's colour-blind-safe set); otherwise the one saved at the
    /// last exit. Each run also keeps its own dash pattern and marker shape.
    #[arg(long, value_enum, value_name = "PALETTE")]
    pub palette: Option<crate::run_look::RunPalette>,
    /// The step axes of the plots over steps: all (every step), first-100, first-1000, or log (log10(1 + step), so
    /// that the first steps of a long run keep their room); otherwise the one saved at the last exit (also in the
    /// View menu).
    #[arg(long, value_enum, value_name = "AXIS")]
    pub step_axis: Option<crate::step_axis::StepAxis>,
    /// Presentation mode, for a projector: larger text, thicker lines, high contrast (also in the View menu).
    #[arg(long)]
    pub present: bool,
    /// Open a lesson: a built-in one by name (notebook, learning-rate, momentum, adaptive, losses, noise,
    /// beyond-the-bowl) or a lesson file (TOML, see docs/LESSONS.md).
    #[arg(long, value_name = "NAME|PATH")]
    pub lesson: Option<String>,
    /// Save a PNG of one view alone (its title, axes and legend; none of the panel's buttons, selectors or
    /// sliders) to --out once the run has reached --after-steps, converged or diverged, then exit, as --screenshot
    /// does. VIEW: loss-landscape (with --surface and two parameters, the 3-D surface), loss-vs-step,
    /// weight-vs-step, or a tab that is a view: ledger, inside, phase, basins, lr-sweep, fair-race, data.
    #[arg(long, value_name = "VIEW", value_parser = view_png::parse_export_view, requires = "out",
          conflicts_with = "screenshot")]
    pub export_view: Option<crate::lesson::View>,
    /// The PNG's size in pixels with --export-view (200 to 4096 a side; default 1600x900). The window opens at that
    /// size even beyond the screen (under Xvfb, e.g. xvfb-run -a descent …, it gets it); a desktop's window manager
    /// may clamp it, or its display scale enlarge it: the PNG is then the size the window got, and a note on stderr
    /// says so. --zoom scales the text and lines (e.g. 2 for a 3840x2160 slide).
    #[arg(long, value_name = "WxH", value_parser = view_png::parse_png_size, requires = "export_view")]
    pub size: Option<[u32; 2]>,
    /// Where --export-view writes its PNG: a new path or a regular file we may write (never through a symbolic
    /// link, never a device or a FIFO).
    #[arg(long, value_name = "PATH", requires = "export_view")]
    pub out: Option<PathBuf>,
}

/// Parses `--zoom F` (0.5 to 3).
fn parse_zoom(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if (0.5..=3.0).contains(&v) => Ok(v),
        _ => Err(format!("“{text}” is not a zoom from 0.5 to 3")),
    }
}

/// The smallest and largest window side `--window-size` accepts, in points.
pub const WINDOW_SIDE: std::ops::RangeInclusive<f32> = 320.0..=8192.0;

/// Parses `--window-size WxH` (for example `1280x720`).
fn parse_window_size(text: &str) -> Result<[f32; 2], String> {
    let bad = || format!("“{text}” is not a size like 1280x720");
    let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let side = |v: &str| -> Result<f32, String> {
        let v: u32 = v.trim().parse().map_err(|_| bad())?;
        let v = v as f32;
        if WINDOW_SIDE.contains(&v) {
            Ok(v)
        } else {
            let side = crate::format::repr_f32;
            Err(format!("{} is outside {}…{} points", side(v), side(*WINDOW_SIDE.start()), side(*WINDOW_SIDE.end())))
        }
    };
    Ok([side(w)?, side(h)?])
}

/// Output format of `trace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// `step,w,b,loss,grad_w,grad_b,lr`, one row per step (lr: the one the update leaving the row uses).
    Csv,
    /// Settings, rows and outcome.
    Json,
    /// The notebook's printout.
    Notebook,
    /// Only the final row, as a csv row without the header (no trajectory kept in memory).
    Last,
    /// Each update written out in its optimizer's rule with the numbers plugged in (the app's step ledger).
    Ledger,
    /// A self-contained PyTorch script (torch and the standard library) that runs the same settings and prints the
    /// same csv.
    Torch,
}

/// Output format of `analyze` and `gradcheck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Plain words.
    Text,
    /// Machine-readable.
    Json,
}

/// `descent trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Number of updates.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub steps: u64,
    /// Stop once ‖gradient‖ ≤ this. A run with a tolerance that has not met it by step 1000000 stops there (the
    /// step cap, exit 3, saying why it could not meet it); leave --tol out to run more steps.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub tol: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TraceFormat::Csv)]
    pub format: TraceFormat,
}

/// `descent analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Where to take the curvature for a non-quadratic loss (default: the start, --w0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub w: Option<f64>,
    /// Bias at that point (default: --b0).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub b: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `descent gradcheck`.
#[derive(Debug, Args)]
pub struct GradcheckArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// The weight at which to compare.
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub w: f64,
    /// The bias (with --bias or --objective).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub b: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Writes `text` to stderr as it is (with no newline added); a stderr that is closed or full is ignored, where
/// `eprint!` would panic (exit 101) and lose the intended exit code.
pub fn say(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// [`say`] of one line: its control characters (a newline, ESC or BEL in a path or a value it quotes) escaped as
/// `\n`, `\u{1b}`, `\u{7}`, so that every message is one line and none drives the terminal.
pub fn say_line(line: &str) {
    say(&format!("{}\n", crate::format::escape_controls(line)));
}
