//! `descent trace`: runs the settings for `--steps` updates and prints every row as CSV (or only the last), as
//! streamed JSON with the optimizer's state, as the step ledger, or as the notebook's printout, or prints the run as
//! a PyTorch script ([`crate::export::torch`]); a run that diverges
//! or stops says why on stderr and exits with [`EXIT_STOPPED`].

use std::io::Write;

use serde::Serialize;

use super::common::{CliError, EXIT_OK, EXIT_STOPPED, check_cycle_length, setup};
use super::interrupt::Interrupt;
use super::say_line as message;
use super::{TraceArgs, TraceFormat};
use crate::engine::diagnose::{divergence_cause, start_run};
use crate::engine::schedule::Scheduled;
use crate::engine::trainer::{Divergence, DynTrainer, Record, Row, STEP_CAP, Status};
use crate::engine::{Dataset, Precision, Settings};
use crate::export::torch::{TorchRun, torch_script};
use crate::export::trace::{self, JsonRowIn, PrettyObject};
use crate::format::repr;
use crate::printout::{Printer, Style};

/// Updates computed between two checks of the output: a closed stdout stops a run within this many steps.
const STEPS_PER_CHUNK: u64 = 1024;

/// One trace row with the lr of the update leaving it, in the run's precision (Python's repr of the f32 or the
/// f64), as the CSV export writes it.
fn csv_row(r: &Record<f64>, lr: f64, p: Precision) -> String {
    let mut line = String::new();
    trace::push_row(&mut line, r, lr, p);
    line
}

/// A trainer at the start of `settings`, refused when its loss or gradient there is not finite.
fn start(data: &Dataset, settings: &Settings, tol: Option<f64>) -> Result<DynTrainer, CliError> {
    let mut trainer = start_run(data, settings)?;
    trainer.set_tolerance(tol);
    trainer.set_step_cap(Some(STEP_CAP));
    Ok(trainer)
}

/// One run being streamed: its problem, its trainer, how many updates at most, and the signal flag that ends it
/// early between two rows ([`Interrupt`]).
struct Stream<'a> {
    data: &'a Dataset,
    settings: &'a Settings,
    trainer: &'a mut DynTrainer,
    steps: u64,
    stop: &'a Interrupt,
    /// The tolerance in force (the step-cap cause quotes it).
    tol: Option<f64>,
}

