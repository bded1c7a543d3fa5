//! The worker's messages: the [`Command`]s the UI sends, the [`Speed`] and [`Mode`] of stepping, and the
//! [`Snapshot`] (one [`RunSnapshot`] per run) the worker publishes, with the [`Repaint`] call that announces it.

use std::sync::Arc;

use crate::engine::analysis::Analysis;
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::engine::settings::Settings;
use crate::engine::trainer::{Record, Status};
use crate::history::History;
use crate::run::{RunId, RunSpec};

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
    /// End the thread. [`Worker`](super::Worker)'s `Drop` sends it.
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
    /// What keeps its ‖∇L‖ from 0 under its settings ([`crate::engine::floor::floor`]), if anything.
    pub floor: Option<crate::engine::floor::Floor>,
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
