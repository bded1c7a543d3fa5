//! The training thread: owns every run's trainer and history, takes [`Command`]s over a channel and publishes a
//! [`Snapshot`] of the latest state about once per frame.
//!
//! ```text
//!   UI ──Command──▶ mpsc ──▶ worker thread (DynTrainer per run, History per run)
//!   UI ◀── Arc<Snapshot> (swapped under a brief lock, ≤ ~60/s) ◀──┘   then repaint()
//! ```
//!
//! The UI never waits for the worker beyond that lock, and the worker never waits for a frame. Several runs
//! (a comparison) are stepped in lock-step; each is identified by a [`RunId`] chosen by the caller and carries a
//! [`RunSpec`] (name, colour, settings). Dropping the [`Worker`] sends [`Command::Shutdown`] and joins the thread.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::engine::analysis::{Analysis, analyze};
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::engine::optim::OptimizerConfig;
use crate::engine::settings::Settings;
use crate::engine::trainer::{DynTrainer, Record, Status};
use crate::history::History;

/// Identifies a run; chosen by whoever adds it (the app numbers its runs 0, 1, 2, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RunId(pub u32);

/// What defines a run besides its data: a display name, a colour and the engine settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Shown in legends and the status line.
    pub name: String,
    /// sRGB colour used for this run in every plot.
    pub color: [u8; 3],
    /// Model, loss, gradient source, optimizer, start point, batching.
    pub settings: Settings,
}

/// How fast a running worker steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// At most this many steps per second (values below 0.1 count as 0.1).
    StepsPerSec(f64),
    /// As fast as the engine goes, in chunks, checking for commands between chunks.
    Unlimited,
}

impl Speed {
    /// Steps per second, `None` when unlimited.
    pub fn steps_per_sec(self) -> Option<f64> {
        match self {
            Speed::StepsPerSec(r) => Some(if r.is_finite() { r.max(0.1) } else { 1.0 }),
            Speed::Unlimited => None,
        }
    }
}

/// A request to the worker. Commands are applied in the order they were sent.
#[derive(Clone, Debug)]
pub enum Command {
    /// Take `n` more steps on every run that has not diverged, at full speed, then stop; a converged run takes the
    /// first of them and stops there (a learner pressing Step at the minimum still sees a step). Later commands wait
    /// until the steps are done, except [`Command::Pause`], [`Command::Reset`] and [`Command::Shutdown`], which cut
    /// them short.
    Step(u64),
    /// Take up to `n` steps on one run, stopping at its convergence or divergence (a session replays each run to
    /// its own saved step with it). The steps go a chunk at a time; later commands wait until they are done, except
    /// [`Command::Pause`], [`Command::Reset`] and [`Command::Shutdown`], which cut them short.
    StepRun(RunId, u64),
    /// Run at the current [`Speed`] until every run has converged or diverged, or [`Command::Pause`].
    Run,
    /// Like [`Command::Run`], but also stop once every run has reached this step.
    RunUntil(u64),
    /// Stop running (pending [`Command::Step`] steps are dropped).
    Pause,
    /// Every run back to its start (w₀, b₀) with fresh optimizer state and an empty history; stops running.
    Reset,
    /// New settings for one run, in force from its next step, without a reset: the optimizer's state is kept when
    /// the optimizer is the same, and the history records a [`crate::history::Marker`] where they changed. Only w₀
    /// and b₀ wait for the next reset.
    SetSettings(RunId, Settings),
    /// New name and colour for one run.
    SetStyle(RunId, String, [u8; 3]),
    /// New data for every run; every run resets.
    SetData(Arc<Dataset>),
    /// Stop a run once ‖gradient‖ ≤ tolerance (`None`: never).
    SetTolerance(Option<f64>),
    /// Change the running speed.
    SetSpeed(Speed),
    /// Add a run (or replace the run with that id), at its start point.
    AddRun(RunId, RunSpec),
    /// Remove a run.
    RemoveRun(RunId),
    /// Add a run (or replace the run with that id) that continues from the last row of `history` — a branch of
    /// another run at that step: it shares the rows of `history` (the original's steps 0…k) and goes on from there
    /// with `spec`'s settings (fresh optimizer state).
    AddRunFrom(RunId, RunSpec, History),
    /// The run goes on from its current row with these settings and fresh optimizer state, as a branch starts (a
    /// session replays a saved branch with it).
    Restart(RunId, Settings),
    /// End the thread. [`Worker`]'s `Drop` sends it.
    Shutdown,
    /// Tests only: the run's next step panics inside the engine (to check that a panic is isolated).
    #[cfg(test)]
    PanicNextStep(RunId),
}

/// Whether the worker is stepping on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Waiting for commands.
    Idle,
    /// Stepping at the set speed, until every run has finished or the optional step is reached.
    Running {
        /// Stop once every run has reached this step.
        until: Option<u64>,
    },
    /// Working through the steps of [`Command::Step`].
    Stepping,
}

