//! The training thread on its own (no egui): command order, no lost or doubled steps, pause and resume, settings
//! changed mid-run, pacing, several runs, and a clean shutdown when the handle is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use descent::engine::optim::OptimizerKind;
use descent::engine::trainer::{DynTrainer, Status};
use descent::engine::{Dataset, Settings};
use descent::worker::{Command, Mode, RunId, RunSpec, Snapshot, Speed, Worker};

const MAIN: RunId = RunId(0);
const WAIT: Duration = Duration::from_secs(20);

fn spec(settings: Settings) -> RunSpec {
    RunSpec { name: "test".into(), color: [255, 159, 28], settings }
}

fn lr(lr: f64) -> Settings {
    let mut s = Settings::default();
    s.optimizer.lr = lr;
    s
}

fn spawn(data: Dataset, settings: Settings, tolerance: Option<f64>, speed: Speed) -> Worker {
    Worker::spawn(Arc::new(data), vec![(MAIN, spec(settings))], tolerance, speed, Box::new(|| {}))
}

fn step_of(s: &Snapshot) -> u64 {
    s.runs[0].record.step
}

/// Noisy data with batches of one: never converges or stalls, so a run goes on until paused.
fn endless() -> (Dataset, Settings) {
    let data = Dataset::preset("noisy").expect("preset");
    let mut s = lr(1e-3);
    s.batch_size = Some(1);
    s.seed = 7;
    (data, s)
}

/// The same run stepped directly on the engine.
fn reference(data: &Dataset, settings: &Settings, steps: u64) -> DynTrainer {
    let mut t = DynTrainer::new(data, settings).expect("trainer");
    for _ in 0..steps {
        t.step();
    }
    t
}

#[test]
fn step_applies_the_notebook_update() {
    let w = spawn(Dataset::notebook(), Settings::default(), Some(1e-6), Speed::Unlimited);
    w.send(Command::Step(1));
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 1 && s.mode == Mode::Idle);
    assert!(ok, "step 1 published");
    assert!((snap.runs[0].record.params.w - 0.45).abs() < 1e-12);
    assert_eq!(snap.runs[0].history.len(), 2);
    // The next-step preview is the plain SGD update from there.
    let next = snap.runs[0].next.expect("preview");
    assert!((next.w - (0.45 + 0.01 * 38.25)).abs() < 1e-12);
}

#[test]
fn commands_apply_in_the_order_sent() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    w.send(Command::Step(1));
    w.send(Command::SetSettings(MAIN, lr(0.05)));
    w.send(Command::Step(1));
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 2 && s.mode == Mode::Idle);
    assert!(ok);
    // w1 = 0.45 with lr 0.01, then w2 = 0.45 + 0.05·15·(3 − 0.45) with lr 0.05.
    let expected = 0.45 + 0.05 * 15.0 * (3.0 - 0.45);
    assert!((snap.runs[0].record.params.w - expected).abs() < 1e-12, "{}", snap.runs[0].record.params.w);
    let markers = snap.runs[0].history.markers();
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].step, 1);
    assert!(markers[0].label.contains("lr 0.01 → 0.05"), "{}", markers[0].label);
}

#[test]
fn no_step_is_lost_or_doubled() {
    let data = Dataset::notebook();
    let settings = lr(1e-4);
    let w = spawn(data.clone(), settings.clone(), None, Speed::Unlimited);
    for _ in 0..1_000 {
        w.send(Command::Step(1));
    }
    w.send(Command::Step(500));
    w.send(Command::Step(0));
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 1_500 && s.mode == Mode::Idle);
    assert!(ok, "reached step {}", step_of(&snap));
    let run = &snap.runs[0];
    assert!(run.history.iter().map(|r| r.step).eq(0..=1_500), "every step once, in order");
    let t = reference(&data, &settings, 1_500);
    assert_eq!(run.record.params.w.to_bits(), t.record().params.w.to_bits(), "bit-for-bit the engine's trajectory");
    // Nothing more happens afterwards.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(step_of(&w.snapshot()), 1_500);
}

