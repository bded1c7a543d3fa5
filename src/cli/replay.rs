//! `descent replay SESSION [--format csv|json]`: replays a saved session headless, every run exactly as the app
//! replays it (its settings timeline applied at its steps), and prints each run's trace, so that a teacher can
//! check a student's file. Exit 0 when the session replays, whatever the runs' outcomes; 2 when the file is bad.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{CliError, EXIT_OK, csv_field};
use crate::engine::trainer::Status;
use crate::export::trace::{JsonRowIn, PrettyObject, TRACE_COLUMNS, fields};
use crate::session::Session;

/// Output format of `replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// `run,step,w,b,loss,grad_w,grad_b,lr`, every run's rows in turn.
    Csv,
    /// An array with one trace object per run: name, settings, rows and outcome.
    Json,
}

/// `descent replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The session file (saved by the app: File → Save session…).
    #[arg(value_name = "SESSION")]
    pub session: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Csv)]
    pub format: ReplayFormat,
}

/// Replays the session and writes every run's trace.
pub fn replay(a: &ReplayArgs, out: &mut impl Write) -> Result<i32, CliError> {
    let session = Session::load(&a.session).map_err(|e| CliError::Usage(e.to_string()))?;
    let data = session.dataset().map_err(|e| CliError::Usage(e.to_string()))?;
    match a.format {
        ReplayFormat::Csv => {
            writeln!(out, "run,{}", TRACE_COLUMNS.join(","))?;
            for run in &session.runs {
                let p = run.settings.precision;
                let name = csv_field(&run.name);
                let replayed = session.replay_run::<CliError>(&data, run, |r| {
                    writeln!(out, "{name},{}", fields(r, p).join(","))?;
                    Ok(())
                });
                // A run that cannot start (an objective undefined at its start, data its precision cannot hold) has
                // no rows; the others replay.
                if let Err(e) = &replayed
                    && let Some(why) = refusal(e)
                {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "run {}: refused: {why}",
                        crate::format::echo(&run.name, 80)
                    );
                    continue;
                }
                replayed?;
            }
        }
        ReplayFormat::Json => replay_json(&session, &data, out)?,
    }
    Ok(EXIT_OK)
}

/// The JSON array, each run's rows streamed as they are replayed.
fn replay_json(session: &Session, data: &crate::engine::Dataset, out: &mut impl Write) -> Result<(), CliError> {
    write!(out, "[")?;
    for (k, run) in session.runs.iter().enumerate() {
        write!(out, "{}", if k == 0 { "\n" } else { ",\n" })?;
        let mut json = PrettyObject::new(&mut *out)?;
        json.field("name", &run.name)?;
        json.field("settings", &run.settings)?;
        json.begin_array("rows")?;
        let mut last = 0;
        let replayed = session.replay_run::<CliError>(data, run, |r| {
            last = r.step;
            let settings = session_settings_at(run, r.step);
            Ok(json.element(&JsonRowIn::new(r, settings))?)
        });
        let outcome = match replayed {
            Ok(status) => outcome(status, last),
            Err(e) => match refusal(&e) {
                Some(why) => Outcome { status: "refused", step: 0, detail: Some(why) },
                None => return Err(e),
            },
        };
        json.end_array()?;
        json.field("outcome", &outcome)?;
        json.finish()?;
    }
    writeln!(out, "\n]")?;
    Ok(())
}

/// The settings in force at `step` of a run (for the precision its numbers print in).
fn session_settings_at(run: &crate::session::SessionRun, step: u64) -> &crate::engine::Settings {
    run.timeline.iter().rev().find(|c| c.step <= step).map_or(&run.settings, |c| &c.settings)
}

/// Why a run was refused, when its replay failed because it could not start rather than because output failed.
fn refusal(e: &CliError) -> Option<String> {
    match e {
        CliError::NotFinite(_) | CliError::Config(_) | CliError::Overflow(_) => Some(e.to_string()),
        _ => None,
    }
}

#[derive(serde::Serialize)]
struct Outcome {
    status: &'static str,
    step: u64,
    /// Why a run was refused (its start is not finite).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

fn outcome(s: Status, last: u64) -> Outcome {
    match s {
        Status::Running => Outcome { status: "completed", step: last, detail: None },
        Status::Converged { step, .. } => Outcome { status: "converged", step, detail: None },
        Status::Diverged { step, why } => Outcome { status: why.verb(), step, detail: None },
    }
}
