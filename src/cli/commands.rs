//! What `trace`, `analyze` and `gradcheck` do, and how their results are printed; the dispatch of every command
//! (`gif` has its own file).

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::{AnalyzeArgs, Command, EngineArgs, GradcheckArgs, ReportFormat, TraceArgs, TraceFormat};
use crate::engine::analysis::{Analysis, analyze};
use crate::engine::diagnose::{StartError, divergence_cause, start_run};
use crate::engine::gradient::GradientCheck;
use crate::engine::schedule::Scheduled;
use crate::engine::settings::f32_rounding_problem;
use crate::engine::trainer::{Divergence, DynTrainer, Record, Row, Status};
use crate::engine::{Dataset, Params, Precision, Settings};
use crate::export::ExportError;
use crate::export::trace::{self, JsonRowIn, PrettyObject};
use crate::format::{compact, python_list, python_sci, repr};
use crate::printout::{Printer, Style};

/// Success.
pub const EXIT_OK: i32 = 0;
/// Bad input or usage.
pub const EXIT_BAD_INPUT: i32 = 2;
/// The run stopped early as an outcome: it diverged, or Newton met a singular Hessian.
pub const EXIT_STOPPED: i32 = 3;
/// The run diverged (see [`EXIT_STOPPED`]).
pub const EXIT_DIVERGED: i32 = EXIT_STOPPED;

/// Updates computed between two checks of the output: a closed stdout stops a run within this many steps.
const STEPS_PER_CHUNK: u64 = 1024;