#[test]
fn pause_and_resume_continue_the_same_trajectory() {
    let (data, settings) = endless();
    let w = spawn(data.clone(), settings.clone(), None, Speed::Unlimited);
    w.send(Command::Run);
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) > 2_000);
    assert!(ok, "running");
    w.send(Command::Pause);
    let (paused, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle);
    assert!(ok, "paused");
    assert_eq!(paused.steps_per_sec, 0.0);
    let at_pause = step_of(&paused);
    std::thread::sleep(Duration::from_millis(80));
    let still = w.snapshot();
    assert_eq!(step_of(&still), at_pause, "no steps while paused");

    w.send(Command::Run);
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) > at_pause + 2_000);
    assert!(ok, "resumed");
    w.send(Command::Pause);
    let (end, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle);
    assert!(ok);
    let run = &end.runs[0];
    let steps = run.record.step;
    // Steps strictly increase (thinning may drop some old rows, never add or repeat one) and end at the record.
    assert!(run.history.iter().zip(run.history.iter().skip(1)).all(|(a, b)| a.step < b.step));
    assert_eq!(run.history.last().map(|r| r.step), Some(steps));
    assert_eq!(run.history.first().map(|r| r.step), Some(0));
    // The same as stepping the engine that many times: nothing lost or doubled across pause and resume.
    let t = reference(&data, &settings, steps);
    assert_eq!(run.record.params.w.to_bits(), t.record().params.w.to_bits());
}

#[test]
fn a_setting_changed_mid_run_takes_effect_at_the_next_step_and_keeps_optimizer_state() {
    let data = Dataset::notebook();
    let mut adam = Settings::default();
    adam.optimizer.kind = OptimizerKind::Adam;
    adam.optimizer.lr = 0.1;
    let w = spawn(data.clone(), adam.clone(), None, Speed::Unlimited);
    w.send(Command::Step(5));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) == 5 && s.mode == Mode::Idle);
    assert!(ok);
    let mut faster = adam.clone();
    faster.optimizer.lr = 0.3;
    faster.optimizer.beta1 = 0.8;
    w.send(Command::SetSettings(MAIN, faster.clone()));
    w.send(Command::Step(3));
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 8 && s.mode == Mode::Idle);
    assert!(ok);

    let mut t = reference(&data, &adam, 5);
    t.set_settings(&data, &faster).expect("settings");
    for _ in 0..3 {
        t.step();
    }
    let run = &snap.runs[0];
    assert_eq!(run.record.params.w.to_bits(), t.record().params.w.to_bits(), "the moments were kept");
    // A fresh Adam from step 5 would differ.
    let mut fresh = DynTrainer::resume(&data, &faster, reference(&data, &adam, 5).record()).expect("resume");
    for _ in 0..3 {
        fresh.step();
    }
    assert_ne!(run.record.params.w.to_bits(), fresh.record().params.w.to_bits());
    let m = &run.history.markers()[0];
    assert_eq!(m.step, 5);
    assert!(m.label.contains("lr 0.1 → 0.3") && m.label.contains("β₁ 0.9 → 0.8"), "{}", m.label);
    assert_eq!(run.spec.settings, faster);
}

#[test]
fn changes_at_one_step_make_one_marker() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    w.send(Command::Step(2));
    for v in [0.02, 0.03, 0.04, 0.05] {
        w.send(Command::SetSettings(MAIN, lr(v)));
    }
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings.optimizer.lr == 0.05);
    assert!(ok);
    let markers = snap.runs[0].history.markers();
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(markers[0].step, 2);
    assert_eq!(markers[0].label, "lr 0.01 → 0.05");
    // Back to where it was: no change, no marker.
    w.send(Command::SetSettings(MAIN, lr(0.01)));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings.optimizer.lr == 0.01);
    assert!(ok);
    assert!(snap.runs[0].history.markers().is_empty());
    w.send(Command::Step(1));
    w.send(Command::SetSettings(MAIN, lr(0.02)));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].history.markers().len() == 1 && step_of(s) == 3);
    assert!(ok);
    assert_eq!(snap.runs[0].history.markers()[0].step, 3);
}

#[test]
fn a_learning_rate_change_while_running_applies_from_the_next_step() {
    let data = Dataset::notebook();
    let w = spawn(data, lr(0.001), None, Speed::StepsPerSec(200.0));
    w.send(Command::Run);
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) >= 10);
    assert!(ok);
    w.send(Command::SetSettings(MAIN, lr(0.002)));
    let (snap, ok) = w.wait_for(WAIT, |s| {
        s.runs[0].history.markers().len() == 1 && step_of(s) >= s.runs[0].history.markers()[0].step + 5
    });
    assert!(ok);
    w.send(Command::Pause);
    let run = &snap.runs[0];
    let k = run.history.markers()[0].step;
    let rows: Vec<_> = run.history.iter().copied().collect();
    for pair in rows.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let used = if a.step < k { 0.001 } else { 0.002 };
        let expected = a.params.w - used * a.grad.w;
        assert!((b.params.w - expected).abs() < 1e-12, "step {} used lr {used}", b.step);
    }
}

