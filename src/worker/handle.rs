//! The handle to the training thread: [`Worker::spawn`] starts it, [`Worker::send`] queues a [`Command`],
//! [`Worker::snapshot`] reads the latest published [`Snapshot`], and dropping the handle ends the thread.

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::main_loop::State;
use super::messages::{Command, Repaint, Snapshot, Speed};
use crate::engine::data::Dataset;
use crate::run::{RunId, RunSpec};

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