/// Largest mini-batch whose sample indices are published (a highlight of more points tells nothing).
pub const MAX_PUBLISHED_BATCH: usize = 4096;

/// The published state of one run.
#[derive(Clone, Debug)]
pub struct RunSnapshot {
    /// The run's id.
    pub id: RunId,
    /// Name, colour and the settings in force.
    pub spec: RunSpec,
    /// The latest state (step, w, b, loss, gradient).
    pub record: Record<f64>,
    /// Running, converged or diverged.
    pub status: Status,
    /// The trajectory so far (a cheap shared copy).
    pub history: History,
    /// Closed-form analysis of the run's problem (optimum, curvature, critical learning rates).
    pub analysis: Arc<Analysis>,
    /// Where the next step would land, when cheap to know (not while running fast).
    pub next: Option<Params<f64>>,
    /// The samples of the mini-batch the next update uses (`None` for full-batch runs, or batches of more than
    /// [`MAX_PUBLISHED_BATCH`] samples).
    pub next_batch: Option<Arc<[usize]>>,
    /// Why the last settings were refused (the run keeps its previous settings), or why it could not start.
    pub error: Option<String>,
}

/// Everything the UI draws, as of the latest publication.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Increases with every publication: lets views cache what they derive from it.
    pub generation: u64,
    /// The data every run fits.
    pub data: Arc<Dataset>,
    /// Increases every time the data changes: what is derived from the data can be keyed by it.
    pub data_generation: u64,
    /// The runs, in the order they were added.
    pub runs: Vec<RunSnapshot>,
    /// Idle, running or stepping.
    pub mode: Mode,
    /// The speed setting.
    pub speed: Speed,
    /// The convergence tolerance in force.
    pub tolerance: Option<f64>,
    /// Steps per second actually achieved over the last second (0 when idle).
    pub steps_per_sec: f64,
}

impl Snapshot {
    /// The run with this id.
    pub fn run(&self, id: RunId) -> Option<&RunSnapshot> {
        self.runs.iter().find(|r| r.id == id)
    }

    /// True while the worker steps on its own or works through steps.
    pub fn is_busy(&self) -> bool {
        self.mode != Mode::Idle
    }
}

/// How the worker tells the UI there is something new to draw (`egui::Context::request_repaint` in the app;
/// anything, or nothing, in tests).
pub type Repaint = Box<dyn Fn() + Send>;

/// Publications are at least this far apart (about one frame at 60 Hz).
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(16);
/// At or below this speed every step is published on its own (the app animates each one).
pub const FOLLOW_STEPS_PER_SEC: f64 = 40.0;
/// Datasets up to this size get the next-step preview by cloning the trainer even while running.
const CLONE_PREVIEW_MAX_SAMPLES: usize = 50_000;
/// Target duration of one chunk of steps at unlimited speed.
const CHUNK_TARGET: Duration = Duration::from_millis(4);

/// The handle to the training thread.
pub struct Worker {
    tx: Sender<Command>,
    shared: Arc<Mutex<Arc<Snapshot>>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread, idle, with `runs` (id, spec) on `data`, the convergence `tolerance` (`None`: never stop) and
    /// `speed`; `repaint` is called after every publication.
    pub fn spawn(
        data: Arc<Dataset>,
        runs: Vec<(RunId, RunSpec)>,
        tolerance: Option<f64>,
        speed: Speed,
        repaint: Repaint,
    ) -> Worker {
        let mut state = State::new(data, tolerance, speed);
        for (id, spec) in runs {
            state.add_run(id, spec);
        }
        let shared = Arc::new(Mutex::new(Arc::new(state.snapshot())));
        let (tx, rx) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("descent-worker".into())
            .spawn(move || state.main_loop(&rx, &thread_shared, &repaint))
            .ok();
        Worker { tx, shared, thread }
    }

    /// Queues a command (ignored once the thread has ended).
    pub fn send(&self, command: Command) {
        let _ = self.tx.send(command);
    }

