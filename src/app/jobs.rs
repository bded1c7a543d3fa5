//! Background jobs, in one place: every piece of work the UI thread must not wait for (file dialogs, loading,
//! writing, the gradient check on large data, the learning-rate sweep) runs on a short-lived thread started by
//! [`Job::spawn`], which streams its messages back through a channel and wakes the UI. Work that splits into
//! independent items (the lr sweep's learning rates, the fair race's tunings, the basins' rows) goes over every core
//! with [`par_map_in_order`], its results in item order.
//!
//! - A job is cancelled when its [`Job`] is dropped (the work polls [`Cancel::is_set`]).
//! - What a job was computed for is keyed by generation counters ([`crate::worker::Snapshot::data_generation`],
//!   the app's own request counters), never by a pointer that could be reused.
//! - A thread that cannot be started is an error the caller shows, never a job that waits forever.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use crate::engine::data::Dataset;
pub use crate::par_map::{Cancel, par_map_in_order};
use crate::session::Session;

/// What a save dialog was opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The runs as CSV (trace format).
    Csv,
    /// The runs as JSON.
    Json,
    /// A PNG of the whole window.
    WindowPng,
    /// A PNG of one view alone, as the "PNG of a view" dialog describes it ([`crate::app::solo`]).
    ViewPng,
    /// An animated GIF of the selected run.
    Gif,
    /// The selected run as a PyTorch script.
    Torch,
    /// A session file.
    Session,
    /// The current setup as a lesson page (TOML).
    LessonPage,
    /// An exercise sheet (HTML) and, beside it, its answer key ([`crate::export::sheet::key_path_beside`]): `n`
    /// exercises from the sheet seed `seed`, all of `kind` or (`None`) cycling through every kind, as
    /// `descent exercise --sheet n --seed seed [--kind kind]` writes them.
    ExerciseSheet {
        /// The number of exercises.
        n: u16,
        /// The sheet seed.
        seed: u64,
        /// The one kind, or every kind.
        kind: Option<crate::engine::exercise::ExerciseKind>,
    },
}

impl ExportKind {
    /// The file name the save dialog proposes.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportKind::Csv => "descent-runs.csv",
            ExportKind::Json => "descent-runs.json",
            ExportKind::WindowPng => "descent.png",
            ExportKind::ViewPng => "descent-view.png",
            ExportKind::Gif => "descent.gif",
            ExportKind::Torch => "descent-run.py",
            ExportKind::Session => "descent-session.json",
            ExportKind::LessonPage => "lesson-page.toml",
            ExportKind::ExerciseSheet { .. } => "exercise-sheet.html",
        }
    }

    /// The save dialog's filter: a name and an extension.
    pub fn filter(self) -> (&'static str, &'static str) {
        match self {
            ExportKind::Csv => ("CSV", "csv"),
            ExportKind::Json => ("JSON", "json"),
            ExportKind::WindowPng | ExportKind::ViewPng => ("PNG image", "png"),
            ExportKind::Gif => ("GIF animation", "gif"),
            ExportKind::Torch => ("Python script", "py"),
            ExportKind::Session => ("descent session", "json"),
            ExportKind::LessonPage => ("descent lesson", "toml"),
            ExportKind::ExerciseSheet { .. } => ("HTML page", "html"),
        }
    }
}

/// What a file dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePurpose {
    /// Open a CSV of data.
    OpenData,
    /// Open a session file.
    OpenSession,
    /// Save an export or the session.
    Save(ExportKind),
    /// Open a lesson file.
    OpenLesson,
}

impl FilePurpose {
    /// What the dialog is for, in a few words ("save the runs as CSV").
    pub fn describe(self) -> &'static str {
        match self {
            FilePurpose::OpenData => "open a CSV of data",
            FilePurpose::OpenSession => "open a session",
            FilePurpose::Save(ExportKind::Csv) => "save the runs as CSV",
            FilePurpose::Save(ExportKind::Json) => "save the runs as JSON",
            FilePurpose::Save(ExportKind::WindowPng) => "save a PNG of the window",
            FilePurpose::Save(ExportKind::ViewPng) => "save a PNG of the view",
            FilePurpose::Save(ExportKind::Gif) => "save the GIF",
            FilePurpose::Save(ExportKind::Torch) => "save the run as a PyTorch script",
            FilePurpose::Save(ExportKind::Session) => "save the session",
            FilePurpose::Save(ExportKind::LessonPage) => "save the lesson page",
            FilePurpose::Save(ExportKind::ExerciseSheet { .. }) => "save the exercise sheet and its key",
            FilePurpose::OpenLesson => "open a lesson",
        }
    }
}

