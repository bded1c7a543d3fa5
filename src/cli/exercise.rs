//! `descent exercise`: an exercise drawn from a seed ([`crate::engine::exercise`]), printed as text or JSON, and,
//! with `--answer`, graded exactly: exit 0 when the answer is within the exercise's tolerance, 1 otherwise.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::ReportFormat;
use super::common::{CliError, EXIT_OK};
use crate::engine::exercise::{Exercise, ExerciseKind, Grade};
use crate::format::repr;

/// Exit code of a wrong answer.
pub const EXIT_WRONG_ANSWER: i32 = 1;

/// `descent exercise`.
#[derive(Debug, Args)]
pub struct ExerciseArgs {
    /// What is asked.
    #[arg(long, value_enum)]
    pub kind: ExerciseKind,
    /// The seed the data and settings are drawn from (the same seed gives the same exercise everywhere).
    #[arg(long, value_name = "N")]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// An answer to grade: exit 0 when right (within the exercise's tolerance), 1 when wrong. A number as a person
    /// types it: `0.2599`, `1/15`, `2e-3`, `pi/4`, `-0.5` ([`crate::number`], as the app's fields).
    #[arg(long, value_name = "A", allow_hyphen_values = true, value_parser = answer_value)]
    pub answer: Option<f64>,
}

/// `--answer`'s text as a number, or why it is not one.
fn answer_value(text: &str) -> Result<f64, String> {
    crate::number::parse(text).map_err(|r| format!("give a finite number (like 0.25, 1/15, 2e-3 or pi/4): {r}"))
}

/// The JSON object: the exercise, and `correct` when an answer was given.
#[derive(Serialize)]
struct ExerciseJson<'a> {
    #[serde(flatten)]
    exercise: &'a Exercise,
    #[serde(skip_serializing_if = "Option::is_none")]
    given: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correct: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a str>,
}

/// Prints the exercise (and grades `--answer`); the exit code.
pub(super) fn exercise(a: &ExerciseArgs, out: &mut impl Write) -> Result<i32, CliError> {
    if let Some(v) = a.answer.filter(|v| !v.is_finite()) {
        return Err(CliError::Usage(format!("--answer {}: give a finite number", repr(v))));
    }
    let e = Exercise::generate(a.kind, a.seed);
    let grade = a.answer.map(|v| e.grade(v));
    match a.format {
        ReportFormat::Json => {
            let j = ExerciseJson {
                exercise: &e,
                given: a.answer,
                correct: grade.as_ref().map(|g| g.correct),
                explanation: grade.as_ref().map(|_| e.explanation.as_str()),
            };
            let text = serde_json::to_string_pretty(&j).map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(out, "{text}")?;
        }
        ReportFormat::Text => text(out, &e, grade.as_ref())?,
    }
    Ok(match grade {
        Some(g) if !g.correct => EXIT_WRONG_ANSWER,
        _ => EXIT_OK,
    })
}

fn text(out: &mut impl Write, e: &Exercise, grade: Option<&Grade>) -> Result<(), CliError> {
    writeln!(out, "exercise {} · seed {}", e.kind.name(), e.seed)?;
    for line in e.data_lines() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", e.settings_line())?;
    writeln!(out, "{}", e.question)?;
    match grade {
        Some(g) => {
            writeln!(out, "{}", g.verdict)?;
            writeln!(out, "why: {}", e.explanation)?;
        }
        None => {
            let within = if e.accept > 0.0 { format!("within ±{}", repr(e.accept)) } else { "exactly".to_string() };
            writeln!(out, "answer {within}: descent exercise --kind {} --seed {} --answer A", e.kind.name(), e.seed)?;
        }
    }
    Ok(())
}