    /// The latest published state (an `Arc` clone: no copying).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.shared.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Polls the published state until `pred` holds, for at most `timeout`; returns the last snapshot seen and
    /// whether `pred` held. For tests and scripted use, never for the UI thread.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&Snapshot) -> bool) -> (Arc<Snapshot>, bool) {
        let until = Instant::now() + timeout;
        loop {
            let snap = self.snapshot();
            if pred(&snap) {
                return (snap, true);
            }
            if Instant::now() >= until {
                return (snap, false);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// True while the thread runs.
    pub fn is_alive(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One run inside the worker.
struct Run {
    id: RunId,
    spec: RunSpec,
    trainer: Option<DynTrainer>,
    history: History,
    analysis: Arc<Analysis>,
    /// The settings the analysis was computed for (only some fields matter).
    analysis_key: Option<AnalysisKey>,
    error: Option<String>,
    /// Cached next-step preview and the step it was computed at.
    next: Option<(u64, Params<f64>)>,
    /// The step of the latest settings change and the settings before it (to merge changes at one step).
    marker_base: Option<(u64, Settings)>,
    /// Tests only: panic at the next step.
    #[cfg(test)]
    panic_next_step: bool,
}

/// The text of a panic's payload (a `&str` or a `String`; anything else as "an unknown error").
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unknown error".into())
}

#[derive(Clone, PartialEq)]
struct AnalysisKey {
    objective: Option<crate::engine::objective::Objective>,
    bias: bool,
    loss: crate::engine::loss::LossKind,
    huber_delta: f64,
    gradient: crate::engine::settings::GradientSource,
    at: Option<Params<f64>>,
}

impl AnalysisKey {
    fn of(s: &Settings) -> Self {
        let local = s.loss != crate::engine::loss::LossKind::Mse || s.objective.is_some();
        AnalysisKey {
            objective: s.objective.clone(),
            bias: s.bias,
            loss: s.loss,
            huber_delta: s.huber_delta,
            gradient: s.gradient,
            at: local.then_some(s.start()),
        }
    }
}

impl Run {
    fn new(id: RunId, spec: RunSpec, data: &Dataset, tolerance: Option<f64>) -> Run {
        let analysis = Arc::new(analyze(data, &spec.settings, spec.settings.start()));
        let mut run = Run {
            id,
            analysis_key: Some(AnalysisKey::of(&spec.settings)),
            spec,
            trainer: None,
            history: History::default(),
            analysis,
            error: None,
            next: None,
            marker_base: None,
            #[cfg(test)]
            panic_next_step: false,
        };
        run.reset(data, tolerance);
        run
    }

    /// Runs `f` on this run, isolating a panic inside it: the run stops where it stood (its trainer dropped, its
    /// history kept) with an error that names the run, the step and the panic, and the other runs and the UI go on.
    fn guarded<T>(&mut self, doing: &str, f: impl FnOnce(&mut Run) -> T) -> Option<T> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))) {
            Ok(v) => Some(v),
            Err(payload) => {
                let step = self.history.last().map_or(0, |r| r.step);
                self.trainer = None;
                self.next = None;
                self.error = Some(format!(
                    "run “{}” stopped at step {step}: the engine failed while {doing} ({}); the other runs go on",
                    self.spec.name,
                    panic_text(payload.as_ref())
                ));
                None
            }
        }
    }

    /// A fresh trainer at the start point, an empty history with the start row.
    fn reset(&mut self, data: &Dataset, tolerance: Option<f64>) {
        self.history.clear();
        self.next = None;
        self.marker_base = None;
        // A start whose loss is not finite is refused with its reason, so no infinite loss reaches a plot.
        match crate::engine::diagnose::start_run(data, &self.spec.settings) {
            Ok(mut t) => {
                t.set_tolerance(tolerance);
                self.history.push(t.row());
                self.history.push_settings(t.record().step, &self.spec.settings);
                self.trainer = Some(t);
                self.error = None;
            }
            Err(e) => {
                self.trainer = None;
                self.error = Some(format!("Settings refused: {e}"));
            }
        }
    }

    fn refresh_analysis(&mut self, data: &Dataset) {
        let key = AnalysisKey::of(&self.spec.settings);
        if self.analysis_key.as_ref() != Some(&key) {
            self.analysis = Arc::new(analyze(data, &self.spec.settings, self.spec.settings.start()));
            self.analysis_key = Some(key);
        }
    }

    fn set_settings(&mut self, data: &Dataset, settings: Settings, tolerance: Option<f64>) {
        // A new problem makes the history meaningless: the run restarts under it (see `Settings::problem_differs`).
        if settings.problem_differs(&self.spec.settings) && settings.validate().is_ok() {
            self.spec.settings = settings;
            self.refresh_analysis(data);
            self.reset(data, tolerance);
            return;
        }
        let Some(trainer) = &mut self.trainer else {
            self.spec.settings = settings;
            self.refresh_analysis(data);
            self.reset(data, tolerance);
            return;
        };
        let old = self.spec.settings.clone();
        match trainer.set_settings(data, &settings) {
            Ok(()) => {
                let record = trainer.record();
                // Several changes at one step (a slider dragged while paused) make one marker, described from the
                // settings before the first of them.
                let before = match &self.marker_base {
                    Some((step, base))
                        if *step == record.step && self.history.markers().last().is_some_and(|m| m.step == *step) =>
                    {
                        self.history.pop_marker();
                        base.clone()
                    }
                    _ => old,
                };
                let change = describe_change(&before, &settings);
                self.marker_base = Some((record.step, before));
                self.spec.settings = settings;
                self.error = None;
                self.next = None;
                // A new loss or gradient source re-evaluates the current point.
                if self.history.last().is_some_and(|r| r.step == record.step) {
                    self.history.replace_last(trainer.row());
                }
                self.history.push_settings(record.step, &self.spec.settings);
                if !change.is_empty() {
                    self.history.push_marker(record.step, change);
                }
                self.refresh_analysis(data);
            }
            Err(e) => self.error = Some(format!("Settings refused: {e}")),
        }
    }

    /// Up to `n` steps, stopping at divergence (and at convergence when `stop_at_convergence`); returns how many
    /// were taken. A panic inside the engine stops this run only (see [`Run::guarded`]).
    fn steps(&mut self, n: u64, stop_at_convergence: bool) -> u64 {
        self.guarded("stepping", |run| run.steps_unguarded(n, stop_at_convergence)).unwrap_or(0)
    }

    fn steps_unguarded(&mut self, n: u64, stop_at_convergence: bool) -> u64 {
        #[cfg(test)]
        if std::mem::take(&mut self.panic_next_step) {
            panic!("a panic injected by a test");
        }
        let Some(trainer) = &mut self.trainer else {
            return 0;
        };
        let mut taken = 0;
        for _ in 0..n {
            let status = trainer.status();
            if matches!(status, Status::Diverged { .. }) {
                break;
            }
            if stop_at_convergence && matches!(status, Status::Converged { .. }) {
                break;
            }
            let before = trainer.record().step;
            trainer.step();
            if trainer.record().step != before {
                self.history.push(trainer.row());
                taken += 1;
            }
        }
        taken
    }

    /// Goes on from the last row of the history with `settings` and fresh optimizer state (a branch, or a saved
    /// branch replayed); the history's last row is replaced by the fresh state's, and its log records the restart.
    fn restart(&mut self, data: &Dataset, settings: Settings, tolerance: Option<f64>) {
        let Some(last) = self.history.last().map(|r| r.record) else { return };
        match DynTrainer::resume(data, &settings, last) {
            Ok(mut t) => {
                t.set_tolerance(tolerance);
                self.spec.settings = settings;
                // The branch starts with fresh optimizer state: its first row says so.
                self.history.replace_last(t.row());
                self.history.push_restart(t.record().step, &self.spec.settings);
                self.trainer = Some(t);
                self.error = None;
                self.next = None;
                self.refresh_analysis(data);
            }
            Err(e) => self.error = Some(format!("Settings refused: {e}")),
        }
    }

    fn is_finished(&self) -> bool {
        self.trainer.as_ref().is_none_or(|t| t.status().is_finished())
    }

    fn step_count(&self) -> u64 {
        self.trainer.as_ref().map_or(0, |t| t.record().step)
    }

    /// Where the next step lands: exact for plain full-batch SGD without momentum, by cloning the trainer otherwise
    /// (skipped for large data while running).
    fn preview(&mut self, data_len: usize, busy: bool) -> Option<Params<f64>> {
        let trainer = self.trainer.as_ref()?;
        if matches!(trainer.status(), Status::Diverged { .. }) {
            return None;
        }
        let record = trainer.record();
        if let Some((step, p)) = self.next
            && step == record.step
        {
            return Some(p);
        }
        let s = trainer.settings();
        let o: &OptimizerConfig = &s.optimizer;
        let plain = o.is_sgd_family()
            && o.momentum == 0.0
            && o.line_search == crate::engine::optim::LineSearch::None
            && s.batch_size.is_none_or(|b| b >= data_len);
        let next = if plain {
            let wd = o.weight_decay();
            let p = record.params;
            let gw = record.grad.w + wd * p.w;
            let gb = record.grad.b + wd * p.b;
            Some(Params { w: p.w - o.lr * gw, b: if s.bias { p.b - o.lr * gb } else { 0.0 } })
        } else if !busy || data_len <= CLONE_PREVIEW_MAX_SAMPLES {
            let mut probe = trainer.clone();
            probe.step();
            let r = probe.record();
            (r.step != record.step && r.params.is_finite()).then_some(r.params)
        } else {
            None
        };
        let next = next.filter(Params::is_finite);
        self.next = next.map(|p| (record.step, p));
        next
    }

    fn snapshot(&mut self, data_len: usize, busy: bool) -> RunSnapshot {
        let next = self.guarded("previewing the next step", |run| run.preview(data_len, busy)).flatten();
        let (record, status) = match &self.trainer {
            Some(t) => (t.record(), t.status()),
            // No trainer: the settings were refused at the start, or the engine failed (the run stands where it
            // stopped, and `error` says why).
            None => {
                let start = Record { step: 0, params: self.spec.settings.start(), ..Record::default() };
                let record = self.history.last().map_or(start, |r| r.record);
                (record, Status::Diverged { step: record.step, why: crate::engine::trainer::Divergence::NonFinite })
            }
        };
        RunSnapshot {
            id: self.id,
            spec: self.spec.clone(),
            record,
            status,
            history: self.history.clone(),
            analysis: Arc::clone(&self.analysis),
            next,
            next_batch: self.trainer.as_ref().and_then(|t| {
                let batch = t.next_batch();
                (!batch.is_empty() && batch.len() <= MAX_PUBLISHED_BATCH).then(|| Arc::from(batch))
            }),
            error: self.error.clone(),
        }
    }
}

