//! `descent trace --format torch` (issue 23 §1): a table of runs (every optimizer and variant, the gradient sources,
//! the losses, schedules, mini-batches, objectives, noise, f32, stop rules, data past the inline limit).
//!
//! Without torch, every row's script is generated, names the torch constructors its settings call for, and (when a
//! `python3` is found) compiles as Python. With torch (the interpreter in `DESCENT_TORCH_PYTHON`, else a `python3`
//! that imports torch), every script runs and its CSV is checked against `descent trace --format csv`: the same
//! rows, the same exit code, and every value within 1e-10·max(1, |x|) in f64, 1e-5·max(1, |x|) in f32. Those bounds
//! are torch's own rounding, not descent's: torch's f64 kernels fuse where descent's f64 path does not, and its
//! float32 `sqrt` (MKL on AMD) and float32 sums of 5 or more values round differently from one CPU to another.
//!
//! Run it with torch:
//! `DESCENT_TORCH_PYTHON=/tmp/torchvenv/bin/python cargo test --test torch_script -- --nocapture`

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{descent, stderr, stdout};

/// One run of the table: its `descent trace` flags and what its script must contain.
struct Case {
    args: &'static str,
    expect: &'static [&'static str],
}

const fn case(args: &'static str, expect: &'static [&'static str]) -> Case {
    Case { args, expect }
}

const GD: &str = "w -= lr * w.grad";
const SEQ: &str = "S.SequentialLR(opt, [_warmup, _main]";

/// The table. `{big}` stands for a CSV of more rows than a script inlines (written by the test).
const CASES: &[Case] = &[
    // gd, the notebook's own loop, and the gradient sources.
    case("--steps 50", &[GD, "loss.backward()", "F.mse_loss(y_hat, y)", "torch.float64"]),
    case("--steps 50 --precision f32", &[GD, "torch.float32"]),
    case("--steps 50 --gradient notebook-sum", &["torch.dot(2*X , y_pred-y_true).mean()"]),
    case("--steps 50 --gradient notebook-sum --bias --precision f32", &["(2*(y_pred-y)).sum()"]),
    case("--steps 50 --gradient numeric --bias", &["CBRT_EPS = 6.0554544523933", "descent_mean("]),
    case("--steps 50 --gradient autodiff --bias --precision f32", &["loss.backward()"]),
    case("--steps 100 --lr 0.3", &[GD]),
    case("--steps 500 --tol 1e-6 --lr 0.05", &["TOL = 1e-06"]),
    case("--steps 2000 --tol 1e-9 --lr 0.02 --bias --precision f32", &["TOL = 1e-09", "STALL_STEPS = 10"]),
    // SGD and its variants.
    case("--steps 50 --optimizer sgd --bias", &["torch.optim.SGD(params, lr=LR, momentum=0.0,"]),
    case("--steps 50 --optimizer sgd --momentum 0.9 --bias", &["momentum=0.9, dampening=0.0"]),
    case(
        "--steps 50 --optimizer sgd --momentum 0.9 --nesterov --weight-decay 0.01",
        &["weight_decay=0.01, nesterov=True, foreach=False"],
    ),
    case("--steps 50 --optimizer sgd --momentum 0.5 --dampening 0.3 --bias --precision f32", &["dampening=0.3"]),
    // Adagrad, RMSprop, Adam, AdamW.
    case(
        "--steps 50 --optimizer adagrad --lr 0.5 --lr-decay 0.01 --initial-accumulator-value 0.1 --bias",
        &[
            "torch.optim.Adagrad(params, lr=LR, lr_decay=0.01, weight_decay=0.0, initial_accumulator_value=0.1, eps=1e-10",
        ],
    ),
    case("--steps 50 --optimizer adagrad --lr 0.5 --bias --precision f32", &["torch.optim.Adagrad("]),
    case("--steps 50 --optimizer rmsprop --lr 0.05 --bias", &["torch.optim.RMSprop(params, lr=LR, alpha=0.99"]),
    case(
        "--steps 50 --optimizer rmsprop --lr 0.05 --centered --momentum 0.5 --bias --precision f32",
        &["momentum=0.5, centered=True"],
    ),
    case("--steps 50 --optimizer adam --lr 0.1 --bias", &["torch.optim.Adam(params, lr=LR, betas=(0.9, 0.999)"]),
    case("--steps 50 --optimizer adam --lr 0.1 --amsgrad --weight-decay 0.1 --bias", &["amsgrad=True"]),
    case("--steps 50 --optimizer adam --lr 0.1 --beta1 0.3 --bias --precision f32", &["betas=(0.3, 0.999)"]),
    case("--steps 50 --optimizer adamw --lr 0.1 --bias", &["torch.optim.AdamW(", "weight_decay=0.01"]),
    case("--steps 50 --optimizer adamw --lr 0.1 --amsgrad --bias --precision f32", &["torch.optim.AdamW("]),
    // Newton and the line search.
    case("--steps 10 --optimizer newton --lr 1 --bias", &["torch.autograd.functional.hessian", "det ="]),
    case("--steps 10 --optimizer newton --lr 0.5", &["torch.autograd.functional.hessian", "d = u_grad[0] / h"]),
    case("--steps 30 --data outliers --bias --loss huber --optimizer newton --lr 1", &["F.huber_loss("]),
    case("--steps 20 --objective rosenbrock --optimizer newton --lr 1", &["def singular(h)"]),
    case("--steps 100 --objective rosenbrock --optimizer newton --precision f32", &["def singular(h)"]),
    case("--steps 30 --line-search armijo --lr 1 --bias", &["def line_search(g)", "ARMIJO_C = 0.0001", GD]),
    case(
        "--steps 30 --optimizer sgd --line-search armijo --lr 1 --bias --precision f32",
        &["def line_search(g)", "opt.param_groups[0][\"lr\"] = lr"],
    ),
    case(
        "--steps 60 --data outliers --bias --batch-size 3 --seed 2 --line-search armijo --lr 1",
        &["def line_search(g)", "BATCHES = ["],
    ),
    // Every schedule, a warm-up alone and before schedules.
    case(
        "--steps 30 --optimizer sgd --schedule step --step-size 3 --gamma 0.5",
        &["S.StepLR(opt, step_size=3, gamma=0.5)"],
    ),
    case(
        "--steps 25 --optimizer sgd --lr 0.05 --schedule multistep --milestones 3,7,12 --gamma 0.5",
        &["S.MultiStepLR(opt, milestones=[3, 7, 12], gamma=0.5)"],
    ),
    case(
        "--steps 30 --optimizer sgd --momentum 0.9 --bias --schedule exponential --gamma 0.9",
        &["S.ExponentialLR(opt, gamma=0.9)"],
    ),
    case(
        "--steps 30 --optimizer sgd --lr 0.02 --momentum 0.9 --bias --schedule multiplicative --factor 0.93",
        &["S.MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.93)"],
    ),
    case(
        "--steps 40 --optimizer sgd --momentum 0.9 --lr 0.02 --bias --schedule cosine --t-max 10 --eta-min 0.001",
        &["S.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)"],
    ),
    case("--steps 100 --schedule cosine --t-max 30 --bias --precision f32", &["S.CosineAnnealingLR(", GD]),
    case(
        "--steps 40 --optimizer sgd --lr 0.02 --momentum 0.9 --bias --schedule warm-restarts --t-0 5 --t-mult 2 --eta-min 0.001",
        &["S.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2, eta_min=0.001)"],
    ),
    case(
        "--steps 20 --optimizer adam --lr 0.2 --bias --schedule linear",
        &["S.LinearLR(opt, start_factor=0.3333333333333333"],
    ),
    case(
        "--steps 25 --optimizer sgd --lr 0.02 --momentum 0.9 --bias --schedule constantlr --factor 0.25 --total-iters 6",
        &["S.ConstantLR(opt, factor=0.25, total_iters=6)"],
    ),
    case(
        "--steps 25 --optimizer adam --lr 0.3 --bias --schedule polynomial --total-iters 15 --power 2",
        &["S.PolynomialLR(opt, total_iters=15, power=2.0)"],
    ),
    case(
        "--steps 25 --optimizer sgd --schedule onecycle --max-lr 0.1 --total-steps 25",
        &["S.OneCycleLR(opt, max_lr=0.1"],
    ),
    case(
        "--steps 40 --optimizer adam --bias --schedule onecycle --max-lr 0.5 --total-steps 40 --precision f32",
        &["S.OneCycleLR(", "cycle_momentum=True"],
    ),
    case(
        "--steps 30 --optimizer rmsprop --bias --schedule onecycle --max-lr 0.05 --total-steps 30 --pct-start 0.25 --anneal-strategy linear --three-phase --div-factor 10 --final-div-factor 100 --base-momentum 0.8 --max-momentum 0.9",
        &["anneal_strategy=\"linear\"", "three_phase=True"],
    ),
    case(
        "--steps 20 --optimizer adagrad --schedule onecycle --max-lr 1 --total-steps 20 --no-cycle-momentum",
        &["cycle_momentum=False"],
    ),
    case(
        "--steps 30 --optimizer sgd --schedule cyclic --base-lr 0.001 --max-lr 0.05 --step-size-up 4",
        &["S.CyclicLR(opt, base_lr=0.001, max_lr=0.05, step_size_up=4, step_size_down=None, mode=\"triangular\""],
    ),
    case(
        "--steps 40 --optimizer adam --bias --schedule cyclic --base-lr 0.01 --max-lr 0.3 --step-size-up 3 --step-size-down 5 --mode triangular2",
        &["mode=\"triangular2\""],
    ),
    case(
        "--steps 40 --optimizer rmsprop --bias --schedule cyclic --base-lr 0.001 --max-lr 0.02 --step-size-up 5 --mode exp_range --gamma 0.97 --base-momentum 0.5 --max-momentum 0.7",
        &["mode=\"exp_range\", gamma=0.97"],
    ),
    case(
        "--steps 60 --optimizer adam --lr 0.5 --schedule plateau --factor 0.5 --patience 2 --cooldown 1",
        &["S.ReduceLROnPlateau(opt, mode=\"min\", factor=0.5, patience=2", "PLATEAU = True"],
    ),
    case(
        "--steps 30 --optimizer sgd --lr 0.13 --bias --schedule plateau --factor 0.3 --patience 1 --threshold 2 --threshold-mode abs --min-lr 0.01",
        &["threshold_mode=\"abs\""],
    ),
    case(
        "--steps 20 --warmup-iters 4",
        &["sched = S.LinearLR(opt, start_factor=0.3333333333333333, end_factor=1.0, total_iters=4)"],
    ),
    case(
        "--steps 40 --optimizer adam --lr 0.3 --bias --warmup-iters 5 --warmup-start-factor 0.1 --schedule cosine --t-max 20 --eta-min 0.01",
        &[SEQ, "milestones=[5]"],
    ),
    case(
        "--steps 25 --optimizer sgd --lr 0.02 --momentum 0.9 --bias --warmup-iters 3 --warmup-start-factor 0.25 --schedule step --step-size 4 --gamma 0.5",
        &[SEQ],
    ),
    case(
        "--steps 20 --optimizer rmsprop --lr 0.05 --warmup-iters 4 --warmup-start-factor 0.5 --schedule exponential --gamma 0.9 --precision f32",
        &[SEQ],
    ),
    // Data, losses, mini-batches, standardizing.
    case("--steps 40 --data outliers --bias --loss huber --huber-delta 1.5", &["F.huber_loss(y_hat, y, delta=1.5)"]),
    case("--steps 40 --data outliers --bias --loss mae --lr 0.1", &["F.l1_loss(y_hat, y)"]),
    case(
        "--steps 40 --data outliers --bias --loss mae --lr 0.1 --gradient notebook-sum",
        &["torch.sign(y_pred-y_true)"],
    ),
    case("--steps 60 --data outliers --bias --loss huber --lr 0.05 --precision f32", &["F.huber_loss("]),
    case("--steps 60 --data outliers --bias --loss mae --lr 0.05 --precision f32", &["F.l1_loss("]),
    case("--steps 40 --data noisy --bias --batch-size 8 --seed 3", &["BATCHES = [", "X[idx]"]),
    case(
        "--steps 60 --data noisy --bias --batch-size 8 --seed 3 --optimizer adam --lr 0.1 --precision f32",
        &["BATCHES = ["],
    ),
    case("--steps 60 --data noisy --bias --batch-size 7 --seed 1 --gradient numeric --loss huber", &["BATCHES = ["]),
    case("--steps 100 --data noisy --bias --standardize --lr 0.1", &["SHIFT", "SCALE = math.sqrt"]),
    case("--steps 100 --data noisy --standardize --lr 0.1 --precision f32", &["x' = x / rms"]),
    case("--steps 5 --data large --lr 0.5", &["rebuilt as the preset builds them"]),
    case("--steps 10 --data {big} --bias --optimizer adam --lr 0.1", &["DATA_PATH = ", "read from the same CSV file"]),
    // Objectives, translated into torch functions, with noise.
    case(
        "--steps 200 --objective rosenbrock --optimizer adam --lr 0.05",
        &["def objective(w, b):", "(1.0 - w) ** 2.0"],
    ),
    case("--steps 100 --objective himmelblau", &["def objective(w, b):"]),
    case(
        "--steps 100 --objective beale --gradient numeric --optimizer adam --lr 0.01",
        &["torch.tensor(3.0, dtype=DTYPE)"],
    ),
    case("--steps 100 --objective rastrigin --lr 0.001 --noise 0.1 --seed 5", &["torch.cos(", "math.pi", "NOISE = ["]),
    case("--steps 100 --objective saddle --w0 1 --b0 0.001 --lr 0.1", &["w ** 2.0 - b ** 2.0"]),
    case("--steps 30 --objective saddle --optimizer newton", &["def singular(h)"]),
    case("--steps 100 --objective himmelblau --optimizer rmsprop --lr 0.01 --precision f32", &["torch.optim.RMSprop("]),
    case(
        "--steps 100 --objective w^3-3*w+b^2+2^(w/4)+sqrt(abs(b)+1)-log(2+tanh(w))+sin(w)*exp(b/10)-cos(b)/3",
        &["torch.sqrt(torch.abs(b) + 1.0)", "torch.log(2.0 + torch.tanh(w))", "2.0 ** (w / 4.0)"],
    ),
];

/// A CSV of 20 000 rows, more than a script inlines.
fn big_csv(dir: &Path) -> PathBuf {
    let path = dir.join("big.csv");
    let mut text = String::from("x,y\n");
    for i in 0..20_000 {
        let x = f64::from(i) / 5_000.0 - 2.0;
        text.push_str(&format!("{x},{}\n", 2.0 * x + 1.0 + ((i * 7919) % 13) as f64 / 40.0));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn args_of(case: &Case, big: &Path) -> Vec<String> {
    let big = big.to_str().unwrap();
    case.args.split_whitespace().map(|a| a.replace("{big}", big)).collect()
}

fn trace(args: &[String], format: &str) -> std::process::Output {
    let mut all: Vec<&str> = vec!["trace"];
    all.extend(args.iter().map(String::as_str));
    all.extend(["--format", format]);
    descent(&all)
}

/// A Python that imports torch: `DESCENT_TORCH_PYTHON`, else `python3` when it can.
fn python_with_torch() -> Option<String> {
    if let Ok(python) = std::env::var("DESCENT_TORCH_PYTHON") {
        return Some(python);
    }
    let ok = Command::new("python3").args(["-c", "import torch"]).output().is_ok_and(|o| o.status.success());
    ok.then(|| "python3".to_string())
}

#[test]
fn every_row_of_the_table_writes_a_python_script_with_its_torch_classes() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_csv(dir.path());
    let python3 = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !python3 {
        println!("note: no python3: the scripts are not compiled");
    }
    for (i, case) in CASES.iter().enumerate() {
        let args = args_of(case, &big);
        let out = trace(&args, "torch");
        assert!(out.status.success(), "{}: {}", case.args, stderr(&out));
        let script = stdout(&out);
        assert!(script.starts_with("#!/usr/bin/env python3\n"), "{}", case.args);
        assert!(script.contains("print(\"step,w,b,loss,grad_w,grad_b,lr\")"), "{}", case.args);
        for needle in case.expect {
            assert!(script.contains(needle), "{}: the script lacks {needle:?}", case.args);
        }
        // Every torch optimizer is built with foreach=False (descent's kernels are the per-tensor ones).
        let optimizers: Vec<&str> =
            script.lines().filter(|l| l.contains("= torch.optim.") && l.contains("(params")).collect();
        assert!(optimizers.iter().all(|l| l.contains("foreach=False")), "{}: {optimizers:?}", case.args);
        if python3 {
            let path = dir.path().join(format!("case{i}.py"));
            std::fs::write(&path, &script).unwrap();
            let c = Command::new("python3").args(["-m", "py_compile"]).arg(&path).output().unwrap();
            assert!(c.status.success(), "{}: not Python: {}", case.args, String::from_utf8_lossy(&c.stderr));
        }
    }
}

/// The largest difference between two CSV texts' values, relative to max(1, |trace's value|).
fn worst_difference(trace: &str, torch: &str) -> Result<f64, String> {
    let rows = |t: &str| -> Vec<Vec<f64>> {
        t.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap_or(f64::NAN)).collect()).collect()
    };
    let (a, b) = (rows(trace), rows(torch));
    if a.len() != b.len() {
        return Err(format!("{} rows in the trace, {} from torch", a.len(), b.len()));
    }
    let mut worst = 0.0_f64;
    for (k, (ra, rb)) in a.iter().zip(&b).enumerate() {
        if ra.len() != 7 || rb.len() != 7 {
            return Err(format!("row {k}: not 7 columns"));
        }
        for (x, y) in ra.iter().zip(rb) {
            // A value torch did not print (NaN) counts as infinitely far.
            let d = (x - y).abs() / x.abs().max(1.0);
            worst = worst.max(if d.is_nan() { f64::INFINITY } else { d });
        }
    }
    Ok(worst)
}

