//! The worker thread's state and loop: it applies [`Command`]s in order (those sent behind a step command wait for
//! its steps), steps the runs at the set [`Speed`] in adaptive chunks, and publishes a [`Snapshot`] when there is
//! news and the last publication is at least [`PUBLISH_INTERVAL`] old (every step at or below
//! [`FOLLOW_STEPS_PER_SEC`]).

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::messages::{Command, Mode, Repaint, Snapshot, Speed};
use super::run_state::Run;
use crate::engine::data::Dataset;
use crate::history::History;
use crate::run::{MAX_RUNS, RunId, RunSpec};

/// Publications are at least this far apart (about one frame at 60 Hz).
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(16);
/// At or below this speed every step is published on its own (the app animates each one).
pub const FOLLOW_STEPS_PER_SEC: f64 = 40.0;
/// Target duration of one chunk of steps at unlimited speed.
const CHUNK_TARGET: Duration = Duration::from_millis(4);

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
pub(super) struct State {
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
    pub(super) fn new(data: Arc<Dataset>, tolerance: Option<f64>, speed: Speed) -> State {
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
        self.runs.len() < MAX_RUNS || self.runs.iter().any(|r| r.id == id)
    }

    pub(super) fn add_run(&mut self, id: RunId, spec: RunSpec) {
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

    pub(super) fn snapshot(&mut self) -> Snapshot {
        self.generation += 1;
        let busy = self.mode != Mode::Idle;
        let data = &self.data;
        let runs = self.runs.iter_mut().map(|r| r.snapshot(data, busy)).collect();
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
                if let Some(run) = self.runs.iter_mut().find(|r| r.id == id).filter(|_| n > 0) {
                    run.lift_step_cap(n);
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

    pub(super) fn main_loop(mut self, rx: &Receiver<Command>, shared: &Mutex<Arc<Snapshot>>, repaint: &Repaint) {
        // Commands wait here, in order, behind the steps of a `Step` command (Pause, Reset and Shutdown cut those
        // steps short instead).
        let mut queue = Queue::default();
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
                    queue.push(cmd);
                    rx.try_iter().for_each(|cmd| queue.push(cmd));
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
                    Ok(cmd) => queue.push(cmd),
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
    fn apply_queue(&mut self, queue: &mut Queue) -> bool {
        if self.busy_with_steps() && queue.cuts_steps > 0 {
            self.pending_steps = 0;
            self.replay = None;
            self.mode = Mode::Idle;
            self.dirty = true;
        }
        while !self.busy_with_steps() {
            let Some(cmd) = queue.pop() else {
                break;
            };
            if !self.apply(cmd) {
                return false;
            }
        }
        true
    }
}

/// The commands waiting behind steps, in order, with how many of them cut those steps short (Pause, Reset,
/// Shutdown): counted as they come and go, so that a session's replay of 10⁵ timeline entries (2·10⁵ commands) is not
/// scanned again at every chunk.
#[derive(Default)]
struct Queue {
    items: VecDeque<Command>,
    cuts_steps: usize,
}

impl Queue {
    fn cuts(cmd: &Command) -> bool {
        matches!(cmd, Command::Pause | Command::Reset | Command::Shutdown)
    }

    fn push(&mut self, cmd: Command) {
        self.cuts_steps += usize::from(Self::cuts(&cmd));
        self.items.push_back(cmd);
    }

    fn pop(&mut self) -> Option<Command> {
        let cmd = self.items.pop_front()?;
        self.cuts_steps -= usize::from(Self::cuts(&cmd));
        Some(cmd)
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_counts_the_commands_that_cut_steps_short() {
        let mut q = Queue::default();
        for _ in 0..1000 {
            q.push(Command::StepRun(RunId(0), 1));
        }
        assert_eq!(q.cuts_steps, 0);
        q.push(Command::Pause);
        q.push(Command::Reset);
        assert_eq!(q.cuts_steps, 2);
        while let Some(cmd) = q.pop() {
            if matches!(cmd, Command::Pause) {
                assert_eq!(q.cuts_steps, 1, "the Reset behind it still counts");
            }
        }
        assert_eq!(q.cuts_steps, 0);
        assert!(q.is_empty());
    }
}