/// Measures steps per second over the last second.
struct RateMeter {
    samples: VecDeque<(Instant, u64)>,
    total: u64,
}

impl RateMeter {
    fn new() -> Self {
        RateMeter { samples: VecDeque::new(), total: 0 }
    }

    fn add(&mut self, steps: u64) {
        self.total += steps;
    }

    fn sample(&mut self, now: Instant) {
        self.samples.push_back((now, self.total));
        while self.samples.len() > 2
            && self.samples.front().is_some_and(|(t, _)| now.duration_since(*t) > Duration::from_secs(1))
        {
            self.samples.pop_front();
        }
    }

    fn clear(&mut self) {
        self.samples.clear();
    }

    fn steps_per_sec(&self) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some((t0, s0)), Some((t1, s1))) => {
                let dt = t1.duration_since(*t0).as_secs_f64();
                if dt >= 0.1 { (s1 - s0) as f64 / dt } else { 0.0 }
            }
            _ => 0.0,
        }
    }
}

/// The worker thread's state.
struct State {
    data: Arc<Dataset>,
    runs: Vec<Run>,
    tolerance: Option<f64>,
    speed: Speed,
    mode: Mode,
    /// Steps left of [`Command::Step`].
    pending_steps: u64,
    /// The run being replayed by [`Command::StepRun`] and its steps left (stepped a chunk at a time, so that Pause,
    /// Reset and Shutdown cut it short and the snapshot shows its progress).
    replay: Option<(RunId, u64)>,
    /// When the paced run (re)started, and steps taken since.
    clock: (Instant, u64),
    /// Steps per chunk at unlimited speed (adapted to [`CHUNK_TARGET`]).
    chunk: u64,
    meter: RateMeter,
    dirty: bool,
    last_publish: Option<Instant>,
    generation: u64,
    data_generation: u64,
}

