//! Session files: the data and every run's settings, saved as versioned JSON so that opening the file on any
//! machine replays each trajectory bit for bit.
//!
//! Runs are stored as settings (seed included), not as rows: the engine is deterministic, so the settings and the
//! data reproduce every step exactly, and a file stays small however long the runs were. Every f64 is written in
//! its shortest round-trip form and read back with a correctly rounded parser (serde_json's `float_roundtrip`),
//! so no value moves by even one ulp.
//!
//! Loading checks the `version` field before anything else, so a file from a newer descent is refused with a
//! message saying so rather than misread; it then checks the shape, the data and every run's settings, and never
//! writes anything. Saving goes through a temporary file and a rename, so a failed save leaves any existing
//! session intact.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::Dataset;
use crate::engine::settings::Settings;
use crate::files::{read_capped, write_atomically};
use crate::format::echo;

/// The session format this build writes, and the newest it reads. Every earlier version still opens:
/// - 1: data, runs (settings, steps), tolerance, the app's own state;
/// - 2: settings gain the learning-rate schedule, the objective and the gradient noise (absent in version 1: a
///   constant lr, the data's loss, no noise);
/// - 3: a run may carry its settings timeline (the settings in force from each step on), so that a run whose
///   settings changed mid-run replays exactly (absent: the run's settings from step 0, as before);
/// - 4: a timeline entry may say the optimizer restarted there with fresh state (`restart`), as a branch does, so
///   that a branch of a run with momentum or an adaptive optimizer replays exactly (absent: the state carries on).
pub const CURRENT_VERSION: u32 = 4;

/// Most runs a session holds (the app's six colours).
pub const MAX_SESSION_RUNS: usize = crate::presets::MAX_RUNS;
/// The largest session file read, in bytes (512 MiB, as a data file): a file, a FIFO or a device is never read past
/// it.
pub const MAX_SESSION_BYTES: u64 = crate::engine::data::MAX_FILE_BYTES;
/// Most steps a session's run may have taken (a replay of more would keep the worker busy for minutes).
pub const MAX_SESSION_STEPS: u64 = 100_000_000;

/// The name used in messages for session text that did not come from a file.
const IN_MEMORY: &str = "session";

/// Everything needed to restore a session: the data, the runs and the app's own state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Format version ([`CURRENT_VERSION`] when written by this build).
    pub version: u32,
    /// The dataset.
    pub data: SessionData,
    /// The runs, in the app's order.
    pub runs: Vec<SessionRun>,
    /// Stop when ‖gradient‖ ≤ tolerance (`None`: never).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Whatever else the app wants to keep (view, selection, panel layout…), opaque to the engine; `null` when
    /// absent. Kept as is through load and save, so a newer app's additions survive an older app's edits.
    #[serde(default)]
    pub app: serde_json::Value,
}

/// The dataset of a session, with its values in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionData {
    /// Its name (a preset name or the file it came from).
    pub name: String,
    /// Inputs.
    pub x: Vec<f64>,
    /// Targets.
    pub y: Vec<f64>,
}

/// One run of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRun {
    /// The name shown in the app.
    pub name: String,
    /// Everything that defines the trajectory, seed included.
    pub settings: Settings,
    /// Shown in the plots.
    #[serde(default = "default_visible")]
    pub visible: bool,
    /// Display colour (sRGB).
    #[serde(default)]
    pub colour: [u8; 3],
    /// Steps taken when the session was saved; replaying that many reproduces the run where it stood.
    #[serde(default)]
    pub steps: u64,
    /// The settings in force from each step on, in step order, when they changed mid-run (empty: `settings` from
    /// step 0). The first entry is the run's settings at its start; `settings` is the last entry's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<SettingsChange>,
}

/// Settings that took effect at a step: the update leaving row `step` and the later ones used them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// The step from which they were in force.
    pub step: u64,
    /// The settings.
    pub settings: Settings,
    /// Whether the optimizer restarted here with fresh state (a branch's first step) rather than carrying its state
    /// on (a settings change).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restart: bool,
}