#[test]
fn convergence_and_divergence_stop_the_run() {
    let w = spawn(Dataset::notebook(), Settings::default(), Some(1e-6), Speed::Unlimited);
    w.send(Command::Run);
    let (snap, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle && s.runs[0].status.is_finished());
    assert!(ok);
    let run = &snap.runs[0];
    assert!(matches!(run.status, Status::Converged { .. }));
    assert!(run.record.grad.norm() <= 1e-6);
    assert!((run.record.params.w - 3.0).abs() < 1e-6);
    assert!((run.analysis.optimum.w - 3.0).abs() < 1e-12);

    let w = spawn(Dataset::notebook(), lr(0.2), Some(1e-6), Speed::Unlimited);
    w.send(Command::Run);
    let (snap, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle && s.runs[0].status.is_finished());
    assert!(ok);
    let run = &snap.runs[0];
    assert!(matches!(run.status, Status::Diverged { .. }));
    assert!(run.record.params.is_finite() && run.record.loss.is_finite());
    assert!((run.analysis.critical_lr.expect("critical") - 2.0 / 15.0).abs() < 1e-12);
}

#[test]
fn pause_cuts_a_long_step_command_short() {
    let (data, settings) = endless();
    let w = spawn(data, settings, None, Speed::Unlimited);
    w.send(Command::Step(u64::MAX / 2));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) > 1_000);
    assert!(ok, "stepping");
    w.send(Command::Pause);
    let (snap, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle);
    assert!(ok, "paused");
    let at = step_of(&snap);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(step_of(&w.snapshot()), at);
}

#[test]
fn run_until_stops_at_the_step() {
    let w = spawn(Dataset::notebook(), lr(1e-4), None, Speed::Unlimited);
    w.send(Command::RunUntil(777));
    let (snap, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle && step_of(s) > 0);
    assert!(ok);
    assert_eq!(step_of(&snap), 777);
}

#[test]
fn a_slow_speed_paces_the_steps() {
    let (data, settings) = endless();
    let w = spawn(data, settings, None, Speed::StepsPerSec(20.0));
    let start = Instant::now();
    w.send(Command::Run);
    std::thread::sleep(Duration::from_millis(1_000));
    let snap = w.snapshot();
    let elapsed = start.elapsed().as_secs_f64();
    let steps = step_of(&snap) as f64;
    assert!(steps >= 0.3 * 20.0 * elapsed && steps <= 20.0 * elapsed + 3.0, "{steps} steps in {elapsed:.2} s");
    assert!(snap.steps_per_sec > 10.0 && snap.steps_per_sec < 30.0, "measured {}", snap.steps_per_sec);
}

#[test]
fn publications_are_rate_limited_at_full_speed() {
    let (data, settings) = endless();
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    let w = Worker::spawn(
        Arc::new(data),
        vec![(MAIN, spec(settings))],
        None,
        Speed::Unlimited,
        Box::new(move || {
            c.fetch_add(1, Ordering::SeqCst);
        }),
    );
    w.send(Command::Run);
    std::thread::sleep(Duration::from_millis(100));
    let before = count.load(Ordering::SeqCst);
    let steps_before = step_of(&w.snapshot());
    std::thread::sleep(Duration::from_millis(500));
    let published = count.load(Ordering::SeqCst) - before;
    let snap = w.snapshot();
    assert!(published <= 40, "{published} publications in 0.5 s");
    assert!(published >= 3, "{published} publications in 0.5 s");
    assert!(step_of(&snap) > steps_before + 10 * published as u64, "many steps per publication");
    assert!(snap.steps_per_sec > 1_000.0);
}

#[test]
fn several_runs_step_together_with_their_own_settings() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    let mut notebook_sum = lr(0.01);
    notebook_sum.gradient = descent::engine::GradientSource::NotebookSum;
    w.send(Command::AddRun(
        RunId(1),
        RunSpec { name: "notebook".into(), color: [79, 182, 255], settings: notebook_sum },
    ));
    w.send(Command::Step(1));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs.len() == 2 && s.runs.iter().all(|r| r.record.step == 1));
    assert!(ok);
    assert!((snap.run(MAIN).expect("main").record.params.w - 0.45).abs() < 1e-12);
    assert!((snap.run(RunId(1)).expect("second").record.params.w - 1.8).abs() < 1e-12);
    w.send(Command::SetStyle(RunId(1), "summed".into(), [1, 2, 3]));
    w.send(Command::RemoveRun(MAIN));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs.len() == 1);
    assert!(ok);
    assert_eq!(snap.runs[0].id, RunId(1));
    assert_eq!(snap.runs[0].spec.name, "summed");
}