impl State {
    fn new(data: Arc<Dataset>, tolerance: Option<f64>, speed: Speed) -> State {
        State {
            data,
            runs: Vec::new(),
            tolerance,
            speed,
            mode: Mode::Idle,
            pending_steps: 0,
            replay: None,
            clock: (Instant::now(), 0),
            chunk: 256,
            meter: RateMeter::new(),
            dirty: true,
            last_publish: None,
            generation: 0,
            data_generation: 0,
        }
    }

    /// Whether a run with this id may be added: it replaces one, or there are fewer than [`MAX_RUNS`] (the app
    /// counts too; this is the last word).
    fn has_room_for(&self, id: RunId) -> bool {
        self.runs.len() < crate::presets::MAX_RUNS || self.runs.iter().any(|r| r.id == id)
    }

    fn add_run(&mut self, id: RunId, spec: RunSpec) {
        if !self.has_room_for(id) {
            return;
        }
        let run = Run::new(id, spec, &self.data, self.tolerance);
        match self.runs.iter_mut().find(|r| r.id == id) {
            Some(slot) => *slot = run,
            None => self.runs.push(run),
        }
    }

    /// A run resumed from the last row of `history` (see [`Command::AddRunFrom`]).
    fn add_run_from(&mut self, id: RunId, spec: RunSpec, history: History) {
        if !self.has_room_for(id) {
            return;
        }
        let mut run = Run::new(id, spec, &self.data, self.tolerance);
        run.history = history;
        let settings = run.spec.settings.clone();
        run.restart(&self.data, settings, self.tolerance);
        match self.runs.iter_mut().find(|r| r.id == id) {
            Some(slot) => *slot = run,
            None => self.runs.push(run),
        }
    }

    fn snapshot(&mut self) -> Snapshot {
        self.generation += 1;
        let n = self.data.len();
        let busy = self.mode != Mode::Idle;
        let runs = self.runs.iter_mut().map(|r| r.snapshot(n, busy)).collect();
        Snapshot {
            generation: self.generation,
            data: Arc::clone(&self.data),
            data_generation: self.data_generation,
            runs,
            mode: self.mode,
            speed: self.speed,
            tolerance: self.tolerance,
            steps_per_sec: if busy { self.meter.steps_per_sec() } else { 0.0 },
        }
    }

    fn restart_clock(&mut self) {
        self.clock = (Instant::now(), 0);
    }

