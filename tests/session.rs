//! Session files: a saved session replays every run bit for bit; every f64 survives exactly; corrupt and newer
//! files are refused with one-line errors naming the file, and never touched; a failed save keeps the old file.

use std::path::{Path, PathBuf};

use descent::engine::schedule::{ScheduleConfig, ScheduleKind};
use descent::engine::trainer::{DynTrainer, Record};
use descent::engine::{Dataset, GradientSource, LossKind, OptimizerConfig, OptimizerKind, Precision, Settings};
use descent::session::{CURRENT_VERSION, Session, SessionData, SessionError, SessionRun};

/// Data whose values have no short decimal form, or sit at the edges of f64.
fn awkward_data() -> Dataset {
    let x = vec![0.1, 1.0 / 3.0, 1e-300, 2.5, -0.0, 0.1 + 0.2, 7.0 / 9.0, 4.0];
    let y = vec![0.3, 1.0, 3e-300, 7.5 + 1e-15, 5e-324, 0.9, 2.0 / 3.0, 12.000000000000002];
    Dataset::new(x, y, "awkward \"data\"").expect("valid data")
}

/// A session with one run of each kind that could go wrong: awkward hyperparameters, a mini-batch with a seed
/// above 2⁵³ (not representable as a JSON double), f32, a bias with Huber and RMSprop, notebook-sum with Adam.
fn session() -> Session {
    let mut s = Session::new(&awkward_data());
    let base = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, 0.1 / 3.0), ..Settings::default() };
    let runs = [
        ("plain", base.clone()),
        (
            "mini-batch",
            Settings {
                optimizer: OptimizerConfig::new(OptimizerKind::Adam, 1.0 / 3.0),
                batch_size: Some(3),
                seed: 12_345_678_901_234_567_891,
                w0: -0.7,
                ..base.clone()
            },
        ),
        (
            "f32",
            Settings {
                precision: Precision::F32,
                optimizer: OptimizerConfig {
                    momentum: 0.9,
                    nesterov: true,
                    ..OptimizerConfig::new(OptimizerKind::Sgd, 0.07)
                },
                ..base.clone()
            },
        ),
        (
            "bias huber",
            Settings {
                bias: true,
                loss: LossKind::Huber,
                huber_delta: 0.1 + 0.2,
                b0: 1e-300,
                optimizer: OptimizerConfig {
                    centered: true,
                    alpha: 0.9 + 1e-12,
                    eps: Some(1e-8 / 3.0),
                    ..OptimizerConfig::new(OptimizerKind::Rmsprop, 0.01)
                },
                ..base.clone()
            },
        ),
        (
            "onecycle",
            Settings {
                schedule: ScheduleConfig {
                    max_lr: Some(0.1 / 3.0),
                    total_steps: Some(200),
                    three_phase: true,
                    ..ScheduleConfig::new(ScheduleKind::Onecycle)
                },
                optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.01),
                ..base.clone()
            },
        ),
        (
            "notebook-sum",
            Settings {
                gradient: GradientSource::NotebookSum,
                optimizer: OptimizerConfig {
                    weight_decay: Some(1e-3 / 7.0),
                    amsgrad: true,
                    ..OptimizerConfig::new(OptimizerKind::Adamw, 0.003)
                },
                ..base
            },
        ),
    ];
    for (i, (name, settings)) in runs.into_iter().enumerate() {
        let mut run = SessionRun::new(name, settings, [40 * i as u8, 200, 255 - 30 * i as u8]);
        run.visible = i != 2;
        run.steps = 200;
        s.runs.push(run);
    }
    s.tolerance = Some(1e-9 / 3.0);
    s.app = serde_json::json!({ "view": { "zoom": 0.1 + 0.2 }, "selected": 2, "future": [1, "two"] });
    s
}

/// The bits of every number in a row.
fn bits(r: &Record<f64>) -> [u64; 6] {
    [r.step, r.params.w.to_bits(), r.params.b.to_bits(), r.loss.to_bits(), r.grad.w.to_bits(), r.grad.b.to_bits()]
}

/// Each run of the session replayed for its steps, as bits.
fn trajectories(s: &Session) -> Vec<Vec<[u64; 6]>> {
    let data = s.dataset().expect("valid data");
    s.runs
        .iter()
        .map(|run| {
            let mut t = DynTrainer::new(&data, &run.settings).expect("valid settings");
            t.set_tolerance(s.tolerance);
            let mut rows = vec![bits(&t.record())];
            t.run(run.steps, |r| rows.push(bits(r)));
            rows
        })
        .collect()
}

