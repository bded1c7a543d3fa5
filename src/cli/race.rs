//! `descent race`: the app's fair race without the app. Every run's learning rate is tuned by a sweep of its own
//! settings ([`crate::par_map::tune_all`], the tab's own computation) under the criterion (fewest steps to the
//! tolerance, or lowest loss after K steps); prints each run's tuned lr, its tuning curve and the ranking under both
//! criteria ([`crate::engine::sweep::ranking`]). The runs are a preset's (`race` by default, on the problem of the
//! engine options) or a saved session's.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::EngineArgs;
use super::common::{CliError, EXIT_OK, Progress, csv_field, setup, tolerance};
use crate::engine::sweep::{Criterion, DEFAULT_TOLERANCE, TUNE_MAX_STEPS, TUNE_POINTS, TunePoint, best_under, ranking};
use crate::engine::{Dataset, Settings};
use crate::format::repr;
use crate::par_map::{Cancel, tune_all};
use crate::presets::Preset;
use crate::session::Session;

/// What "best" means for the tuned lr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RaceCriterion {
    /// Fewest steps to the tolerance.
    Steps,
    /// Lowest loss after --k steps.
    LossAfter,
}

/// Output format of `race`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RaceFormat {
    /// Each run's tuned lr, then both rankings.
    Text,
    /// The tuning curves: `run,lr,steps_to_tol,loss_after_k,tuned` (`none` where there is no value; tuned: the
    /// run's best lr under the criterion).
    Csv,
    /// Runs with their tuned lr, best points and curves, and both rankings.
    Json,
}

/// `descent race`.
#[derive(Debug, Args)]
pub struct RaceArgs {
    /// Engine options: the problem the preset's runs race on (data, bias, loss, start).
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Race a preset's runs (race, notebook, rosenbrock, saddle, himmelblau, rastrigin); default race.
    #[arg(long, value_name = "NAME", conflicts_with = "session")]
    pub preset: Option<String>,
    /// Race a saved session's runs, on its data and tolerance.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// The criterion the tuned lr is best under.
    #[arg(long, value_enum, default_value_t = RaceCriterion::Steps)]
    pub criterion: RaceCriterion,
    /// K: the horizon of "lowest loss after K steps" (both rankings use it).
    #[arg(long, default_value_t = 50, value_name = "K", value_parser = clap::value_parser!(u64).range(1..=TUNE_MAX_STEPS))]
    pub k: u64,
    /// A run has arrived once ‖gradient‖ ≤ this (default: the session's, else 1e-6, the app's).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub tol: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RaceFormat::Text)]
    pub format: RaceFormat,
}

/// The runs to race: their names and settings, the data and the tolerance.
struct Field {
    names: Vec<String>,
    runs: Vec<Settings>,
    data: Dataset,
    tolerance: f64,
}

/// The session's runs, or the preset's on the engine options' problem.
fn field(a: &RaceArgs) -> Result<Field, CliError> {
    if let Some(path) = &a.session {
        let session = Session::load(path).map_err(|e| CliError::Usage(e.to_string()))?;
        let data = session.dataset().map_err(|e| CliError::Usage(e.to_string()))?;
        let tolerance = tolerance(a.tol.or(session.tolerance.filter(|t| *t > 0.0)), DEFAULT_TOLERANCE)?;
        let names = session.runs.iter().map(|r| r.name.clone()).collect();
        let runs = session.runs.into_iter().map(|r| r.settings).collect();
        return Ok(Field { names, runs, data, tolerance });
    }
    let name = a.preset.as_deref().unwrap_or("race");
    let preset = Preset::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        CliError::Usage(format!("--preset {name}: unknown preset (available: {})", known.join(", ")))
    })?;
    let (data, base) = setup(&a.engine)?;
    let specs = preset.specs(&base);
    let tolerance = tolerance(a.tol, DEFAULT_TOLERANCE)?;
    Ok(Field {
        names: specs.iter().map(|s| s.name.clone()).collect(),
        runs: specs.into_iter().map(|s| s.settings).collect(),
        data,
        tolerance,
    })
}