#[test]
fn step_run_moves_one_run_only_and_matches_the_engine() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    w.send(Command::AddRun(RunId(1), spec(lr(0.02))));
    w.send(Command::StepRun(MAIN, 5));
    w.send(Command::StepRun(RunId(1), 2));
    let (snap, ok) = w.wait_for(WAIT, |s| {
        s.runs.len() == 2
            && s.run(MAIN).is_some_and(|r| r.record.step == 5)
            && s.run(RunId(1)).is_some_and(|r| r.record.step == 2)
    });
    assert!(ok, "each run at its own step");
    let expected = reference(&Dataset::notebook(), &lr(0.02), 2).record();
    assert_eq!(snap.run(RunId(1)).expect("second").record, expected, "bit for bit the engine's step 2");
    assert_eq!(snap.run(MAIN).expect("main").history.len(), 6, "rows 0..=5");
}

#[test]
fn invalid_settings_are_refused_and_the_run_keeps_its_own() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    w.send(Command::SetSettings(MAIN, lr(-1.0)));
    w.send(Command::Step(1));
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 1);
    assert!(ok);
    let run = &snap.runs[0];
    assert!(run.error.as_deref().is_some_and(|e| e.contains("--lr")), "{:?}", run.error);
    assert!((run.record.params.w - 0.45).abs() < 1e-12);
}

#[test]
fn reset_and_new_data_start_over() {
    let w = spawn(Dataset::notebook(), lr(0.01), None, Speed::Unlimited);
    w.send(Command::Step(20));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) == 20 && s.mode == Mode::Idle);
    assert!(ok);
    w.send(Command::Reset);
    let (snap, ok) = w.wait_for(WAIT, |s| step_of(s) == 0);
    assert!(ok);
    assert_eq!(snap.runs[0].history.len(), 1);
    let data = Dataset::new(vec![1.0, 2.0], vec![2.0, 4.0], "double").expect("data");
    w.send(Command::Step(3));
    w.send(Command::SetData(Arc::new(data)));
    let (snap, ok) = w.wait_for(WAIT, |s| s.data.name == "double");
    assert!(ok);
    assert_eq!(step_of(&snap), 0);
    assert!((snap.runs[0].analysis.optimum.w - 2.0).abs() < 1e-12);
}

#[test]
fn dropping_the_handle_joins_the_thread() {
    let (data, settings) = endless();
    let alive = Arc::new(());
    let token = Arc::clone(&alive);
    let w = Worker::spawn(
        Arc::new(data),
        vec![(MAIN, spec(settings))],
        None,
        Speed::Unlimited,
        Box::new(move || {
            let _keep = &token;
        }),
    );
    w.send(Command::Run);
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) > 100);
    assert!(ok);
    assert!(w.is_alive());
    assert_eq!(Arc::strong_count(&alive), 2, "the thread holds the repaint callback");
    let start = Instant::now();
    drop(w);
    assert!(start.elapsed() < Duration::from_secs(2), "prompt shutdown while running");
    assert_eq!(Arc::strong_count(&alive), 1, "the thread ended and dropped its state");
}

#[test]
fn a_new_problem_restarts_the_run_and_an_optimizer_change_continues_it() {
    let data = Dataset::notebook();
    let mut mae = lr(0.01);
    mae.loss = descent::engine::LossKind::Mae;
    let w = spawn(data.clone(), mae.clone(), None, Speed::Unlimited);
    w.send(Command::Step(20));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) == 20 && s.mode == Mode::Idle);
    assert!(ok);
    // lr, hyperparameters, optimizer kind: the run continues from step 20, with a marker.
    let mut adam = mae.clone();
    adam.optimizer.kind = OptimizerKind::Adam;
    adam.optimizer.lr = 0.05;
    w.send(Command::SetSettings(MAIN, adam.clone()));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings == adam);
    assert!(ok);
    assert_eq!(step_of(&snap), 20, "continues from its current state");
    assert_eq!(snap.runs[0].history.markers().len(), 1, "the change is marked");
    // A different loss (and likewise model, gradient source, precision, start, batches): the MAE history means
    // nothing under MSE, so the run starts again at step 0 under the new loss.
    let mut mse = adam.clone();
    mse.loss = descent::engine::LossKind::Mse;
    w.send(Command::SetSettings(MAIN, mse.clone()));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings == mse);
    assert!(ok);
    let run = &snap.runs[0];
    assert_eq!(run.record.step, 0, "restarted");
    assert_eq!(run.history.len(), 1, "only the start row");
    assert_eq!(run.record.loss, 67.5, "the MSE at w = 0");
    assert!(run.history.markers().is_empty());
    let changes: [fn(&mut Settings); 5] = [
        |s: &mut Settings| s.bias = true,
        |s: &mut Settings| s.gradient = descent::engine::GradientSource::NotebookSum,
        |s: &mut Settings| s.precision = descent::engine::Precision::F32,
        |s: &mut Settings| s.w0 = 1.0,
        |s: &mut Settings| s.batch_size = Some(2),
    ];
    for change in changes {
        let mut base = lr(0.01);
        base.batch_size = None;
        let mut changed = base.clone();
        change(&mut changed);
        assert!(base.problem_differs(&changed), "{changed:?}");
        let mut only_lr = base.clone();
        only_lr.optimizer.lr = 0.02;
        assert!(!base.problem_differs(&only_lr));
    }
}

