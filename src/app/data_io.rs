//! Bringing data in and sessions in and out, without ever blocking the UI thread.
//!
//! File dialogs (rfd), CSV loading, session reading and writing, and exports run on short-lived threads that send
//! a [`JobResult`] back through a channel and wake the UI; [`App::poll_jobs`] applies the results at the start of
//! the next frame. Failures become one-line error toasts (and, for data, the red notice under the data controls);
//! the previous data and runs stay as they were.
//!
//! Files dropped on the window load as data (a `.json` file opens as a session); a "drop to load" overlay shows
//! while a file hovers over the window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use egui::{Align2, Color32, Context};

use super::App;
use super::files;
use super::jobs::{FilePurpose, Job, JobResult};
use crate::engine::data::Dataset;
use crate::session::{Session, SessionRun, SettingsChange as SessionTimeline};
use crate::worker::{Command, RunId, RunSpec};

/// Seconds an information toast stays on screen.
const TOAST_SECS: f64 = 6.0;
/// Seconds an error toast stays on screen.
const ERROR_TOAST_SECS: f64 = 12.0;

/// A message in the status line (at its right end, where it covers no control).
#[derive(Clone, Debug)]
pub struct Toast {
    /// The text (one line).
    pub text: String,
    /// An error (red) or information.
    pub error: bool,
    /// Until when it shows (egui time, seconds); `None` until first drawn.
    until: Option<f64>,
}

/// The state of file jobs and toasts.
pub struct IoState {
    ctx: Context,
    /// Where the screenshot callback (not a thread of ours) sends the window's pixels.
    tx: Sender<JobResult>,
    rx: Receiver<JobResult>,
    /// Increases with every data request; a load only applies if it is still the latest.
    data_generation: u64,
    /// File jobs started and not yet finished (a spinner shows while there are any).
    jobs: Vec<Job<(), JobResult>>,
    toasts: Vec<Toast>,
    /// Every toast shown, newest last (for tests and the log).
    pub history: Vec<Toast>,
}

impl IoState {
    /// The state for the app drawn by `ctx` (background jobs wake it).
    pub fn new(ctx: &Context) -> Self {
        let (tx, rx) = mpsc::channel();
        IoState {
            ctx: ctx.clone(),
            tx,
            rx,
            data_generation: 0,
            jobs: Vec::new(),
            toasts: Vec::new(),
            history: Vec::new(),
        }
    }

    /// Runs `job` on a new thread; its result comes back through the channel and wakes the UI.
    pub fn spawn(&mut self, name: &str, job: impl FnOnce() -> JobResult + Send + 'static) {
        let ctx = self.ctx.clone();
        match Job::spawn(name, (), move || ctx.request_repaint(), move |send, _| send(job())) {
            Ok(job) => self.jobs.push(job),
            Err(e) => self.error(e),
        }
    }

    /// The results of the jobs that have finished since the last call (and the window's pixels, when they came).
    fn finished(&mut self) -> Vec<JobResult> {
        let mut out: Vec<JobResult> = self.rx.try_iter().collect();
        for job in &mut self.jobs {
            out.extend(job.drain());
        }
        self.jobs.retain(|j| !j.is_finished());
        out
    }

    /// The context the app draws in.
    pub fn context(&self) -> Context {
        self.ctx.clone()
    }

    /// A sender for callbacks (screenshots) that report outside [`IoState::spawn`].
    pub fn sender(&self) -> Sender<JobResult> {
        self.tx.clone()
    }

    /// Shows an information toast.
    pub fn info(&mut self, text: impl Into<String>) {
        self.toast(text.into(), false);
    }

    /// Shows an error toast.
    pub fn error(&mut self, text: impl Into<String>) {
        self.toast(text.into(), true);
    }

    fn toast(&mut self, text: String, error: bool) {
        let t = Toast { text: one_line(&text), error, until: None };
        self.history.push(t.clone());
        if self.history.len() > 200 {
            self.history.remove(0);
        }
        self.toasts.push(t);
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
    }

    /// The latest toast text, if any.
    pub fn last_message(&self) -> Option<&Toast> {
        self.history.last()
    }

    /// True while a background job is under way.
    pub fn busy(&self) -> bool {
        !self.jobs.is_empty()
    }
}

/// Keeps the first line of an error message (the engine's messages already are one line).
fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 240 { format!("{}…", line.chars().take(239).collect::<String>()) } else { line.into() }
}

/// Loads data from a preset name or a CSV path (the engine's loader; errors name the file and line).
pub fn load_data(spec: &str) -> Result<Dataset, String> {
    Dataset::load(spec).map_err(|e| e.to_string())
}

impl App {
    /// Starts loading data (a preset name or a CSV path) on a background thread; when it arrives every run resets.
    /// On failure the previous data stays and the error shows under the data controls and in a toast.
    pub fn load_data_async(&mut self, spec: String) {
        self.io.data_generation += 1;
        let generation = self.io.data_generation;
        self.io.spawn("load", move || {
            let result = load_data(&spec);
            JobResult::Data { generation, spec, result }
        });
    }

