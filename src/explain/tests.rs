//! Each branch of [`why`] against the closed forms of the notebook's problem (λ = L″ = 15 without a bias), and
//! the momentum factors against the recurrences they come from.

use super::*;
use crate::engine::analysis::analyze;
use crate::engine::data::Dataset;
use crate::engine::loss::LossKind;
use crate::engine::model::{Grad, Params};
use crate::engine::optim::OptimizerConfig;

fn settings(lr: f64) -> Settings {
    Settings { optimizer: OptimizerConfig::new(OptimizerKind::Sgd, lr), ..Settings::default() }
}

fn why_of(s: &Settings, status: Status, record: Record<f64>) -> Why {
    let data = Dataset::notebook();
    let a = analyze(&data, s, Params::default());
    let floor = crate::engine::floor::floor(&data, s, &a);
    why(&RunState { settings: s, analysis: &a, record: &record, status, tolerance: Some(1e-6), floor })
}

fn running(s: &Settings) -> Why {
    let record = Record { grad: Grad { w: -45.0, b: 0.0 }, ..Record::default() };
    why_of(s, Status::Running, record)
}

#[test]
fn the_notebook_curvature_is_15() {
    let a = analyze(&Dataset::notebook(), &Settings::default(), Params::default());
    assert_eq!(a.curvature_max, 15.0);
}

#[test]
fn monotone_keeps_1_minus_lr_lambda_of_the_distance() {
    // lr 0.01, λ 15: 1 − 0.15 = 0.85.
    let w = running(&settings(0.01));
    assert_eq!(w.short, "each step keeps 85% of the distance: 1 − lr·λ = 0.85");
    assert_eq!(w.tone, Tone::Calm);
    assert!(w.long.contains("λ = L″ = 15"), "{}", w.long);
    assert!(w.long.contains("2/λ = 0.1333"), "{}", w.long);
    assert!(w.long.contains("1/λ = 0.06667"), "{}", w.long);
    assert!(w.long.contains("‖∇L‖ ≤ tol = 0.000001") || w.long.contains("tol = 1.000e−6"), "{}", w.long);
    // |g| = 45 → 1e-6 at 0.85 per step: ln(1e-6/45)/ln(0.85) = 108.0…, so 109 steps.
    let steps = ((1e-6f64 / 45.0).ln() / 0.85f64.ln()).ceil();
    assert!(w.long.contains(&format!("about {} more steps", format::short(steps))), "{}", w.long);
}

#[test]
fn oscillating_overshoots_with_a_negative_factor() {
    // lr 0.1: 1 − 1.5 = −0.5.
    let w = running(&settings(0.1));
    assert!(w.short.starts_with("each step overshoots: the factor 1 − lr·λ = −0.5"), "{}", w.short);
    assert!(w.short.ends_with("keeps 50% of the distance"), "{}", w.short);
    assert_eq!(w.tone, Tone::Warning);
}

#[test]
fn lr_one_over_lambda_lands_in_one_step() {
    let w = running(&settings(1.0 / 15.0));
    assert!(w.short.starts_with("lr = 1/λ lands in one step"), "{}", w.short);
    let near = running(&settings(0.0667));
    assert!(near.short.starts_with("lr = 1/λ lands in one step"), "exactly-ish: {}", near.short);
}

#[test]
fn diverging_says_why_2_over_lambda_is_the_limit() {
    // lr 0.2: 1 − 3 = −2.
    let w = running(&settings(0.2));
    assert_eq!(w.short, "1 − lr·λ = −2 is outside (−1, 1): each overshoot grows, so lr must stay below 2/λ = 0.1333");
    assert_eq!(w.tone, Tone::Bad);
    let diverged = why_of(
        &settings(0.2),
        Status::Diverged { step: 40, why: crate::engine::trainer::Divergence::LossExploded },
        Record::default(),
    );
    assert_eq!(diverged.short, w.short);
}