fn default_visible() -> bool {
    true
}

impl SessionRun {
    /// A visible run with a colour and no steps taken yet.
    pub fn new(name: impl Into<String>, settings: Settings, colour: [u8; 3]) -> SessionRun {
        SessionRun { name: name.into(), settings, visible: true, colour, steps: 0, timeline: Vec::new() }
    }

    /// The settings the run starts with, and each later change with the number of steps taken before it: the run
    /// replays as `start`, then for each [`Change`] that many steps and the change, then the rest of
    /// [`SessionRun::steps`].
    pub fn replay_plan(&self) -> (&Settings, Vec<Change<'_>>) {
        let Some((first, rest)) = self.timeline.split_first() else {
            return (&self.settings, Vec::new());
        };
        let mut at = first.step;
        let changes = rest
            .iter()
            .map(|c| {
                let steps = c.step.saturating_sub(at);
                at = c.step;
                Change { steps, settings: &c.settings, restart: c.restart }
            })
            .collect();
        (&first.settings, changes)
    }
}

/// One step of a replay plan: take `steps` steps, then apply `settings` (with fresh optimizer state if `restart`).
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    /// Steps taken before the change.
    pub steps: u64,
    /// The settings from then on.
    pub settings: &'a Settings,
    /// The optimizer restarts with fresh state (a branch), rather than carrying its state on.
    pub restart: bool,
}

impl SessionData {
    /// The values of a dataset, copied exactly.
    pub fn from_dataset(data: &Dataset) -> SessionData {
        SessionData { name: data.name.clone(), x: data.x.to_vec(), y: data.y.to_vec() }
    }

    /// The dataset, checked (same lengths, at least one sample, every value finite).
    ///
    /// # Errors
    /// The [`crate::engine::DataError`] of [`Dataset::new`].
    pub fn to_dataset(&self) -> Result<Dataset, crate::engine::DataError> {
        Dataset::new(self.x.clone(), self.y.clone(), crate::format::escape_controls(&self.name))
    }
}

/// Why a session could not be saved or loaded. Each renders as one line that starts with the file.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The file could not be read.
    #[error("{path}: cannot read the session: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file could not be written; any previous file at the path is unchanged.
    #[error("{path}: cannot save the session: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not a session file: not JSON, or JSON of the wrong shape.
    #[error("{path}: not a valid descent session: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column where the JSON parser gives them.
        message: String,
    },
    /// Written by a newer descent, in a format this one does not know.
    #[error("{path}: made by a newer descent (session version {version}; this one reads up to {CURRENT_VERSION})")]
    Newer {
        /// The file.
        path: PathBuf,
        /// The file's version.
        version: u64,
    },
    /// Well-formed, but holding values that cannot be used (bad data, invalid settings).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A run's timeline: valid settings, from step 0 at increasing steps within the run's steps, ending with the run's
/// settings; a later entry changes only what a run absorbs (the problem changes only where the optimizer restarts,
/// as a branch does), and a OneCycle schedule never runs past its total steps.
fn check_timeline(run: &SessionRun) -> Result<(), String> {
    let mut last: Option<&SettingsChange> = None;
    for c in &run.timeline {
        c.settings.validate().map_err(|e| format!("timeline at step {}: {e}", c.step))?;
        if last.is_none() && c.step != 0 {
            return Err(format!(
                "the timeline starts at step {}: its first entry holds the settings from step 0",
                c.step
            ));
        }
        if last.is_some_and(|l| c.step <= l.step) || c.step > run.steps {
            let steps = run.steps;
            return Err(format!(
                "timeline step {} is out of order (each entry's step must exceed the last) or past the run's {steps} steps",
                c.step
            ));
        }
        if let Some(l) = last
            && !c.restart
            && l.settings.problem_differs(&c.settings)
        {
            return Err(format!(
                "timeline at step {}: the model, loss, gradient, precision, start, batches, seed, objective or noise \
                 change, which restarts a run, but the entry has no \"restart\"",
                c.step
            ));
        }
        last = Some(c);
    }
    match run.timeline.last() {
        Some(c) if c.settings != run.settings => return Err("the timeline's last settings are not the run's".into()),
        _ => {}
    }
    check_schedule_spans(run)
}

