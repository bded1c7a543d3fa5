//! Learning-rate schedules: each scheduler's first lrs against torch's documented formulas, worked out by hand, and
//! whole trajectories against fixtures that torch itself made (tests/fixtures/schedules, see make_fixtures.py).
//!
//! The new schedulers (MultiStepLR, ConstantLR, PolynomialLR, MultiplicativeLR, CyclicLR,
//! CosineAnnealingWarmRestarts) are also checked against the hard-coded targets of torch's own
//! test/optim/test_lrscheduler.py (the tests named after each), which torch's wheel does not ship.
//!
//! The fixtures' lr (and cycled momentum or β₁) must match bit for bit: descent evaluates torch's chainable
//! `get_lr` in f64 in the same order as torch's Python. The parameters and the loss match within 1e-12 relative:
//! torch's autograd and descent's hand-derived gradient round differently in the last bits.

use descent::engine::schedule::{
    AnnealStrategy, CyclicMode, ScheduleConfig, ScheduleKind, Scheduled, Scheduler, ThresholdMode,
};
use descent::engine::trainer::DynTrainer;
use descent::engine::{Dataset, OptimizerConfig, OptimizerKind, Settings};

/// The lrs of the updates leaving rows 0..n, with the losses `loss(k)` at each row (only plateau reads them).
fn lrs(schedule: &ScheduleConfig, optimizer: &OptimizerConfig, n: usize, loss: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut s = Scheduler::new(schedule, optimizer);
    let mut out = vec![s.current().lr];
    for k in 0..n - 1 {
        s.step(loss(k));
        out.push(s.current().lr);
    }
    out
}

#[track_caller]
fn close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (k, (a, e)) in actual.iter().zip(expected).enumerate() {
        let scale = a.abs().max(e.abs()).max(f64::MIN_POSITIVE);
        assert!((a - e).abs() <= 1e-14 * scale, "step {k}: got {a:e}, expected {e:e}");
    }
}

fn sgd(lr: f64) -> OptimizerConfig {
    OptimizerConfig::new(OptimizerKind::Sgd, lr)
}

