//! `descent sweep`: the app's learning-rate sweep without the app. The settings run from their start at each of
//! a log-spaced range of learning rates ([`crate::engine::sweep::plan`] and [`crate::par_map::run_plan`], the
//! tab's own computation), one row per lr: the lr, the steps to the tolerance (or none), the final loss and the
//! outcome (converged, diverged, unfinished, or refused when the engine refuses the settings at that lr).

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::EngineArgs;
use super::common::{CliError, EXIT_OK, Progress, setup, tolerance};
use crate::engine::analysis::analyze;
use crate::engine::sweep::{DEFAULT_TOLERANCE, SweepPoint, fastest, log_space, plan};
use crate::format::repr;
use crate::par_map::{Cancel, run_plan};

/// Output format of `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    /// `lr,steps_to_tol,final_loss,outcome`, one row per learning rate (`none` where there is no value).
    Csv,
    /// The plan, the points and the fastest.
    Json,
}

/// `FROM:TO:N`: N learning rates log-spaced from FROM to TO.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrRange {
    /// The smallest lr.
    pub from: f64,
    /// The largest lr.
    pub to: f64,
    /// How many.
    pub n: usize,
}

/// `descent sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Engine options.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// N learning rates log-spaced from FROM to TO (default: the tab's, 200 from critical/1000 to 1.5 × critical
    /// for a quadratic loss, else from 1e-5 to 10).
    #[arg(long, value_name = "FROM:TO:N", value_parser = parse_lrs)]
    pub lrs: Option<LrRange>,
    /// Steps per learning rate (default: the tab's budget, 20000 on small data).
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u64>,
    /// A run has arrived once ‖gradient‖ ≤ this (default 1e-6, the app's).
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = crate::cli::values::real)]
    pub tol: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SweepFormat::Csv)]
    pub format: SweepFormat,
}

/// `FROM:TO:N` with 0 < FROM ≤ TO and 1 ≤ N ≤ 100000 (FROM = TO only for N = 1).
fn parse_lrs(text: &str) -> Result<LrRange, String> {
    let usage = "expected FROM:TO:N, e.g. 0.001:1:50";
    let mut parts = text.split(':');
    let (Some(from), Some(to), Some(n), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(usage.into());
    };
    let (from, to) = (crate::cli::values::real(from.trim())?, crate::cli::values::real(to.trim())?);
    let n: usize = n.trim().parse().map_err(|_| format!("the count {:?} is not a whole number; {usage}", n.trim()))?;
    if !(from > 0.0 && from.is_finite() && to.is_finite() && (from < to || from == to && n == 1)) {
        return Err(format!("the range {}:{} must be positive and increasing", repr(from), repr(to)));
    }
    if !(1..=100_000).contains(&n) {
        return Err(format!("the count {n} is outside 1…100000"));
    }
    Ok(LrRange { from, to, n })
}

/// One point in the json.
#[derive(Serialize)]
struct PointJson {
    lr: f64,
    steps_to_tol: Option<u64>,
    final_loss: Option<f64>,
    outcome: &'static str,
}

impl From<&SweepPoint> for PointJson {
    fn from(p: &SweepPoint) -> Self {
        let final_loss = p.final_loss.is_finite().then_some(p.final_loss);
        PointJson { lr: p.lr, steps_to_tol: p.steps_to_tol, final_loss, outcome: p.outcome() }
    }
}

/// The json output.
#[derive(Serialize)]
struct SweepJson {
    max_steps: u64,
    tolerance: f64,
    points: Vec<PointJson>,
    /// Fewest steps to the tolerance (ties: the smaller final gradient), as the tab marks it.
    fastest: Option<PointJson>,
}

/// Runs the sweep and writes it.
pub fn sweep(a: &SweepArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let tol = tolerance(a.tol, DEFAULT_TOLERANCE)?;
    let analysis = analyze(&data, &settings, settings.start());
    let mut plan = plan(&data, &settings, &analysis, Some(tol));
    if let Some(r) = a.lrs {
        plan.lrs = log_space(r.from, r.to, r.n);
    }
    if let Some(n) = a.max_steps {
        plan.max_steps = n;
    }
    let mut points = Vec::with_capacity(plan.lrs.len());
    let mut progress = Progress::new("sweep: learning rates", plan.lrs.len());
    run_plan(&data, &settings, &plan, &Cancel::default(), |p| {
        points.push(p);
        progress.advance(1);
    });
    progress.finish();
    match a.format {
        SweepFormat::Csv => {
            writeln!(out, "lr,steps_to_tol,final_loss,outcome")?;
            for p in &points {
                let steps = p.steps_to_tol.map_or_else(|| "none".to_string(), |s| s.to_string());
                let loss = if p.final_loss.is_finite() { repr(p.final_loss) } else { "none".into() };
                writeln!(out, "{},{steps},{loss},{}", repr(p.lr), p.outcome())?;
            }
        }
        SweepFormat::Json => {
            let json = SweepJson {
                max_steps: plan.max_steps,
                tolerance: plan.tolerance,
                points: points.iter().map(PointJson::from).collect(),
                fastest: fastest(&points).as_ref().map(PointJson::from),
            };
            serde_json::to_writer_pretty(&mut *out, &json).map_err(|e| CliError::Io(e.into()))?;
            writeln!(out)?;
        }
    }
    Ok(EXIT_OK)
}
