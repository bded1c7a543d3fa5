//! `analyze` and `gradcheck` on an objective f(w, b): the value, gradient, Hessian and what the point is, with the
//! built-in's known stationary points; the gradient from autodiff and central differences against the reference.

use std::io::Write;

use serde::Serialize;

use super::ReportFormat;
use super::common::{CliError, EXIT_OK};
use crate::engine::gradient::GradientCheck;
use crate::engine::objective::{KnownPoint, Objective, PointReport};
use crate::engine::{Grad, GradientSource, Params, Precision, Settings};
use crate::format::{compact, python_list, python_sci, repr};

#[derive(Serialize)]
struct AnalyzeJson<'a> {
    objective: String,
    #[serde(flatten)]
    report: &'a PointReport,
    known_points: Vec<KnownPoint>,
}

/// A question about an objective at one point: `analyze` or `gradcheck` with `--objective`, in the settings'
/// precision, answered in `format`.
pub(super) struct AtPoint<'a> {
    pub o: &'a Objective,
    pub settings: &'a Settings,
    pub at: Params<f64>,
    pub format: ReportFormat,
}

/// `descent analyze --objective …`: f, ∇f, the Hessian and its eigenvalues at `at`, and what the point is.
pub(super) fn analyze(q: AtPoint<'_>, out: &mut impl Write) -> Result<i32, CliError> {
    let AtPoint { o, settings, at, format } = q;
    let r = o.report(at);
    let finite = r.value.is_finite() && r.gradient.iter().chain(r.hessian.iter().flatten()).all(|v| v.is_finite());
    if !finite {
        return Err(not_finite(o, at));
    }
    if format == ReportFormat::Json {
        let j = AnalyzeJson { objective: o.describe(), report: &r, known_points: o.known_points() };
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(EXIT_OK);
    }
    let method = r.hessian_method.describe();
    writeln!(out, "objective       {}", o.describe())?;
    writeln!(out, "at              w = {}, b = {}", repr(at.w), repr(at.b))?;
    writeln!(out, "value           {}", repr(r.value))?;
    writeln!(out, "gradient        {}", python_list(&r.gradient, false))?;
    let rows: Vec<String> = r.hessian.iter().map(|row| python_list(row, false)).collect();
    writeln!(out, "hessian         [{}]   ({method})", rows.join(", "))?;
    writeln!(out, "eigenvalues     λ1 = {}, λ2 = {}", compact(r.eigenvalues[0]), compact(r.eigenvalues[1]))?;
    writeln!(out, "point           {}", r.point_kind.label())?;
    if r.eigenvalues[0] > 0.0 {
        let lr = settings.optimizer.lr;
        let critical = 2.0 / r.eigenvalues[0];
        let verdict = if lr < critical { "below" } else { "at or above" };
        writeln!(out, "critical lr     {}   (2/λ1 here; lr {} is {verdict} it)", compact(critical), compact(lr))?;
    }
    let known = o.known_points();
    for (i, k) in known.iter().enumerate() {
        let head = if i == 0 { "known points" } else { "" };
        let (w, b) = (repr(k.at.w), repr(k.at.b));
        writeln!(out, "{head:<16}{:<8} (w, b) = ({w}, {b}), f = {}", k.kind.label(), repr(k.value))?;
    }
    if known.is_empty() {
        writeln!(out, "known points    none: an expression's stationary points are not known in advance")?;
    }
    Ok(EXIT_OK)
}

fn not_finite(o: &Objective, at: Params<f64>) -> CliError {
    let why = o.expr().domain_fault(at.w, at.b).map_or(String::new(), |f| format!(": {f}"));
    CliError::NotFinite(format!(
        "{} is not finite at w = {}, b = {} (or its derivatives are not){why}",
        crate::format::echo(&o.describe(), 160),
        repr(at.w),
        repr(at.b)
    ))
}

#[derive(Serialize)]
struct GradcheckJson {
    value: f64,
    autodiff: [f64; 2],
    numeric: [f64; 2],
    closed_form: Option<[f64; 2]>,
    autodiff_rel_error: Option<f64>,
    numeric_rel_error: f64,
    max_rel_error: f64,
}

/// `descent gradcheck --objective …`: autodiff and central differences in the run's precision, against the
/// built-in's closed form (or, for an expression, central differences against autodiff).
pub(super) fn gradcheck(q: AtPoint<'_>, out: &mut impl Write) -> Result<i32, CliError> {
    let AtPoint { o, settings, at, format } = q;
    let f32 = settings.precision == Precision::F32;
    let (value, autodiff, numeric) = if f32 { sources::<f32>(o, at) } else { sources::<f64>(o, at) };
    let closed = o.as_builtin().map(|b| b.gradient(at.w, at.b));
    let all = [autodiff.w, autodiff.b, numeric.w, numeric.b, value];
    if !all.iter().chain(closed.iter().flatten()).all(|v| v.is_finite()) {
        return Err(not_finite(o, at));
    }
    let reference = closed.map_or(autodiff, |[w, b]| Grad { w, b });
    let autodiff_error = closed.map(|_| GradientCheck::relative_error(autodiff, reference));
    let numeric_error = GradientCheck::relative_error(numeric, reference);
    let pair = |g: Grad<f64>| [g.w, g.b];
    if format == ReportFormat::Json {
        let j = GradcheckJson {
            value,
            autodiff: pair(autodiff),
            numeric: pair(numeric),
            closed_form: closed,
            autodiff_rel_error: autodiff_error,
            numeric_rel_error: numeric_error,
            max_rel_error: autodiff_error.unwrap_or(0.0).max(numeric_error),
        };
        let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(EXIT_OK);
    }
    let v = |g: [f64; 2]| python_list(&g, f32);
    writeln!(out, "{}", o.describe())?;
    writeln!(out, "at w = {}, b = {}: f = {}", repr(at.w), repr(at.b), crate::format::repr_in(value, f32))?;
    if let Some(c) = closed {
        writeln!(out, "closed form     {}", v(c))?;
    }
    let against = if closed.is_some() { "the closed form" } else { "autodiff" };
    match autodiff_error {
        Some(e) => writeln!(out, "autodiff        {}   rel. error {}", v(pair(autodiff)), python_sci(e, 1))?,
        None => writeln!(out, "autodiff        {}   (the reference)", v(pair(autodiff)))?,
    }
    writeln!(out, "numeric         {}   rel. error {}", v(pair(numeric)), python_sci(numeric_error, 1))?;
    writeln!(out, "Relative errors are against {against}.")?;
    Ok(EXIT_OK)
}

/// f, the autodiff gradient and the central-difference gradient in precision `F`, widened to f64.
fn sources<F: crate::engine::Real>(o: &Objective, at: Params<f64>) -> (f64, Grad<f64>, Grad<f64>) {
    let p = Params::<F>::from_f64(at);
    let a = o.evaluate(p, GradientSource::Autodiff);
    let n = o.evaluate(p, GradientSource::Numeric);
    (a.loss.to_f64(), a.grad.to_f64(), n.grad.to_f64())
}