/// Each stretch of a run under one OneCycle schedule stays within its `total_steps`, as torch raises past them (and
/// as the command line refuses `--steps` beyond `--total-steps`).
fn check_schedule_spans(run: &SessionRun) -> Result<(), String> {
    let (start, changes) = run.replay_plan();
    let mut spans = Vec::with_capacity(changes.len() + 1);
    let mut settings = start;
    let mut at = run.timeline.first().map_or(0, |c| c.step);
    for (change, entry) in changes.iter().zip(run.timeline.iter().skip(1)) {
        spans.push((settings, at, entry.step));
        settings = change.settings;
        at = entry.step;
    }
    spans.push((settings, at, run.steps));
    for (s, from, to) in spans {
        if s.schedule.kind != crate::engine::schedule::ScheduleKind::Onecycle {
            continue;
        }
        if let Some(total) = s.schedule.total_steps
            && to - from > total
        {
            return Err(format!(
                "{} steps from step {from} under schedule onecycle exceed its total_steps {total} (torch raises beyond it)",
                to - from
            ));
        }
    }
    Ok(())
}

/// Just the version, read before the rest so that a newer layout is never parsed as this one.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<serde_json::Value>,
}

impl Session {
    /// A session of `data` with no runs yet.
    pub fn new(data: &Dataset) -> Session {
        Session {
            version: CURRENT_VERSION,
            data: SessionData::from_dataset(data),
            runs: Vec::new(),
            tolerance: None,
            app: serde_json::Value::Null,
        }
    }

    /// Checks what a load would check: the version, the data, the tolerance and every run's settings.
    ///
    /// # Errors
    /// [`SessionError::Newer`] or [`SessionError::Invalid`], naming the session "session".
    pub fn validate(&self) -> Result<(), SessionError> {
        self.check(Path::new(IN_MEMORY))
    }

    /// [`Session::validate`], naming `path` in errors.
    fn check(&self, path: &Path) -> Result<(), SessionError> {
        let invalid =
            |message: String| Err(SessionError::Invalid { path: path.to_owned(), message: echo(&message, MAX_ECHO) });
        if self.version > CURRENT_VERSION {
            return Err(SessionError::Newer { path: path.to_owned(), version: u64::from(self.version) });
        }
        if self.version == 0 {
            return invalid("unknown session version 0".into());
        }
        if self.data.x.len() > crate::engine::data::MAX_ROWS {
            let n = self.data.x.len();
            return invalid(format!(
                "{n} samples: a session holds at most {}, as a data file",
                crate::engine::data::MAX_ROWS
            ));
        }
        if let Err(e) = self.data.to_dataset() {
            return invalid(format!("bad data: {e}"));
        }
        if let Some(tol) = self.tolerance
            && !(tol.is_finite() && tol >= 0.0)
        {
            return invalid(format!("invalid tolerance {tol}: must be a finite number ≥ 0"));
        }
        if self.runs.is_empty() || self.runs.len() > MAX_SESSION_RUNS {
            return invalid(format!("{} runs: a session holds 1 to {MAX_SESSION_RUNS}", self.runs.len()));
        }
        for (i, run) in self.runs.iter().enumerate() {
            if let Err(e) = run.settings.validate() {
                return invalid(format!("run {} ({:?}): {e}", i + 1, run.name));
            }
            if run.steps > MAX_SESSION_STEPS {
                let steps = run.steps;
                return invalid(format!("run {} ({:?}): {steps} steps: at most {MAX_SESSION_STEPS}", i + 1, run.name));
            }
            if let Err(message) = check_timeline(run) {
                return invalid(format!("run {} ({:?}): {message}", i + 1, run.name));
            }
        }
        Ok(())
    }