#[test]
fn a_converged_run_given_a_new_lr_may_run_again() {
    let w = spawn(Dataset::notebook(), lr(1.0 / 15.0), Some(1e-6), Speed::Unlimited);
    w.send(Command::Run);
    let (snap, ok) = w.wait_for(WAIT, |s| matches!(s.runs[0].status, Status::Converged { .. }) && s.mode == Mode::Idle);
    assert!(ok, "lr = 1/λ lands on w* at once");
    let at = step_of(&snap);
    w.send(Command::SetSettings(MAIN, lr(0.05)));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings.optimizer.lr == 0.05);
    assert!(ok);
    assert_eq!(snap.runs[0].status, Status::Running, "not left as 'minimum reached': Run is possible again");
    assert_eq!(step_of(&snap), at, "continues from where it converged");
    w.send(Command::Run);
    let (snap, ok) = w.wait_for(WAIT, |s| matches!(s.runs[0].status, Status::Converged { .. }) && s.mode == Mode::Idle);
    assert!(ok);
    assert_eq!(step_of(&snap), at + 1, "already at the minimum: converged again at its next step");
}

/// A session's replay of a huge saved step count goes a chunk at a time: Pause cuts it short at once, and the
/// worker answers the next command.
#[test]
fn a_replay_is_interruptible() {
    let (data, settings) = endless();
    let worker = spawn(data, settings, None, Speed::Unlimited);
    worker.send(Command::StepRun(MAIN, 1_000_000_000_000));
    let (_, started) = worker.wait_for(WAIT, |s| step_of(s) > 1000);
    assert!(started, "the replay runs");
    worker.send(Command::Pause);
    let (snap, stopped) = worker.wait_for(WAIT, |s| !s.is_busy());
    assert!(stopped, "Pause ends the replay");
    let at = step_of(&snap);
    assert!(at < 1_000_000_000_000);
    worker.send(Command::Step(1));
    let (_, ok) = worker.wait_for(WAIT, |s| step_of(s) == at + 1);
    assert!(ok, "and the worker takes the next command");
}

/// Commands queued behind a replay run once it is done, without waiting for another command: two replays in a row
/// and a run after them (as opening a session with `--run` sends them).
#[test]
fn commands_queued_behind_a_replay_run_when_it_ends() {
    let runs = vec![(MAIN, spec(lr(0.001))), (RunId(1), spec(lr(0.002)))];
    let worker = Worker::spawn(Arc::new(Dataset::notebook()), runs, None, Speed::Unlimited, Box::new(|| {}));
    worker.send(Command::StepRun(MAIN, 37));
    worker.send(Command::StepRun(RunId(1), 37));
    worker.send(Command::RunUntil(60));
    let (snap, ok) = worker.wait_for(WAIT, |s| s.runs.iter().all(|r| r.record.step == 60) && !s.is_busy());
    assert!(ok, "both replayed, then ran to 60: {:?}", snap.runs.iter().map(|r| r.record.step).collect::<Vec<_>>());
}

/// A start whose loss is not finite (an objective undefined there) is refused with its reason, as the commands
/// refuse it: the run publishes no row at all, where it used to publish an infinite loss for the plots to draw.
#[test]
fn a_start_that_is_not_finite_is_refused_with_its_reason() {
    use descent::engine::objective::Objective;
    let mut settings = Settings::default();
    settings.set_objective(Some(Objective::parse("log(w) + b^2").expect("expression")), true);
    settings.w0 = -1.0;
    let w = spawn(Dataset::notebook(), settings, None, Speed::Unlimited);
    w.send(Command::Step(3));
    let (snap, ok) = w.wait_for(WAIT, |s| s.mode == Mode::Idle && s.runs[0].error.is_some());
    assert!(ok, "the refusal is published");
    let run = &snap.runs[0];
    let error = run.error.as_deref().unwrap_or_default();
    assert!(error.contains("log(w) + b^2 at the start (w0 = -1, b0 = 1) is not finite in f64"), "{error}");
    assert!(run.history.is_empty(), "no row: {} rows", run.history.len());
    assert!(run.record.loss.is_finite() && run.record.params.is_finite());
}

