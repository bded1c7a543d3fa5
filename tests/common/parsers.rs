//! What every parser of outside input must do with any bytes at all, checked by the cargo-fuzz targets in fuzz/
//! (which include this file) and by the property tests in tests/robustness.rs on stable: give a one-line error of
//! printable text, or a value that is valid, finite, and written back reads as the same value. Each function
//! panics when an invariant fails.

use std::path::Path;

use descent::engine::diagnose::{StartError, start_run};
use descent::engine::objective::Objective;
use descent::engine::trainer::Row;
use descent::engine::{ConfigError, Dataset, OptimizerConfig, OptimizerKind, Params, Settings};
use descent::lesson::Lesson;
use descent::session::Session;

/// Steps a session's runs replay per input: enough to cross a timeline's first entries, few enough to be fast.
const REPLAY_STEPS: u64 = 64;
/// Steps an expression's objective is trained for, per optimizer.
const OBJECTIVE_STEPS: usize = 32;

/// An error message as a learner sees it: not empty, one line, no control characters (what a file holds is
/// escaped before it is echoed), and short enough for a status line or a terminal.
pub fn one_line(message: &str) {
    assert!(!message.trim().is_empty(), "an empty message");
    assert!(!message.chars().any(char::is_control), "a control character in {message:?}");
    assert!(message.chars().count() <= 600, "a message of {} characters: {message:?}", message.chars().count());
}

/// Every number a row publishes (to a plot, a CSV, the ledger) is finite.
pub fn finite_row(row: &Row) {
    let r = &row.record;
    let values = [r.params.w, r.params.b, r.loss, r.grad.w, r.grad.b, row.update_grad.w, row.update_grad.b];
    assert!(values.iter().all(|v| v.is_finite()), "a non-finite row: {row:?}");
    assert!(row.scheduled.lr.is_finite(), "a non-finite lr: {row:?}");
}

/// The CSV loader (`--data FILE`, the app's Open data): a dataset of finite numbers that writes back and reads
/// again bit for bit, or a one-line error.
pub fn csv(bytes: &[u8]) {
    let data = match Dataset::from_csv_reader(bytes, Path::new("input.csv")) {
        Err(e) => return one_line(&e.to_string()),
        Ok(data) => data,
    };
    assert!(!data.is_empty() && data.x.len() == data.y.len());
    assert!(data.x.iter().chain(data.y.iter()).all(|v| v.is_finite()), "a non-finite sample");
    let mut text = Vec::new();
    data.write_csv(&mut text).expect("writing to memory");
    let again = Dataset::from_csv_reader(text.as_slice(), Path::new("again.csv")).expect("its own CSV");
    let bits = |d: &Dataset| d.x.iter().chain(d.y.iter()).map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&data), bits(&again), "the CSV did not read back bit for bit");
}

/// Session files (`--session FILE`, Open session, `descent replay`): a one-line error, or a session that saves
/// back to the same session and whose runs replay (their first steps) with finite rows only.
pub fn session(bytes: &[u8]) {
    let session = match Session::from_json(&String::from_utf8_lossy(bytes)) {
        Err(e) => return one_line(&e.to_string()),
        Ok(session) => session,
    };
    let saved = session.to_json().expect("a loaded session saves");
    assert_eq!(Session::from_json(&saved).expect("a saved session loads"), session, "save and open changed it");
    let data = session.dataset().expect("a loaded session's data");
    for run in &session.runs {
        let mut short = run.clone();
        short.steps = run.steps.min(REPLAY_STEPS);
        let replayed = session.replay_run::<StartError>(&data, &short, |row| {
            finite_row(row);
            Ok(())
        });
        match replayed {
            Ok(_) => {}
            // An objective undefined at the run's start, or data its precision cannot hold: that run is refused
            // with a reason, as the app and `replay` refuse it, and the others replay.
            Err(StartError::NotFinite(why)) => one_line(&why),
            Err(StartError::Config(e @ ConfigError::Overflow(_))) => one_line(&e.to_string()),
            Err(e) => panic!("a checked session's run {:?} did not replay: {e}", run.name),
        }
    }
}

/// Lesson files (`--lesson FILE`, the Lessons menu): "FILE:LINE: FIELD: why" on one line, or a lesson whose runs'
/// settings are valid and which writes back to TOML that reads as the same lesson.
pub fn lesson(bytes: &[u8]) {
    let lesson = match Lesson::parse(&String::from_utf8_lossy(bytes), "input.toml") {
        Err(e) => {
            assert!(e.starts_with("input.toml"), "the message names the file: {e:?}");
            return one_line(&e);
        }
        Ok(lesson) => lesson,
    };
    for page in &lesson.pages {
        for run in &page.setup.runs {
            run.settings().validate().expect("a loaded lesson's settings are valid");
        }
    }
    let written = toml::to_string(&lesson).expect("a loaded lesson writes");
    assert_eq!(Lesson::parse(&written, "again.toml").expect("its own TOML reads"), lesson, "write and read changed it");
}

/// Typed objectives (`--objective EXPR`, the objective field): a one-line error whose column lies inside the
/// text, or an objective that evaluates without a panic and trains with finite rows only (a divergence stops the
/// run at its last finite state).
pub fn expression(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let objective = match Objective::parse(&text) {
        Err(e) => {
            assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "column {} of {text:?}", e.column);
            return one_line(&e.to_string());
        }
        Ok(o) => o,
    };
    assert_eq!(Objective::parse(objective.text()).expect("its own text").expr(), objective.expr());
    for (w, b) in [(0.0, 0.0), (1.5, -0.5), (-3.0, 2.0), (1e3, 1e-3)] {
        let _ = (objective.value(Params { w, b }), objective.report(Params { w, b }));
        let _ = objective.value(Params { w: w as f32, b: b as f32 });
    }
    for kind in [OptimizerKind::Sgd, OptimizerKind::Adam] {
        let mut settings = Settings { optimizer: OptimizerConfig::new(kind, 0.01), ..Settings::default() };
        settings.set_objective(Some(objective.clone()), true);
        let mut trainer = match start_run(&Dataset::notebook(), &settings) {
            Ok(trainer) => trainer,
            // An objective not finite at its start is refused with a reason, as every front end refuses it.
            Err(StartError::NotFinite(why)) => {
                one_line(&why);
                continue;
            }
            Err(e) => panic!("settings refused: {e}"),
        };
        finite_row(&trainer.row());
        for _ in 0..OBJECTIVE_STEPS {
            if trainer.status().is_finished() {
                break;
            }
            trainer.step();
            finite_row(&trainer.row());
        }
    }
}

/// A typed number (every number field of the app, `descent exercise --answer`): a finite value within its bounds
/// that, shown with the digits it needs, reads back as the same f64; or a one-line refusal.
pub fn number(bytes: &[u8]) {
    use descent::number::{Bounds, parse, parse_in, show};
    let text = String::from_utf8_lossy(bytes);
    match parse(&text) {
        Err(r) => one_line(&r.to_string()),
        Ok(v) => {
            assert!(v.is_finite(), "{text:?} gave {v}");
            assert_eq!(parse(&show(v)).expect("its own text").to_bits(), v.to_bits(), "{text:?}: {v} shown back");
        }
    }
    match parse_in(&text, Bounds::positive(100.0)) {
        Err(r) => one_line(&r.kept(0.01)),
        Ok(v) => assert!(v > 0.0 && v <= 100.0, "{text:?} gave {v} outside (0, 100]"),
    }
}