/// Runs case `i`'s script with `python`: its largest difference from the trace, or why it does not match.
fn run_case(python: &str, dir: &Path, big: &Path, i: usize, case: &Case) -> Result<f64, String> {
    let args = args_of(case, big);
    let want = trace(&args, "csv");
    let script = dir.join(format!("case{i}.py"));
    std::fs::write(&script, stdout(&trace(&args, "torch"))).unwrap();
    let got = Command::new(python).arg(&script).output().unwrap();
    let bound = if case.args.contains("f32") { 1e-5 } else { 1e-10 };
    let stderr = String::from_utf8_lossy(&got.stderr);
    match worst_difference(&stdout(&want), &String::from_utf8_lossy(&got.stdout)) {
        Err(why) => Err(format!("{why} {stderr}")),
        Ok(_) if want.status.code() != got.status.code() => {
            Err(format!("exit {:?} from descent, {:?} from torch {stderr}", want.status.code(), got.status.code()))
        }
        Ok(d) if d <= bound => Ok(d),
        Ok(d) => Err(format!("differs by {d:.2e} > {bound:.0e}")),
    }
}

#[test]
fn every_script_reproduces_its_trace_in_torch() {
    let Some(python) = python_with_torch() else {
        println!("note: no python with torch (set DESCENT_TORCH_PYTHON): the scripts are not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let big = big_csv(dir.path());
    // Two runs at a time (each script spends most of its time importing torch).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let verdicts = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = CASES.get(i) else { break };
                    let verdict = run_case(&python, dir.path(), &big, i, case);
                    verdicts.lock().unwrap().push((i, verdict));
                }
            });
        }
    });
    let mut verdicts = verdicts.into_inner().unwrap();
    verdicts.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    for (i, verdict) in verdicts {
        match verdict {
            Ok(d) => println!("pass {d:.1e} {}", CASES[i].args),
            Err(why) => {
                println!("FAIL {} — {why}", CASES[i].args);
                failures.push(format!("{}: {why}", CASES[i].args));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} runs differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

/// The app's Export → "PyTorch script (.py)…" writes the selected run's script: the text `descent trace --format
/// torch` prints for the same settings, steps and tolerance.
#[test]
fn the_app_exports_the_selected_run_as_the_same_script() {
    use common::app::{fast, harness, shows, wait_until};
    use descent::app::panels::menu_bar::{ExportKind, TORCH_SCRIPT, labels};
    use descent::worker::Command as Work;
    use egui_kittest::kittest::Queryable;

    let mut h = harness(fast());
    h.step();
    h.get_by_label(labels::EXPORT).click();
    h.run_steps(2);
    assert!(shows(&h, TORCH_SCRIPT), "the Export menu offers the script");
    h.state().worker().send(Work::Step(12));
    wait_until(&mut h, "step 12", |a| a.snapshot().runs.first().is_some_and(|r| r.record.step == 12));
    let run = &h.state().snapshot().runs[0];
    assert_eq!(run.spec.settings, descent::engine::Settings::default(), "the app starts from the defaults");
    let tol = h.state().snapshot().tolerance;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.py");
    h.state_mut().export_to(ExportKind::Torch, path.clone());
    wait_until(&mut h, "the script", |a| a.messages().iter().any(|t| t.text.starts_with("wrote")));
    let mut args = vec!["--steps".to_string(), "12".to_string()];
    if let Some(t) = tol {
        args.extend(["--tol".to_string(), descent::format::repr(t)]);
    }
    let cli = stdout(&trace(&args, "torch"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), cli);
}