/// Every field of the settings, of their optimizer and of their schedule: a change either poses a new problem (the
/// run restarts, `problem_differs`) or is absorbed, and then `describe_change` words it for the marker. The structs
/// are taken apart whole and each part is used in its change, so a field added later fails to compile (or leaves an
/// unused binding) until it is listed here.
#[test]
fn every_setting_either_restarts_the_run_or_words_its_marker() {
    use descent::engine::objective::Objective;
    use descent::engine::optim::{LineSearch, OptimizerConfig};
    use descent::engine::schedule::{AnnealStrategy, CyclicMode, ScheduleConfig, ScheduleKind, ThresholdMode};
    use descent::engine::{GradientSource, LossKind, Precision};

    let base = Settings::default();
    let with = |f: &dyn Fn(&mut Settings)| {
        let mut s = base.clone();
        f(&mut s);
        s
    };
    let Settings {
        bias,
        loss,
        huber_delta,
        gradient,
        precision,
        optimizer,
        schedule,
        w0,
        b0,
        batch_size,
        seed,
        objective,
        noise,
        standardize,
    } = base.clone();
    let restarts = [
        with(&|s| s.bias = !bias),
        with(&|s| s.loss = if loss == LossKind::Mae { LossKind::Mse } else { LossKind::Mae }),
        with(&|s| s.huber_delta = huber_delta * 2.0),
        with(&|s| {
            s.gradient =
                if gradient == GradientSource::Numeric { GradientSource::Autodiff } else { GradientSource::Numeric }
        }),
        with(&|s| s.precision = if precision == Precision::F32 { Precision::F64 } else { Precision::F32 }),
        with(&|s| s.w0 = w0 + 1.0),
        with(&|s| s.b0 = b0 + 1.0),
        with(&|s| s.batch_size = Some(batch_size.map_or(2, |b| b + 1))),
        with(&|s| s.seed = seed + 1),
        with(&|s| s.objective = objective.clone().xor(Some(Objective::parse("saddle").expect("objective")))),
        with(&|s| s.noise = noise + 0.5),
        with(&|s| s.standardize = !standardize),
    ];
    for changed in &restarts {
        assert!(base.problem_differs(changed), "restarts: {changed:?}");
    }

    let OptimizerConfig {
        kind,
        lr,
        momentum,
        dampening,
        nesterov,
        weight_decay,
        lr_decay,
        initial_accumulator_value,
        alpha,
        centered,
        beta1,
        beta2,
        eps,
        amsgrad,
        line_search,
        armijo_c,
        backtrack,
    } = optimizer;
    assert_eq!(kind, OptimizerKind::Gd, "the marker texts below are from the defaults");
    let o = |f: &dyn Fn(&mut OptimizerConfig)| with(&|s| f(&mut s.optimizer));
    let mut absorbed = vec![
        (o(&|c| c.kind = OptimizerKind::Sgd), "optimizer GD → SGD"),
        (o(&|c| c.lr = lr * 50.0), "lr 0.01 → 0.5"),
        (o(&|c| c.momentum = momentum + 0.5), "momentum 0 → 0.5"),
        (o(&|c| c.dampening = dampening + 0.5), "dampening 0 → 0.5"),
        (o(&|c| c.nesterov = !nesterov), "nesterov false → true"),
        (o(&|c| c.weight_decay = Some(weight_decay.unwrap_or(0.0) + 0.5)), "weight decay 0 → 0.5"),
        (o(&|c| c.lr_decay = lr_decay + 0.5), "lr decay 0 → 0.5"),
        (o(&|c| c.initial_accumulator_value = initial_accumulator_value + 0.5), "initial accumulator 0 → 0.5"),
        (o(&|c| c.alpha = alpha - 0.49), "α 0.99 → 0.5"),
        (o(&|c| c.centered = !centered), "centered false → true"),
        (o(&|c| c.beta1 = beta1 - 0.4), "β₁ 0.9 → 0.5"),
        (o(&|c| c.beta2 = beta2 - 0.499), "β₂ 0.999 → 0.5"),
        (o(&|c| c.eps = Some(eps.unwrap_or(1e-8) * 100.0)), "ε 1.000e-8 → 1.000e-6"),
        (o(&|c| c.amsgrad = !amsgrad), "amsgrad false → true"),
        (
            o(&|c| c.line_search = if line_search == LineSearch::None { LineSearch::Armijo } else { LineSearch::None }),
            "line search none → armijo",
        ),
        (o(&|c| c.armijo_c = armijo_c * 10.0), "Armijo c 0.0001 → 0.001"),
        (o(&|c| c.backtrack = backtrack / 2.0), "backtracking ρ 0.5 → 0.25"),
    ];

    let ScheduleConfig {
        kind,
        step_size,
        gamma,
        t_max,
        eta_min,
        start_factor,
        end_factor,
        total_iters,
        max_lr,
        total_steps,
        pct_start,
        anneal_strategy,
        div_factor,
        final_div_factor,
        three_phase,
        cycle_momentum,
        base_momentum,
        max_momentum,
        factor,
        patience,
        threshold,
        threshold_mode,
        cooldown,
        min_lr,
        milestones,
        constant_factor,
        power,
        multiplicative_factor,
        base_lr,
        step_size_up,
        step_size_down,
        mode,
        cyclic_base_momentum,
        cyclic_max_momentum,
        t_0,
        t_mult,
        warmup_iters,
        warmup_start_factor,
    } = schedule;
    assert_eq!(kind, ScheduleKind::Constant, "the marker texts below are from the defaults");
    let p = |f: &dyn Fn(&mut ScheduleConfig)| with(&|s| f(&mut s.schedule));
    absorbed.extend([
        (p(&|c| c.kind = ScheduleKind::Step), "schedule constant → step"),
        (p(&|c| c.step_size = Some(step_size.unwrap_or(1) + 1)), "step_size none → 2"),
        (p(&|c| c.gamma = Some(gamma.unwrap_or(0.0) + 0.5)), "gamma none → 0.5"),
        (p(&|c| c.t_max = Some(t_max.unwrap_or(6) + 1)), "t_max none → 7"),
        (p(&|c| c.eta_min = eta_min + 0.25), "eta_min 0 → 0.25"),
        (p(&|c| c.start_factor = start_factor * 1.5), "start_factor 0.3333 → 0.5"),
        (p(&|c| c.end_factor = end_factor / 2.0), "end_factor 1 → 0.5"),
        (p(&|c| c.total_iters = total_iters + 1), "total_iters 5 → 6"),
        (p(&|c| c.max_lr = Some(max_lr.unwrap_or(0.0) + 0.5)), "max_lr none → 0.5"),
        (p(&|c| c.total_steps = Some(total_steps.unwrap_or(99) + 1)), "total_steps none → 100"),
        (p(&|c| c.pct_start = pct_start + 0.2), "pct_start 0.3 → 0.5"),
        (
            p(&|c| {
                c.anneal_strategy =
                    if anneal_strategy == AnnealStrategy::Cos { AnnealStrategy::Linear } else { AnnealStrategy::Cos }
            }),
            "anneal_strategy cos → linear",
        ),
        (p(&|c| c.div_factor = div_factor - 15.0), "div_factor 25 → 10"),
        (p(&|c| c.final_div_factor = final_div_factor / 100.0), "final_div_factor 10000 → 100"),
        (p(&|c| c.three_phase = !three_phase), "three_phase false → true"),
        (p(&|c| c.cycle_momentum = !cycle_momentum), "cycle_momentum true → false"),
        (p(&|c| c.base_momentum = base_momentum - 0.05), "base_momentum 0.85 → 0.8"),
        (p(&|c| c.max_momentum = max_momentum - 0.05), "max_momentum 0.95 → 0.9"),
        (p(&|c| c.factor = factor * 5.0), "factor 0.1 → 0.5"),
        (p(&|c| c.patience = patience - 7), "patience 10 → 3"),
        (p(&|c| c.threshold = threshold * 10.0), "threshold 0.0001 → 0.001"),
        (
            p(&|c| {
                c.threshold_mode =
                    if threshold_mode == ThresholdMode::Rel { ThresholdMode::Abs } else { ThresholdMode::Rel }
            }),
            "threshold_mode rel → abs",
        ),
        (p(&|c| c.cooldown = cooldown + 2), "cooldown 0 → 2"),
        (p(&|c| c.min_lr = min_lr + 0.001), "min_lr 0 → 0.001"),
        (p(&|c| c.milestones = [milestones.clone(), vec![3]].concat()), "milestones [] → [3]"),
        (p(&|c| c.constant_factor = constant_factor * 1.5), "constant_factor 0.3333 → 0.5"),
        (p(&|c| c.power = power * 2.0), "power 1 → 2"),
        (
            p(&|c| c.multiplicative_factor = Some(multiplicative_factor.unwrap_or(0.0) + 0.5)),
            "multiplicative_factor none → 0.5",
        ),
        (p(&|c| c.base_lr = Some(base_lr.unwrap_or(0.0) + 0.5)), "base_lr none → 0.5"),
        (p(&|c| c.step_size_up = step_size_up / 2), "step_size_up 2000 → 1000"),
        (p(&|c| c.step_size_down = Some(step_size_down.unwrap_or(9) + 1)), "step_size_down none → 10"),
        (
            p(&|c| {
                c.mode = if mode == CyclicMode::Triangular { CyclicMode::Triangular2 } else { CyclicMode::Triangular }
            }),
            "mode triangular → triangular2",
        ),
        (p(&|c| c.cyclic_base_momentum = cyclic_base_momentum - 0.3), "cyclic_base_momentum 0.8 → 0.5"),
        (p(&|c| c.cyclic_max_momentum = cyclic_max_momentum - 0.4), "cyclic_max_momentum 0.9 → 0.5"),
        (p(&|c| c.t_0 = Some(t_0.unwrap_or(4) + 1)), "t_0 none → 5"),
        (p(&|c| c.t_mult = t_mult + 1), "t_mult 1 → 2"),
        (p(&|c| c.warmup_iters = Some(warmup_iters.unwrap_or(2) + 1)), "warmup_iters none → 3"),
        (p(&|c| c.warmup_start_factor = warmup_start_factor * 1.5), "warmup_start_factor 0.3333 → 0.5"),
    ]);
    for (changed, marker) in &absorbed {
        assert!(!base.problem_differs(changed), "absorbed: {changed:?}");
        assert_eq!(base.describe_change(changed), *marker);
    }
    // The same settings again change nothing: no marker.
    assert_eq!(base.describe_change(&base), "");
}

