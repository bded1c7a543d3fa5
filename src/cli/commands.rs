//! What `trace`, `analyze` and `gradcheck` do, and how their results are printed; the dispatch of every command
//! (`gif` has its own file).

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::{AnalyzeArgs, Command, EngineArgs, GradcheckArgs, ReportFormat, TraceArgs, TraceFormat};
use crate::engine::analysis::{Analysis, analyze};
use crate::engine::gradient::GradientCheck;
use crate::engine::trainer::{DynTrainer, Record, Status};
use crate::engine::{Dataset, Params, Precision, Settings};
use crate::export::trace::{self, JsonRows};
use crate::format::compact;
use crate::printout::{Printer, Style};

/// Success.
pub const EXIT_OK: i32 = 0;
/// Bad input or usage.
pub const EXIT_BAD_INPUT: i32 = 2;
/// The run diverged.
pub const EXIT_DIVERGED: i32 = 3;

/// Runs a command and returns the process exit code. Errors are printed as one line on stderr.
pub fn run_command(command: &Command) -> i32 {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match command {
        Command::Trace(a) => trace(a, &mut out),
        Command::Analyze(a) => analyze_cmd(a, &mut out),
        Command::Gradcheck(a) => gradcheck(a, &mut out),
        Command::Gif(a) => super::gif::gif(a, &mut out),
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        // A closed pipe (`descent trace | head`) is not an error worth a message.
        (Err(CliError::Io(e)), _) | (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        (Err(e), _) => {
            eprintln!("error: {e}");
            EXIT_BAD_INPUT
        }
        (Ok(_), Err(e)) => {
            eprintln!("error: writing the output: {e}");
            EXIT_BAD_INPUT
        }
    }
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
    /// Output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// An export failed (a GIF that could not be written names its file).
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

pub(super) fn setup(engine: &EngineArgs) -> Result<(Dataset, Settings), CliError> {
    let settings = engine.settings();
    settings.validate()?;
    if !settings.bias && engine.b0.is_some() {
        return Err(CliError::Usage("--b0 needs --bias (the model ŷ = w·x has no b)".into()));
    }
    Ok((engine.dataset()?, settings))
}

/// One trace row in the run's precision (`{}` of the f32 or the f64), as the CSV export writes it.
fn csv_row(r: &Record<f64>, p: Precision) -> String {
    trace::fields(r, p).join(",")
}

fn trace(a: &TraceArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    if let Some(tol) = a.tol
        && !(tol >= 0.0 && tol.is_finite())
    {
        return Err(CliError::Usage(format!("invalid --tol {tol}: must be a finite number ≥ 0")));
    }
    let mut trainer = DynTrainer::new(&data, &settings)?;
    trainer.set_tolerance(a.tol);
    let p = settings.precision;
    let first = trainer.record();
    let status = match a.format {
        TraceFormat::Csv => {
            writeln!(out, "{}", trace::TRACE_COLUMNS.join(","))?;
            writeln!(out, "{}", csv_row(&first, p))?;
            let mut err = Ok(());
            let s = trainer.run(a.steps, |r| {
                if err.is_ok() {
                    err = writeln!(out, "{}", csv_row(r, p));
                }
            });
            err?;
            s
        }
        TraceFormat::Last => {
            // Only the final row, in the csv format without its header: the trajectory is never stored.
            let s = trainer.run(a.steps, |_| {});
            writeln!(out, "{}", csv_row(&trainer.record(), p))?;
            s
        }
        TraceFormat::Json => {
            let mut rows = vec![first];
            let s = trainer.run(a.steps, |r| rows.push(*r));
            write_json(out, &data, &settings, &rows, s, p)?;
            s
        }
        TraceFormat::Notebook => {
            let x = data.x.as_slice().unwrap_or(&[]);
            let y = data.y.as_slice().unwrap_or(&[]);
            let printer = Printer::new(
                Style::for_source(settings.gradient),
                x,
                y,
                settings.bias,
                p == Precision::F32,
                first.params,
            );
            for line in printer.header(first.params) {
                writeln!(out, "{line}")?;
            }
            let mut before = first;
            let mut last_forward = first.params;
            let mut err = Ok(());
            let s = trainer.run(a.steps, |r| {
                for line in printer.step(before.step, before.params, before.loss, before.grad, r.params) {
                    if err.is_ok() {
                        err = writeln!(out, "{line}");
                    }
                }
                // The notebook's closing comparison shows the last forward pass: the one before the final update.
                last_forward = before.params;
                before = *r;
            });
            err?;
            for line in printer.footer(last_forward) {
                writeln!(out, "{line}")?;
            }
            s
        }
    };
    out.flush()?;
    Ok(match status {
        Status::Diverged { step, why } => {
            let why = match why {
                crate::engine::trainer::Divergence::NonFinite => "a value became non-finite",
                crate::engine::trainer::Divergence::LossExploded => "the loss exploded",
            };
            eprintln!(
                "diverged at step {step} ({why}; lr {} — see `descent analyze` for the critical lr)",
                settings.optimizer.lr
            );
            EXIT_DIVERGED
        }
        Status::Converged { step, .. } if a.format != TraceFormat::Json => {
            if a.tol.is_some() {
                eprintln!("converged at step {step}");
            }
            EXIT_OK
        }
        _ => EXIT_OK,
    })
}

#[derive(Serialize)]
struct TraceJson<'a> {
    data: &'a str,
    samples: usize,
    settings: &'a Settings,
    rows: JsonRows,
    outcome: Outcome,
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
        Status::Diverged { step, why } => {
            Outcome { status: "diverged", step, detail: Some(format!("{why:?}").to_lowercase()) }
        }
    }
}