    /// The session as pretty-printed JSON, after checking it as a load would.
    ///
    /// # Errors
    /// As [`Session::validate`], and [`SessionError::Corrupt`] if serialisation fails.
    pub fn to_json(&self) -> Result<String, SessionError> {
        self.to_json_for(Path::new(IN_MEMORY))
    }

    fn to_json_for(&self, path: &Path) -> Result<String, SessionError> {
        // A session that would not load back is refused here rather than discovered on the next open. (JSON has
        // no NaN: serde_json would write it as null, and the file would then fail to load.)
        self.check(path)?;
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| SessionError::Corrupt { path: path.to_owned(), message: e.to_string() })?;
        text.push('\n');
        Ok(text)
    }

    /// Reads a session from JSON text; errors name it "session".
    ///
    /// # Errors
    /// As [`Session::load`], except for reading.
    pub fn from_json(text: &str) -> Result<Session, SessionError> {
        Self::parse(text.as_bytes(), Path::new(IN_MEMORY))
    }

    /// Saves the session to `path` atomically: written to a temporary file in the same directory, flushed, then
    /// renamed over `path`. On any failure the file previously at `path`, if any, is untouched.
    ///
    /// # Errors
    /// [`SessionError::Invalid`] for a session that would not load back, [`SessionError::Write`] when the file
    /// cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), SessionError> {
        let text = self.to_json_for(path)?;
        write_atomically(path, text.as_bytes()).map_err(|source| SessionError::Write { path: path.to_owned(), source })
    }

    /// Loads a session file. Nothing is written, whatever the outcome.
    ///
    /// # Errors
    /// [`SessionError::Read`] when the file cannot be read; [`SessionError::Newer`] for a file from a newer
    /// descent; [`SessionError::Corrupt`] for anything that is not a session (with the JSON line and column);
    /// [`SessionError::Invalid`] for bad data or settings.
    pub fn load(path: &Path) -> Result<Session, SessionError> {
        let bytes = read_capped(path, MAX_SESSION_BYTES, "session")
            .map_err(|source| SessionError::Read { path: path.to_owned(), source })?;
        Self::parse(&bytes, path)
    }

    /// The loader behind [`Session::load`] and [`Session::from_json`].
    fn parse(bytes: &[u8], path: &Path) -> Result<Session, SessionError> {
        let corrupt =
            |message: String| SessionError::Corrupt { path: path.to_owned(), message: echo(&message, MAX_ECHO) };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(corrupt("the file is empty".into()));
        }
        // Version first: any later change of layout must be reported as "newer", never as "corrupt".
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(|e| corrupt(describe(&e)))?;
        let version = match probe.version {
            None => return Err(corrupt("no \"version\" field (is this a descent session file?)".into())),
            Some(v) => v.as_u64().ok_or_else(|| corrupt(format!("\"version\" must be a whole number, found {v}")))?,
        };
        if version > u64::from(CURRENT_VERSION) {
            return Err(SessionError::Newer { path: path.to_owned(), version });
        }
        let session: Session = serde_json::from_slice(bytes).map_err(|e| corrupt(describe(&e)))?;
        if let Some(problem) = literal_problem(bytes) {
            return Err(corrupt(problem));
        }
        session.check(path)?;
        Ok(session)
    }

    /// Replays `run` of this session headless, as the app replays it (its settings timeline applied at its steps,
    /// stopping early where it converged or diverged), handing each row (the start first) to `on_row`; returns the
    /// final status. `on_row` may stop the replay with an error (a closed output).
    ///
    /// # Errors
    /// Settings the engine refuses (never for a checked session), a start whose loss is not finite (an objective
    /// undefined at its start), or `on_row`'s error.
    pub fn replay_run<E: From<crate::engine::diagnose::StartError>>(
        &self,
        data: &Dataset,
        run: &SessionRun,
        mut on_row: impl FnMut(&crate::engine::trainer::Row) -> Result<(), E>,
    ) -> Result<crate::engine::trainer::Status, E> {
        use crate::engine::diagnose::StartError;
        use crate::engine::trainer::DynTrainer;
        let (start, changes) = run.replay_plan();
        let mut t = crate::engine::diagnose::start_run(data, start)?;
        t.set_tolerance(self.tolerance);
        let mut left = run.steps;
        // Row k is handed on once the update leaving it is known, so that at a change its `lr` (and momentum) is the
        // one that update uses: the new settings', as the trace format documents.
        let step =
            |t: &mut DynTrainer, n: u64, on_row: &mut dyn FnMut(&crate::engine::trainer::Row) -> Result<(), E>| {
                for _ in 0..n {
                    if t.status().is_finished() {
                        break;
                    }
                    let (row, before) = (t.row(), t.record().step);
                    t.step();
                    if t.record().step == before {
                        break;
                    }
                    on_row(&row)?;
                }
                Ok::<(), E>(())
            };
        for change in changes {
            step(&mut t, change.steps.min(left), &mut on_row)?;
            left = left.saturating_sub(change.steps);
            if change.restart {
                // As the app's branch starts: from the current row, with fresh optimizer state.
                t = DynTrainer::resume(data, change.settings, t.record()).map_err(StartError::from)?;
                t.set_tolerance(self.tolerance);
            } else {
                t.set_settings(data, change.settings).map_err(StartError::from)?;
            }
        }
        step(&mut t, left, &mut on_row)?;
        on_row(&t.row())?;
        Ok(t.status())
    }

    /// The dataset of the session, checked.
    ///
    /// # Errors
    /// [`SessionError::Invalid`] (naming "session") when the data are unusable, which a loaded session's never are.
    pub fn dataset(&self) -> Result<Dataset, SessionError> {
        self.data
            .to_dataset()
            .map_err(|e| SessionError::Invalid { path: PathBuf::from(IN_MEMORY), message: format!("bad data: {e}") })
    }
}