impl Stream<'_> {
    /// Up to `steps` updates, handing each new row to `emit`; stops at the first error `emit` returns (a closed
    /// stdout), or at a signal, within [`STEPS_PER_CHUNK`] steps of it (the rows handed out are whole).
    fn run_rows(&mut self, mut emit: impl FnMut(&Record<f64>, Scheduled) -> Result<(), CliError>) -> RunResult {
        let mut left = self.steps;
        let mut status = self.trainer.status();
        while left > 0 && !status.is_finished() && self.stop.received().is_none() {
            let chunk = left.min(STEPS_PER_CHUNK);
            let mut result = Ok(());
            status = self.trainer.run_scheduled(chunk, |r, s| {
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
    /// [`Stream::run_rows`]; for the formats that print the state); a signal ends it after the current row.
    fn step_rows(&mut self, mut emit: impl FnMut(&Row) -> Result<(), CliError>) -> RunResult {
        let mut status = self.trainer.status();
        for _ in 0..self.steps {
            if status.is_finished() || self.stop.received().is_some() {
                break;
            }
            let before = self.trainer.record().step;
            status = self.trainer.step();
            if self.trainer.record().step != before {
                emit(&self.trainer.row())?;
            }
        }
        Ok(status)
    }
}

/// A stream's end: where the run stands, or the error that cut it.
type RunResult = Result<Status, CliError>;

/// The step ledger of every update ([`crate::ledger`]), blank-line separated; an update that diverged has no
/// ledger (its numbers are not finite) and the usual message on stderr says why.
fn trace_ledger(out: &mut impl Write, run: &mut Stream<'_>) -> RunResult {
    let (data, settings) = (run.data, run.settings);
    let mut pending = crate::ledger::explain(data, settings, &run.trainer.row())?;
    run.step_rows(|r| {
        writeln!(out, "{}", pending.text())?;
        pending = crate::ledger::explain(data, settings, r)?;
        Ok(())
    })
}

pub(super) fn trace(a: &TraceArgs, out: &mut impl Write) -> Result<i32, CliError> {
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
    let p = settings.precision;
    // A standardized run's w, b are printed in the original space (its gradient columns stay the scaled ones).
    let scaling = trainer.scaling();
    let original = |r: &Record<f64>| match scaling {
        Some(s) => Record { params: s.to_original(r.params), ..*r },
        None => *r,
    };
    let first = original(&trainer.record());
    let stop = Interrupt::catch();
    let mut run =
        Stream { data: &data, settings: &settings, trainer: &mut trainer, steps: a.steps, stop: &stop, tol: a.tol };
    let status = match a.format {
        TraceFormat::Csv => {
            writeln!(out, "{}", trace::TRACE_COLUMNS.join(","))?;
            writeln!(out, "{}", csv_row(&first, run.trainer.scheduled().lr, p))?;
            let mut line = String::new();
            run.run_rows(|r, s| {
                line.clear();
                trace::push_row(&mut line, &original(r), s.lr, p);
                line.push('\n');
                Ok(out.write_all(line.as_bytes())?)
            })?
        }
        TraceFormat::Last => {
            // Only the final row, in the csv format without its header: the trajectory is never stored.
            let s = run.run_rows(|_, _| Ok(()))?;
            writeln!(out, "{}", csv_row(&original(&run.trainer.record()), run.trainer.scheduled().lr, p))?;
            s
        }
        TraceFormat::Json => trace_json(out, &mut run)?,
        TraceFormat::Ledger => trace_ledger(out, &mut run)?,
        TraceFormat::Notebook => trace_notebook(out, &mut run)?,
        TraceFormat::Torch => {
            // The script runs the settings itself: nothing is stepped here (the start was checked above).
            let spec = a.engine.data.as_deref().unwrap_or("notebook");
            let run = TorchRun { data: &data, data_spec: spec, settings: &settings, steps: a.steps, tol: a.tol };
            out.write_all(torch_script(&run).as_bytes())?;
            out.flush()?;
            return Ok(EXIT_OK);
        }
    };
    out.flush()?;
    if let Some(signal) = stop.received() {
        let step = trainer.record().step;
        message(&format!(
            "interrupted by {} after the row of step {step}; every row printed is whole",
            Interrupt::name(signal)
        ));
        return Ok(Interrupt::exit_code(signal));
    }
    Ok(match status {
        Status::Diverged { step, why } => {
            let cause = divergence_cause(&data, &settings, &trainer.record(), why, a.tol);
            let verb = why.verb();
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

/// The notebook's printout of a run: its header, each step as the notebook prints it, and its closing comparison.
fn trace_notebook(out: &mut impl Write, run: &mut Stream<'_>) -> RunResult {
    let (data, settings) = (run.data, run.settings);
    let first = run.trainer.record();
    let x = data.x.as_slice().unwrap_or(&[]);
    let y = data.y.as_slice().unwrap_or(&[]);
    let f32 = settings.precision == Precision::F32;
    let printer = Printer::new(Style::for_source(settings.gradient), x, y, settings.bias, f32, first.params);
    for line in printer.header(first.params) {
        writeln!(out, "{line}")?;
    }
    let mut before = first;
    let mut last_forward = first.params;
    let status = run.run_rows(|r, _| {
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

/// The JSON's outcome: where the run stands after its last row, or the signal that ended it there. `cause` says
/// why a run stopped (the schedule out of range, the step cap).
fn outcome(s: Status, last_step: u64, signal: Option<i32>, cause: impl Fn(Divergence) -> String) -> Outcome {
    if let Some(signal) = signal {
        let detail = format!("stopped by {} after the row of step {last_step}", Interrupt::name(signal));
        return Outcome { status: "interrupted", step: last_step, detail: Some(detail) };
    }
    match s {
        Status::Running => Outcome { status: "completed", step: last_step, detail: None },
        Status::Converged { step, by } => {
            Outcome { status: "converged", step, detail: Some(format!("{by:?}").to_lowercase()) }
        }
        Status::Diverged { step, why: Divergence::SingularHessian } => {
            Outcome { status: "singular-hessian", step, detail: Some("stopped: Newton's Hessian is singular".into()) }
        }
        Status::Diverged { step, why: why @ Divergence::ScheduleOutOfRange } => {
            Outcome { status: "schedule-out-of-range", step, detail: Some(format!("stopped: {}", cause(why))) }
        }
        Status::Diverged { step, why: why @ Divergence::StepCap } => {
            Outcome { status: "step-cap", step, detail: Some(format!("stopped: {}", cause(why))) }
        }
        Status::Diverged { step, why } => {
            Outcome { status: "diverged", step, detail: Some(format!("{why:?}").to_lowercase()) }
        }
    }
}

/// `{"data", "samples", "settings", "rows": [...], "outcome"}`, pretty-printed and streamed: each row is written as
/// it is computed, so memory stays constant however many steps run.
fn trace_json(out: &mut impl Write, run: &mut Stream<'_>) -> RunResult {
    let (data, settings) = (run.data, run.settings);
    let mut json = PrettyObject::new(&mut *out)?;
    if let Some(o) = &settings.objective {
        json.field("objective", &o.describe())?;
    } else {
        json.field("data", &data.name)?;
        json.field("samples", &data.len())?;
    }
    json.field("settings", settings)?;
    if settings.optimizer.kind == crate::engine::OptimizerKind::Newton {
        json.field("hessian", &run.trainer.hessian_at(run.trainer.record().params).1)?;
    }
    json.begin_array("rows")?;
    // f32 rows serialise from f32, so they print in float32's shortest form (0.45, not 0.44999998…).
    let first = run.trainer.row();
    let scaling = run.trainer.scaling();
    json.element(&JsonRowIn::with_state(&first, settings).scaled(scaling))?;
    let mut last = first.step;
    let status = run.step_rows(|r| {
        last = r.step;
        Ok(json.element(&JsonRowIn::with_state(r, settings).scaled(scaling))?)
    })?;
    json.end_array()?;
    // The schedule's one clause (its cause with values may quote an lr of inf); the step cap's cause in full.
    let cause = |why| {
        crate::engine::diagnose::stop_clause(settings, why)
            .unwrap_or_else(|| divergence_cause(data, settings, &run.trainer.record(), why, run.tol))
    };
    json.field("outcome", &outcome(status, last, run.stop.received(), cause))?;
    let out = json.finish()?;
    writeln!(out)?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each stop has its JSON name and quotes its cause; a run at the step cap is `step-cap`, not `diverged`.
    #[test]
    fn stops_have_their_own_outcome_names() {
        let cause = |why: Divergence| format!("cause of {why:?}");
        let capped = outcome(Status::Diverged { step: STEP_CAP, why: Divergence::StepCap }, STEP_CAP, None, cause);
        assert_eq!((capped.status, capped.step), ("step-cap", STEP_CAP));
        assert_eq!(capped.detail.as_deref(), Some("stopped: cause of StepCap"));
        let schedule = outcome(Status::Diverged { step: 3, why: Divergence::ScheduleOutOfRange }, 2, None, cause);
        assert_eq!(schedule.status, "schedule-out-of-range");
        assert_eq!(schedule.detail.as_deref(), Some("stopped: cause of ScheduleOutOfRange"));
        let diverged = outcome(Status::Diverged { step: 3, why: Divergence::NonFinite }, 2, None, cause);
        assert_eq!(diverged.status, "diverged");
    }
}