#[test]
fn a_narrow_valley_names_its_condition_number() {
    // x far from 0 with a bias: H = 2·[[mean x², mean x], [mean x, 1]] is ill-conditioned.
    let data = Dataset::new(vec![10.0, 11.0, 12.0, 13.0], vec![1.0, 2.0, 3.0, 4.0], "far").expect("data");
    let s = Settings { bias: true, ..settings(0.001) };
    let a = analyze(&data, &s, Params::default());
    let kappa = a.curvature_max / a.curvature_min;
    assert!(kappa > 50.0, "{kappa}");
    let w = why(&RunState {
        settings: &s,
        analysis: &a,
        record: &Record::default(),
        status: Status::Running,
        tolerance: Some(1e-6),
        floor: crate::engine::floor::floor(&data, &s, &a),
    });
    let expected = format!(
        "a narrow valley: λmax/λmin = {}, so the lr that is safe across the valley crawls along it",
        format::short(kappa.round())
    );
    assert_eq!(w.short, expected);
    assert!(w.long.contains(&percent(1.0 - 0.001 * a.curvature_min)), "{}", w.long);
}

/// MAE's floor on y = 3x is mean|x| = 2.5 (∇L = ±2.5 next to w = 3); mini-batches on y = 3x agree at the minimum
/// (every residual is 0), so they have no floor there and the run meets the tolerance (`tests/claims.rs` runs
/// both); on data with residuals they jitter.
#[test]
fn mae_and_mini_batches_say_why_they_will_not_meet_the_tolerance() {
    let mae = Settings { loss: LossKind::Mae, ..settings(0.01) };
    let w = running(&mae);
    assert!(w.short.starts_with("won't meet the tolerance: MAE's gradient is a mean of signs"), "{}", w.short);
    assert!(w.short.contains("|∇L| stays 2.5 > tolerance 1.000e-6"), "{}", w.short);
    let batches = Settings { batch_size: Some(1), ..settings(0.01) };
    assert!(!running(&batches).short.contains("won't"), "{}", running(&batches).short);
    let data = Dataset::new(vec![1.0, 2.0, 3.0, 4.0], vec![3.0, 7.0, 8.0, 13.0], "t").expect("data");
    let a = analyze(&data, &batches, Params::default());
    let floor = crate::engine::floor::floor(&data, &batches, &a);
    let record = Record::default();
    let run = RunState {
        settings: &batches,
        analysis: &a,
        record: &record,
        status: Status::Running,
        tolerance: Some(1e-6),
        floor,
    };
    let (verdict, reason) = why_no_tolerance(&run).expect("a floor");
    assert_eq!(verdict, crate::engine::floor::Verdict::Chance);
    assert!(reason.starts_with("a mini-batch of 1's gradient at the minimum is off by σ = "), "{reason}");
    assert!(why(&run).short.starts_with("won't settle: a mini-batch of 1's"), "{}", why(&run).short);
}

#[test]
fn a_stalled_f32_run_is_below_float32_resolution() {
    let s = Settings { precision: Precision::F32, ..settings(0.01) };
    let record = Record { params: Params { w: 3.0, b: 0.0 }, grad: Grad { w: 1e-6, b: 0.0 }, ..Record::default() };
    let w = why_of(&s, Status::Converged { step: 90, by: Convergence::Stalled }, record);
    assert_eq!(w.short, "the update is below float32's resolution at w = 3");
    // float32 next to 3 (in [2, 4)): 2^-22.
    assert_eq!(resolution(Precision::F32, 3.0), 2f64.powi(-22));
    assert_eq!(resolution(Precision::F64, 3.0), 2f64.powi(-51));
    assert!(w.long.contains(&num(2f64.powi(-22))), "{}", w.long);
}

#[test]
fn a_met_tolerance_says_what_it_means() {
    let record = Record { grad: Grad { w: 9e-7, b: 0.0 }, ..Record::default() };
    let w = why_of(&settings(0.01), Status::Converged { step: 108, by: Convergence::Tolerance }, record);
    assert_eq!(w.short, "‖∇L‖ = 9.000e−7 ≤ tol = 1.000e−6 means w is within tol/λ = 6.667e−8 of w*");
    assert!(w.long.contains("λ = L″ = 15"), "{}", w.long);
    assert_eq!(w.tone, Tone::Good);
}

#[test]
fn adaptive_optimizers_have_no_fixed_factor() {
    let s = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Adam, 0.1), ..Settings::default() };
    let w = running(&s);
    assert!(w.short.contains("1 − lr·λ does not apply"), "{}", w.short);
    assert_eq!(step_factor(&s.optimizer, 0.5), None);
}

