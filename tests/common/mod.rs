//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod app;
pub mod learner;

use std::process::{Command, Output};

/// Runs the real `descent` binary with `args`.
pub fn descent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_descent")).args(args).output().expect("the descent binary runs")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that every line of `expected` appears in `actual`, in order (other lines may come between).
/// The last expected line may be a prefix: the notebook's printout is cut off mid-line there.
pub fn assert_lines_in_order(actual: &str, expected: &str) {
    let want: Vec<&str> = expected.lines().collect();
    let mut got = actual.lines();
    for (k, line) in want.iter().enumerate() {
        let last = k + 1 == want.len();
        let found = got.by_ref().any(|g| g == *line || (last && g.starts_with(line)));
        assert!(found, "notebook line {} not found in order: {line:?}\n--- output ---\n{actual}", k + 1);
    }
}