    /// Same as [`App::load_data_async`] for a file path (used by tests and drops).
    pub fn load_data_file(&mut self, path: &Path) {
        self.load_data_async(path.display().to_string());
    }

    /// Uses `data` at once (an edit in the data editor): every run resets.
    pub fn set_data_now(&mut self, data: impl Into<Arc<Dataset>>) {
        let data = data.into();
        self.io.data_generation += 1; // a load still under way no longer applies
        self.controls.data_error = None;
        self.worker.send(Command::SetData(data));
    }

    /// Why the last data could not be loaded, as shown under the data controls.
    pub fn data_error(&self) -> Option<&str> {
        self.controls.data_error.as_deref()
    }

    /// The toasts shown so far, oldest first.
    pub fn messages(&self) -> &[Toast] {
        &self.io.history
    }

    /// True while a file dialog, a load or an export is under way.
    pub fn io_busy(&self) -> bool {
        self.io.busy()
    }

    /// Opens the CSV file dialog on a background thread.
    pub fn open_data_dialog(&mut self) {
        self.file_dialog(FilePurpose::OpenData);
    }

    /// Opens the session file dialog on a background thread.
    pub fn open_session_dialog(&mut self) {
        self.file_dialog(FilePurpose::OpenSession);
    }

    /// Runs the file dialog for `purpose` on a background thread (see [`super::files`]).
    pub fn file_dialog(&mut self, purpose: FilePurpose) {
        self.io.spawn("dialog", move || files::run_dialog(purpose));
    }

    /// Reads a session file on a background thread, then restores it.
    pub fn open_session_file(&mut self, path: PathBuf) {
        self.io
            .spawn("read-session", move || JobResult::SessionLoaded(Session::load(&path).map_err(|e| e.to_string())));
    }

    /// Everything that defines the experiment now: the data, every run (settings, name, colour, step count) and the
    /// tolerance. Saved with [`Session::save`].
    pub fn current_session(&self) -> Session {
        let snap = &self.snap;
        let mut session = Session::new(&snap.data);
        session.runs = snap
            .runs
            .iter()
            .map(|r| SessionRun {
                name: r.spec.name.clone(),
                settings: r.spec.settings.clone(),
                visible: self.runs.is_visible(r.id),
                colour: r.spec.color,
                steps: r.record.step,
                timeline: timeline_of(&r.history, &r.spec.settings, r.record.step),
            })
            .collect();
        session.tolerance = snap.tolerance;
        session.app = serde_json::json!({
            "data": self.prefs.data,
            "steps_per_sec": self.prefs.steps_per_sec,
        });
        session
    }

    /// Sends the commands that replay `run` as run `id`: its start settings, then its steps with each settings
    /// change at its step (the worker applies them in order, a chunk at a time).
    fn replay_commands(&self, id: RunId, run: &SessionRun) {
        let (_, changes) = run.replay_plan();
        let mut left = run.steps;
        for change in changes {
            if change.steps > 0 {
                self.worker.send(Command::StepRun(id, change.steps.min(left)));
            }
            left = left.saturating_sub(change.steps);
            let settings = change.settings.clone();
            self.worker.send(if change.restart {
                Command::Restart(id, settings)
            } else {
                Command::SetSettings(id, settings)
            });
        }
        if left > 0 {
            self.worker.send(Command::StepRun(id, left));
        }
    }

    /// Restores a session: its data, its runs (replacing the current ones) and tolerance, then replays every run to
    /// its saved step. Nothing changes when the session is invalid.
    ///
    /// # Errors
    /// A one-line message when the session's data or runs are unusable.
    pub fn open_session(&mut self, session: &Session) -> Result<(), String> {
        session.validate().map_err(|e| e.to_string())?;
        let data = session.dataset().map_err(|e| e.to_string())?;
        let Some(first) = session.runs.first() else {
            return Err("the session has no runs".into());
        };
        self.io.data_generation += 1;
        self.worker.send(Command::Pause);
        for id in self.runs.every_run(&self.snap).into_iter().filter(|id| id.0 as usize >= session.runs.len()) {
            self.worker.send(Command::RemoveRun(id));
        }
        self.controls.data_error = None;
        self.worker.send(Command::SetData(Arc::new(data)));
        for (i, run) in session.runs.iter().enumerate() {
            let start = run.replay_plan().0.clone();
            let spec = RunSpec { name: run.name.clone(), color: run.colour, settings: start };
            self.worker.send(Command::AddRun(RunId(i as u32), spec));
        }
        self.worker.send(Command::SetTolerance(session.tolerance));
        self.prefs.tolerance = session.tolerance.unwrap_or(0.0);
        if let Some(spec) = session.app.get("data").and_then(|v| v.as_str()) {
            self.prefs.data = spec.to_owned();
        }
        self.runs = super::panels::run_list::RunsState::new(session.runs.len() as u32);
        self.runs.expect_settings(RunId(0), first.settings.clone());
        for (i, run) in session.runs.iter().enumerate() {
            if !run.visible {
                self.runs.hidden.insert(RunId(i as u32));
            }
        }
        // Each run replays to its own saved step (one added later than the others has fewer), stopping where it
        // converges or diverges, as it did.
        for (i, run) in session.runs.iter().enumerate() {
            self.replay_commands(RunId(i as u32), run);
        }
        Ok(())
    }

