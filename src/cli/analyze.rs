//! `descent analyze`: the closed forms of the run's problem at a point (optimum, minimum loss, Hessian, curvature,
//! the monotone, optimal and critical learning rates, the condition number, and what plain GD does at the given
//! lr), as text or JSON; with `--standardize`, the scaled problem's beside the original's. An objective is analysed
//! by [`super::objective`].

use std::io::Write;

use serde::Serialize;

use super::AnalyzeArgs;
use super::ReportFormat;
use super::common::{CliError, EXIT_OK, point, setup};
use super::objective::AtPoint;
use crate::engine::analysis::{self, Analysis};
use crate::engine::{Dataset, Params, Settings};
use crate::format::{compact, python_list, repr};

/// What `analyze` prints for the condition number λmax/λmin when λmin ≤ 0 (a flat or downward direction, as MAE's
/// zero curvature): the ratio is not a number, so it is not printed as one.
const NO_CONDITION: &str = "undefined (λmin ≤ 0: no positive curvature in some direction)";

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
    regime: analysis::Regime,
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

pub(super) fn analyze(a: &AnalyzeArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let at = point(&a.engine, a.w, a.b)?;
    if let Some(o) = &settings.objective {
        return super::objective::analyze(AtPoint { o, settings: &settings, at, format: a.format }, out);
    }
    let an: Analysis = analysis::analyze(&data, &Settings { standardize: false, ..settings.clone() }, at);
    let scaled = settings.standardize.then(|| analysis::analyze(&data, &settings, at));
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
    writeln!(out, "condition       {}", an.condition_number.map_or(NO_CONDITION.to_string(), compact))?;
    let regime = match (an.critical_lr, an.regime(lr)) {
        (None, _) => "has no curvature to overshoot here: each step moves lr·|g|",
        (_, analysis::Regime::Monotone) => "converges monotonically",
        (_, analysis::Regime::Oscillating) => "oscillates but converges",
        (_, analysis::Regime::Divergent) => "diverges",
    };
    writeln!(out, "{:<16}plain GD {regime}", format!("at lr {}", compact(lr)))?;
    writeln!(out, "note            {}", an.note)?;
    if let Some(s) = scaled {
        let cond = |a: &Analysis| a.condition_number.map_or(NO_CONDITION.to_string(), compact);
        writeln!(out, "standardized    condition {} → {}", cond(an), cond(s))?;
        writeln!(out, "                critical lr {} → {}", opt(an.critical_lr), opt(s.critical_lr))?;
    }
    Ok(())
}
