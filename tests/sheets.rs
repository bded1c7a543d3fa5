//! Issue 23 §2: exercise sheets and their grading, through the real binary. A sheet is a function of its seed
//! (byte for byte); its HTML is self-contained and holds every exercise; the key's answers, handed back as a
//! student's file, are all graded right; a wrong, missing or extra answer is reported with exit 1; fractions are
//! read as the app reads them (checked against the closed form 1/λ = n/(2·Σx²), written as a fraction of
//! integers here); a file that is not an answer file is one line and exit 2.

mod common;

use std::path::{Path, PathBuf};

use common::{descent, stderr, stdout};
use descent::engine::exercise::ExerciseKind;
use descent::engine::sheet::Sheet;

/// Writes a sheet of `n` and its key into `dir`; (sheet bytes, key bytes).
fn write_sheet(dir: &Path, n: &str, seed: &str, format: &str, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let (out, key) = (dir.join(format!("sheet-{seed}.{format}")), dir.join(format!("key-{seed}.{format}")));
    let (o, k) = (out.to_str().unwrap(), key.to_str().unwrap());
    let mut args = vec!["exercise", "--sheet", n, "--seed", seed, "--format", format, "--out", o, "--key", k];
    args.extend_from_slice(extra);
    let run = descent(&args);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stdout(&run).contains("wrote "), "{}", stdout(&run));
    (std::fs::read(&out).unwrap(), std::fs::read(&key).unwrap())
}

/// Writes `csv` to a file in `dir` and grades it against the sheet (n, seed, extra flags).
fn grade(dir: &Path, csv: &str, n: &str, seed: &str, extra: &[&str]) -> std::process::Output {
    let path: PathBuf = dir.join("answers.csv");
    std::fs::write(&path, csv).unwrap();
    let mut args = vec!["exercise", "--grade", path.to_str().unwrap(), "--sheet", n, "--seed", seed];
    args.extend_from_slice(extra);
    descent(&args)
}