fn f64_bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// A session file in a fresh directory.
fn saved(s: &Session) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lesson.descent.json");
    s.save(&path).expect("save");
    (dir, path)
}

#[test]
fn a_saved_session_replays_every_run_bit_for_bit() {
    let original = session();
    let (_dir, path) = saved(&original);
    let loaded = Session::load(&path).expect("load");
    assert_eq!(loaded, original);
    assert_eq!(loaded.version, CURRENT_VERSION);
    assert_eq!(f64_bits(&loaded.data.x), f64_bits(&original.data.x), "-0.0 and 1e-300 included");
    assert_eq!(f64_bits(&loaded.data.y), f64_bits(&original.data.y), "5e-324 included");
    assert_eq!(loaded.runs[1].settings.seed, 12_345_678_901_234_567_891);
    let (before, after) = (trajectories(&original), trajectories(&loaded));
    assert_eq!(before.len(), 6);
    for (run, (a, b)) in original.runs.iter().zip(before.iter().zip(&after)) {
        assert!(a.len() > 1, "{} took steps", run.name);
        assert_eq!(a, b, "run {} replays identically", run.name);
    }
    // Saving what was loaded writes the same bytes: nothing drifted.
    assert_eq!(loaded.to_json().expect("json"), std::fs::read_to_string(&path).expect("read"));
}

#[test]
fn every_finite_f64_survives_exactly() {
    // A fixed pseudo-random spread of bit patterns over the whole range, plus the classic hard cases.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut x: Vec<f64> = (0..4000).map(|_| f64::from_bits(next())).filter(|v| v.is_finite()).collect();
    x.extend([
        0.1,
        0.2,
        0.3,
        1.0 / 3.0,
        2.0 / 3.0,
        1e-300,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        -0.0,
        9_007_199_254_740_994.0,
        // The largest subnormal, whose decimal form once hung parsers.
        f64::from_bits(0x000F_FFFF_FFFF_FFFF),
        8.98846567431158e307,
        0.1 + 0.2,
    ]);
    let y: Vec<f64> = x.iter().rev().copied().collect();
    let mut s = Session::new(&Dataset::notebook());
    s.data = SessionData { name: "bits".into(), x: x.clone(), y: y.clone() };
    s.runs.push(SessionRun::new("run", Settings::default(), [1, 2, 3]));
    let back = Session::from_json(&s.to_json().expect("json")).expect("parse");
    assert_eq!(f64_bits(&back.data.x), f64_bits(&x));
    assert_eq!(f64_bits(&back.data.y), f64_bits(&y));
}

/// Writes `content` as a session file and loads it, expecting an error that names the file on one line.
fn load_err(content: &[u8]) -> (SessionError, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.descent.json");
    std::fs::write(&path, content).expect("write");
    let err = Session::load(&path).expect_err("refused");
    let message = err.to_string();
    assert!(message.starts_with(&path.display().to_string()), "{message:?} names the file first");
    assert!(!message.contains('\n'), "{message:?} is one line");
    // Loading touched nothing.
    assert_eq!(std::fs::read(&path).expect("still there"), content);
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    (err, message)
}

