//! `descent gradcheck`: the gradient at a point from every source (analytic, autodiff, central differences, the
//! notebook's sum) with their relative errors and the notebook sum's ratio, as text or JSON. An objective is checked
//! by [`super::objective`].

use std::io::Write;

use serde::Serialize;

use super::common::{CliError, EXIT_OK, point, setup};
use super::objective::AtPoint;
use super::{GradcheckArgs, ReportFormat};
use crate::engine::gradient::GradientCheck;
use crate::engine::trainer::DynTrainer;
use crate::engine::{Params, Precision, Settings};
use crate::format::{python_list, python_sci, repr};

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

pub(super) fn gradcheck(a: &GradcheckArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let (data, settings) = setup(&a.engine)?;
    let at = point(&a.engine, Some(a.w), a.b)?;
    if let Some(o) = &settings.objective {
        return super::objective::gradcheck(AtPoint { o, settings: &settings, at, format: a.format }, out);
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