    /// Applies one command; false on shutdown.
    fn apply(&mut self, command: Command) -> bool {
        self.dirty = true;
        match command {
            Command::Shutdown => return false,
            Command::Step(n) => {
                self.pending_steps = self.pending_steps.saturating_add(n);
                // One explicit step always goes through a converged run; further ones stop at the minimum.
                if n > 0 {
                    let mut taken = 0;
                    for run in &mut self.runs {
                        taken = taken.max(run.steps(1, false));
                    }
                    self.meter.add(taken);
                    self.pending_steps -= 1;
                }
                self.mode = if self.pending_steps > 0 { Mode::Stepping } else { Mode::Idle };
            }
            Command::StepRun(id, n) => {
                if n > 0 && self.runs.iter().any(|r| r.id == id) {
                    self.replay = Some((id, n));
                    self.mode = Mode::Stepping;
                }
            }
            Command::Run => self.start_running(None),
            Command::RunUntil(step) => self.start_running(Some(step)),
            Command::Pause => {
                self.mode = Mode::Idle;
                self.pending_steps = 0;
                self.replay = None;
            }
            Command::Reset => {
                self.mode = Mode::Idle;
                self.pending_steps = 0;
                self.replay = None;
                for run in &mut self.runs {
                    run.reset(&self.data, self.tolerance);
                }
            }
            Command::SetSettings(id, settings) => {
                if let Some(run) = self.runs.iter_mut().find(|r| r.id == id) {
                    let (data, tolerance) = (&self.data, self.tolerance);
                    // A name the settings gave follows them; the user's own name stays.
                    let follows = run.spec.name == run.spec.settings.default_name();
                    run.guarded("taking new settings", |run| run.set_settings(data, settings, tolerance));
                    if follows {
                        run.spec.name = run.spec.settings.default_name();
                    }
                }
            }
            #[cfg(test)]
            Command::PanicNextStep(id) => {
                if let Some(run) = self.runs.iter_mut().find(|r| r.id == id) {
                    run.panic_next_step = true;
                }
            }
            Command::SetStyle(id, name, color) => {
                if let Some(run) = self.runs.iter_mut().find(|r| r.id == id) {
                    run.spec.name = name;
                    run.spec.color = color;
                }
            }
            Command::SetData(data) => {
                self.data = data;
                self.data_generation += 1;
                self.mode = Mode::Idle;
                self.pending_steps = 0;
                for run in &mut self.runs {
                    run.analysis_key = None;
                    run.refresh_analysis(&self.data);
                    run.reset(&self.data, self.tolerance);
                }
            }
            Command::SetTolerance(tolerance) => {
                let tolerance = tolerance.filter(|t| t.is_finite() && *t >= 0.0);
                self.tolerance = tolerance;
                for run in &mut self.runs {
                    if let Some(t) = &mut run.trainer {
                        t.set_tolerance(tolerance);
                    }
                }
            }
            Command::SetSpeed(speed) => {
                self.speed = speed;
                self.restart_clock();
            }
            Command::AddRun(id, spec) => self.add_run(id, spec),
            Command::RemoveRun(id) => self.runs.retain(|r| r.id != id),
            Command::AddRunFrom(id, spec, history) => self.add_run_from(id, spec, history),
            Command::Restart(id, settings) => {
                let data = Arc::clone(&self.data);
                if let Some(run) = self.runs.iter_mut().find(|r| r.id == id) {
                    run.restart(&data, settings, self.tolerance);
                }
            }
        }
        if self.mode == Mode::Idle {
            self.meter.clear();
        }
        true
    }

    fn start_running(&mut self, until: Option<u64>) {
        self.pending_steps = 0;
        if self.all_done(until) {
            self.mode = Mode::Idle;
            return;
        }
        if !matches!(self.mode, Mode::Running { .. }) {
            self.restart_clock();
            self.meter.clear();
        }
        self.mode = Mode::Running { until };
    }

    fn all_done(&self, until: Option<u64>) -> bool {
        self.runs.iter().all(|r| r.is_finished() || until.is_some_and(|u| r.step_count() >= u))
    }

    /// Steps every unfinished run `n` times (each stops at its own convergence or divergence; with `until`, at that
    /// step); returns the largest number of steps any run took.
    fn step_all(&mut self, n: u64, until: Option<u64>) -> u64 {
        let mut taken = 0;
        for run in &mut self.runs {
            let n = match until {
                Some(u) => n.min(u.saturating_sub(run.step_count())),
                None => n,
            };
            taken = taken.max(run.steps(n, true));
        }
        if taken > 0 {
            self.dirty = true;
        }
        self.meter.add(taken);
        taken
    }

