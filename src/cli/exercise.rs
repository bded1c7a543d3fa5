//! `descent exercise`: an exercise drawn from a seed ([`crate::engine::exercise`]), printed as text or JSON, and,
//! with `--answer`, graded exactly: exit 0 when the answer is within the exercise's tolerance, 1 otherwise. With
//! `--sheet N`, a whole sheet and its key, or with `--grade` a student's answers to it (`cli::sheet`, which
//! dispatch sends those to).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
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
    /// What is asked; with --sheet, the kinds the questions cycle through (comma-separated; default: every kind).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "K[,K...]")]
    pub kind: Vec<ExerciseKind>,
    /// The seed the data and settings are drawn from (the same seed gives the same exercise everywhere).
    #[arg(long, value_name = "N")]
    pub seed: u64,
    /// Output format: text or json for one exercise; html (default) or markdown for --sheet; text (default), json
    /// or csv for --grade.
    #[arg(long, value_enum)]
    pub format: Option<ExerciseFormat>,
    /// An answer to grade: exit 0 when right (within the exercise's tolerance), 1 when wrong. A number as a person
    /// types it: `0.2599`, `1/15`, `2e-3`, `pi/4`, `-0.5` ([`crate::number`], as the app's fields).
    #[arg(long, value_name = "A", allow_hyphen_values = true, value_parser = answer_value, conflicts_with = "sheet")]
    pub answer: Option<f64>,
    /// A sheet of N numbered exercises drawn from --seed (the same seed, the same sheet).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::engine::sheet::MAX_EXERCISES as u64))]
    pub sheet: Option<u64>,
    /// Where the sheet is written (default: stdout).
    #[arg(long, value_name = "PATH", requires = "sheet")]
    pub out: Option<PathBuf>,
    /// Where the answer key (each exercise's answer and worked solution) is written.
    #[arg(long, value_name = "KEY_PATH", requires = "sheet")]
    pub key: Option<PathBuf>,
    /// Grade a student's answers to the sheet: a CSV with the columns question,answer. Exit 0 when all are right,
    /// 1 otherwise, 2 when the file is not an answer file.
    #[arg(long, value_name = "ANSWERS.csv", requires = "sheet", conflicts_with_all = ["out", "key"])]
    pub grade: Option<PathBuf>,
}

/// `descent exercise --format`: each mode takes some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExerciseFormat {
    /// Plain words (one exercise, or a grade).
    Text,
    /// Machine-readable (one exercise, or a grade).
    Json,
    /// One row per question (a grade).
    Csv,
    /// A self-contained printable page (a sheet).
    Html,
    /// Markdown (a sheet).
    Markdown,
}

impl ExerciseFormat {
    /// The name `--format` takes.
    fn name(self) -> &'static str {
        match self {
            ExerciseFormat::Text => "text",
            ExerciseFormat::Json => "json",
            ExerciseFormat::Csv => "csv",
            ExerciseFormat::Html => "html",
            ExerciseFormat::Markdown => "markdown",
        }
    }
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
    let kind = match a.kind[..] {
        [kind] => kind,
        [] => return Err(CliError::Usage("--kind is needed (one kind, or a list with --sheet N)".into())),
        _ => return Err(CliError::Usage("--kind takes one kind without --sheet N (a list is for a sheet)".into())),
    };
    let format = match a.format.unwrap_or(ExerciseFormat::Text) {
        ExerciseFormat::Text => ReportFormat::Text,
        ExerciseFormat::Json => ReportFormat::Json,
        other => return Err(format_refused(other, "one exercise", "text or json")),
    };
    let e = Exercise::generate(kind, a.seed);
    let grade = a.answer.map(|v| e.grade(v));
    match format {
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

/// The error of a `--format` that `mode` does not take.
pub(super) fn format_refused(f: ExerciseFormat, mode: &str, takes: &str) -> CliError {
    CliError::Usage(format!("--format {} is not for {mode}: it takes {takes}", f.name()))
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