/// |e(k)| over many steps of torch's SGD (with momentum) on L = λ/2·e²: the per-step ratio in the long run.
fn simulated_modulus(o: &OptimizerConfig, lambda: f64) -> f64 {
    let (mut e, mut buf) = (1.0f64, 0.0f64);
    let steps = 4000;
    let mut log = 0.0;
    for k in 0..steps {
        let before = e.hypot(buf);
        let g = lambda * e;
        buf = if k == 0 { g } else { o.momentum * buf + (1.0 - o.dampening) * g };
        let d = if o.nesterov { g + o.momentum * buf } else { buf };
        e -= o.lr * d;
        // Renormalise so that nothing under- or overflows; the log keeps the growth.
        let scale = e.hypot(buf);
        if k >= steps / 2 {
            log += (scale / before).ln();
        }
        e /= scale;
        buf /= scale;
    }
    (log / (steps / 2) as f64).exp()
}

#[test]
fn momentum_factors_match_the_recurrences() {
    let mk = |momentum, dampening, nesterov, lr| OptimizerConfig {
        momentum,
        dampening,
        nesterov,
        ..OptimizerConfig::new(OptimizerKind::Sgd, lr)
    };
    let lambda = 15.0;
    for o in [
        mk(0.9, 0.0, false, 0.01),
        mk(0.1, 0.0, false, 0.01),
        mk(0.5, 0.0, false, 0.15),
        mk(0.5, 0.3, false, 0.05),
        mk(0.9, 0.0, true, 0.01),
        mk(0.2, 0.0, true, 0.05),
    ] {
        let Some(StepFactor::Momentum(roots)) = step_factor(&o, o.lr * lambda) else {
            panic!("momentum has roots");
        };
        let sim = simulated_modulus(&o, lambda);
        assert!((roots.modulus - sim).abs() < 2e-3, "{o:?}: roots {} vs simulated {sim}", roots.modulus);
    }
    // Under-damped heavy ball: complex roots of modulus √μ.
    let Some(StepFactor::Momentum(r)) = step_factor(&mk(0.9, 0.0, false, 0.01), 0.15) else { panic!() };
    assert!(r.complex && (r.modulus - 0.9f64.sqrt()).abs() < 1e-15);
    // Over-damped: the larger real root of z² − 0.95z + 0.1.
    let Some(StepFactor::Momentum(r)) = step_factor(&mk(0.1, 0.0, false, 0.01), 0.15) else { panic!() };
    assert!(!r.complex && (r.dominant - (0.95 + 0.5025f64.sqrt()) / 2.0).abs() < 1e-15);
    assert_eq!(step_factor(&mk(0.0, 0.0, false, 0.01), 0.15), Some(StepFactor::Plain(0.85)));
}

#[test]
fn the_stable_limit_is_where_the_modulus_reaches_1() {
    let lambda = 15.0;
    for (momentum, dampening, nesterov) in [(0.0, 0.0, false), (0.9, 0.0, false), (0.5, 0.4, false), (0.7, 0.0, true)] {
        let o = OptimizerConfig { momentum, dampening, nesterov, ..OptimizerConfig::default() };
        let limit = stable_limit(&o, lambda).expect("a limit");
        let at = |lr: f64| step_factor(&o, lr * lambda).expect("sgd").modulus();
        assert!(at(limit * 0.999) < 1.0 && at(limit * 1.001) > 1.0, "{o:?}: {limit}");
    }
}

#[test]
fn momentum_sentences_name_the_right_factor() {
    let s = Settings {
        optimizer: OptimizerConfig { momentum: 0.9, ..OptimizerConfig::new(OptimizerKind::Sgd, 0.01) },
        ..Settings::default()
    };
    let w = running(&s);
    assert_eq!(
        w.short,
        "momentum μ = 0.9 spirals in: each step keeps √μ = 94.87% of the distance (plain GD's 1 − lr·λ does not apply)"
    );
    let fast = Settings {
        optimizer: OptimizerConfig { momentum: 0.5, ..OptimizerConfig::new(OptimizerKind::Sgd, 0.25) },
        ..Settings::default()
    };
    // lr·λ = 3.75 > 2(1 + μ) = 3.
    assert!(running(&fast).short.starts_with("with momentum μ = 0.5 the step factor's modulus is"));
    assert_eq!(running(&fast).tone, Tone::Bad);
}