    /// Does the work that is due now; returns how long the thread may wait for a command before more is due
    /// (`None`: until a command arrives).
    fn work(&mut self) -> Option<Duration> {
        match self.mode {
            Mode::Idle => None,
            Mode::Stepping if self.replay.is_some() => self.replay_chunk(),
            Mode::Stepping => {
                let n = self.pending_steps.min(self.chunk);
                let started = Instant::now();
                let taken = self.step_all(n, None);
                self.adapt_chunk(n, started.elapsed());
                self.pending_steps -= n;
                if self.pending_steps == 0 || taken == 0 {
                    self.pending_steps = 0;
                    self.mode = Mode::Idle;
                    self.dirty = true;
                    return None;
                }
                Some(Duration::ZERO)
            }
            Mode::Running { until } => {
                let due = match self.speed.steps_per_sec() {
                    None => self.chunk,
                    Some(rate) => {
                        // The first step is due at once, then one every 1/rate seconds.
                        let elapsed = self.clock.0.elapsed().as_secs_f64();
                        let due = ((elapsed * rate).floor() as u64).saturating_add(1);
                        let due = due.saturating_sub(self.clock.1);
                        if due == 0 {
                            let next_at = self.clock.1 as f64 / rate;
                            return Some(Duration::from_secs_f64((next_at - elapsed).clamp(0.0, 10.0)));
                        }
                        // Never more than a chunk at once; a paced run that fell far behind catches up smoothly.
                        if due > self.chunk.max(1) * 4 {
                            self.clock = (Instant::now(), 0);
                            self.chunk
                        } else {
                            due.min(self.chunk)
                        }
                    }
                };
                let started = Instant::now();
                self.step_all(due, until);
                self.clock.1 += due;
                if self.speed.steps_per_sec().is_none() {
                    self.adapt_chunk(due, started.elapsed());
                }
                if self.all_done(until) {
                    self.mode = Mode::Idle;
                    self.dirty = true;
                    return None;
                }
                Some(Duration::ZERO)
            }
        }
    }

    /// One chunk of the replay of [`Command::StepRun`]; the replay ends at its step count or where the run stops.
    fn replay_chunk(&mut self) -> Option<Duration> {
        let (id, left) = self.replay?;
        let n = left.min(self.chunk);
        let started = Instant::now();
        let taken = self.runs.iter_mut().find(|r| r.id == id).map_or(0, |run| run.steps(n, true));
        self.meter.add(taken);
        self.adapt_chunk(n, started.elapsed());
        self.dirty = true;
        self.replay = (taken == n && left > n).then_some((id, left - n));
        if self.replay.is_none() {
            self.mode = if self.pending_steps > 0 { Mode::Stepping } else { Mode::Idle };
            return if self.mode == Mode::Idle { None } else { Some(Duration::ZERO) };
        }
        Some(Duration::ZERO)
    }

    /// Steps that later commands wait behind: a [`Command::Step`]'s or a replay's.
    fn busy_with_steps(&self) -> bool {
        self.pending_steps > 0 || self.replay.is_some()
    }

    fn adapt_chunk(&mut self, n: u64, took: Duration) {
        let secs = took.as_secs_f64();
        if n == self.chunk && secs > 0.0 {
            let ideal = n as f64 * CHUNK_TARGET.as_secs_f64() / secs;
            self.chunk = (ideal.clamp(n as f64 / 2.0, n as f64 * 2.0) as u64).clamp(1, 1 << 22);
        }
    }

    /// True when every step should be published on its own (slow, paced runs that the app animates).
    fn follows_each_step(&self) -> bool {
        matches!(self.mode, Mode::Running { .. })
            && self.speed.steps_per_sec().is_some_and(|r| r <= FOLLOW_STEPS_PER_SEC)
    }