/// What a file job sends back to the UI thread.
pub enum JobResult {
    /// A file dialog closed: the path chosen (`None`: cancelled, or no dialog could open — `quick` tells which: a
    /// dialog that returns at once was never shown).
    Picked {
        /// What the dialog was for.
        purpose: FilePurpose,
        /// The chosen path.
        path: Option<PathBuf>,
        /// The dialog came back at once (no dialog is available here).
        quick: bool,
    },
    /// Data loaded (or not) for load request `generation`, from `spec`.
    Data {
        /// The request's generation (only the latest request applies).
        generation: u64,
        /// The preset name or path it was loaded from.
        spec: String,
        /// The data, or a one-line error.
        result: Result<Dataset, String>,
    },
    /// A session read (or not) from a file.
    SessionLoaded(Result<Session, String>),
    /// A lesson file read and checked (or not): its path and the lesson, or a one-line error.
    LessonLoaded(Result<(String, crate::lesson::Lesson), String>),
    /// A file written: the report's one-line text, or an error.
    Written(Result<String, String>),
    /// The window's pixels, for a PNG export.
    Screenshot(Arc<egui::ColorImage>),
}

/// A job on a background thread that sends messages of type `T` (one result, or a stream of progress), keyed by
/// `K` (what it was started for).
pub struct Job<K, T> {
    /// What the job computes for (compare it with the current key to see whether it is still relevant).
    pub key: K,
    rx: Receiver<T>,
    cancel: Cancel,
    finished: bool,
}

impl<K, T: Send + 'static> Job<K, T> {
    /// Starts `work` on a thread named `descent-{name}`; it gets a sender for its messages and the cancel flag, and
    /// every message wakes the UI through `wake`.
    ///
    /// # Errors
    /// A one-line message when the thread cannot be started.
    pub fn spawn(
        name: &str,
        key: K,
        wake: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(&(dyn Fn(T) + Sync), &Cancel) + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx): (Sender<T>, Receiver<T>) = channel();
        let cancel = Cancel::default();
        let flag = cancel.clone();
        std::thread::Builder::new()
            .name(format!("descent-{name}"))
            .spawn(move || {
                {
                    let send = |msg: T| {
                        let _ = tx.send(msg);
                        wake();
                    };
                    work(&send, &flag);
                }
                // Disconnect before the last wake-up, so that the UI sees the job finished when it looks.
                drop(tx);
                wake();
            })
            .map_err(|e| format!("cannot start the {name} job: {e}"))?;
        Ok(Job { key, rx, cancel, finished: false })
    }

    /// The messages that have arrived since the last call.
    pub fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::new();
        loop {
            match self.rx.try_recv() {
                Ok(msg) => out.push(msg),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.finished = true;
                    break;
                }
            }
        }
        out
    }

    /// True once the work has returned and every message has been drained.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

impl<K, T> Drop for Job<K, T> {
    fn drop(&mut self) {
        self.cancel.set();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<K, T: Send + 'static>(job: &mut Job<K, T>) -> Vec<T> {
        let mut all = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !job.is_finished() && std::time::Instant::now() < deadline {
            all.extend(job.drain());
            std::thread::yield_now();
        }
        all
    }

    #[test]
    fn a_job_streams_its_messages_then_finishes() {
        let mut job = Job::spawn("test", 7_u64, || {}, |send, _| (0..5).for_each(send)).expect("spawn");
        assert_eq!(job.key, 7);
        assert_eq!(wait(&mut job), vec![0, 1, 2, 3, 4]);
        assert!(job.is_finished());
    }

    #[test]
    fn dropping_a_job_cancels_its_work() {
        let (seen_tx, seen_rx) = channel();
        let job = Job::spawn(
            "test",
            (),
            || {},
            move |send: &(dyn Fn(u32) + Sync), cancel| {
                while !cancel.is_set() {
                    send(1);
                    std::thread::yield_now();
                }
                let _ = seen_tx.send(true);
            },
        )
        .expect("spawn");
        drop(job);
        assert_eq!(seen_rx.recv_timeout(std::time::Duration::from_secs(10)), Ok(true));
    }
}