fn write_json(
    out: &mut impl Write,
    data: &Dataset,
    settings: &Settings,
    rows: &[Record<f64>],
    s: Status,
    p: Precision,
) -> Result<(), CliError> {
    let last = rows.last().map_or(0, |r| r.step);
    let json = TraceJson {
        data: &data.name,
        samples: data.len(),
        settings,
        // f32 rows serialise from f32, so they print in float32's shortest form (0.45, not 0.44999998…).
        rows: JsonRows::new(rows, p),
        outcome: outcome(s, last),
    };
    let text = serde_json::to_string_pretty(&json).map_err(|e| CliError::Usage(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

fn point(engine: &EngineArgs, w: Option<f64>, b: Option<f64>) -> Result<Params<f64>, CliError> {
    let s = engine.settings();
    let p = Params { w: w.unwrap_or(s.w0), b: if s.bias { b.unwrap_or(s.b0) } else { 0.0 } };
    for (name, v) in [("--w", p.w), ("--b", p.b)] {
        if !v.is_finite() {
            return Err(CliError::Usage(format!("invalid {name} {v}: must be finite")));
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
}

fn analyze_cmd(a: &AnalyzeArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let at = point(&a.engine, a.w, a.b)?;
    let an: Analysis = analyze(&data, &settings, at);
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
            };
            let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => {
            let opt = |v: Option<f64>| v.map_or("none (zero curvature)".to_string(), compact);
            let b = if settings.bias { format!(", b* = {}", an.optimum.b) } else { String::new() };
            writeln!(
                out,
                "data            {} ({} samples), loss {}, gradient {}",
                data.name,
                data.len(),
                settings.loss.name(),
                settings.gradient.label()
            )?;
            writeln!(out, "optimum         w* = {}{b}", an.optimum.w)?;
            writeln!(out, "min loss        {}", an.min_loss)?;
            writeln!(out, "hessian         {:?}", an.hessian)?;
            writeln!(
                out,
                "curvature       λmax = {}, λmin = {}",
                compact(an.curvature_max),
                compact(an.curvature_min)
            )?;
            writeln!(
                out,
                "monotone lr     {}   (1/λmax: below it the loss falls without overshooting)",
                opt(an.monotone_lr)
            )?;
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
        }
    }
    Ok(EXIT_OK)
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
    let trainer = DynTrainer::new(&data, &settings)?;
    let c: GradientCheck = trainer.gradient_check(at);
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
            let v = |g| format!("{:?}", c.as_vec(g));
            writeln!(out, "at w = {}{}", at.w, if settings.bias { format!(", b = {}", at.b) } else { String::new() })?;
            writeln!(out, "analytic        {}", v(c.analytic))?;
            writeln!(out, "autodiff        {}   rel. error {:.1e}", v(c.autodiff), c.autodiff_error())?;
            writeln!(out, "numeric         {}   rel. error {:.1e}", v(c.numeric), c.numeric_error())?;
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