    fn main_loop(mut self, rx: &Receiver<Command>, shared: &Mutex<Arc<Snapshot>>, repaint: &Repaint) {
        // Commands wait here, in order, behind the steps of a `Step` command (Pause, Reset and Shutdown cut those
        // steps short instead).
        let mut queue: VecDeque<Command> = VecDeque::new();
        loop {
            // Publish when there is news and the last publication is at least a frame old.
            let now = Instant::now();
            let publish_wait = if self.dirty {
                match self.last_publish {
                    Some(t) if now.duration_since(t) < PUBLISH_INTERVAL && !self.follows_each_step() => {
                        Some(PUBLISH_INTERVAL - now.duration_since(t))
                    }
                    _ => {
                        self.meter.sample(now);
                        let snap = Arc::new(self.snapshot());
                        *shared.lock().unwrap_or_else(PoisonError::into_inner) = snap;
                        self.last_publish = Some(now);
                        self.dirty = false;
                        repaint();
                        None
                    }
                }
            } else {
                None
            };

            // Commands that waited behind steps now finished go first (without waiting for another command).
            if !queue.is_empty() && !self.busy_with_steps() && !self.apply_queue(&mut queue) {
                return;
            }

            // Wait for a command at most until the next step is due or the next publication.
            let work_wait = match self.mode {
                Mode::Idle => None,
                _ => Some(Duration::ZERO),
            };
            let wait = match (publish_wait, work_wait) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let first = match wait {
                Some(d) if d.is_zero() => rx.try_recv().map_err(|e| match e {
                    mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                }),
                Some(d) => rx.recv_timeout(d),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match first {
                Ok(cmd) => {
                    queue.push_back(cmd);
                    queue.extend(rx.try_iter());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if !self.apply_queue(&mut queue) {
                return;
            }

            // Step what is due, possibly sleeping until the next paced step.
            if let Some(d) = self.work()
                && !d.is_zero()
            {
                match rx.recv_timeout(d.min(PUBLISH_INTERVAL)) {
                    Ok(cmd) => queue.push_back(cmd),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if !self.apply_queue(&mut queue) {
                    return;
                }
            }
        }
    }

    /// Applies queued commands in order until one leaves steps pending; false on shutdown.
    fn apply_queue(&mut self, queue: &mut VecDeque<Command>) -> bool {
        if self.busy_with_steps()
            && queue.iter().any(|c| matches!(c, Command::Pause | Command::Reset | Command::Shutdown))
        {
            self.pending_steps = 0;
            self.replay = None;
            self.mode = Mode::Idle;
            self.dirty = true;
        }
        while !self.busy_with_steps() {
            let Some(cmd) = queue.pop_front() else {
                break;
            };
            if !self.apply(cmd) {
                return false;
            }
        }
        true
    }
}

/// What differs between two settings, in plain words ("lr 0.01 → 0.05, momentum 0 → 0.9"); empty when only the
/// start point changed (it matters at the next reset only).
pub fn describe_change(old: &Settings, new: &Settings) -> String {
    use crate::format::compact;
    let mut parts: Vec<String> = Vec::new();
    let mut num = |name: &str, a: f64, b: f64| {
        if a != b && !(a.is_nan() && b.is_nan()) {
            parts.push(format!("{name} {} → {}", compact(a), compact(b)));
        }
    };
    let (o, n) = (&old.optimizer, &new.optimizer);
    num("lr", o.lr, n.lr);
    if o.kind == n.kind {
        num("momentum", o.momentum, n.momentum);
        num("dampening", o.dampening, n.dampening);
        num("weight decay", o.weight_decay(), n.weight_decay());
        num("lr decay", o.lr_decay, n.lr_decay);
        num("initial accumulator", o.initial_accumulator_value, n.initial_accumulator_value);
        num("α", o.alpha, n.alpha);
        num("β₁", o.beta1, n.beta1);
        num("β₂", o.beta2, n.beta2);
        num("ε", o.eps(), n.eps());
    }
    num("Huber δ", old.huber_delta, new.huber_delta);
    let mut text = |name: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{name} {a} → {b}"));
        }
    };
    text("optimizer", o.kind.label().into(), n.kind.label().into());
    if o.kind == n.kind {
        text("nesterov", o.nesterov.to_string(), n.nesterov.to_string());
        text("centered", o.centered.to_string(), n.centered.to_string());
        text("amsgrad", o.amsgrad.to_string(), n.amsgrad.to_string());
    }
    text("loss", old.loss.name().into(), new.loss.name().into());
    text("gradient", old.gradient.label().into(), new.gradient.label().into());
    text("precision", old.precision.label().into(), new.precision.label().into());
    text("bias", old.bias.to_string(), new.bias.to_string());
    let batch = |b: Option<usize>| b.map_or("full".to_string(), |b| b.to_string());
    text("batch", batch(old.batch_size), batch(new.batch_size));
    text("seed", old.seed.to_string(), new.seed.to_string());
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside the engine stops its run only: the run keeps its history and says which run, at which step
    /// and why; the other run goes on stepping, and the worker keeps answering.
    #[test]
    fn a_panic_in_the_engine_is_isolated_to_its_run() {
        let spec = |name: &str| RunSpec { name: name.into(), color: [1, 2, 3], settings: Settings::default() };
        let runs = vec![(RunId(0), spec("first")), (RunId(1), spec("second"))];
        let data = Arc::new(Dataset::notebook());
        let worker = Worker::spawn(data, runs, None, Speed::Unlimited, Box::new(|| {}));
        worker.send(Command::Step(3));
        let (_, ok) = worker.wait_for(Duration::from_secs(10), |s| s.runs.iter().all(|r| r.record.step == 3));
        assert!(ok, "both runs took three steps");
        worker.send(Command::PanicNextStep(RunId(0)));
        worker.send(Command::Step(2));
        let (snap, ok) = worker.wait_for(Duration::from_secs(10), |s| s.runs[1].record.step == 5 && !s.is_busy());
        assert!(ok, "the other run went on");
        let failed = &snap.runs[0];
        let error = failed.error.as_deref().unwrap_or_default();
        assert!(error.contains("“first”") && error.contains("step 3"), "names the run and the step: {error}");
        assert!(error.contains("a panic injected by a test"), "says why: {error}");
        assert_eq!(failed.record.step, 3, "the run stands where it stopped");
        assert_eq!(failed.history.len(), 4, "its history is kept");
        assert!(failed.status.is_finished(), "and it is not stepped again");
        worker.send(Command::Step(1));
        let (snap, ok) = worker.wait_for(Duration::from_secs(10), |s| s.runs[1].record.step == 6);
        assert!(ok && snap.runs[0].record.step == 3, "the worker keeps answering");
    }
}