/// A schedule and a line search changed mid-run are absorbed (the run goes on from its step) and each leaves a
/// marker in the history where it happened, saying what changed.
#[test]
fn a_schedule_or_line_search_change_mid_run_leaves_a_marker() {
    use descent::engine::optim::LineSearch;
    use descent::engine::schedule::{ScheduleConfig, ScheduleKind};

    let base = lr(0.01);
    let w = spawn(Dataset::notebook(), base.clone(), None, Speed::Unlimited);
    w.send(Command::Step(5));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) == 5 && s.mode == Mode::Idle);
    assert!(ok);
    let mut scheduled = base.clone();
    scheduled.schedule = ScheduleConfig { step_size: Some(10), ..ScheduleConfig::new(ScheduleKind::Step) };
    w.send(Command::SetSettings(MAIN, scheduled.clone()));
    w.send(Command::Step(3));
    let (_, ok) = w.wait_for(WAIT, |s| step_of(s) == 8 && s.mode == Mode::Idle);
    assert!(ok, "the run went on from step 5");
    // A line search picks each step itself, so it comes without a schedule (Settings::validate refuses both).
    let mut searching = base.clone();
    searching.optimizer.line_search = LineSearch::Armijo;
    w.send(Command::SetSettings(MAIN, searching.clone()));
    let (snap, ok) = w.wait_for(WAIT, |s| s.runs[0].spec.settings == searching);
    assert!(ok);
    let run = &snap.runs[0];
    assert_eq!(run.record.step, 8, "absorbed, not restarted");
    let markers: Vec<_> = run.history.markers().iter().map(|m| (m.step, m.label.as_str())).collect();
    assert_eq!(markers, [(5, "schedule constant → step"), (8, "line search none → armijo, schedule step → constant")]);
}

