//! `descent exercise --sheet N`: a sheet of N exercises and its answer key, written as HTML or Markdown
//! ([`crate::export::sheet`]); with `--grade ANSWERS.csv`, a student's answers to that sheet graded
//! ([`crate::engine::sheet::Sheet::grade`]) as text, JSON or CSV: exit 0 when all are right, 1 otherwise.
//!
//! The answer file is a CSV with the header `question,answer` (in either order, case and spaces ignored) and one
//! row per answered question. A file that is not that (no such header, a row of another width, a question that is
//! not a whole number, a question answered twice, bytes that are not UTF-8) is refused with one line naming the
//! line, and exit 2. A question of the sheet with no row and a row for a question the sheet does not have are
//! graded (missing, extra), never dropped.

use std::io::Write;
use std::path::Path;

use super::common::{CliError, EXIT_OK};
use super::exercise::{EXIT_WRONG_ANSWER, ExerciseArgs, ExerciseFormat, format_refused};
use crate::engine::sheet::{Sheet, SheetGrade};
use crate::export::sheet::{SheetFormat, render_key, render_sheet, write_sheet_files};
use crate::export::write_file;
use crate::format::{echo, repr};

/// The largest answer file read.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// The most characters of a file's text an error quotes.
const ECHO_CHARS: usize = 40;

/// `--sheet N`: writes the sheet (and key), or grades `--grade`; the exit code.
pub(super) fn sheet(a: &ExerciseArgs, n: u64, out: &mut impl Write) -> Result<i32, CliError> {
    let sheet = Sheet::generate(n as usize, a.seed, &a.kind);
    if let Some(path) = &a.grade {
        return grade(&sheet, path, a.format.unwrap_or(ExerciseFormat::Text), out);
    }
    let format = match a.format.unwrap_or(ExerciseFormat::Html) {
        ExerciseFormat::Html => SheetFormat::Html,
        ExerciseFormat::Markdown => SheetFormat::Markdown,
        other => return Err(format_refused(other, "a sheet", "html or markdown")),
    };
    match &a.out {
        Some(path) => {
            for report in write_sheet_files(&sheet, format, path, a.key.as_deref())? {
                writeln!(out, "{report}")?;
            }
        }
        None => {
            if let Some(key) = &a.key {
                let report = write_file(key, render_key(&sheet, format).as_bytes())?;
                crate::cli::say_line(&format!("{report} (the key)"));
            }
            out.write_all(render_sheet(&sheet, format).as_bytes())?;
        }
    }
    Ok(EXIT_OK)
}

/// Grades the answer file at `path` against `sheet`; the exit code.
fn grade(sheet: &Sheet, path: &Path, format: ExerciseFormat, out: &mut impl Write) -> Result<i32, CliError> {
    let shown = echo(&path.display().to_string(), 200);
    let bytes = crate::files::read_capped(path, MAX_ANSWER_BYTES, "answer file")
        .map_err(|e| CliError::Usage(format!("{shown}: {e}")))?;
    let answers =
        parse_answers(&bytes).map_err(|why| CliError::Usage(format!("{shown}: not an answer file: {why}")))?;
    let g = sheet.grade(&answers, |text| crate::number::parse(text).map_err(|r| r.detail));
    match format {
        ExerciseFormat::Text => grade_text(&g, out)?,
        ExerciseFormat::Json => {
            let text = serde_json::to_string_pretty(&g).map_err(|e| CliError::Usage(e.to_string()))?;
            writeln!(out, "{text}")?;
        }
        ExerciseFormat::Csv => grade_csv(&g, out)?,
        other => return Err(format_refused(other, "--grade", "text, json or csv")),
    }
    Ok(if g.all_right { EXIT_OK } else { EXIT_WRONG_ANSWER })
}

/// The (question, answer) rows of an answer file, or why it is not one (one line, naming the line).
fn parse_answers(bytes: &[u8]) -> Result<Vec<(u64, String)>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
    let names: Vec<String> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
    let column = |name: &str| names.iter().position(|h| h == name);
    let (Some(qi), Some(ai), 2) = (column("question"), column("answer"), names.len()) else {
        return Err(format!("line 1 must be the header question,answer, not {:?}", echo(&names.join(","), ECHO_CHARS)));
    };
    let mut rows: Vec<(u64, String, u64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let (q, answer) = (record.get(qi).unwrap_or(""), record.get(ai).unwrap_or(""));
        let question: u64 = q.parse().map_err(|_| {
            format!("line {line}: the question {:?} is not a question number (1, 2, 3, …)", echo(q, ECHO_CHARS))
        })?;
        if let Some((_, _, first)) = rows.iter().find(|(n, _, _)| *n == question) {
            return Err(format!("line {line}: question {question} is answered twice (first on line {first})"));
        }
        rows.push((question, answer.to_string(), line));
    }
    Ok(rows.into_iter().map(|(q, a, _)| (q, a)).collect())
}

/// A CSV reader's error in one line.
fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => format!(
            "line {}: {len} fields where the header has {expected_len} (question,answer)",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        csv::ErrorKind::Utf8 { pos, .. } => {
            format!("line {}: not UTF-8 text", pos.as_ref().map_or(0, |p| p.line()))
        }
        _ => echo(&e.to_string(), 120),
    }
}

/// "question 3: …" per question, then the score.
fn grade_text(g: &SheetGrade, out: &mut impl Write) -> Result<(), CliError> {
    for q in &g.questions {
        writeln!(out, "question {}: {}", q.question, echo(&q.message, 200))?;
    }
    let extra = g.questions.len() - g.of;
    let extra = match extra {
        0 => String::new(),
        1 => " (and 1 answer to a question not on the sheet)".to_string(),
        n => format!(" (and {n} answers to questions not on the sheet)"),
    };
    writeln!(out, "score: {}/{}{extra}", g.right, g.of)?;
    Ok(())
}

/// One row per question (`question,answer,verdict,exact,message`), then the row `score,R/N,…`.
fn grade_csv(g: &SheetGrade, out: &mut impl Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => CliError::Io(io),
        other => CliError::Usage(format!("{other:?}")),
    };
    w.write_record(["question", "answer", "verdict", "exact", "message"]).map_err(io)?;
    for q in &g.questions {
        let verdict = serde_json::to_value(q.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
        let exact = q.exact.map(repr).unwrap_or_default();
        let row = [q.question.to_string(), q.answer.clone(), verdict.unwrap_or_default(), exact, q.message.clone()];
        w.write_record(&row).map_err(io)?;
    }
    let all = if g.all_right { "all-right" } else { "not-all-right" };
    w.write_record(["score", &format!("{}/{}", g.right, g.of), all, "", ""]).map_err(io)?;
    w.flush()?;
    Ok(())
}