/// The answers a Markdown key states, in order ("**Answer:** 0.25 (…").
fn key_answers(key: &str) -> Vec<String> {
    key.lines()
        .filter_map(|l| l.strip_prefix("**Answer:** "))
        .map(|rest| rest.split(' ').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_other_ones() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_sheet(dir.path(), "6", "11", "html", &[]);
    let other = tempfile::tempdir().unwrap();
    let b = write_sheet(other.path(), "6", "11", "html", &[]);
    assert_eq!(a, b, "the same seed, the same sheet and key");
    let c = write_sheet(dir.path(), "6", "12", "html", &[]);
    assert_ne!(a.0, c.0);
    let md = descent(&["exercise", "--sheet", "6", "--seed", "11", "--format", "markdown"]);
    assert_eq!(md.status.code(), Some(0));
    assert_eq!(md.stdout, descent(&["exercise", "--sheet", "6", "--seed", "11", "--format", "markdown"]).stdout);
}

/// Counts of `<tag` openings and `</tag>` closings.
fn balance(html: &str, tag: &str) -> (usize, usize) {
    let opens = html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
    (opens, html.matches(&format!("</{tag}>")).count())
}

/// Checks that the tags in `tags` nest properly (each closing tag closes the innermost open one, none is left open).
fn assert_nested(html: &str, tags: &[&str]) {
    let mut stack: Vec<String> = Vec::new();
    for piece in html.split('<').skip(1) {
        let name: String = piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect();
        match name.strip_prefix('/') {
            Some(closing) if tags.contains(&closing) => {
                assert_eq!(stack.pop().as_deref(), Some(closing), "</{closing}> closes the innermost open tag");
            }
            None if tags.contains(&name.as_str()) => stack.push(name),
            _ => {}
        }
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
}

#[test]
fn the_html_is_self_contained_balanced_and_holds_every_exercise() {
    let dir = tempfile::tempdir().unwrap();
    let (sheet, key) = write_sheet(dir.path(), "7", "3", "html", &[]);
    let expected = Sheet::generate(7, 3, &[]);
    for page in [&sheet, &key] {
        let html = String::from_utf8(page.clone()).unwrap();
        assert!(!html.to_lowercase().contains("http"), "no URL at all");
        assert!(!html.contains("src=") && !html.contains("@import") && !html.contains("<link"), "nothing fetched");
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("@page"));
        for tag in ["html", "head", "body", "style", "section", "table", "tr", "svg", "p", "h2"] {
            let (opens, closes) = balance(&html, tag);
            assert_eq!(opens, closes, "<{tag}> balanced");
        }
        assert_nested(&html, &["html", "head", "body", "section", "div", "table", "tr", "svg", "p", "h1", "h2"]);
        assert_eq!(html.matches("<section class=\"exercise\">").count(), 7);
        // Question i's heading, in order, and its question text (escaped only where HTML needs it).
        let mut at = 0;
        for (i, e) in expected.exercises.iter().enumerate() {
            let heading = format!("<h2>{}. {}</h2>", i + 1, e.kind.label());
            let found = html[at..].find(&heading).unwrap_or_else(|| panic!("{heading} in order"));
            at += found;
            assert!(html.contains(&e.question.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")));
        }
    }
    let html = String::from_utf8(sheet).unwrap();
    // Each exercise's data as a table cell per value, and a plot with a point per datum.
    for e in &expected.exercises {
        let row: String = e.x.iter().map(|v| format!("<td>{}</td>", descent::format::repr(*v))).collect();
        assert!(html.contains(&format!("<tr><th>x</th>{row}</tr>")), "{row}");
    }
    let points: usize = expected.exercises.iter().map(|e| e.x.len()).sum();
    assert_eq!(html.matches("<circle ").count(), points);
    assert_eq!(balance(&html, "svg").0, 7);
    // The key states every answer, the sheet none.
    let key = String::from_utf8(key).unwrap();
    for e in &expected.exercises {
        let answer = format!("<span class=\"answer\">{}</span>", descent::format::repr(e.answer));
        assert!(key.contains(&answer) && !html.contains(&answer));
    }
}

#[test]
fn the_keys_answers_are_all_right_and_one_wrong_answer_fails_with_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let kinds = ["--kind", "next-weight,critical-lr,optimum,steps-to-tolerance,one-step-lr"];
    let (_, key) = write_sheet(dir.path(), "8", "21", "markdown", &kinds);
    let answers = key_answers(&String::from_utf8(key).unwrap());
    assert_eq!(answers.len(), 8);
    let csv: String = std::iter::once("question,answer\n".to_string())
        .chain(answers.iter().enumerate().map(|(i, a)| format!("{},{a}\n", i + 1)))
        .collect();
    let ok = grade(dir.path(), &csv, "8", "21", &kinds);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("score: 8/8"), "{}", stdout(&ok));
    assert_eq!(stdout(&ok).matches(": correct: ").count(), 8);

    let wrong: f64 = answers[1].parse::<f64>().unwrap() + 1.0;
    let bad = csv.replacen(&format!("2,{}", answers[1]), &format!("2,{wrong}"), 1);
    let out = grade(dir.path(), &bad, "8", "21", &kinds);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains(&format!("question 2: not quite: {wrong}")), "{text}");
    assert!(text.contains("score: 7/8"), "{text}");
    // The same verdicts as JSON and CSV.
    let json: serde_json::Value = serde_json::from_slice(
        &grade(dir.path(), &bad, "8", "21", &[&kinds[..], &["--format", "json"]].concat()).stdout,
    )
    .unwrap();
    assert_eq!(json["right"], 7);
    assert_eq!(json["all_right"], false);
    assert_eq!(json["questions"][1]["verdict"], "wrong");
    assert_eq!(json["questions"][0]["verdict"], "right");
    let csv_out = stdout(&grade(dir.path(), &bad, "8", "21", &[&kinds[..], &["--format", "csv"]].concat()));
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 9);
    assert_eq!(&rows[1][2], "wrong");
    assert_eq!((&rows[8][0], &rows[8][1]), ("score", "7/8"));
}