/// The longest message a bad file gets, in characters: serde quotes the offending text, which can be any length
/// and hold any bytes (see [`echo`]).
const MAX_ECHO: usize = 400;

/// A serde_json error in plain words; its own text already ends with "at line L column C".
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => format!("the file ends too soon (cut off?): {e}"),
        Category::Syntax => format!("not JSON: {e}"),
        Category::Data | Category::Io => e.to_string(),
    }
}

/// The first number literal of a JSON text that would silently become another number: a non-zero literal that
/// rounds to 0 in f64 (`1e-400`) as "line L column C: 1e-400 rounds to 0 in f64 …" (serde_json refuses one beyond
/// the range itself). Strings are skipped, escapes included; `None` when every literal stands for itself.
fn literal_problem(bytes: &[u8]) -> Option<String> {
    let (mut line, mut column, mut i) = (1usize, 1usize, 0usize);
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'-' || c.is_ascii_digit() {
            let end = bytes[i..].iter().position(|b| !matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'));
            let end = i + end.unwrap_or(bytes.len() - i);
            let literal = String::from_utf8_lossy(&bytes[i..end]);
            if let Err(why) = crate::engine::real::parse_decimal(&literal) {
                return Some(format!("line {line} column {column}: {literal} {why}"));
            }
            column += end - i;
            i = end;
            continue;
        }
        if c == b'\n' {
            (line, column) = (line + 1, 1);
        } else if c & 0xC0 != 0x80 {
            column += 1;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_session_round_trips_through_json() {
        let mut s = Session::new(&Dataset::notebook());
        s.runs.push(SessionRun::new("SGD", Settings::default(), [10, 20, 30]));
        let back = Session::from_json(&s.to_json().unwrap_or_default());
        assert_eq!(back.ok(), Some(s));
    }

    #[test]
    fn defaults_fill_optional_fields() {
        let text = r#"{"version": 1, "data": {"name": "d", "x": [1], "y": [2]},
                       "runs": [{"name": "r", "settings": {}}]}"#;
        let s = Session::from_json(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.runs[0].visible);
        assert_eq!((s.tolerance, &s.app), (None, &serde_json::Value::Null));
    }
}