/// Runs a command and returns the process exit code. Errors are printed as one line on stderr.
///
/// A closed stdout (`descent trace | head`) ends the command at once, quietly, with [`EXIT_OK`]: the reader has
/// what it wanted, as with most Unix tools.
pub fn run_command(command: &Command) -> i32 {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match command {
        Command::Trace(a) => trace(a, &mut out),
        Command::Analyze(a) => analyze_cmd(a, &mut out),
        Command::Gradcheck(a) => gradcheck(a, &mut out),
        Command::Gif(a) => super::gif::gif(a, &mut out),
        Command::Exercise(a) => super::exercise::exercise(a, &mut out),
        Command::Replay(a) => super::replay::replay(a, &mut out),
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        // A closed pipe (`descent trace | head`) is not an error worth a message.
        (Err(CliError::Io(e)), _) | (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        (Err(e), _) => {
            message(&format!("error: {e}"));
            EXIT_BAD_INPUT
        }
        (Ok(_), Err(e)) => {
            message(&format!("error: writing the output: {e}"));
            EXIT_BAD_INPUT
        }
    }
}

/// One line on stderr; a closed stderr is ignored (`eprintln!` would panic).
fn message(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

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

/// One trace row with the lr of the update leaving it, in the run's precision (Python's repr of the f32 or the
/// f64), as the CSV export writes it.
fn csv_row(r: &Record<f64>, lr: f64, p: Precision) -> String {
    let mut line = String::new();
    trace::push_row(&mut line, r, lr, p);
    line
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

/// A trainer at the start of `settings`, refused when its loss or gradient there is not finite.
fn start(data: &Dataset, settings: &Settings, tol: Option<f64>) -> Result<DynTrainer, CliError> {
    let mut trainer = start_run(data, settings)?;
    trainer.set_tolerance(tol);
    Ok(trainer)
}

/// Up to `steps` updates, handing each new row to `emit`; stops at the first error `emit` returns (a closed
/// stdout), within [`STEPS_PER_CHUNK`] steps of it.
fn run_rows(
    trainer: &mut DynTrainer,
    steps: u64,
    mut emit: impl FnMut(&Record<f64>, Scheduled) -> Result<(), CliError>,
) -> Result<Status, CliError> {
    let mut left = steps;
    let mut status = trainer.status();
    while left > 0 && !status.is_finished() {
        let chunk = left.min(STEPS_PER_CHUNK);
        let mut result = Ok(());
        status = trainer.run_scheduled(chunk, |r, s| {
            if result.is_ok() {
                result = emit(r, s);
            }
        });
        result?;
        left -= chunk;
    }
    Ok(status)
}

/// Up to `steps` updates one at a time, handing each new row with the optimizer's state to `emit` (slower than
/// [`run_rows`]; for the formats that print the state).
fn step_rows(
    trainer: &mut DynTrainer,
    steps: u64,
    mut emit: impl FnMut(&Row) -> Result<(), CliError>,
) -> Result<Status, CliError> {
    let mut status = trainer.status();
    for _ in 0..steps {
        if status.is_finished() {
            break;
        }
        let before = trainer.record().step;
        status = trainer.step();
        if trainer.record().step != before {
            emit(&trainer.row())?;
        }
    }
    Ok(status)
}

/// The step ledger of every update ([`crate::ledger`]), blank-line separated; an update that diverged has no
/// ledger (its numbers are not finite) and the usual message on stderr says why.
fn trace_ledger(
    out: &mut impl Write,
    data: &Dataset,
    settings: &Settings,
    trainer: &mut DynTrainer,
    steps: u64,
) -> Result<Status, CliError> {
    let mut pending = crate::ledger::explain(data, settings, &trainer.row())?;
    let status = step_rows(trainer, steps, |r| {
        writeln!(out, "{}", pending.text())?;
        pending = crate::ledger::explain(data, settings, r)?;
        Ok(())
    })?;
    Ok(status)
}

fn trace(a: &TraceArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    if let Some(tol) = a.tol
        && !(tol >= 0.0 && tol.is_finite())
    {
        return Err(CliError::Usage(format!("invalid --tol {}: must be a finite number ≥ 0", repr(tol))));
    }
    if settings.objective.is_some() && a.format == TraceFormat::Notebook {
        return Err(CliError::Usage("--format notebook prints the notebook's fit to data, not an objective".into()));
    }
    check_cycle_length(&settings, a.steps)?;
    let mut trainer = start(&data, &settings, a.tol)?;
    hessian_note(&settings);
    let p = settings.precision;
    // A standardized run's w, b are printed in the original space (its gradient columns stay the scaled ones).
    let scaling = trainer.scaling();
    let original = |r: &Record<f64>| match scaling {
        Some(s) => Record { params: s.to_original(r.params), ..*r },
        None => *r,
    };
    let first = original(&trainer.record());
    let status = match a.format {
        TraceFormat::Csv => {
            writeln!(out, "{}", trace::TRACE_COLUMNS.join(","))?;
            writeln!(out, "{}", csv_row(&first, trainer.scheduled().lr, p))?;
            let mut line = String::new();
            run_rows(&mut trainer, a.steps, |r, s| {
                line.clear();
                trace::push_row(&mut line, &original(r), s.lr, p);
                line.push('\n');
                Ok(out.write_all(line.as_bytes())?)
            })?
        }
        TraceFormat::Last => {
            // Only the final row, in the csv format without its header: the trajectory is never stored.
            let s = trainer.run(a.steps, |_| {});
            writeln!(out, "{}", csv_row(&original(&trainer.record()), trainer.scheduled().lr, p))?;
            s
        }
        TraceFormat::Json => trace_json(out, &data, &settings, &mut trainer, a.steps)?,
        TraceFormat::Ledger => trace_ledger(out, &data, &settings, &mut trainer, a.steps)?,
        TraceFormat::Notebook => trace_notebook(out, &data, &settings, &mut trainer, a.steps)?,
    };
    out.flush()?;
    Ok(match status {
        Status::Diverged { step, why } => {
            let cause = divergence_cause(&data, &settings, &trainer.record(), why);
            let verb = if why == Divergence::SingularHessian { "stopped" } else { "diverged" };
            message(&format!("{verb} at step {step}: {cause}"));
            EXIT_STOPPED
        }
        Status::Converged { step, .. } if a.format != TraceFormat::Json => {
            if a.tol.is_some() {
                message(&format!("converged at step {step}"));
            }
            EXIT_OK
        }
        _ => EXIT_OK,
    })
}

/// Says on stderr how Newton's Hessian is taken when it is not exact: a typed expression's by central differences.
fn hessian_note(settings: &Settings) {
    let expression = settings.objective.as_ref().is_some_and(|o| o.as_builtin().is_none());
    if settings.optimizer.kind == crate::engine::OptimizerKind::Newton && expression {
        message("note: Newton's Hessian of an expression is taken by central differences of the autodiff gradient");
    }
}

/// The notebook's printout of a run: its header, each step as the notebook prints it, and its closing comparison.
fn trace_notebook(
    out: &mut impl Write,
    data: &Dataset,
    settings: &Settings,
    trainer: &mut DynTrainer,
    steps: u64,
) -> Result<Status, CliError> {
    let first = trainer.record();
    let x = data.x.as_slice().unwrap_or(&[]);
    let y = data.y.as_slice().unwrap_or(&[]);
    let f32 = settings.precision == Precision::F32;
    let printer = Printer::new(Style::for_source(settings.gradient), x, y, settings.bias, f32, first.params);
    for line in printer.header(first.params) {
        writeln!(out, "{line}")?;
    }
    let mut before = first;
    let mut last_forward = first.params;
    let status = run_rows(trainer, steps, |r, _| {
        for line in printer.step(before.step, before.params, before.loss, before.grad, r.params) {
            writeln!(out, "{line}")?;
        }
        // The notebook's closing comparison shows the last forward pass: the one before the final update.
        last_forward = before.params;
        before = *r;
        Ok(())
    })?;
    for line in printer.footer(last_forward) {
        writeln!(out, "{line}")?;
    }
    Ok(status)
}

#[derive(Serialize)]
struct Outcome {
    status: &'static str,
    step: u64,
    detail: Option<String>,
}

fn outcome(s: Status, last_step: u64) -> Outcome {
    match s {
        Status::Running => Outcome { status: "completed", step: last_step, detail: None },
        Status::Converged { step, by } => {
            Outcome { status: "converged", step, detail: Some(format!("{by:?}").to_lowercase()) }
        }
        Status::Diverged { step, why: Divergence::SingularHessian } => {
            Outcome { status: "singular-hessian", step, detail: Some("stopped: Newton's Hessian is singular".into()) }
        }
        Status::Diverged { step, why } => {
            Outcome { status: "diverged", step, detail: Some(format!("{why:?}").to_lowercase()) }
        }
    }
}

/// `{"data", "samples", "settings", "rows": [...], "outcome"}`, pretty-printed and streamed: each row is written as
/// it is computed, so memory stays constant however many steps run.
fn trace_json(
    out: &mut impl Write,
    data: &Dataset,
    settings: &Settings,
    trainer: &mut DynTrainer,
    steps: u64,
) -> Result<Status, CliError> {
    let mut json = PrettyObject::new(&mut *out)?;
    if let Some(o) = &settings.objective {
        json.field("objective", &o.describe())?;
    } else {
        json.field("data", &data.name)?;
        json.field("samples", &data.len())?;
    }
    json.field("settings", settings)?;
    if settings.optimizer.kind == crate::engine::OptimizerKind::Newton {
        json.field("hessian", &trainer.hessian_at(trainer.record().params).1)?;
    }
    json.begin_array("rows")?;
    // f32 rows serialise from f32, so they print in float32's shortest form (0.45, not 0.44999998…).
    let first = trainer.row();
    let scaling = trainer.scaling();
    json.element(&JsonRowIn::with_state(&first, settings).scaled(scaling))?;
    let mut last = first.step;
    let status = step_rows(trainer, steps, |r| {
        last = r.step;
        Ok(json.element(&JsonRowIn::with_state(r, settings).scaled(scaling))?)
    })?;
    json.end_array()?;
    json.field("outcome", &outcome(status, last))?;
    let out = json.finish()?;
    writeln!(out)?;
    Ok(status)
}

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

#[derive(Serialize)]
struct AnalysisJson<'a> {
    optimum: Params<f64>,
    min_loss: f64,
    hessian: &'a Vec<Vec<f64>>,
    curvature_max: f64,
    curvature_min: f64,
    critical_lr: Option<f64>,
    monotone_lr: Option<f64>,
    optimal_lr: Option<f64>,
    condition_number: Option<f64>,
    local: bool,
    at: Option<Params<f64>>,
    lr: f64,
    regime: crate::engine::analysis::Regime,
    note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    standardized: Option<Standardized>,
}

/// `analyze --standardize`: the scaled problem's curvature, next to the original's.
#[derive(Serialize)]
struct Standardized {
    condition_number: Option<f64>,
    critical_lr: Option<f64>,
    hessian: Vec<Vec<f64>>,
}

fn analyze_cmd(a: &AnalyzeArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let at = point(&a.engine, a.w, a.b)?;
    if let Some(o) = &settings.objective {
        return super::objective::analyze(o, &settings, at, a.format, out);
    }
    let an: Analysis = analyze(&data, &Settings { standardize: false, ..settings.clone() }, at);
    let scaled = settings.standardize.then(|| analyze(&data, &settings, at));
    if let Some(what) = an.non_finite() {
        let (x, y) = data.scale();
        return Err(CliError::NotFinite(format!(
            "{what} overflows f64 for this data (|x| up to {}, |y| up to {}); rescale the data",
            repr(x),
            repr(y)
        )));
    }
    let lr = settings.optimizer.lr;
    match a.format {
        ReportFormat::Json => {
            let j = AnalysisJson {
                optimum: an.optimum,
                min_loss: an.min_loss,
                hessian: &an.hessian,
                curvature_max: an.curvature_max,
                curvature_min: an.curvature_min,
                critical_lr: an.critical_lr,
                monotone_lr: an.monotone_lr,
                optimal_lr: an.optimal_lr,
                condition_number: an.condition_number,
                local: an.local,
                at: an.at,
                lr,
                regime: an.regime(lr),
                note: &an.note,
                standardized: scaled.as_ref().map(|s| Standardized {
                    condition_number: s.condition_number,
                    critical_lr: s.critical_lr,
                    hessian: s.hessian.clone(),
                }),
            };
            let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => analyze_text(out, &data, &settings, &an, scaled.as_ref())?,
    }
    Ok(EXIT_OK)
}

/// `descent analyze`'s plain-text report of the linear model's closed forms (and, standardized, before → after).
fn analyze_text(
    out: &mut impl Write,
    data: &Dataset,
    settings: &Settings,
    an: &Analysis,
    scaled: Option<&Analysis>,
) -> Result<(), CliError> {
    let lr = settings.optimizer.lr;
    let opt = |v: Option<f64>| v.map_or("none (zero curvature)".to_string(), compact);
    let b = if settings.bias { format!(", b* = {}", repr(an.optimum.b)) } else { String::new() };
    writeln!(
        out,
        "data            {} ({} samples), loss {}, gradient {}",
        data.name,
        data.len(),
        settings.loss.name(),
        settings.gradient.label()
    )?;
    writeln!(out, "optimum         w* = {}{b}", repr(an.optimum.w))?;
    writeln!(out, "min loss        {}", repr(an.min_loss))?;
    let rows: Vec<String> = an.hessian.iter().map(|row| python_list(row, false)).collect();
    writeln!(out, "hessian         [{}]", rows.join(", "))?;
    writeln!(out, "curvature       λmax = {}, λmin = {}", compact(an.curvature_max), compact(an.curvature_min))?;
    writeln!(out, "monotone lr     {}   (1/λmax: below it the loss falls without overshooting)", opt(an.monotone_lr))?;
    writeln!(out, "optimal lr      {}   (2/(λmax+λmin): the fastest plain GD)", opt(an.optimal_lr))?;
    writeln!(out, "critical lr     {}   (2/λmax: plain GD diverges at or above it)", opt(an.critical_lr))?;
    writeln!(out, "condition       {}", an.condition_number.map_or("∞".to_string(), compact))?;
    let regime = match (an.critical_lr, an.regime(lr)) {
        (None, _) => "has no curvature to overshoot here: each step moves lr·|g|",
        (_, crate::engine::analysis::Regime::Monotone) => "converges monotonically",
        (_, crate::engine::analysis::Regime::Oscillating) => "oscillates but converges",
        (_, crate::engine::analysis::Regime::Divergent) => "diverges",
    };
    writeln!(out, "{:<16}plain GD {regime}", format!("at lr {}", compact(lr)))?;
    writeln!(out, "note            {}", an.note)?;
    if let Some(s) = scaled {
        let cond = |a: &Analysis| a.condition_number.map_or("∞".to_string(), compact);
        writeln!(out, "standardized    condition {} → {}", cond(an), cond(s))?;
        writeln!(out, "                critical lr {} → {}", opt(an.critical_lr), opt(s.critical_lr))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct GradcheckJson {
    analytic: Vec<f64>,
    autodiff: Vec<f64>,
    numeric: Vec<f64>,
    notebook_sum: Vec<f64>,
    max_rel_error: f64,
    autodiff_rel_error: f64,
    numeric_rel_error: f64,
    notebook_sum_ratio: Option<f64>,
    explanation: String,
}

fn gradcheck(a: &GradcheckArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let at = point(&a.engine, Some(a.w), a.b)?;
    if let Some(o) = &settings.objective {
        return super::objective::gradcheck(o, &settings, at, a.format, out);
    }
    let trainer = DynTrainer::new(&data, &settings)?;
    let c: GradientCheck = trainer.gradient_check(at);
    check_finite(&c, trainer.loss_at(at), at, &settings)?;
    let explanation = c.explain_ratio(settings.optimizer.lr);
    match a.format {
        ReportFormat::Json => {
            let j = GradcheckJson {
                analytic: c.as_vec(c.analytic),
                autodiff: c.as_vec(c.autodiff),
                numeric: c.as_vec(c.numeric),
                notebook_sum: c.as_vec(c.notebook_sum),
                max_rel_error: c.max_rel_error(),
                autodiff_rel_error: c.autodiff_error(),
                numeric_rel_error: c.numeric_error(),
                notebook_sum_ratio: c.notebook_sum_ratio(),
                explanation,
            };
            let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => {
            let f32 = settings.precision == Precision::F32;
            let v = |g| python_list(&c.as_vec(g), f32);
            let b = if settings.bias { format!(", b = {}", repr(at.b)) } else { String::new() };
            writeln!(out, "at w = {}{b}", repr(at.w))?;
            writeln!(out, "analytic        {}", v(c.analytic))?;
            writeln!(out, "autodiff        {}   rel. error {}", v(c.autodiff), python_sci(c.autodiff_error(), 1))?;
            writeln!(out, "numeric         {}   rel. error {}", v(c.numeric), python_sci(c.numeric_error(), 1))?;
            writeln!(
                out,
                "notebook-sum    {}   ratio {}",
                v(c.notebook_sum),
                c.notebook_sum_ratio().map_or("—".into(), |r| format!("{r:.2}"))
            )?;
            let mut chars = explanation.chars();
            let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
            writeln!(out, "{first}{}.", chars.as_str())?;
        }
    }
    Ok(EXIT_OK)
}

/// Refuses a gradient check whose loss or gradients overflow the run's precision at `at` (their ratios would be
/// NaN), naming what overflows.
fn check_finite(c: &GradientCheck, loss: f64, at: Params<f64>, settings: &Settings) -> Result<(), CliError> {
    let sources = [
        ("the loss", vec![loss]),
        ("the analytic gradient", c.as_vec(c.analytic)),
        ("the autodiff gradient", c.as_vec(c.autodiff)),
        ("the numeric gradient", c.as_vec(c.numeric)),
        ("the notebook-sum gradient", c.as_vec(c.notebook_sum)),
    ];
    match sources.iter().find(|(_, v)| !v.iter().all(|g| g.is_finite())) {
        None => Ok(()),
        Some((what, _)) => {
            let b = if settings.bias { format!(", b = {}", repr(at.b)) } else { String::new() };
            Err(CliError::NotFinite(format!(
                "{what} overflows {} at w = {}{b}: no gradients to compare; try a point nearer the data's scale",
                settings.precision.label(),
                repr(at.w)
            )))
        }
    }
}