/// Tunes every run and writes the race.
pub fn race(a: &RaceArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let f = field(a)?;
    if f.runs.is_empty() {
        return Err(CliError::Usage("nothing to race: the session has no runs".into()));
    }
    let mut points: Vec<Vec<TunePoint>> = vec![Vec::new(); f.runs.len()];
    let mut progress = Progress::new("race: tunings", f.runs.len() * TUNE_POINTS);
    tune_all(&f.data, &f.runs, (a.k, f.tolerance), &Cancel::default(), |(k, p)| {
        points[k].push(p);
        progress.advance(1);
    });
    progress.finish();
    let chosen = match a.criterion {
        RaceCriterion::Steps => Criterion::StepsToTolerance,
        RaceCriterion::LossAfter => Criterion::LossAfter(a.k),
    };
    let held = held_back(&f);
    let race = Race { names: &f.names, points: &points, chosen, k: a.k, tolerance: f.tolerance, held: &held };
    match a.format {
        RaceFormat::Text => race.text(out)?,
        RaceFormat::Csv => race.csv(out)?,
        RaceFormat::Json => race.json(out)?,
    }
    Ok(EXIT_OK)
}

/// Why each run, at its own lr, cannot (or may never) meet the tolerance, from its floor
/// ([`crate::engine::floor`]): "at lr 0.05, AdamW's decoupled weight decay …" (`None`: nothing holds it back).
fn held_back(f: &Field) -> Vec<Option<String>> {
    use crate::engine::analysis::analyze;
    f.runs
        .iter()
        .map(|s| {
            let floor = crate::engine::floor::floor(&f.data, s, &analyze(&f.data, s, s.start()))?;
            floor.verdict(f.tolerance)?;
            Some(format!("at lr {}, {}", repr(s.optimizer.lr), floor.reason(s, f.tolerance)))
        })
        .collect()
}

/// A finished tuning, ready to print.
struct Race<'a> {
    names: &'a [String],
    points: &'a [Vec<TunePoint>],
    chosen: Criterion,
    k: u64,
    tolerance: f64,
    /// [`held_back`]'s reasons, one per run.
    held: &'a [Option<String>],
}

/// A number for the csv and the text: `none` where there is none (a loss that diverged, steps never reached).
fn or_none(v: Option<String>) -> String {
    v.unwrap_or_else(|| "none".into())
}

fn loss_text(loss: f64) -> Option<String> {
    loss.is_finite().then(|| repr(loss))
}

