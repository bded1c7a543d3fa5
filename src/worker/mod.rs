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
//!
//! Its files: `messages` (the commands, the speed and mode of stepping, the snapshots), `handle` (the [`Worker`]),
//! `run_state` (one run: trainer, history, analysis, markers) and `main_loop` (the thread's state and loop).

mod handle;
mod main_loop;
mod messages;
mod run_state;

pub use self::handle::Worker;
pub use self::main_loop::{FOLLOW_STEPS_PER_SEC, PUBLISH_INTERVAL};
pub use self::messages::{Command, MAX_PUBLISHED_BATCH, Mode, Repaint, RunSnapshot, Snapshot, Speed};
pub use crate::run::{RunId, RunSpec};

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::engine::data::Dataset;
    use crate::engine::settings::Settings;

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