#[test]
fn step_lr_multiplies_by_gamma_every_step_size_steps() {
    // StepLR: lr_e = base·γ^⌊e / step_size⌋.
    let s = ScheduleConfig { step_size: Some(3), gamma: Some(0.5), ..ScheduleConfig::new(ScheduleKind::Step) };
    close(&lrs(&s, &sgd(0.1), 8, |_| 0.0), &[0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
    // The default γ is 0.1.
    let s = ScheduleConfig { step_size: Some(2), ..ScheduleConfig::new(ScheduleKind::Step) };
    close(&lrs(&s, &sgd(1.0), 5, |_| 0.0), &[1.0, 1.0, 0.1, 0.1, 0.01]);
}

#[test]
fn exponential_lr_multiplies_by_gamma_every_step() {
    let s = ScheduleConfig { gamma: Some(0.9), ..ScheduleConfig::new(ScheduleKind::Exponential) };
    let expected: Vec<f64> = (0..6).map(|e| 0.2 * 0.9f64.powi(e)).collect();
    close(&lrs(&s, &sgd(0.2), 6, |_| 0.0), &expected);
}

#[test]
fn cosine_annealing_follows_half_a_cosine_then_climbs_back() {
    // η_e = η_min + (base − η_min)·(1 + cos(π·e/T))/2, for e from 0 to 2T (the recursive form climbs back after T).
    let (base, eta_min, t) = (0.1, 0.01, 4u64);
    let s = ScheduleConfig { t_max: Some(t), eta_min, ..ScheduleConfig::new(ScheduleKind::Cosine) };
    let closed: Vec<f64> = (0..=8)
        .map(|e| eta_min + (base - eta_min) * (1.0 + (std::f64::consts::PI * e as f64 / t as f64).cos()) / 2.0)
        .collect();
    let got = lrs(&s, &sgd(base), 9, |_| 0.0);
    close(&got, &closed);
    assert_eq!(got[4], eta_min, "the minimum at e = T, exactly");
    // Half-way, (1 + cos(π/2))/2 = 1/2 up to cos's rounding.
    assert!((got[2] - 0.055).abs() < 1e-15);
}

#[test]
fn linear_lr_scales_from_start_factor_to_end_factor() {
    // LinearLR: lr_e = base·(start + (end − start)·min(e, T)/T), defaults start 1/3, end 1, T = 5.
    let s = ScheduleConfig::new(ScheduleKind::Linear);
    let expected: Vec<f64> = (0..8).map(|e| 0.3 * (1.0 / 3.0 + (2.0 / 3.0) * (e.min(5) as f64) / 5.0)).collect();
    close(&lrs(&s, &sgd(0.3), 8, |_| 0.0), &expected);
}

#[test]
fn one_cycle_warms_up_then_anneals_and_cycles_the_momentum() {
    // max_lr 1, div 25 → initial 0.04, final_div 1e4 → min 4e-6; total 10, pct 0.3 → phase ends at steps 2 and 9.
    let s = ScheduleConfig { max_lr: Some(1.0), total_steps: Some(10), ..ScheduleConfig::new(ScheduleKind::Onecycle) };
    let mut sched = Scheduler::new(&s, &sgd(0.5));
    let cos_anneal =
        |start: f64, end: f64, pct: f64| end + (start - end) / 2.0 * ((std::f64::consts::PI * pct).cos() + 1.0);
    let mut got = vec![sched.current()];
    for _ in 0..10 {
        sched.step(0.0);
        got.push(sched.current());
    }
    for (e, v) in got.iter().enumerate() {
        let (lr, m) = if e <= 2 {
            let pct = e as f64 / 2.0;
            (cos_anneal(0.04, 1.0, pct), cos_anneal(0.95, 0.85, pct))
        } else {
            let pct = (e as f64 - 2.0) / 7.0;
            (cos_anneal(1.0, 0.04 / 1e4, pct), cos_anneal(0.85, 0.95, pct))
        };
        close(&[v.lr], &[lr]);
        close(&[v.momentum.expect("cycled")], &[m]);
    }
    assert!((got[0].lr - 0.04).abs() < 1e-16 && got[2].lr == 1.0);
    assert!((got[9].lr - 4e-6).abs() < 1e-20, "the minimum at the last phase's end");
    // Linear anneal, without momentum: halfway up is the mean of initial and max.
    let s = ScheduleConfig { anneal_strategy: AnnealStrategy::Linear, cycle_momentum: false, ..s };
    let got = lrs(&s, &sgd(0.5), 3, |_| 0.0);
    close(&got, &[0.04, 0.52, 1.0]);
    assert_eq!(Scheduler::new(&s, &sgd(0.5)).current().momentum, None);
}

#[test]
fn plateau_reduces_after_patience_bad_steps_then_cools_down() {
    // patience 1: the second step in a row without a relative improvement of 1e-4 multiplies the lr by 0.5; then
    // one cooldown step ignores bad steps.
    let s = ScheduleConfig { patience: 1, factor: 0.5, cooldown: 1, ..ScheduleConfig::new(ScheduleKind::Plateau) };
    let losses = [10.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 8.0, 8.0];
    let got = lrs(&s, &sgd(1.0), 9, |k| losses[k]);
    // steps: 10 better; 9 better; 9 bad 1; 9 bad 2 > 1 → 0.5 (cooldown 1); 9 in cooldown; 9 bad 1; 9 bad 2 → 0.25.
    assert_eq!(got, [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]);
    // Absolute threshold and min_lr: a loss must fall by more than 1; the lr never goes below 0.3.
    let s = ScheduleConfig {
        patience: 0,
        factor: 0.1,
        threshold: 1.0,
        threshold_mode: ThresholdMode::Abs,
        min_lr: 0.3,
        ..ScheduleConfig::new(ScheduleKind::Plateau)
    };
    let losses = [10.0, 8.5, 8.0, 7.9];
    assert_eq!(lrs(&s, &sgd(1.0), 4, |k| losses[k]), [1.0, 1.0, 1.0, 0.3]);
}

#[test]
fn every_schedule_is_offered_and_named_as_torch_names_it() {
    use clap::ValueEnum;
    // The app's selector and the command line list the same kinds: every variant, once, under its label.
    assert_eq!(ScheduleKind::ALL.len(), ScheduleKind::value_variants().len());
    for kind in ScheduleKind::ALL {
        assert_eq!(ScheduleKind::from_str(kind.label(), false), Ok(kind), "{}", kind.label());
        assert_eq!(ScheduleKind::ALL.iter().filter(|&&k| k == kind).count(), 1);
    }
    let names: Vec<&str> = ScheduleKind::ALL.iter().map(|k| k.torch_name()).collect();
    for class in ["MultiStepLR", "ConstantLR", "PolynomialLR", "MultiplicativeLR", "CyclicLR"] {
        assert!(names.contains(&class), "{class}");
    }
    assert!(names.contains(&"CosineAnnealingWarmRestarts"));
}

/// The values of the updates leaving rows 0..n (no loss: not for plateau).
fn scheduled(schedule: &ScheduleConfig, optimizer: &OptimizerConfig, n: usize) -> Vec<Scheduled> {
    let mut s = Scheduler::new(schedule, optimizer);
    let mut out = vec![s.current()];
    for _ in 0..n - 1 {
        s.step(0.0);
        out.push(s.current());
    }
    out
}

#[test]
fn multi_step_lr_matches_torchs_test_multi_step_lr() {
    // test_multi_step_lr: lr 0.05, γ 0.1, milestones [2, 5, 9], 10 epochs.
    let s = ScheduleConfig { milestones: vec![2, 5, 9], ..ScheduleConfig::new(ScheduleKind::Multistep) };
    let expected = [[0.05; 2].as_slice(), &[0.005; 3], &[0.0005; 4], &[0.00005; 3]].concat();
    close(&lrs(&s, &sgd(0.05), 12, |_| 0.0), &expected);
    // A milestone at 0 multiplies in torch's initial step already (`last_epoch = 0` is in the milestones).
    let s = ScheduleConfig { milestones: vec![0, 2], gamma: Some(0.5), ..ScheduleConfig::new(ScheduleKind::Multistep) };
    assert_eq!(lrs(&s, &sgd(1.0), 4, |_| 0.0), [0.5, 0.5, 0.25, 0.25]);
}

#[test]
fn constant_lr_matches_torchs_test_constantlr() {
    // test_constantlr: factor 1/2 for 5 epochs, then the lr.
    let s = ScheduleConfig { constant_factor: 0.5, total_iters: 5, ..ScheduleConfig::new(ScheduleKind::Constantlr) };
    let expected = [[0.025; 5], [0.05; 5]].concat();
    close(&lrs(&s, &sgd(0.05), 10, |_| 0.0), &expected);
    // The defaults: factor 1/3 for 5 steps.
    let got = lrs(&ScheduleConfig::new(ScheduleKind::Constantlr), &sgd(0.3), 7, |_| 0.0);
    close(&got, &[0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.3]);
}

#[test]
fn polynomial_lr_matches_torchs_test_poly_lr() {
    // test_poly_lr: power 0.9, total_iters 5: base·(1 − e/5)^0.9, then 0.
    let s = ScheduleConfig { power: 0.9, total_iters: 5, ..ScheduleConfig::new(ScheduleKind::Polynomial) };
    let mut expected: Vec<f64> = (0..5).map(|e| (1.0 - e as f64 / 5.0).powf(0.9) * 0.05).collect();
    expected.extend([0.0; 5]);
    let got = lrs(&s, &sgd(0.05), 10, |_| 0.0);
    close(&got[..5], &expected[..5]);
    assert_eq!(&got[5..], &expected[5..], "exactly 0 from total_iters on");
}

#[test]
fn multiplicative_lr_matches_torchs_test_multiplicative_lr() {
    // test_multiplicative_lr: lr_lambda = 0.9, lr 0.05: 0.05·0.9^e.
    let s = ScheduleConfig { multiplicative_factor: Some(0.9), ..ScheduleConfig::new(ScheduleKind::Multiplicative) };
    let expected: Vec<f64> = (0..10).map(|e| 0.05 * 0.9f64.powi(e)).collect();
    close(&lrs(&s, &sgd(0.05), 10, |_| 0.0), &expected);
}

/// torch's test_cycle_lr_* setup: base_lr 1, max_lr 5, base_momentum 1, max_momentum 5 on SGD.
fn cyclic(mode: CyclicMode, up: u64, down: Option<u64>, gamma: f64) -> ScheduleConfig {
    ScheduleConfig {
        base_lr: Some(1.0),
        max_lr: Some(5.0),
        step_size_up: up,
        step_size_down: down,
        mode,
        gamma: Some(gamma),
        cyclic_base_momentum: 1.0,
        cyclic_max_momentum: 5.0,
        ..ScheduleConfig::new(ScheduleKind::Cyclic)
    }
}

#[track_caller]
fn check_cycle(s: &ScheduleConfig, lr: &[f64], momentum: &[f64]) {
    let got = scheduled(s, &sgd(0.05), lr.len());
    close(&got.iter().map(|v| v.lr).collect::<Vec<_>>(), lr);
    close(&got.iter().map(|v| v.momentum.expect("cycled")).collect::<Vec<_>>(), momentum);
}

#[test]
fn cyclic_lr_matches_torchs_test_cycle_lr() {
    use CyclicMode::*;
    // test_cycle_lr_triangular_mode_one_lr.
    let lr = [1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0];
    let m: Vec<f64> = lr.iter().map(|x| 6.0 - x).collect();
    check_cycle(&cyclic(Triangular, 4, None, 1.0), &lr, &m);
    // test_cycle_lr_triangular_mode_one_lr_no_momentum: the momentum stays alone.
    let s = ScheduleConfig { cycle_momentum: false, ..cyclic(Triangular, 4, None, 1.0) };
    assert!(scheduled(&s, &sgd(0.05), 11).iter().all(|v| v.momentum.is_none()));
    close(&lrs(&s, &sgd(0.05), 11, |_| 0.0), &lr);
    // test_cycle_lr_triangular2_mode_one_lr.
    let lr = [
        1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0, 1.5, 2.0, 2.5, 3.0, 2.5, 2.0, 1.5, 1.0, 1.25, 1.5, 1.75, 2.0, 1.75,
    ];
    let m: Vec<f64> = lr.iter().map(|x| 6.0 - x).collect();
    check_cycle(&cyclic(Triangular2, 4, None, 1.0), &lr, &m);
    // test_cycle_lr_exp_range_mode_one_lr: base + x·4·0.9^i.
    let xs = [0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0.0, 0.25, 0.5, 0.75, 1.0];
    let lr: Vec<f64> = xs.iter().enumerate().map(|(i, x)| 1.0 + x * 4.0 * 0.9f64.powi(i as i32)).collect();
    let m: Vec<f64> = xs.iter().enumerate().map(|(i, x)| 5.0 - x * 4.0 * 0.9f64.powi(i as i32)).collect();
    check_cycle(&cyclic(ExpRange, 4, None, 0.9), &lr, &m);
    // test_cycle_lr_triangular_mode_step_size_up_down: 4 up, 6 down.
    let lr = [1.0, 2.0, 3.0, 4.0, 5.0, 13.0 / 3.0, 11.0 / 3.0, 9.0 / 3.0, 7.0 / 3.0, 5.0 / 3.0, 1.0];
    let m = [5.0, 4.0, 3.0, 2.0, 1.0, 5.0 / 3.0, 7.0 / 3.0, 3.0, 11.0 / 3.0, 13.0 / 3.0, 5.0];
    check_cycle(&cyclic(Triangular, 4, Some(6), 1.0), &lr, &m);
    // test_cycle_lr_triangular2_mode_step_size_up_down: 2 up, 6 down.
    let lr = [
        1.0,
        3.0,
        5.0,
        13.0 / 3.0,
        11.0 / 3.0,
        9.0 / 3.0,
        7.0 / 3.0,
        5.0 / 3.0,
        1.0,
        2.0,
        3.0,
        8.0 / 3.0,
        7.0 / 3.0,
        6.0 / 3.0,
        5.0 / 3.0,
        4.0 / 3.0,
        1.0,
        3.0 / 2.0,
        2.0,
        11.0 / 6.0,
        10.0 / 6.0,
        9.0 / 6.0,
        8.0 / 6.0,
        7.0 / 6.0,
    ];
    let m = [
        5.0,
        3.0,
        1.0,
        5.0 / 3.0,
        7.0 / 3.0,
        3.0,
        11.0 / 3.0,
        13.0 / 3.0,
        5.0,
        4.0,
        3.0,
        10.0 / 3.0,
        11.0 / 3.0,
        4.0,
        13.0 / 3.0,
        14.0 / 3.0,
        5.0,
        4.5,
        4.0,
        25.0 / 6.0,
        13.0 / 3.0,
        4.5,
        14.0 / 3.0,
        29.0 / 6.0,
    ];
    check_cycle(&cyclic(Triangular2, 2, Some(6), 1.0), &lr, &m);
    // test_cycle_lr_exp_range_mode_step_size_up_down.
    let xs =
        [0.0, 0.5, 1.0, 5.0 / 6.0, 4.0 / 6.0, 3.0 / 6.0, 2.0 / 6.0, 1.0 / 6.0, 0.0, 0.5, 1.0, 5.0 / 6.0, 4.0 / 6.0];
    let lr: Vec<f64> = xs.iter().enumerate().map(|(i, x)| 1.0 + x * 4.0 * 0.9f64.powi(i as i32)).collect();
    let m: Vec<f64> = xs.iter().enumerate().map(|(i, x)| 5.0 - x * 4.0 * 0.9f64.powi(i as i32)).collect();
    check_cycle(&cyclic(ExpRange, 2, Some(6), 0.9), &lr, &m);
}

#[test]
fn warm_restarts_match_torchs_test_cosine_annealing_warm_restarts_lr1() {
    // test_CosineAnnealingWarmRestarts_lr1: T_0 10, T_mult 1, 2, 4, η_min 1e-10, lr 0.05, 100 iterations.
    for t_mult in [1u64, 2, 4] {
        let (eta_min, mut t_i, mut t_cur) = (1e-10, 10u64, 0u64);
        let mut expected = vec![0.05];
        for _ in 1..100 {
            t_cur += 1;
            if t_cur >= t_i {
                t_cur -= t_i;
                t_i *= t_mult;
            }
            let cos = (std::f64::consts::PI * t_cur as f64 / t_i as f64).cos();
            expected.push(eta_min + (0.05 - eta_min) * (1.0 + cos) / 2.0);
        }
        let s = ScheduleConfig { t_0: Some(10), t_mult, eta_min, ..ScheduleConfig::new(ScheduleKind::WarmRestarts) };
        close(&lrs(&s, &sgd(0.05), 100, |_| 0.0), &expected);
    }
}

#[test]
fn warm_up_is_linear_lr_then_the_schedule_from_its_closed_form() {
    // Alone: LinearLR(1/4, 1, 4): 0.25, 0.4375, 0.625, 0.8125, then 1 for good (lr 1).
    let s = ScheduleConfig { warmup_iters: Some(4), warmup_start_factor: 0.25, ..ScheduleConfig::default() };
    close(&lrs(&s, &sgd(1.0), 7, |_| 0.0), &[0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0, 1.0]);
    // Before StepLR(2, 0.5): three warm-up steps, then StepLR from epoch 0 at the base lr (torch's _update_lr(0)).
    let s = ScheduleConfig {
        warmup_iters: Some(3),
        warmup_start_factor: 0.25,
        step_size: Some(2),
        gamma: Some(0.5),
        ..ScheduleConfig::new(ScheduleKind::Step)
    };
    close(&lrs(&s, &sgd(1.0), 8, |_| 0.0), &[0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.5, 0.25]);
    // MultiplicativeLR has no closed form: at the switch torch multiplies the warm-up's last lr by the factor.
    let s = ScheduleConfig {
        warmup_iters: Some(2),
        warmup_start_factor: 0.5,
        multiplicative_factor: Some(0.5),
        ..ScheduleConfig::new(ScheduleKind::Multiplicative)
    };
    close(&lrs(&s, &sgd(1.0), 5, |_| 0.0), &[0.5, 0.75, 0.375, 0.1875, 0.09375]);
}

/// A fixture's rows: every column as text.
fn fixture(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = format!("{}/tests/fixtures/schedules/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header = lines.next().expect("a header").split(',').map(str::to_owned).collect();
    (header, lines.map(|l| l.split(',').map(str::to_owned).collect()).collect())
}

/// The settings of each fixture, as make_fixtures.py's CASES.
fn fixture_settings(name: &str) -> Settings {
    use OptimizerKind::*;
    use ScheduleKind::*;
    let opt = |kind, lr| OptimizerConfig::new(kind, lr);
    let momentum = |lr| OptimizerConfig { momentum: 0.9, ..opt(Sgd, lr) };
    let sched = ScheduleConfig::new;
    let (optimizer, bias, schedule) = match name {
        "step_sgd" => (opt(Sgd, 0.01), false, ScheduleConfig { step_size: Some(3), gamma: Some(0.5), ..sched(Step) }),
        "exponential_sgd_momentum" => (momentum(0.01), true, ScheduleConfig { gamma: Some(0.9), ..sched(Exponential) }),
        "cosine_sgd_momentum" => {
            (momentum(0.02), true, ScheduleConfig { t_max: Some(10), eta_min: 0.001, ..sched(Cosine) })
        }
        "cosine_adam" => (opt(Adam, 0.3), false, ScheduleConfig { t_max: Some(7), ..sched(Cosine) }),
        "linear_adam" => (opt(Adam, 0.2), true, sched(Linear)),
        "linear_rmsprop" => (
            opt(Rmsprop, 0.05),
            false,
            ScheduleConfig { start_factor: 0.5, end_factor: 0.1, total_iters: 12, ..sched(Linear) },
        ),
        "onecycle_adam" => {
            (opt(Adam, 0.01), true, ScheduleConfig { max_lr: Some(0.5), total_steps: Some(40), ..sched(Onecycle) })
        }
        "onecycle_sgd" => {
            (opt(Sgd, 0.01), false, ScheduleConfig { max_lr: Some(0.1), total_steps: Some(25), ..sched(Onecycle) })
        }
        "onecycle_rmsprop_three_phase_linear" => (
            opt(Rmsprop, 0.01),
            true,
            ScheduleConfig {
                max_lr: Some(0.05),
                total_steps: Some(30),
                pct_start: 0.25,
                anneal_strategy: AnnealStrategy::Linear,
                three_phase: true,
                div_factor: 10.0,
                final_div_factor: 100.0,
                base_momentum: 0.8,
                max_momentum: 0.9,
                ..sched(Onecycle)
            },
        ),
        "onecycle_adagrad_no_cycle" => (
            opt(Adagrad, 0.01),
            false,
            ScheduleConfig { max_lr: Some(1.0), total_steps: Some(20), cycle_momentum: false, ..sched(Onecycle) },
        ),
        "plateau_adam" => {
            (opt(Adam, 0.5), false, ScheduleConfig { factor: 0.5, patience: 2, cooldown: 1, ..sched(Plateau) })
        }
        "plateau_sgd_abs" => (
            opt(Sgd, 0.13),
            true,
            ScheduleConfig {
                factor: 0.3,
                patience: 1,
                threshold: 2.0,
                threshold_mode: ThresholdMode::Abs,
                min_lr: 0.01,
                ..sched(Plateau)
            },
        ),
        other => return new_fixture_settings(other),
    };
    Settings { optimizer, bias, schedule, ..Settings::default() }
}

/// The settings of the fixtures of the schedulers added after the first twelve, as make_fixtures.py's CASES.
fn new_fixture_settings(name: &str) -> Settings {
    use OptimizerKind::*;
    use ScheduleKind::*;
    let opt = |kind, lr| OptimizerConfig::new(kind, lr);
    let momentum = |lr| OptimizerConfig { momentum: 0.9, ..opt(Sgd, lr) };
    let sched = ScheduleConfig::new;
    let warm = |n, f, s: ScheduleConfig| ScheduleConfig { warmup_iters: Some(n), warmup_start_factor: f, ..s };
    let cyclic =
        |base, max, up| ScheduleConfig { base_lr: Some(base), max_lr: Some(max), step_size_up: up, ..sched(Cyclic) };
    let restarts = |t_0, t_mult, eta_min| ScheduleConfig { t_0: Some(t_0), t_mult, eta_min, ..sched(WarmRestarts) };
    let (optimizer, bias, schedule) = match name {
        "multistep_sgd" => {
            (opt(Sgd, 0.05), false, ScheduleConfig { milestones: vec![3, 7, 12], gamma: Some(0.5), ..sched(Multistep) })
        }
        "multistep_zero_adam" => (opt(Adam, 0.4), true, ScheduleConfig { milestones: vec![0, 5], ..sched(Multistep) }),
        "constantlr_sgd_momentum" => {
            (momentum(0.02), true, ScheduleConfig { constant_factor: 0.25, total_iters: 6, ..sched(Constantlr) })
        }
        "constantlr_rmsprop" => (opt(Rmsprop, 0.05), false, sched(Constantlr)),
        "polynomial_adam" => {
            (opt(Adam, 0.3), true, ScheduleConfig { total_iters: 15, power: 2.0, ..sched(Polynomial) })
        }
        "polynomial_sgd" => (opt(Sgd, 0.01), false, sched(Polynomial)),
        "multiplicative_sgd_momentum" => {
            (momentum(0.02), true, ScheduleConfig { multiplicative_factor: Some(0.93), ..sched(Multiplicative) })
        }
        "cyclic_sgd" => (opt(Sgd, 0.01), false, cyclic(0.001, 0.05, 4)),
        "cyclic_adam_triangular2" => (
            opt(Adam, 0.01),
            true,
            ScheduleConfig { step_size_down: Some(5), mode: CyclicMode::Triangular2, ..cyclic(0.01, 0.3, 3) },
        ),
        "cyclic_rmsprop_exp_range" => (
            opt(Rmsprop, 0.01),
            true,
            ScheduleConfig {
                mode: CyclicMode::ExpRange,
                gamma: Some(0.97),
                cyclic_base_momentum: 0.5,
                cyclic_max_momentum: 0.7,
                ..cyclic(0.001, 0.02, 5)
            },
        ),
        "cyclic_adagrad_no_cycle" => (
            opt(Adagrad, 0.01),
            false,
            ScheduleConfig { step_size_down: Some(1), cycle_momentum: false, ..cyclic(0.1, 1.0, 2) },
        ),
        "warm_restarts_sgd_momentum" => (momentum(0.02), true, restarts(5, 2, 0.001)),
        "warm_restarts_adam" => (opt(Adam, 0.3), false, restarts(7, 1, 0.0)),
        "warmup_sgd" => (opt(Sgd, 0.01), false, warm(4, 1.0 / 3.0, ScheduleConfig::default())),
        "warmup_cosine_adam" => {
            (opt(Adam, 0.3), true, warm(5, 0.1, ScheduleConfig { t_max: Some(20), eta_min: 0.01, ..sched(Cosine) }))
        }
        "warmup_step_sgd_momentum" => (
            momentum(0.02),
            true,
            warm(3, 0.25, ScheduleConfig { step_size: Some(4), gamma: Some(0.5), ..sched(Step) }),
        ),
        "warmup_exponential_rmsprop" => {
            (opt(Rmsprop, 0.05), false, warm(4, 0.5, ScheduleConfig { gamma: Some(0.9), ..sched(Exponential) }))
        }
        "warmup_multistep_adam" => (
            opt(Adam, 0.2),
            false,
            warm(3, 1.0 / 3.0, ScheduleConfig { milestones: vec![0, 4], gamma: Some(0.3), ..sched(Multistep) }),
        ),
        "warmup_linear_sgd" => (
            opt(Sgd, 0.05),
            true,
            warm(4, 0.2, ScheduleConfig { start_factor: 0.5, end_factor: 0.1, total_iters: 6, ..sched(Linear) }),
        ),
        "warmup_constantlr_adam" => (
            opt(Adam, 0.2),
            true,
            warm(2, 0.3, ScheduleConfig { constant_factor: 0.5, total_iters: 3, ..sched(Constantlr) }),
        ),
        "warmup_polynomial_sgd" => {
            (opt(Sgd, 0.03), false, warm(5, 0.2, ScheduleConfig { total_iters: 8, power: 0.5, ..sched(Polynomial) }))
        }
        "warmup_multiplicative_sgd" => (
            opt(Sgd, 0.03),
            false,
            warm(3, 0.5, ScheduleConfig { multiplicative_factor: Some(0.9), ..sched(Multiplicative) }),
        ),
        "warmup_warm_restarts_rmsprop" => (opt(Rmsprop, 0.02), true, warm(4, 0.25, restarts(3, 3, 0.002))),
        other => panic!("no settings for fixture {other}"),
    };
    Settings { optimizer, bias, schedule, ..Settings::default() }
}

const FIXTURES: [&str; 35] = [
    "step_sgd",
    "exponential_sgd_momentum",
    "cosine_sgd_momentum",
    "cosine_adam",
    "linear_adam",
    "linear_rmsprop",
    "onecycle_adam",
    "onecycle_sgd",
    "onecycle_rmsprop_three_phase_linear",
    "onecycle_adagrad_no_cycle",
    "plateau_adam",
    "plateau_sgd_abs",
    "multistep_sgd",
    "multistep_zero_adam",
    "constantlr_sgd_momentum",
    "constantlr_rmsprop",
    "polynomial_adam",
    "polynomial_sgd",
    "multiplicative_sgd_momentum",
    "cyclic_sgd",
    "cyclic_adam_triangular2",
    "cyclic_rmsprop_exp_range",
    "cyclic_adagrad_no_cycle",
    "warm_restarts_sgd_momentum",
    "warm_restarts_adam",
    "warmup_sgd",
    "warmup_cosine_adam",
    "warmup_step_sgd_momentum",
    "warmup_exponential_rmsprop",
    "warmup_multistep_adam",
    "warmup_linear_sgd",
    "warmup_constantlr_adam",
    "warmup_polynomial_sgd",
    "warmup_multiplicative_sgd",
    "warmup_warm_restarts_rmsprop",
];

#[test]
fn trajectories_match_torch_fixtures() {
    let data = Dataset::notebook();
    for name in FIXTURES {
        let settings = fixture_settings(name);
        settings.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        let (header, rows) = fixture(name);
        let mut trainer = DynTrainer::new(&data, &settings).expect("valid settings");
        for (k, fields) in rows.iter().enumerate() {
            let row = trainer.row();
            let num = |i: usize| fields[i].parse::<f64>().expect("a number");
            let case = format!("{name}, row {k}");
            assert_eq!(row.step, k as u64, "{case}");
            for (i, ours) in [(1, row.params.w), (2, row.params.b), (3, row.loss)] {
                let theirs = num(i);
                let scale = ours.abs().max(theirs.abs()).max(1e-300);
                assert!((ours - theirs).abs() <= 1e-12 * scale, "{case}: {} {ours:e} vs torch {theirs:e}", header[i]);
            }
            assert_eq!(
                row.scheduled.lr.to_bits(),
                num(4).to_bits(),
                "{case}: lr {} vs torch {}",
                row.scheduled.lr,
                num(4)
            );
            match header.get(5) {
                Some(_) => {
                    let m = row.scheduled.momentum.expect("a cycled momentum");
                    assert_eq!(m.to_bits(), num(5).to_bits(), "{case}: {} {m} vs torch {}", header[5], num(5));
                }
                None => assert_eq!(row.scheduled.momentum, None, "{case}"),
            }
            trainer.step();
        }
    }
}
