//! What the commands share: the exit codes, [`CliError`] (why a command failed), the checked data and settings of a
//! command ([`setup`]), the point it is asked about ([`point`]), the one-line message on stderr, and the progress of
//! a long command on a terminal ([`Progress`]).

use std::io::{self, IsTerminal};

use super::EngineArgs;
use crate::engine::diagnose::StartError;
use crate::engine::settings::f32_rounding_problem;
use crate::engine::{Dataset, Params, Precision, Settings};
use crate::export::ExportError;
use crate::format::repr;

/// Success.
pub const EXIT_OK: i32 = 0;
/// Bad input or usage.
pub const EXIT_BAD_INPUT: i32 = 2;
/// The run stopped early as an outcome: it diverged, or Newton met a singular Hessian.
pub const EXIT_STOPPED: i32 = 3;
/// The run diverged (see [`EXIT_STOPPED`]).
pub const EXIT_DIVERGED: i32 = EXIT_STOPPED;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad data.
    #[error(transparent)]
    Data(#[from] crate::engine::DataError),
    /// Bad settings.
    #[error(transparent)]
    Config(#[from] crate::engine::ConfigError),
    /// A bad option value.
    #[error("{0}")]
    Usage(String),
    /// The data overflow the run's precision.
    #[error(transparent)]
    Overflow(#[from] crate::engine::OverflowError),
    /// A start, a point or an analysis whose numbers overflow the precision.
    #[error("{0}")]
    NotFinite(String),
    /// Output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<StartError> for CliError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Config(c) => CliError::Config(c),
            StartError::NotFinite(why) => CliError::NotFinite(why),
        }
    }
}

impl From<ExportError> for CliError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Stream(io) => CliError::Io(io),
            ExportError::Json(json) if json.is_io() => CliError::Io(io::Error::from(json)),
            other => CliError::Usage(other.to_string()),
        }
    }
}

/// The data and settings of a command, checked: valid settings (in the run's precision) and data that the precision
/// can hold.
pub(super) fn setup(engine: &EngineArgs) -> Result<(Dataset, Settings), CliError> {
    if let Some(conflict) = engine.objective_conflict() {
        return Err(CliError::Usage(conflict));
    }
    let settings = engine.settings();
    settings.validate()?;
    let conflict = engine.schedule_conflict(&settings).or_else(|| engine.line_search_conflict(&settings));
    if let Some(conflict) = conflict.or_else(|| engine.optimizer_conflict(&settings)) {
        return Err(CliError::Usage(conflict));
    }
    if !settings.bias && engine.b0.is_some() {
        return Err(CliError::Usage("--b0 needs --bias (the model ŷ = w·x has no b)".into()));
    }
    let data = engine.dataset()?;
    data.check_range(settings.precision)?;
    Ok((data, settings))
}

/// Refuses more `steps` than OneCycleLR's `--total-steps` (torch raises when stepped beyond them).
pub(super) fn check_cycle_length(settings: &Settings, steps: u64) -> Result<(), CliError> {
    let s = &settings.schedule;
    match s.total_steps {
        Some(total) if s.kind == crate::engine::ScheduleKind::Onecycle && steps > total => Err(CliError::Usage(
            format!("--steps {steps} exceeds --total-steps {total} of --schedule onecycle (torch raises beyond it)"),
        )),
        _ => Ok(()),
    }
}

/// The point `analyze` and `gradcheck` look at: `--w` and `--b`, or the start point; refused when not finite, when
/// the run's f32 cannot hold it, or with `--b` but no bias.
pub(super) fn point(engine: &EngineArgs, w: Option<f64>, b: Option<f64>) -> Result<Params<f64>, CliError> {
    let s = engine.settings();
    let p = Params { w: w.unwrap_or(s.w0), b: if s.bias { b.unwrap_or(s.b0) } else { 0.0 } };
    for (name, v) in [("--w", p.w), ("--b", p.b)] {
        if !v.is_finite() {
            return Err(CliError::Usage(format!("invalid {name} {}: must be finite", repr(v))));
        }
        if s.precision == Precision::F32
            && let Some(reason) = f32_rounding_problem(v)
        {
            return Err(CliError::Usage(format!("{name} {} {reason}", repr(v))));
        }
    }
    if !s.bias && b.is_some() {
        return Err(CliError::Usage("--b needs --bias (the model ŷ = w·x has no b)".into()));
    }
    Ok(p)
}

/// A long command's progress on stderr, `label: done/total`, rewritten in place, only when stderr is a terminal
/// (never in a pipe or a test); [`Progress::finish`] clears the line.
pub(super) struct Progress {
    label: &'static str,
    total: usize,
    done: usize,
    shown: usize,
    on: bool,
}

impl Progress {
    /// Progress over `total` items, shown when stderr is a terminal.
    pub(super) fn new(label: &'static str, total: usize) -> Self {
        Progress { label, total, done: 0, shown: usize::MAX, on: io::stderr().is_terminal() }
    }

    /// `n` more items done; the line changes at most once per percent.
    pub(super) fn advance(&mut self, n: usize) {
        self.done += n;
        let percent = 100 * self.done / self.total.max(1);
        if self.on && percent != self.shown {
            self.shown = percent;
            super::say(&format!("\r{}: {}/{}", self.label, self.done, self.total));
        }
    }

    /// Clears the line.
    pub(super) fn finish(&self) {
        if self.on {
            super::say("\r\x1b[K");
        }
    }
}

/// A tolerance given with `--tol` (positive and finite), or `default`.
pub(super) fn tolerance(tol: Option<f64>, default: f64) -> Result<f64, CliError> {
    match tol {
        None => Ok(default),
        Some(t) if t > 0.0 && t.is_finite() => Ok(t),
        Some(t) => Err(CliError::Usage(format!("invalid --tol {}: must be > 0 and finite", repr(t)))),
    }
}

/// A run name as a CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a line break.
pub(super) fn csv_field(name: &str) -> String {
    if name.contains([',', '"', '\n', '\r']) { format!("\"{}\"", name.replace('"', "\"\"")) } else { name.to_owned() }
}