#[test]
fn corrupt_files_give_one_line_errors_naming_the_file() {
    let good = session().to_json().expect("json");

    let (err, message) = load_err(&good.as_bytes()[..good.len() / 2]);
    assert!(matches!(err, SessionError::Corrupt { .. }), "truncated: {err:?}");
    assert!(message.contains("line") && message.contains("column"), "{message}");

    let garbage: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let (err, _) = load_err(&garbage);
    assert!(matches!(err, SessionError::Corrupt { .. }), "garbage: {err:?}");

    let (err, message) = load_err(b"");
    assert!(matches!(err, SessionError::Corrupt { .. }) && message.contains("empty"), "{message}");

    let wrong_type = good.replacen("\"x\": [", "\"x\": [\"one\", ", 1);
    let (err, message) = load_err(wrong_type.as_bytes());
    assert!(matches!(err, SessionError::Corrupt { .. }), "wrong type: {err:?}");
    assert!(message.contains("line") && message.contains("invalid type"), "{message}");

    let (_, message) = load_err(br#"{"version": 1, "data": {"name": "d", "x": [1, NaN], "y": [1, 2]}, "runs": []}"#);
    assert!(message.contains("line 1"), "NaN is not JSON: {message}");

    let (_, message) = load_err(br#"{"version": 1, "data": {"name": "d", "x": [1, 1e999], "y": [1, 2]}, "runs": []}"#);
    assert!(message.contains("number out of range"), "{message}");

    let (err, message) = load_err(br#"{"version": 1, "data": {"name": "d", "x": [1, 2], "y": [1]}, "runs": []}"#);
    assert!(matches!(err, SessionError::Invalid { .. }) && message.contains("x has 2 values but y has 1"), "{message}");

    let (_, message) = load_err(br#"{"version": 1, "data": {"name": "d", "x": [], "y": []}, "runs": []}"#);
    assert!(message.contains("no samples"), "{message}");

    let bad_lr = good.replacen("\"lr\": 0.03333333333333333", "\"lr\": -1.0", 1);
    assert_ne!(bad_lr, good);
    let (err, message) = load_err(bad_lr.as_bytes());
    assert!(matches!(err, SessionError::Invalid { .. }) && message.contains("--lr"), "{message}");
    assert!(message.contains("\"plain\""), "names the run: {message}");

    let (err, message) = load_err(br#"{"data": {"name": "d", "x": [1], "y": [1]}, "runs": []}"#);
    assert!(matches!(err, SessionError::Corrupt { .. }) && message.contains("version"), "{message}");

    let (_, message) = load_err(br#"{"version": "1", "runs": []}"#);
    assert!(message.contains("version"), "{message}");

    let (_, message) = load_err(br#"[1, 2, 3]"#);
    assert!(message.contains("not a valid descent session"), "{message}");

    let (_, message) = load_err(b"{\"version\": 0, \"data\": {\"name\": \"d\", \"x\": [1], \"y\": [1]}, \"runs\": []}");
    assert!(message.contains("version 0"), "{message}");

    let missing = std::env::temp_dir().join("descent-no-such-session.json");
    let err = Session::load(&missing).expect_err("missing");
    assert!(matches!(err, SessionError::Read { .. }) && err.to_string().contains("descent-no-such-session"));
}

/// Found by the fuzz target: serde quotes the offending text, which reached the message raw (control characters,
/// any length).
#[test]
fn errors_escape_what_they_echo_and_stay_short() {
    let good = session().to_json().expect("json");
    let long = "z".repeat(5000);
    for bad in [
        good.replacen("\"analytic\"", "\"autodi\u{7f}\u{1}ff\"", 1),
        good.replacen("\"analytic\"", &format!("\"{long}\""), 1),
        good.replacen("\"plain\"", &format!("\"{long}\\n\\u001b\""), 1).replacen(
            "\"lr\": 0.03333333333333333",
            "\"lr\": -1.0",
            1,
        ),
    ] {
        assert_ne!(bad, good);
        let (_, message) = load_err(bad.as_bytes());
        assert!(!message.chars().any(char::is_control), "{message:?}");
        assert!(message.chars().count() < 600, "{} characters: {message}", message.chars().count());
    }
    let (_, message) = load_err(good.replacen("\"analytic\"", &format!("\"{long}\""), 1).as_bytes());
    assert!(message.contains("at line") && message.contains('…'), "the place is kept: {message}");
}

#[test]
fn a_newer_session_is_refused_as_newer_before_anything_else_is_read() {
    // A future layout that this build could not parse at all.
    let (err, message) = load_err(br#"{"version": 7, "data": "stored elsewhere", "runs": {"new": true}}"#);
    assert!(matches!(err, SessionError::Newer { version: 7, .. }), "{err:?}");
    let tail = format!(": made by a newer descent (session version 7; this one reads up to {CURRENT_VERSION})");
    assert!(message.ends_with(&tail), "{message}");
    let next = CURRENT_VERSION + 1;
    let err = Session::from_json(&format!("{{\"version\": {next}}}")).expect_err("newer");
    assert!(err.to_string().contains(&format!("session version {next}")), "{err}");
}

#[test]
fn sessions_that_would_not_load_back_are_not_saved() {
    let (_dir, path) = saved(&session());
    let before = std::fs::read(&path).expect("read");
    for broken in [
        Session { tolerance: Some(f64::NAN), ..session() },
        Session { data: SessionData { name: "d".into(), x: vec![1.0, f64::INFINITY], y: vec![1.0, 2.0] }, ..session() },
        Session { version: 9, ..session() },
    ] {
        let err = broken.save(&path).expect_err("refused");
        assert!(err.to_string().starts_with(&path.display().to_string()), "{err}");
    }
    let mut bad_run = session();
    bad_run.runs[0].settings.optimizer.beta1 = 1.5;
    assert!(bad_run.save(&path).is_err());
    assert_eq!(std::fs::read(&path).expect("read"), before, "the old session is intact");
}

/// Makes a directory unwritable for this test, by permissions or, for a privileged user whom permissions do not
/// stop, by the immutable attribute; restores it when dropped. `None` when neither works here.
struct Unwritable<'a>(&'a Path, bool);

impl<'a> Unwritable<'a> {
    fn new(dir: &'a Path) -> Option<Unwritable<'a>> {
        let blocked = || std::fs::write(dir.join("probe"), b"x").is_err();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
            if blocked() {
                return Some(Unwritable(dir, false));
            }
            let _ = std::fs::remove_file(dir.join("probe"));
            let immutable = std::process::Command::new("chattr").arg("+i").arg(dir).status();
            if immutable.is_ok_and(|s| s.success()) {
                if blocked() {
                    return Some(Unwritable(dir, true));
                }
                let _ = std::process::Command::new("chattr").arg("-i").arg(dir).status();
            }
            None
        }
        #[cfg(not(unix))]
        {
            let _ = blocked;
            None
        }
    }
}

impl Drop for Unwritable<'_> {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if self.1 {
                let _ = std::process::Command::new("chattr").arg("-i").arg(self.0).status();
            }
            let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[test]
fn a_failed_save_leaves_the_old_file_intact() {
    let old = session();
    let (dir, path) = saved(&old);
    let before = std::fs::read(&path).expect("read");
    let mut newer = session();
    newer.runs.truncate(1);
    let Some(_guard) = Unwritable::new(dir.path()) else {
        eprintln!("skipped: cannot make a directory unwritable here");
        return;
    };
    let err = newer.save(&path).expect_err("the directory is read-only");
    assert!(matches!(err, SessionError::Write { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&path.display().to_string()) && !message.contains('\n'), "{message}");
    assert_eq!(std::fs::read(&path).expect("still readable"), before);
    assert_eq!(Session::load(&path).expect("still loads"), old);
    let entries: Vec<_> = std::fs::read_dir(dir.path()).expect("list").filter_map(Result::ok).collect();
    assert_eq!(entries.len(), 1, "no temporary file left behind");
}

/// A data name from a file never reaches a message raw: newlines and terminal escapes are written as escapes.
#[test]
fn a_sessions_data_name_is_escaped() {
    let mut s = session();
    s.data.name = "evil\n\u{1b}[31mred".into();
    let data = s.dataset().expect("data");
    assert_eq!(data.name, "evil\\n\\u{1b}[31mred");
    assert!(!data.name.chars().any(char::is_control));
}

/// A session holds 1 to 6 runs of at most 10⁸ steps each: more would keep the worker replaying for minutes.
#[test]
fn sessions_are_limited_in_runs_and_steps() {
    let with_runs = |n: usize, steps: u64| {
        let mut s = Session::new(&Dataset::notebook());
        for k in 0..n {
            let mut run = SessionRun::new(format!("run {k}"), Settings::default(), [1, 2, 3]);
            run.steps = steps;
            s.runs.push(run);
        }
        s
    };
    assert!(with_runs(1, 100).validate().is_ok());
    assert!(with_runs(6, descent::session::MAX_SESSION_STEPS).validate().is_ok());
    for (s, needle) in [
        (with_runs(0, 0), "0 runs: a session holds 1 to 6"),
        (with_runs(7, 0), "7 runs: a session holds 1 to 6"),
        (with_runs(10_000, 0), "10000 runs"),
        (with_runs(2, 1_000_000_000_000), "1000000000000 steps: at most 100000000"),
    ] {
        let message = s.validate().expect_err("refused").to_string();
        assert!(message.contains(needle) && !message.contains('\n'), "{message}");
        let text = serde_json::to_string(&s).expect("json");
        assert!(Session::from_json(&text).is_err(), "and refused on load: {needle}");
    }
}

#[test]
fn saving_replaces_the_old_session_completely() {
    let (dir, path) = saved(&session());
    let mut smaller = Session::new(&Dataset::notebook());
    smaller.runs.push(SessionRun::new("only", Settings::default(), [1, 2, 3]));
    smaller.save(&path).expect("save");
    assert_eq!(Session::load(&path).expect("load"), smaller);
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "no temporary file left behind");
}

#[test]
fn a_session_from_before_schedules_opens_with_a_constant_lr() {
    // The layout of version 1 before learning-rate schedules: settings without a "schedule" field.
    let old = r#"{
  "version": 1,
  "data": {"name": "notebook", "x": [1.0, 2.0, 3.0, 4.0], "y": [3.0, 6.0, 9.0, 12.0]},
  "runs": [{
    "name": "SGD lr 0.01",
    "settings": {
      "bias": false, "loss": "mse", "huber_delta": 1.0, "gradient": "analytic", "precision": "f64",
      "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.0, "dampening": 0.0, "nesterov": false,
        "weight_decay": null, "lr_decay": 0.0, "initial_accumulator_value": 0.0, "alpha": 0.99, "centered": false,
        "beta1": 0.9, "beta2": 0.999, "eps": null, "amsgrad": false},
      "w0": 0.0, "b0": 0.0, "batch_size": null, "seed": 0
    },
    "visible": true, "colour": [255, 0, 0], "steps": 10
  }],
  "tolerance": null
}"#;
    let session = Session::from_json(old).expect("an old session opens");
    let settings = &session.runs[0].settings;
    assert_eq!(settings.schedule, ScheduleConfig::default());
    assert_eq!(settings.schedule.kind, ScheduleKind::Constant);
    let data = session.dataset().expect("valid data");
    let mut t = DynTrainer::new(&data, settings).expect("valid settings");
    t.run(10, |_| {});
    assert_eq!(t.scheduled().lr, 0.01, "the lr stays the optimizer's");
    // Saved again, it keeps the schedule field.
    let text = serde_json::to_string(&session).expect("serialise");
    assert!(text.contains("\"schedule\":{\"kind\":\"constant\""), "{text}");
}

#[test]
fn a_session_saves_every_schedule_by_its_schedule_name_and_one_from_before_the_newer_ones_opens() {
    // Each kind is saved under its --schedule value, and reads back; the new fields round-trip with it.
    for kind in ScheduleKind::ALL {
        let schedule = ScheduleConfig {
            milestones: vec![2, 5],
            warmup_iters: Some(3),
            mode: descent::engine::schedule::CyclicMode::ExpRange,
            ..ScheduleConfig::new(kind)
        };
        let text = serde_json::to_string(&schedule).expect("serialise");
        assert!(text.contains(&format!("\"kind\":\"{}\"", kind.label())), "{text}");
        assert!(text.contains("\"mode\":\"exp_range\""), "{text}");
        let back: ScheduleConfig = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, schedule);
    }
    // A schedule saved before MultiStepLR and the others (no fields of theirs) opens with torch's defaults.
    let old = r#"{"kind": "onecycle", "max_lr": 0.1, "total_steps": 100, "base_momentum": 0.8}"#;
    let schedule: ScheduleConfig = serde_json::from_str(old).expect("an old schedule opens");
    let expected = ScheduleConfig {
        max_lr: Some(0.1),
        total_steps: Some(100),
        base_momentum: 0.8,
        ..ScheduleConfig::new(ScheduleKind::Onecycle)
    };
    assert_eq!(schedule, expected);
    assert_eq!(schedule.warmup_iters, None);
    assert_eq!((schedule.cyclic_base_momentum, schedule.cyclic_max_momentum, schedule.step_size_up), (0.8, 0.9, 2000));
}

/// A run whose settings changed mid-run (lr at step 10, momentum at 25, the optimizer at 31) is saved with its
/// settings timeline and replays exactly, bit for bit, where replaying its final settings from step 0 would not.
#[test]
fn a_run_with_mid_run_changes_replays_exactly() {
    use descent::engine::OptimizerKind;
    use descent::session::SettingsChange;
    let data = Dataset::notebook();
    let a = Settings { bias: true, optimizer: OptimizerConfig::new(OptimizerKind::Sgd, 0.01), ..Settings::default() };
    let mut b = a.clone();
    b.optimizer.lr = 0.03;
    let mut c = b.clone();
    c.optimizer.momentum = 0.9;
    let mut d = c.clone();
    d.optimizer.kind = OptimizerKind::Adam;
    // By hand: the trainer stepped and changed as the app would.
    let mut t = DynTrainer::new(&data, &a).expect("valid");
    let mut want = vec![bits(&t.record())];
    for (n, next) in [(10, &b), (15, &c), (6, &d)] {
        t.run(n, |r| want.push(bits(r)));
        t.set_settings(&data, next).expect("valid");
    }
    t.run(9, |r| want.push(bits(r)));
    assert_eq!(want.len(), 41);
    let mut run = SessionRun::new("changed", d.clone(), [1, 2, 3]);
    run.steps = 40;
    run.timeline = [(0, &a), (10, &b), (25, &c), (31, &d)]
        .iter()
        .map(|(step, s)| SettingsChange { step: *step, settings: (*s).clone(), restart: false })
        .collect();
    let mut s = Session::new(&data);
    s.runs.push(run);
    let (_dir, path) = saved(&s);
    let loaded = Session::load(&path).expect("load");
    assert_eq!(loaded, s, "the timeline survives the file");
    let mut got = Vec::new();
    loaded
        .replay_run::<descent::engine::diagnose::StartError>(&data, &loaded.runs[0], |r| {
            got.push(bits(&r.record));
            Ok(())
        })
        .expect("replay");
    assert_eq!(got, want, "bit for bit, with each change at its step");
    assert_ne!(trajectories(&loaded)[0], want, "the final settings from step 0 would tell another story");
    // A timeline out of order, or not ending at the run's settings, is refused with one line.
    let mut bad = s.clone();
    bad.runs[0].timeline.swap(1, 2);
    assert!(bad.validate().expect_err("out of order").to_string().contains("out of order"));
    let mut bad = s.clone();
    bad.runs[0].settings = a.clone();
    assert!(bad.validate().expect_err("last").to_string().contains("last settings"));
}

// ------------------------------------------------------------------------------ strict as the command line (issue 24)

/// A notebook session of one run, as JSON text, with `settings` (a JSON object's body) as the run's settings.
fn session_text(settings: &str, steps: u64, timeline: &str) -> String {
    format!(
        r#"{{"version": 4, "data": {{"name": "d", "x": [1, 2, 3, 4], "y": [3, 6, 9, 12]}},
            "runs": [{{"name": "r", "steps": {steps}, "settings": {{{settings}}}{timeline}}}]}}"#
    )
}

/// Unknown keys anywhere in a session are errors naming the key and its place, never ignored (a typo such as
/// "optimzer" would otherwise replay plain gradient descent at lr 0.01 without a word).
#[test]
fn unknown_keys_in_a_session_are_refused_with_their_name_and_place() {
    for (text, key) in [
        (session_text(r#""optimzer": {"kind": "adam"}"#, 3, ""), "optimzer"),
        (session_text(r#""lr": 5"#, 3, ""), "`lr`"),
        (session_text(r#""optimizer": {"kind": "adam", "betas": [0.9, 0.99]}"#, 3, ""), "betas"),
        (session_text(r#""schedule": {"kind": "step", "stepsize": 3}"#, 3, ""), "stepsize"),
        (session_text("", 3, r#", "colour": [1, 2, 3], "colur": 1"#), "colur"),
    ] {
        let err = Session::from_json(&text).expect_err(key).to_string();
        assert!(err.contains("unknown field") && err.contains(key) && err.contains("line "), "{key}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert!(Session::from_json(&session_text(r#""optimizer": {"kind": "adam"}"#, 3, "")).is_ok());
}

/// A timeline holds the settings from step 0: one that starts later is refused (it used to apply every later
/// change that many steps early), as is a change of the problem (the bias turned off) without a restart.
#[test]
fn timelines_start_at_step_0_and_change_the_problem_only_with_a_restart() {
    let entry = |step: u64, settings: &str, restart: bool| {
        format!(r#"{{"step": {step}, "settings": {{{settings}}}, "restart": {restart}}}"#)
    };
    let late = format!(
        r#", "timeline": [{}, {}]"#,
        entry(5, r#""bias": true"#, false),
        entry(8, r#""bias": true, "optimizer": {"lr": 0.02}"#, false)
    );
    let err = Session::from_json(&session_text(r#""bias": true, "optimizer": {"lr": 0.02}"#, 12, &late))
        .expect_err("starts at 5")
        .to_string();
    assert!(err.contains("starts at step 5"), "{err}");
    let off = format!(r#", "timeline": [{}, {}]"#, entry(0, r#""bias": true"#, false), entry(4, "", false));
    let err = Session::from_json(&session_text("", 9, &off)).expect_err("bias off").to_string();
    assert!(err.contains("timeline at step 4") && err.contains("restart"), "{err}");
    let branch = format!(r#", "timeline": [{}, {}]"#, entry(0, r#""bias": true"#, false), entry(4, "", true));
    assert!(Session::from_json(&session_text("", 9, &branch)).is_ok(), "a restart may change the problem");
}

/// What the command line refuses, a session refuses too: OneCycle past its total steps, and a line search under a
/// schedule.
#[test]
fn sessions_refuse_onecycle_past_its_total_steps_and_a_line_search_with_a_schedule() {
    let onecycle =
        r#""optimizer": {"kind": "sgd"}, "schedule": {"kind": "onecycle", "max_lr": 0.1, "total_steps": 10}"#;
    assert!(Session::from_json(&session_text(onecycle, 10, "")).is_ok());
    let err = Session::from_json(&session_text(onecycle, 11, "")).expect_err("past").to_string();
    assert!(err.contains("11 steps") && err.contains("total_steps 10"), "{err}");
    let searched = r#""optimizer": {"line_search": "armijo"}, "schedule": {"kind": "exponential", "gamma": 0.9}"#;
    let err = Session::from_json(&session_text(searched, 3, "")).expect_err("line search").to_string();
    assert!(err.contains("--line-search") && err.contains("--schedule"), "{err}");
}

/// Row k's lr is the one the update leaving row k uses: at a change of the lr mid-run (step 3: 0.01 → 0.02), row 3
/// already says 0.02, in the replayed rows as in the documented trace format, and the update from row 3 takes it
/// (w₄ = w₃ − 0.02·g₃).
#[test]
fn the_lr_of_the_row_where_a_change_takes_effect_is_the_new_one() {
    let changed =
        r#", "timeline": [{"step": 0, "settings": {}}, {"step": 3, "settings": {"optimizer": {"lr": 0.02}}}]"#;
    let s = Session::from_json(&session_text(r#""optimizer": {"lr": 0.02}"#, 6, changed)).expect("valid");
    let data = s.dataset().expect("data");
    let mut rows = Vec::new();
    s.replay_run::<descent::engine::diagnose::StartError>(&data, &s.runs[0], |r| {
        rows.push(*r);
        Ok(())
    })
    .expect("replay");
    let lrs: Vec<f64> = rows.iter().map(|r| r.scheduled.lr).collect();
    assert_eq!(lrs, [0.01, 0.01, 0.01, 0.02, 0.02, 0.02, 0.02]);
    let (r3, r4) = (&rows[3].record, &rows[4].record);
    assert_eq!(r4.params.w, r3.params.w - 0.02 * r3.grad.w);
    assert_eq!(rows.iter().map(|r| r.record.step).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6]);
}

/// A JSON number that would silently become 0 (`"lr": 1e-400`) is refused with its line and column; the same
/// characters inside a string (a run's name) are text (issue 24 §11).
#[test]
fn a_number_that_rounds_to_zero_is_refused_with_its_place() {
    let text = session().to_json().expect("json");
    let (line, at) = text.lines().enumerate().find_map(|(i, l)| l.find("\"lr\": ").map(|c| (i + 1, c))).expect("an lr");
    let literal = text.lines().nth(line - 1).expect("line")[at + 6..].trim_end_matches(',').to_string();
    let bad = text.replacen(&format!("\"lr\": {literal}"), "\"lr\": 1e-400", 1);
    let e = Session::from_json(&bad).expect_err("1e-400 is not 0").to_string();
    let column = at + 7;
    assert!(e.contains(&format!("line {line} column {column}: 1e-400 rounds to 0 in f64")), "{e}");
    let mut named = session();
    named.runs[0].name = "lr 1e-400".into();
    assert!(Session::from_json(&named.to_json().expect("json")).is_ok(), "a number inside a string is text");
}