/// The step cap (10⁶ steps, for a run with a tolerance) stops a run that cannot meet it — here MAE, whose gradient
/// stays at mean|x| = 2.5 next to w* — but a session's replay reaches the step it was saved at past the cap, and
/// the cap's rule then stops the run at the next step.
#[test]
fn the_step_cap_stops_a_run_but_not_a_sessions_replay() {
    use descent::engine::trainer::{Divergence, STEP_CAP};
    let mut mae = lr(0.01);
    mae.loss = descent::engine::LossKind::Mae;
    let worker = spawn(Dataset::notebook(), mae.clone(), Some(1e-6), Speed::Unlimited);
    worker.send(Command::Run);
    let (snap, ok) = worker.wait_for(Duration::from_secs(120), |s| s.runs[0].status.is_finished());
    assert!(ok, "the run stops by itself");
    assert_eq!(snap.runs[0].status, Status::Diverged { step: STEP_CAP, why: Divergence::StepCap });
    let replayed = spawn(Dataset::notebook(), mae, Some(1e-6), Speed::Unlimited);
    let past = STEP_CAP + 1000;
    replayed.send(Command::StepRun(MAIN, past));
    let (snap, ok) = replayed.wait_for(Duration::from_secs(120), |s| step_of(s) == past && !s.is_busy());
    assert!(ok, "replayed to step {past}: at {}", step_of(&snap));
    assert_eq!(snap.runs[0].status, Status::Running);
    replayed.send(Command::Step(5));
    let (snap, ok) = replayed.wait_for(WAIT, |s| s.runs[0].status.is_finished() && !s.is_busy());
    assert!(ok, "the next step stops it");
    assert_eq!(snap.runs[0].status, Status::Diverged { step: past + 1, why: Divergence::StepCap });
}
