//! How a page's task is graded: a small closed set of named predicates ([`Check`]) over [`Facts`], the few
//! things a check may look at, taken from the worker's snapshot ([`Facts::from_snapshot`]) and the learner's typed
//! answer. [`check`] is pure, so every built-in page's intended action (and a wrong one) is tested on facts alone.

use serde::{Deserialize, Serialize};

use crate::engine::LossKind;
use crate::engine::exercise::ExerciseKind;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::{GradientSource, Settings};
use crate::engine::trainer::Status;
use crate::tab::Tab;
use crate::worker::{RunId, RunSnapshot, Snapshot};

/// A task's check (`check = { kind = "…", … }` in a lesson file). "The run" is the selected run, or the run
/// named by `run` where a check has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// The run reached the tolerance within `steps` updates.
    ConvergedWithin {
        /// At most this many updates.
        steps: u64,
        /// The run's name (default: the selected run).
        #[serde(default)]
        run: Option<String>,
    },
    /// Every run reached the tolerance.
    AllConverged {},
    /// The run diverged.
    Diverged {},
    /// The run's w crossed its optimum back and forth (at least twice) and the run reached the tolerance.
    OscillatesAndConverges {},
    /// The run's learning rate lies in [min, max].
    LrBetween {
        /// Smallest accepted lr.
        min: f64,
        /// Largest accepted lr.
        max: f64,
        /// The run's name (default: the selected run).
        #[serde(default)]
        run: Option<String>,
    },
    /// The selected run's momentum lies in [min, max].
    MomentumBetween {
        /// Smallest accepted momentum.
        min: f64,
        /// Largest accepted momentum.
        max: f64,
    },
    /// The typed answer is `value` within ± `accept`.
    Answer {
        /// The right answer.
        value: f64,
        /// The accepted distance from it.
        accept: f64,
    },
    /// Of the runs that reached the tolerance, the run named `run` did so first (ties count).
    FirstToTolerance {
        /// The run's name.
        run: String,
    },
    /// The selected run's gradient source is `is`.
    GradientSource {
        /// analytic, notebook-sum, autodiff or numeric.
        is: GradientSource,
    },
    /// The selected run's optimizer is `is`.
    Optimizer {
        /// sgd, adam, …
        is: OptimizerKind,
    },
    /// The selected run's loss is `is`.
    Loss {
        /// mse, mae or huber.
        is: LossKind,
    },
    /// The selected run's learning-rate schedule is not constant.
    Scheduled {},
    /// The selected run uses mini-batches.
    MiniBatches {},
    /// The selected run uses Nesterov momentum.
    Nesterov {},
    /// The tab shown is `is` (its `--tab` name).
    Tab {
        /// gradient-check, ledger, inside, phase, basins, …
        is: String,
    },
    /// Every run has taken at least `steps` updates, or stopped.
    Ran {
        /// The number of updates.
        steps: u64,
    },
    /// The learner answered a generated exercise right in the Exercises tab (this session), of one of the kinds
    /// `exercise` lists (any kind when empty). Opening the tab is not solving one.
    ExerciseSolved {
        /// The kinds that count (`critical-lr`, `one-step-lr`, …).
        #[serde(default)]
        exercise: Vec<ExerciseKind>,
    },
    /// The run ended (or stands) at least `distance` away from (w, b).
    AwayFrom {
        /// w of the point.
        w: f64,
        /// b of the point.
        b: f64,
        /// The smallest accepted distance.
        distance: f64,
    },
}

/// What a check may look at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Every run.
    pub runs: Vec<RunFacts>,
    /// The index of the selected run in `runs`.
    pub selected: usize,
    /// The tab shown (its `--tab` name; empty when the strip is folded).
    pub tab: String,
    /// The learner's answer as typed.
    pub answer: String,
    /// The kinds of the exercises answered right in the Exercises tab, each once, in the order first solved.
    pub solved: Vec<ExerciseKind>,
}

/// What a check may look at in one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFacts {
    /// The run's name.
    pub name: String,
    /// The settings in force.
    pub settings: Settings,
    /// Updates taken.
    pub step: u64,
    /// The step at which it reached the tolerance.
    pub converged_at: Option<u64>,
    /// It diverged.
    pub diverged: bool,
    /// Times w − w* changed sign along the trajectory.
    pub crossings: u32,
    /// Where it stands: (w, b).
    pub at: (f64, f64),
}

impl Check {
    /// True when the check reads a run's settings (the learner passes it by changing a setting).
    pub fn reads_settings(&self) -> bool {
        matches!(
            self,
            Check::LrBetween { .. }
                | Check::MomentumBetween { .. }
                | Check::GradientSource { .. }
                | Check::Optimizer { .. }
                | Check::Loss { .. }
                | Check::Scheduled {}
                | Check::MiniBatches {}
                | Check::Nesterov {}
        )
    }