    /// Handles the results of background jobs, dropped files, and draws the toasts and the drop overlay.
    pub(super) fn io_frame(&mut self, ctx: &Context) {
        self.poll_jobs();
        self.handle_drops(ctx);
        self.toasts_ui(ctx);
        if self.io.busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Applies every finished background job.
    pub fn poll_jobs(&mut self) {
        for result in self.io.finished() {
            self.job_finished(result);
        }
    }

    /// Applies one job's result (public so that tests can play a dialog's answer).
    pub fn job_finished(&mut self, result: JobResult) {
        match result {
            JobResult::Picked { purpose, path: Some(path), .. } => self.apply(files::action_for(purpose, path)),
            JobResult::Picked { purpose, path: None, quick: true } => {
                self.io.info(format!("no file dialog could open: type where to {}", purpose.describe()));
                self.path_prompt = Some(files::PathPrompt::new(purpose));
            }
            JobResult::Picked { purpose, path: None, quick: false } => {
                self.io.info(format!("cancelled: did not {}", purpose.describe()))
            }
            // A load superseded by a later request or an edit does not apply.
            JobResult::Data { generation, .. } if generation != self.io.data_generation => {}
            JobResult::Data { spec, result, .. } => match result {
                Ok(data) => {
                    self.io.info(format!("loaded {} ({} points); every run restarts", data.name, data.len()));
                    self.prefs.data = spec;
                    self.set_data_now(data);
                }
                Err(e) => {
                    self.io.error(format!("{e} — kept the previous data"));
                    self.controls.data_error = Some(e);
                }
            },
            JobResult::SessionLoaded(Ok(session)) => match self.open_session(&session) {
                Ok(()) => self.io.info(format!(
                    "opened the session: {} ({} points), {} run(s)",
                    session.data.name,
                    session.data.x.len(),
                    session.runs.len()
                )),
                Err(e) => self.io.error(format!("cannot open the session: {e}")),
            },
            JobResult::SessionLoaded(Err(e)) => self.io.error(e),
            JobResult::LessonLoaded(Ok((path, lesson))) => self.open_lesson(path, lesson),
            JobResult::LessonLoaded(Err(e)) => self.io.error(e),
            JobResult::Written(Ok(text)) => self.io.info(text),
            JobResult::Written(Err(e)) => self.io.error(e),
            JobResult::Screenshot(image) => self.screenshot_arrived(image),
        }
    }

    fn handle_drops(&mut self, ctx: &Context) {
        let dropped: Option<PathBuf> = ctx
            .input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).find(|p| !p.as_os_str().is_empty()));
        if let Some(path) = dropped {
            let is_session = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if is_session {
                self.open_session_file(path);
            } else {
                self.load_data_file(&path);
            }
        }
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            let screen = ctx.content_rect();
            let painter =
                ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop-overlay")));
            painter.rect_filled(screen, 0.0, Color32::from_black_alpha(170));
            painter.text(
                screen.center(),
                Align2::CENTER_CENTER,
                "Drop to load: a CSV of x, y (every run restarts) or a .json session",
                egui::FontId::proportional(24.0),
                Color32::WHITE,
            );
        }
    }

    fn toasts_ui(&mut self, ctx: &Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.io.toasts {
            if t.until.is_none() {
                t.until = Some(now + if t.error { ERROR_TOAST_SECS } else { TOAST_SECS });
            }
        }
        self.io.toasts.retain(|t| t.until.is_some_and(|u| u > now));
        if self.io.toasts.is_empty() {
            return;
        }
        if let Some(next) = self.io.toasts.iter().filter_map(|t| t.until).reduce(f64::min) {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64((next - now).max(0.05)));
        }
    }
}

impl IoState {
    /// The message the status line shows now: the newest toast still on screen, and how many older ones are.
    pub fn toast_now(&self) -> Option<(&Toast, usize)> {
        self.toasts.last().map(|t| (t, self.toasts.len() - 1))
    }

    /// Dismisses the message the status line shows (its "close").
    pub fn dismiss_toast(&mut self) {
        self.toasts.pop();
    }
}

/// A run's settings timeline for its session: the history's settings log up to `step`, when the settings changed
/// mid-run (empty otherwise: the run's settings from step 0). The last entry is always `current`.
fn timeline_of(
    history: &crate::history::History,
    current: &crate::engine::Settings,
    step: u64,
) -> Vec<SessionTimeline> {
    let log: Vec<SessionTimeline> = history
        .settings_log()
        .filter(|(s, _, _)| *s <= step)
        .map(|(s, settings, restart)| SessionTimeline { step: s, settings: settings.clone(), restart })
        .collect();
    match log.last() {
        Some(last) if log.len() > 1 && last.settings == *current => log,
        _ => Vec::new(),
    }
}