#[test]
fn fractions_are_graded_as_the_app_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::generate(4, 5, &[ExerciseKind::OneStepLr]);
    // 1/λ = n/(2·Σx²); with x in tenths, Σx² = S/100 for the integer S = Σ(10x)², so 1/λ = 100·n/(2·S).
    let mut csv = String::from("answer,question\n");
    for (i, e) in sheet.exercises.iter().enumerate() {
        let s: i64 = e.x.iter().map(|x| ((x * 10.0).round() as i64).pow(2)).sum();
        csv.push_str(&format!("{}/{},{}\n", 100 * e.x.len(), 2 * s, i + 1));
    }
    let out = grade(dir.path(), &csv, "4", "5", &["--kind", "one-step-lr"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("score: 4/4"));
    assert!(csv.lines().nth(1).unwrap().contains('/'), "the answers are fractions");
}

#[test]
fn missing_and_extra_questions_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::generate(3, 9, &[]);
    let a = |i: usize| descent::format::repr(sheet.exercises[i].answer);
    let csv = format!("question,answer\n1,{}\n3,{}\n7,0.5\n", a(0), a(2));
    let out = grade(dir.path(), &csv, "3", "9", &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("question 2: missing"), "{text}");
    assert!(text.contains("question 7: not on the sheet (it has questions 1 to 3)"), "{text}");
    assert!(text.contains("score: 2/3 (and 1 answer to a question not on the sheet)"), "{text}");
    // All three right plus an extra one still fails: nothing is ignored.
    let csv = format!("question,answer\n1,{}\n2,{}\n3,{}\n4,1\n", a(0), a(1), a(2));
    let out = grade(dir.path(), &csv, "3", "9", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["right"], 3);
    assert_eq!(json["questions"][3]["verdict"], "extra");
    // A blank answer and text that is no number are wrong, each said so.
    let out = grade(dir.path(), &format!("question,answer\n1,\n2,abc\n3,{}\n", a(2)), "3", "9", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("question 1: missing: the answer is empty"));
    assert!(stdout(&out).contains("question 2: not a number"));
}

#[test]
fn a_file_that_is_not_an_answer_file_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 6] = [
        ("1,0.5\n2,0.25\n", "line 1 must be the header question,answer"),
        ("question,answer\n1,0.5,7\n", "line 2: 3 fields"),
        ("question,answer\none,0.5\n", "line 2: the question \"one\" is not a question number"),
        ("question,answer\n1,0.5\n1,0.6\n", "line 3: question 1 is answered twice (first on line 2)"),
        ("", "line 1 must be the header"),
        ("question,answer\n\u{0}\u{1}\u{2},\u{3}\n", "is not a question number"),
    ];
    for (csv, why) in cases {
        let out = grade(dir.path(), csv, "3", "1", &[]);
        assert_eq!(out.status.code(), Some(2), "{csv:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains("not an answer file") && err.contains(why), "{err}");
        assert!(out.stdout.is_empty());
    }
    let path = dir.path().join("latin1.csv");
    std::fs::write(&path, b"question,answer\n1,\xe9\n").unwrap();
    let out = descent(&["exercise", "--grade", path.to_str().unwrap(), "--sheet", "3", "--seed", "1"]);
    assert_eq!((out.status.code(), stderr(&out).lines().count()), (Some(2), 1), "{}", stderr(&out));
    let out = descent(&["exercise", "--grade", "/nonexistent/answers.csv", "--sheet", "3", "--seed", "1"]);
    assert_eq!((out.status.code(), stderr(&out).lines().count()), (Some(2), 1));
    let out = descent(&["exercise", "--sheet", "3", "--seed", "1", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format csv is not for a sheet"));
}