    /// Checks the parameters serde cannot.
    pub(super) fn validate(&self) -> Result<(), String> {
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        match self {
            Check::LrBetween { min, max, .. } | Check::MomentumBetween { min, max }
                if !(finite(&[*min, *max]) && min <= max) =>
            {
                Err("min and max must be finite, with min ≤ max".into())
            }
            Check::Answer { value, accept } if !(finite(&[*value, *accept]) && *accept >= 0.0) => {
                Err("value and accept must be finite, with accept ≥ 0".into())
            }
            Check::AwayFrom { w, b, distance } if !finite(&[*w, *b, *distance]) => {
                Err("w, b and distance must be finite".into())
            }
            Check::Tab { is } if Tab::from_cli_name(is).is_none() => Err(format!("unknown tab “{is}”")),
            _ => Ok(()),
        }
    }

    /// True when the page needs a typed answer.
    pub fn wants_answer(&self) -> bool {
        matches!(self, Check::Answer { .. })
    }
}

/// True when `facts` pass `check`.
pub fn check(check: &Check, facts: &Facts) -> bool {
    let selected = facts.runs.get(facts.selected);
    let sel = |f: &dyn Fn(&RunFacts) -> bool| selected.is_some_and(f);
    let named = |run: &Option<String>| match run {
        Some(name) => facts.runs.iter().find(|r| &r.name == name),
        None => selected,
    };
    match check {
        Check::ConvergedWithin { steps, run } => named(run).and_then(|r| r.converged_at).is_some_and(|k| k <= *steps),
        Check::AllConverged {} => !facts.runs.is_empty() && facts.runs.iter().all(|r| r.converged_at.is_some()),
        Check::Diverged {} => sel(&|r| r.diverged),
        Check::OscillatesAndConverges {} => sel(&|r| r.converged_at.is_some() && r.crossings >= 2),
        Check::LrBetween { min, max, run } => {
            named(run).is_some_and(|r| (*min..=*max).contains(&r.settings.optimizer.lr))
        }
        Check::MomentumBetween { min, max } => sel(&|r| (*min..=*max).contains(&r.settings.optimizer.momentum)),
        Check::Answer { value, accept } => {
            parse_answer(&facts.answer).is_some_and(|a| (a - value).abs() <= *accept + 1e-12 * value.abs())
        }
        Check::FirstToTolerance { run } => {
            let first = facts.runs.iter().filter_map(|r| r.converged_at).min();
            let mine = facts.runs.iter().find(|r| &r.name == run).and_then(|r| r.converged_at);
            mine.is_some() && mine == first
        }
        Check::GradientSource { is } => sel(&|r| r.settings.gradient == *is),
        Check::Optimizer { is } => sel(&|r| r.settings.optimizer.kind == *is),
        Check::Loss { is } => sel(&|r| r.settings.objective.is_none() && r.settings.loss == *is),
        Check::Scheduled {} => sel(&|r| r.settings.schedule.is_active()),
        Check::MiniBatches {} => sel(&|r| r.settings.batch_size.is_some()),
        Check::Nesterov {} => sel(&|r| r.settings.optimizer.nesterov),
        Check::Tab { is } => {
            Tab::from_cli_name(is).is_some() && Tab::from_cli_name(&facts.tab) == Tab::from_cli_name(is)
        }
        Check::Ran { steps } => {
            !facts.runs.is_empty()
                && facts.runs.iter().all(|r| r.step >= *steps || r.converged_at.is_some() || r.diverged)
        }
        Check::ExerciseSolved { exercise } => facts.solved.iter().any(|k| exercise.is_empty() || exercise.contains(k)),
        Check::AwayFrom { w, b, distance } => sel(&|r| (r.at.0 - w).hypot(r.at.1 - b) >= *distance),
    }
}

/// A typed answer as a number: "4", " 4.0 ", "4x", "×4", "1/15", "pi/4", "2e-3" and "0,04" are read (a decimal
/// comma becomes a point; the rest is [`crate::number::parse`], the app's number fields' parser).
pub fn parse_answer(text: &str) -> Option<f64> {
    let t: String = text.trim().trim_matches(|c| matches!(c, 'x' | 'X' | '×' | '*')).trim().replace(',', ".");
    crate::number::parse(&t).ok()
}

impl Facts {
    /// The facts of `snap` (the live snapshot), its selected run, the tab shown and the typed answer.
    pub fn from_snapshot(snap: &Snapshot, selected: RunId, tab: &str, answer: &str) -> Facts {
        Facts {
            runs: snap.runs.iter().map(RunFacts::of).collect(),
            selected: snap.runs.iter().position(|r| r.id == selected).unwrap_or(0),
            tab: tab.to_string(),
            answer: answer.to_string(),
            solved: Vec::new(),
        }
    }
}

impl RunFacts {
    /// The facts of one run.
    pub fn of(run: &RunSnapshot) -> RunFacts {
        let w_star = run.analysis.optimum.w;
        let mut crossings = 0;
        let mut side = 0.0_f64;
        for row in run.history.iter() {
            let d = row.record.params.w - w_star;
            if d.abs() > 1e-12 {
                if side != 0.0 && d.signum() != side {
                    crossings += 1;
                }
                side = d.signum();
            }
        }
        RunFacts {
            name: run.spec.name.clone(),
            settings: run.spec.settings.clone(),
            step: run.record.step,
            converged_at: match run.status {
                Status::Converged { step, .. } => Some(step),
                _ => None,
            },
            diverged: matches!(run.status, Status::Diverged { .. }),
            crossings,
            at: (run.record.params.w, run.record.params.b),
        }
    }
}