impl Race<'_> {
    /// The run names of a ranking, best first.
    fn order(&self, c: Criterion) -> Vec<&str> {
        ranking(self.points, c).into_iter().map(|(k, _)| self.names[k].as_str()).collect()
    }

    fn text(&self, out: &mut impl Write) -> Result<(), CliError> {
        let what = match self.chosen {
            Criterion::StepsToTolerance => format!("fewest steps to ‖g‖ ≤ {}", repr(self.tolerance)),
            Criterion::LossAfter(k) => format!("lowest loss after {k} steps"),
        };
        writeln!(
            out,
            "{} runs, each tuned over {TUNE_POINTS} learning rates from 1e-4 to 1, best = {what}",
            self.names.len()
        )?;
        for ((name, p), held) in self.names.iter().zip(self.points).zip(self.held) {
            let line = match (best_under(p, self.chosen), held) {
                (None, Some(why)) => {
                    format!("no learning rate reached the tolerance within {TUNE_MAX_STEPS} steps: {why}")
                }
                (None, None) => format!("no learning rate reached the tolerance within {TUNE_MAX_STEPS} steps"),
                (Some(b), _) => {
                    let value = match self.chosen {
                        Criterion::StepsToTolerance => {
                            format!("{} steps", or_none(b.steps_to_tol.map(|s| s.to_string())))
                        }
                        Criterion::LossAfter(k) => {
                            format!("loss {} after {k} steps", or_none(loss_text(b.loss_at_horizon)))
                        }
                    };
                    format!("tuned lr {}: {value}", repr(b.lr))
                }
            };
            writeln!(out, "{name}: {line}")?;
        }
        let (steps, loss) = (self.order(Criterion::StepsToTolerance), self.order(Criterion::LossAfter(self.k)));
        writeln!(out, "by steps to tolerance: {}", steps.join(" > "))?;
        writeln!(out, "by loss after {} steps: {}", self.k, loss.join(" > "))?;
        let verdict =
            if steps == loss { "the same order" } else { "the ranking depends on the criterion and the horizon" };
        writeln!(out, "{verdict}")?;
        Ok(())
    }

    fn csv(&self, out: &mut impl Write) -> Result<(), CliError> {
        writeln!(out, "run,lr,steps_to_tol,loss_after_k,tuned")?;
        for (name, p) in self.names.iter().zip(self.points) {
            let best = best_under(p, self.chosen).map(|b| b.lr.to_bits());
            for t in p {
                let steps = or_none(t.steps_to_tol.map(|s| s.to_string()));
                let tuned = best == Some(t.lr.to_bits());
                let name = csv_field(name);
                writeln!(out, "{name},{},{steps},{},{tuned}", repr(t.lr), or_none(loss_text(t.loss_at_horizon)))?;
            }
        }
        Ok(())
    }

    fn json(&self, out: &mut impl Write) -> Result<(), CliError> {
        let point = |t: &TunePoint| PointJson {
            lr: t.lr,
            steps_to_tol: t.steps_to_tol,
            loss_after_k: t.loss_at_horizon.is_finite().then_some(t.loss_at_horizon),
        };
        let runs = (self.names.iter().zip(self.points))
            .map(|(name, p)| RunJson {
                name: name.clone(),
                tuned: best_under(p, self.chosen).as_ref().map(point),
                best_by_steps: best_under(p, Criterion::StepsToTolerance).as_ref().map(point),
                best_by_loss_after_k: best_under(p, Criterion::LossAfter(self.k)).as_ref().map(point),
                curve: p.iter().map(point).collect(),
            })
            .collect();
        let by_steps = self.order(Criterion::StepsToTolerance);
        let by_loss_after_k = self.order(Criterion::LossAfter(self.k));
        let json = RaceJson {
            criterion: match self.chosen {
                Criterion::StepsToTolerance => "steps",
                Criterion::LossAfter(_) => "loss-after",
            },
            k: self.k,
            tolerance: self.tolerance,
            max_steps: TUNE_MAX_STEPS,
            runs,
            same_order: by_steps == by_loss_after_k,
            by_steps,
            by_loss_after_k,
        };
        serde_json::to_writer_pretty(&mut *out, &json).map_err(|e| CliError::Io(e.into()))?;
        writeln!(out)?;
        Ok(())
    }
}

/// One point of a tuning curve in the json.
#[derive(Serialize)]
struct PointJson {
    lr: f64,
    steps_to_tol: Option<u64>,
    loss_after_k: Option<f64>,
}

/// One run in the json.
#[derive(Serialize)]
struct RunJson {
    name: String,
    /// Its best point under the chosen criterion.
    tuned: Option<PointJson>,
    best_by_steps: Option<PointJson>,
    best_by_loss_after_k: Option<PointJson>,
    curve: Vec<PointJson>,
}

/// The json output.
#[derive(Serialize)]
struct RaceJson<'a> {
    criterion: &'static str,
    k: u64,
    tolerance: f64,
    max_steps: u64,
    runs: Vec<RunJson>,
    by_steps: Vec<&'a str>,
    by_loss_after_k: Vec<&'a str>,
    same_order: bool,
}
