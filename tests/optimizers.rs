//! The optimizers against torch.optim's documented update rules, worked out by hand for the first steps.
//!
//! Most tests descend the notebook's loss in w, f(w) = 7.5·(w − 3)², whose gradient 15·(w − 3) is −45 at w = 0,
//! then −38.25 at w = 0.45 (plain SGD with γ = 0.01), as in the notebook. Two-parameter tests add a bias with
//! gradient 2·(b + 1).

use descent::engine::ConfigError;
use descent::engine::optim::{Adam, Optimizer, OptimizerConfig, OptimizerKind, Sgd};

/// ∂f/∂w of the notebook's loss: 15·(w − 3).
fn grad_w(w: f64) -> f64 {
    15.0 * (w - 3.0)
}

/// ∂f/∂b of the bias term (b + 1)².
fn grad_b(b: f64) -> f64 {
    2.0 * (b + 1.0)
}

/// Asserts `actual` equals `expected` within 1e-12 relative.
#[track_caller]
fn close(actual: f64, expected: f64) {
    let scale = actual.abs().max(expected.abs()).max(f64::MIN_POSITIVE);
    assert!(
        (actual - expected).abs() <= 1e-12 * scale,
        "got {actual:e}, expected {expected:e} (relative error {:e})",
        (actual - expected).abs() / scale
    );
}

/// Asserts `actual` is within `tol` relative of a value written out by hand in decimal.
#[track_caller]
fn about(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol * expected.abs().max(1e-300), "got {actual}, expected ≈ {expected}");
}

/// Asserts `a` and `b` differ by more than 1e-6 relative.
#[track_caller]
fn differ(a: f64, b: f64) {
    assert!((a - b).abs() > 1e-6 * a.abs().max(b.abs()), "{a} and {b} should differ");
}

fn config(kind: OptimizerKind, lr: f64) -> OptimizerConfig {
    OptimizerConfig::new(kind, lr)
}

fn optimizer(cfg: &OptimizerConfig) -> Optimizer<f64> {
    match Optimizer::new(cfg) {
        Ok(opt) => opt,
        Err(e) => panic!("valid config rejected: {e}"),
    }
}

/// One step on w alone; returns the gradient used.
fn step_w(opt: &mut Optimizer<f64>, w: &mut [f64; 1]) -> f64 {
    let g = grad_w(w[0]);
    opt.step(w, &[g]);
    g
}

/// One step on (w, b); returns the gradients used.
fn step_wb(opt: &mut Optimizer<f64>, p: &mut [f64; 2]) -> [f64; 2] {
    let g = [grad_w(p[0]), grad_b(p[1])];
    opt.step(p, &g);
    g
}

// ---------------------------------------------------------------------------------------------------------- SGD

#[test]
fn sgd_plain_is_exactly_theta_minus_lr_times_g() {
    let lr = 0.01;
    let mut opt = optimizer(&config(OptimizerKind::Sgd, lr));
    let mut w = [0.0];
    let mut expected = 0.0_f64;
    for _ in 0..50 {
        let g = step_w(&mut opt, &mut w);
        expected -= lr * g;
        assert_eq!(w[0].to_bits(), expected.to_bits(), "one multiply, one subtract");
    }
    assert_eq!(opt.steps_taken(), 50);
    assert_eq!(opt.kind(), OptimizerKind::Sgd);

    // By hand: g = −45 → w = 0.45; g = −38.25 → w = 0.8325; g = −32.5125 → w = 1.157625.
    let mut opt = optimizer(&config(OptimizerKind::Sgd, lr));
    let mut w = [0.0];
    assert_eq!(step_w(&mut opt, &mut w), -45.0);
    about(w[0], 0.45, 1e-14);
    assert_eq!(step_w(&mut opt, &mut w), -38.25);
    about(w[0], 0.8325, 1e-14);
    about(step_w(&mut opt, &mut w), -32.5125, 1e-14);
    about(w[0], 1.157625, 1e-14);
}

#[test]
fn sgd_plain_two_parameters() {
    let mut opt = optimizer(&config(OptimizerKind::Sgd, 0.1));
    let mut p = [0.0, 0.0];
    // Step 1: g = (−45, 2) → (4.5, −0.2).
    step_wb(&mut opt, &mut p);
    close(p[0], 4.5);
    close(p[1], -0.2);
    // Step 2: g = (15·1.5, 2·0.8) = (22.5, 1.6) → (4.5 − 2.25, −0.2 − 0.16) = (2.25, −0.36).
    step_wb(&mut opt, &mut p);
    close(p[0], 2.25);
    close(p[1], -0.36);
}

#[test]
fn sgd_momentum_first_step_takes_the_raw_gradient() {
    let (lr, mu) = (0.01, 0.9);
    let mut cfg = config(OptimizerKind::Sgd, lr);
    cfg.momentum = mu;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];

    // t = 1: b ← g = −45; w ← 0 − 0.01·(−45) = 0.45.
    let g1 = step_w(&mut opt, &mut w);
    let b1 = g1;
    let w1 = 0.0 - lr * b1;
    close(w[0], w1);
    about(w[0], 0.45, 1e-14);

    // t = 2: g = −38.25; b ← 0.9·(−45) + (−38.25) = −78.75; w ← 0.45 + 0.7875 = 1.2375.
    let g2 = step_w(&mut opt, &mut w);
    assert_eq!(g2, -38.25);
    let b2 = mu * b1 + g2;
    let w2 = w1 - lr * b2;
    close(w[0], w2);
    about(w[0], 1.2375, 1e-14);

    // t = 3: g = 15·(1.2375 − 3) = −26.4375; b ← 0.9·(−78.75) − 26.4375 = −97.3125; w ← 1.2375 + 0.973125.
    let g3 = step_w(&mut opt, &mut w);
    let b3 = mu * b2 + g3;
    let w3 = w2 - lr * b3;
    close(w[0], w3);
    about(w[0], 2.210625, 1e-14);

    if let Optimizer::Sgd(sgd) = &opt {
        close(sgd.momentum_buffer().map_or(f64::NAN, |b| b[0]), b3);
    } else {
        panic!("expected SGD");
    }
}

#[test]
fn sgd_dampening_skips_the_first_step() {
    let (lr, mu, tau) = (0.01, 0.9, 0.5);
    let mut cfg = config(OptimizerKind::Sgd, lr);
    cfg.momentum = mu;
    cfg.dampening = tau;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];

    // t = 1: b ← g = −45 (not (1 − τ)·g = −22.5); w = 0.45.
    let g1 = step_w(&mut opt, &mut w);
    let b1 = g1;
    let w1 = 0.0 - lr * b1;
    close(w[0], w1);
    about(w[0], 0.45, 1e-14);

    // t = 2: b ← 0.9·(−45) + 0.5·(−38.25) = −59.625; w ← 0.45 + 0.59625 = 1.04625.
    let g2 = step_w(&mut opt, &mut w);
    let b2 = mu * b1 + (1.0 - tau) * g2;
    let w2 = w1 - lr * b2;
    close(w[0], w2);
    about(w[0], 1.04625, 1e-14);

    // t = 3: g = 15·(1.04625 − 3) = −29.30625; b ← 0.9·(−59.625) + 0.5·g.
    let g3 = step_w(&mut opt, &mut w);
    about(g3, -29.30625, 1e-14);
    let b3 = mu * b2 + (1.0 - tau) * g3;
    close(w[0], w2 - lr * b3);
}

#[test]
fn sgd_nesterov() {
    let (lr, mu) = (0.01, 0.9);
    let mut cfg = config(OptimizerKind::Sgd, lr);
    cfg.momentum = mu;
    cfg.nesterov = true;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];

    // t = 1: b = −45; g ← −45 + 0.9·(−45) = −85.5; w = 0.855.
    let g1 = step_w(&mut opt, &mut w);
    let b1 = g1;
    let w1 = 0.0 - lr * (g1 + mu * b1);
    close(w[0], w1);
    about(w[0], 0.855, 1e-14);

    // t = 2: g = 15·(0.855 − 3) = −32.175; b ← −40.5 − 32.175 = −72.675; g ← −32.175 − 65.4075 = −97.5825;
    // w ← 0.855 + 0.975825 = 1.830825.
    let g2 = step_w(&mut opt, &mut w);
    about(g2, -32.175, 1e-14);
    let b2 = mu * b1 + g2;
    let w2 = w1 - lr * (g2 + mu * b2);
    close(w[0], w2);
    about(w[0], 1.830825, 1e-14);

    // t = 3.
    let g3 = step_w(&mut opt, &mut w);
    let b3 = mu * b2 + g3;
    close(w[0], w2 - lr * (g3 + mu * b3));
}

#[test]
fn sgd_weight_decay() {
    let (lr, wd) = (0.01, 0.1);
    let mut cfg = config(OptimizerKind::Sgd, lr);
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    let mut w = [1.0];

    // t = 1: g = 15·(1 − 3) + 0.1·1 = −29.9; w ← 1 + 0.299 = 1.299.
    let g1 = step_w(&mut opt, &mut w) + wd * 1.0;
    about(g1, -29.9, 1e-14);
    let w1 = 1.0 - lr * g1;
    close(w[0], w1);
    about(w[0], 1.299, 1e-14);

    // t = 2: g = 15·(1.299 − 3) + 0.1299 = −25.3851; w ← 1.299 + 0.253851 = 1.552851.
    let g2 = grad_w(w1) + wd * w1;
    step_w(&mut opt, &mut w);
    close(w[0], w1 - lr * g2);
    about(w[0], 1.552851, 1e-14);
}

#[test]
fn sgd_momentum_dampening_weight_decay_two_parameters() {
    let (lr, mu, tau, wd) = (0.05, 0.8, 0.1, 0.2);
    let mut cfg = config(OptimizerKind::Sgd, lr);
    cfg.momentum = mu;
    cfg.dampening = tau;
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    let mut p = [0.5, 1.0];
    let mut expected = p;
    let mut buf = [0.0; 2];
    for t in 1..=3 {
        let g = step_wb(&mut opt, &mut p);
        for i in 0..2 {
            let gi = g[i] + wd * expected[i];
            buf[i] = if t == 1 { gi } else { mu * buf[i] + (1.0 - tau) * gi };
            expected[i] -= lr * buf[i];
            close(p[i], expected[i]);
        }
    }
    // Step 1 by hand: g = (15·(−2.5) + 0.1, 2·2 + 0.2) = (−37.4, 4.2); p = (0.5 + 1.87, 1 − 0.21) = (2.37, 0.79).
    let mut opt = optimizer(&cfg);
    let mut p = [0.5, 1.0];
    step_wb(&mut opt, &mut p);
    about(p[0], 2.37, 1e-14);
    about(p[1], 0.79, 1e-14);
}

#[test]
fn sgd_without_momentum_has_no_buffer() {
    let mut sgd = Sgd::<f64>::new(&config(OptimizerKind::Sgd, 0.01));
    sgd.step_observed(&mut [0.0], &[-45.0], &mut ());
    assert_eq!(sgd.momentum_buffer(), None);
    assert_eq!(sgd.steps_taken(), 1);
}

// ------------------------------------------------------------------------------------------------------ Adagrad

/// Adagrad by hand, for w alone: returns w after each step.
fn adagrad_by_hand(w0: f64, lr: f64, lr_decay: f64, wd: f64, init: f64, eps: f64, steps: usize) -> Vec<f64> {
    let (mut w, mut sum, mut out) = (w0, init, Vec::new());
    for t in 1..=steps {
        let clr = lr / (1.0 + (t as f64 - 1.0) * lr_decay);
        let g = grad_w(w) + wd * w;
        sum += g * g;
        w -= clr * g / (sum.sqrt() + eps);
        out.push(w);
    }
    out
}

#[test]
fn adagrad_plain() {
    let lr = 0.5;
    let mut opt = optimizer(&config(OptimizerKind::Adagrad, lr));
    let mut w = [0.0];
    let eps = 1e-10;

    // t = 1: sum = 2025; w ← 0 + 0.5·45 / (45 + 1e-10) ≈ 0.5.
    step_w(&mut opt, &mut w);
    let w1 = 0.0 - lr * -45.0 / (2025.0_f64.sqrt() + eps);
    close(w[0], w1);
    about(w[0], 0.5, 1e-9);

    // t = 2: g = 15·(0.5 − 3) ≈ −37.5; sum ≈ 2025 + 1406.25 = 3431.25; w ≈ 0.5 + 18.75 / 58.5768 ≈ 0.820095.
    let g2 = step_w(&mut opt, &mut w);
    let sum2 = 2025.0 + g2 * g2;
    let w2 = w1 - lr * g2 / (sum2.sqrt() + eps);
    close(w[0], w2);
    about(w[0], 0.5 + 18.75 / 3431.25_f64.sqrt(), 1e-9);

    // t = 3.
    let g3 = step_w(&mut opt, &mut w);
    let sum3 = sum2 + g3 * g3;
    close(w[0], w2 - lr * g3 / (sum3.sqrt() + eps));
    close(w[0], adagrad_by_hand(0.0, lr, 0.0, 0.0, 0.0, eps, 3)[2]);
}

#[test]
fn adagrad_lr_decay() {
    let (lr, eta) = (0.5, 0.5);
    let mut cfg = config(OptimizerKind::Adagrad, lr);
    cfg.lr_decay = eta;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let eps = 1e-10;

    // t = 1: γ̃ = 0.5 / (1 + 0·0.5) = 0.5.
    step_w(&mut opt, &mut w);
    let w1 = 0.0 - 0.5 * -45.0 / (45.0 + eps);
    close(w[0], w1);
    // t = 2: γ̃ = 0.5 / 1.5.
    let g2 = step_w(&mut opt, &mut w);
    let sum2 = 2025.0 + g2 * g2;
    let w2 = w1 - (0.5 / 1.5) * g2 / (sum2.sqrt() + eps);
    close(w[0], w2);
    // t = 3: γ̃ = 0.5 / 2 = 0.25.
    let g3 = step_w(&mut opt, &mut w);
    let sum3 = sum2 + g3 * g3;
    close(w[0], w2 - 0.25 * g3 / (sum3.sqrt() + eps));
    close(w[0], adagrad_by_hand(0.0, lr, eta, 0.0, 0.0, eps, 3)[2]);
}

#[test]
fn adagrad_weight_decay() {
    let (lr, wd) = (0.5, 0.1);
    let mut cfg = config(OptimizerKind::Adagrad, lr);
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    let mut w = [1.0];
    let eps = 1e-10;

    // t = 1: g = −30 + 0.1 = −29.9; sum = 894.01; w ← 1 + 0.5·29.9 / (29.9 + 1e-10) ≈ 1.5.
    step_w(&mut opt, &mut w);
    let g1 = -29.9;
    let sum1 = g1 * g1;
    let w1 = 1.0 - lr * g1 / (sum1.sqrt() + eps);
    close(w[0], w1);
    about(w[0], 1.5, 1e-9);
    // t = 2: g = 15·(w − 3) + 0.1·w.
    let g2 = grad_w(w1) + wd * w1;
    step_w(&mut opt, &mut w);
    let sum2 = sum1 + g2 * g2;
    close(w[0], w1 - lr * g2 / (sum2.sqrt() + eps));
    close(w[0], adagrad_by_hand(1.0, lr, 0.0, wd, 0.0, eps, 2)[1]);
}

#[test]
fn adagrad_initial_accumulator_value() {
    let (lr, init) = (0.5, 100.0);
    let mut cfg = config(OptimizerKind::Adagrad, lr);
    cfg.initial_accumulator_value = init;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let eps = 1e-10;

    // t = 1: sum = 100 + 2025 = 2125; w ← 22.5 / (sqrt(2125) + 1e-10) ≈ 0.4880935.
    step_w(&mut opt, &mut w);
    let sum1 = init + 2025.0;
    let w1 = 0.0 - lr * -45.0 / (sum1.sqrt() + eps);
    close(w[0], w1);
    about(w[0], 22.5 / 2125.0_f64.sqrt(), 1e-9);
    // t = 2.
    let g2 = step_w(&mut opt, &mut w);
    let sum2 = sum1 + g2 * g2;
    close(w[0], w1 - lr * g2 / (sum2.sqrt() + eps));
    close(w[0], adagrad_by_hand(0.0, lr, 0.0, 0.0, init, eps, 2)[1]);
}

#[test]
fn adagrad_default_eps_is_1e_minus_10() {
    // A gradient of −1.5e-8 makes ε visible: sqrt(sum) = 1.5e-8, so ε = 1e-10 and ε = 1e-8 give different steps.
    let lr = 0.5;
    let w0 = 3.0 - 1e-9;
    let mut opt = optimizer(&config(OptimizerKind::Adagrad, lr));
    let mut w = [w0];
    let g = step_w(&mut opt, &mut w);
    let expected = w0 - lr * g / ((g * g).sqrt() + 1e-10);
    close(w[0], expected);
    differ(w[0], w0 - lr * g / ((g * g).sqrt() + 1e-8));

    // An explicit eps overrides the default.
    let mut cfg = config(OptimizerKind::Adagrad, lr);
    cfg.eps = Some(1e-8);
    let mut opt = optimizer(&cfg);
    let mut w = [w0];
    let g = step_w(&mut opt, &mut w);
    close(w[0], w0 - lr * g / ((g * g).sqrt() + 1e-8));
}

#[test]
fn adagrad_two_parameters_all_options() {
    let (lr, eta, wd, init, eps) = (0.3, 0.2, 0.05, 0.5, 1e-6);
    let mut cfg = config(OptimizerKind::Adagrad, lr);
    cfg.lr_decay = eta;
    cfg.weight_decay = Some(wd);
    cfg.initial_accumulator_value = init;
    cfg.eps = Some(eps);
    let mut opt = optimizer(&cfg);
    let mut p = [0.0, 0.0];
    let (mut expected, mut sum) = (p, [init; 2]);
    for t in 1..=3 {
        let g = step_wb(&mut opt, &mut p);
        let clr = lr / (1.0 + (t as f64 - 1.0) * eta);
        for i in 0..2 {
            let gi = g[i] + wd * expected[i];
            sum[i] += gi * gi;
            expected[i] -= clr * gi / (sum[i].sqrt() + eps);
            close(p[i], expected[i]);
        }
    }
    if let Optimizer::Adagrad(a) = &opt {
        close(a.sum()[0], sum[0]);
        close(a.sum()[1], sum[1]);
    } else {
        panic!("expected Adagrad");
    }
}

// ------------------------------------------------------------------------------------------------------ RMSprop

#[test]
fn rmsprop_plain() {
    let (lr, alpha, eps) = (0.01, 0.99, 1e-8);
    let mut opt = optimizer(&config(OptimizerKind::Rmsprop, lr));
    let mut w = [0.0];

    // t = 1: v = 0.01·2025 = 20.25; w ← 0 + 0.01·45 / (4.5 + 1e-8) ≈ 0.1.
    step_w(&mut opt, &mut w);
    let v1 = (1.0 - alpha) * 2025.0;
    about(v1, 20.25, 1e-14);
    let w1 = 0.0 - lr * -45.0 / (v1.sqrt() + eps);
    close(w[0], w1);
    about(w[0], 0.1, 1e-8);

    // t = 2: g ≈ 15·(0.1 − 3) = −43.5; v ≈ 0.99·20.25 + 0.01·1892.25 = 38.97; w ≈ 0.1 + 0.435 / sqrt(38.97).
    let g2 = step_w(&mut opt, &mut w);
    about(g2, -43.5, 1e-8);
    let v2 = alpha * v1 + (1.0 - alpha) * g2 * g2;
    let w2 = w1 - lr * g2 / (v2.sqrt() + eps);
    close(w[0], w2);
    about(w[0], 0.1 + 0.435 / 38.97_f64.sqrt(), 1e-8);

    // t = 3.
    let g3 = step_w(&mut opt, &mut w);
    let v3 = alpha * v2 + (1.0 - alpha) * g3 * g3;
    close(w[0], w2 - lr * g3 / (v3.sqrt() + eps));
}

#[test]
fn rmsprop_momentum() {
    let (lr, alpha, eps, mu) = (0.01, 0.99, 1e-8, 0.9);
    let mut cfg = config(OptimizerKind::Rmsprop, lr);
    cfg.momentum = mu;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];

    // t = 1: v = 20.25; buf = 0.9·0 + (−45)/(4.5 + 1e-8) ≈ −10; w ≈ 0.1.
    step_w(&mut opt, &mut w);
    let v1: f64 = (1.0 - alpha) * 2025.0;
    let buf1 = -45.0 / (v1.sqrt() + eps);
    about(buf1, -10.0, 1e-8);
    let w1 = 0.0 - lr * buf1;
    close(w[0], w1);

    // t = 2: buf ← 0.9·buf + g / (sqrt(v) + ε).
    let g2 = step_w(&mut opt, &mut w);
    let v2 = alpha * v1 + (1.0 - alpha) * g2 * g2;
    let buf2 = mu * buf1 + g2 / (v2.sqrt() + eps);
    let w2 = w1 - lr * buf2;
    close(w[0], w2);
    // By hand: g ≈ −43.5, v ≈ 38.97, buf ≈ −9 − 6.9682 = −15.9682, w ≈ 0.259682.
    about(w[0], 0.1 + 0.01 * (9.0 + 43.5 / 38.97_f64.sqrt()), 1e-7);

    // t = 3.
    let g3 = step_w(&mut opt, &mut w);
    let v3 = alpha * v2 + (1.0 - alpha) * g3 * g3;
    let buf3 = mu * buf2 + g3 / (v3.sqrt() + eps);
    close(w[0], w2 - lr * buf3);
}

#[test]
fn rmsprop_centered() {
    let (lr, alpha, eps) = (0.01, 0.99, 1e-8);
    let mut cfg = config(OptimizerKind::Rmsprop, lr);
    cfg.centered = true;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];

    // t = 1: v = 20.25; gavg = 0.01·(−45) = −0.45; ṽ = 20.25 − 0.2025 = 20.0475; w ← 0.45 / sqrt(20.0475).
    step_w(&mut opt, &mut w);
    let v1 = (1.0 - alpha) * 2025.0;
    let gavg1: f64 = (1.0 - alpha) * -45.0;
    let w1 = 0.0 - lr * -45.0 / ((v1 - gavg1 * gavg1).sqrt() + eps);
    close(w[0], w1);
    about(w[0], 0.45 / 20.0475_f64.sqrt(), 1e-8);

    // t = 2.
    let g2 = step_w(&mut opt, &mut w);
    let v2 = alpha * v1 + (1.0 - alpha) * g2 * g2;
    let gavg2 = alpha * gavg1 + (1.0 - alpha) * g2;
    let w2 = w1 - lr * g2 / ((v2 - gavg2 * gavg2).sqrt() + eps);
    close(w[0], w2);

    // t = 3.
    let g3 = step_w(&mut opt, &mut w);
    let v3 = alpha * v2 + (1.0 - alpha) * g3 * g3;
    let gavg3 = alpha * gavg2 + (1.0 - alpha) * g3;
    close(w[0], w2 - lr * g3 / ((v3 - gavg3 * gavg3).sqrt() + eps));
    if let Optimizer::Rmsprop(r) = &opt {
        close(r.grad_avg()[0], gavg3);
        close(r.square_avg()[0], v3);
    } else {
        panic!("expected RMSprop");
    }
}

#[test]
fn rmsprop_weight_decay() {
    let (lr, alpha, eps, wd) = (0.01, 0.99, 1e-8, 0.1);
    let mut cfg = config(OptimizerKind::Rmsprop, lr);
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    let mut w = [1.0];

    // t = 1: g = −30 + 0.1 = −29.9; v = 0.01·894.01 = 8.9401; w ← 1 + 0.299 / 2.99 ≈ 1.1.
    step_w(&mut opt, &mut w);
    let g1 = -29.9;
    let v1 = (1.0 - alpha) * g1 * g1;
    let w1 = 1.0 - lr * g1 / (v1.sqrt() + eps);
    close(w[0], w1);
    about(w[0], 1.1, 1e-8);

    // t = 2.
    let g2 = grad_w(w1) + wd * w1;
    step_w(&mut opt, &mut w);
    let v2 = alpha * v1 + (1.0 - alpha) * g2 * g2;
    close(w[0], w1 - lr * g2 / (v2.sqrt() + eps));
}

#[test]
fn rmsprop_all_options_two_parameters() {
    let (lr, alpha, eps, wd, mu) = (0.02, 0.9, 1e-3, 0.05, 0.5);
    let mut cfg = config(OptimizerKind::Rmsprop, lr);
    cfg.alpha = alpha;
    cfg.eps = Some(eps);
    cfg.weight_decay = Some(wd);
    cfg.momentum = mu;
    cfg.centered = true;
    let mut opt = optimizer(&cfg);
    let mut p = [0.0, 0.0];
    let (mut expected, mut v, mut gavg, mut buf) = (p, [0.0; 2], [0.0; 2], [0.0; 2]);
    for _ in 0..3 {
        let g = step_wb(&mut opt, &mut p);
        for i in 0..2 {
            let gi = g[i] + wd * expected[i];
            v[i] = alpha * v[i] + (1.0 - alpha) * gi * gi;
            gavg[i] = alpha * gavg[i] + (1.0 - alpha) * gi;
            buf[i] = mu * buf[i] + gi / ((v[i] - gavg[i] * gavg[i]).sqrt() + eps);
            expected[i] -= lr * buf[i];
            close(p[i], expected[i]);
        }
    }
}

// --------------------------------------------------------------------------------------------------------- Adam

/// Adam or AdamW by hand on a gradient sequence for one parameter (the gradient at step t is `grads(t, θ)`).
struct AdamByHand {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
    decoupled: bool,
    amsgrad: bool,
}

impl AdamByHand {
    fn run(&self, theta0: f64, steps: usize, grads: impl Fn(usize, f64) -> f64) -> Vec<f64> {
        let (mut theta, mut m, mut v, mut vmax) = (theta0, 0.0, 0.0, 0.0_f64);
        let mut out = Vec::new();
        for t in 1..=steps {
            let mut g = grads(t, theta);
            if self.decoupled {
                theta -= self.lr * self.wd * theta;
            } else {
                g += self.wd * theta;
            }
            m = self.beta1 * m + (1.0 - self.beta1) * g;
            v = self.beta2 * v + (1.0 - self.beta2) * g * g;
            let bc1 = 1.0 - self.beta1.powi(t as i32);
            let bc2 = 1.0 - self.beta2.powi(t as i32);
            vmax = vmax.max(v);
            let v_hat = if self.amsgrad { vmax } else { v };
            let denom = v_hat.sqrt() / bc2.sqrt() + self.eps;
            theta -= (self.lr / bc1) * m / denom;
            out.push(theta);
        }
        out
    }
}

fn adam_by_hand(lr: f64) -> AdamByHand {
    AdamByHand { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.0, decoupled: false, amsgrad: false }
}

#[test]
fn adam_plain() {
    let lr = 0.1;
    let mut opt = optimizer(&config(OptimizerKind::Adam, lr));
    let mut w = [0.0];

    // t = 1: m = 0.1·(−45) = −4.5; v = 0.001·2025 = 2.025; bc₁ = 0.1; bc₂ = 0.001;
    // denom = sqrt(2.025)/sqrt(0.001) + 1e-8 = 45 + 1e-8; w ← 0 − (0.1/0.1)·(−4.5)/(45 + 1e-8) ≈ 0.1.
    step_w(&mut opt, &mut w);
    let (m1, v1) = (0.1 * -45.0, 0.001_f64 * 2025.0);
    let denom1 = v1.sqrt() / (1.0 - 0.999_f64).sqrt() + 1e-8;
    let w1 = 0.0 - (lr / (1.0 - 0.9)) * m1 / denom1;
    close(w[0], w1);
    about(w[0], 0.1, 1e-8);

    // t = 2: g ≈ −43.5; m = 0.9·m + 0.1·g; v = 0.999·v + 0.001·g²; bc₁ = 0.19; bc₂ = 0.001999.
    let g2 = step_w(&mut opt, &mut w);
    let m2 = 0.9 * m1 + 0.1 * g2;
    let v2 = 0.999 * v1 + 0.001 * g2 * g2;
    let w2 = w1 - (lr / 0.19) * m2 / (v2.sqrt() / 0.001999_f64.sqrt() + 1e-8);
    close(w[0], w2);

    // t = 3: bc₁ = 1 − 0.729 = 0.271; bc₂ = 1 − 0.997002999 = 0.002997001.
    let g3 = step_w(&mut opt, &mut w);
    let m3 = 0.9 * m2 + 0.1 * g3;
    let v3 = 0.999 * v2 + 0.001 * g3 * g3;
    let w3 = w2 - (lr / 0.271) * m3 / (v3.sqrt() / 0.002997001_f64.sqrt() + 1e-8);
    close(w[0], w3);

    close(w[0], adam_by_hand(lr).run(0.0, 3, |_, w| grad_w(w))[2]);
    assert_eq!(opt.kind(), OptimizerKind::Adam);
    assert_eq!(opt.steps_taken(), 3);
}

#[test]
fn adam_weight_decay() {
    let (lr, wd) = (0.1, 0.1);
    let mut cfg = config(OptimizerKind::Adam, lr);
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    let mut w = [1.0];

    // t = 1: g = −30 + 0.1·1 = −29.9; m = −2.99; v = 0.89401; denom = 29.9 + 1e-8; w ← 1 + 2.99/0.1/29.9 ≈ 1.1.
    step_w(&mut opt, &mut w);
    let g1 = -29.9;
    let (m1, v1) = (0.1 * g1, 0.001 * g1 * g1);
    let w1 = 1.0 - (lr / 0.1) * m1 / (v1.sqrt() / 0.001_f64.sqrt() + 1e-8);
    close(w[0], w1);
    about(w[0], 1.1, 1e-8);

    // t = 2: g = 15·(w − 3) + 0.1·w.
    let g2 = grad_w(w1) + wd * w1;
    step_w(&mut opt, &mut w);
    let m2 = 0.9 * m1 + 0.1 * g2;
    let v2 = 0.999 * v1 + 0.001 * g2 * g2;
    close(w[0], w1 - (lr / 0.19) * m2 / (v2.sqrt() / 0.001999_f64.sqrt() + 1e-8));

    step_w(&mut opt, &mut w);
    let by_hand = AdamByHand { wd, ..adam_by_hand(lr) };
    close(w[0], by_hand.run(1.0, 3, |_, w| grad_w(w))[2]);
}

#[test]
fn adam_amsgrad_uses_the_running_maximum() {
    // A shrinking gradient sequence makes v fall after step 2, so max(vmax, v) ≠ v from step 3 on.
    let seq = [-45.0, -38.25, -1.0, -0.5];
    let lr = 0.1;
    let mut cfg = config(OptimizerKind::Adam, lr);
    cfg.amsgrad = true;
    let mut opt = optimizer(&cfg);
    let mut plain = optimizer(&config(OptimizerKind::Adam, lr));
    let (mut w, mut w_plain) = ([0.0], [0.0]);
    let mut out = Vec::new();
    for g in seq {
        opt.step(&mut w, &[g]);
        plain.step(&mut w_plain, &[g]);
        out.push((w[0], w_plain[0]));
    }

    // By hand: v₁ = 2.025, v₂ = 0.999·2.025 + 0.001·1463.0625 = 3.4860375, v₃ = 0.999·v₂ + 0.001 < v₂.
    let v1 = 0.001 * 2025.0;
    let v2 = 0.999 * v1 + 0.001 * 38.25 * 38.25;
    about(v2, 3.4860375, 1e-14);
    let v3 = 0.999 * v2 + 0.001 * 1.0;
    assert!(v3 < v2);
    let m1 = 0.1 * -45.0;
    let m2 = 0.9 * m1 + 0.1 * -38.25;
    let g3 = seq[2];
    let m3 = 0.9 * m2 + 0.1 * g3;
    let w1 = 0.0 - (lr / 0.1) * m1 / (v1.sqrt() / 0.001_f64.sqrt() + 1e-8);
    let w2 = w1 - (lr / 0.19) * m2 / (v2.sqrt() / 0.001999_f64.sqrt() + 1e-8);
    // Step 3 divides by sqrt(v₂), the maximum, not sqrt(v₃).
    let w3 = w2 - (lr / 0.271) * m3 / (v2.sqrt() / 0.002997001_f64.sqrt() + 1e-8);
    close(out[0].0, w1);
    close(out[1].0, w2);
    close(out[2].0, w3);
    // The first two steps agree with plain Adam (v rose), the third does not.
    close(out[1].1, w2);
    differ(out[2].0, out[2].1);
    let by_hand = AdamByHand { amsgrad: true, ..adam_by_hand(lr) };
    close(out[3].0, by_hand.run(0.0, 4, |t, _| seq[t - 1])[3]);
    if let Optimizer::Adam(a) = &opt {
        close(a.max_exp_avg_sq()[0], v2);
    } else {
        panic!("expected Adam");
    }
}

#[test]
fn adam_eps_is_added_after_dividing_by_sqrt_bc2() {
    // With ε = 0.1 at t = 1: sqrt(v)/sqrt(bc₂) + ε = 45 + 0.1 = 45.1, while (sqrt(v) + ε)/sqrt(bc₂) ≈ 48.16.
    let lr = 0.1;
    let mut cfg = config(OptimizerKind::Adam, lr);
    cfg.eps = Some(0.1);
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    step_w(&mut opt, &mut w);
    let (m1, v1, bc1, bc2) = (-4.5, 2.025_f64, 0.1, 0.001_f64);
    let after = 0.0 - (lr / bc1) * m1 / (v1.sqrt() / bc2.sqrt() + 0.1);
    let before = 0.0 - (lr / bc1) * m1 / ((v1.sqrt() + 0.1) / bc2.sqrt());
    close(w[0], after);
    about(w[0], 4.5 / 45.1, 1e-13);
    differ(w[0], before);
}

#[test]
fn adamw_decays_before_the_moments() {
    let (lr, wd) = (0.1, 0.1);
    let mut cfg = config(OptimizerKind::Adamw, lr);
    cfg.weight_decay = Some(wd);
    let mut opt = optimizer(&cfg);
    assert_eq!(opt.kind(), OptimizerKind::Adamw);
    let mut w = [1.0];

    // t = 1: the gradient is taken at θ = 1: g = −30 (no λθ added). θ ← 1 − 0.1·0.1·1 = 0.99;
    // m = −3; v = 0.9; denom = sqrt(0.9)/sqrt(0.001) + 1e-8 = 30 + 1e-8; θ ← 0.99 + 1·3/30 ≈ 1.09.
    let g1 = step_w(&mut opt, &mut w);
    assert_eq!(g1, -30.0);
    let decayed = 1.0 - lr * wd * 1.0;
    about(decayed, 0.99, 1e-14);
    let (m1, v1) = (0.1 * g1, 0.001 * g1 * g1);
    let w1 = decayed - (lr / 0.1) * m1 / (v1.sqrt() / 0.001_f64.sqrt() + 1e-8);
    close(w[0], w1);
    about(w[0], 1.09, 1e-8);

    // t = 2.
    let g2 = step_w(&mut opt, &mut w);
    let decayed = w1 - lr * wd * w1;
    let m2 = 0.9 * m1 + 0.1 * g2;
    let v2 = 0.999 * v1 + 0.001 * g2 * g2;
    let w2 = decayed - (lr / 0.19) * m2 / (v2.sqrt() / 0.001999_f64.sqrt() + 1e-8);
    close(w[0], w2);

    // t = 3.
    step_w(&mut opt, &mut w);
    let by_hand = AdamByHand { wd, decoupled: true, ..adam_by_hand(lr) };
    close(w[0], by_hand.run(1.0, 3, |_, w| grad_w(w))[2]);

    // Adam with the same weight decay adds λθ to the gradient instead: θ₁ ≈ 1.1, not 1.09.
    let mut adam_cfg = config(OptimizerKind::Adam, lr);
    adam_cfg.weight_decay = Some(wd);
    let mut adam = optimizer(&adam_cfg);
    let mut w_adam = [1.0];
    step_w(&mut adam, &mut w_adam);
    about(w_adam[0], 1.1, 1e-8);
    differ(w_adam[0], w1);
}

#[test]
fn adamw_default_weight_decay_is_0_01() {
    let lr = 0.1;
    let cfg = config(OptimizerKind::Adamw, lr);
    assert_eq!(cfg.weight_decay(), 0.01);
    let mut opt = optimizer(&cfg);
    let mut w = [1.0];
    // t = 1: θ ← 1·(1 − 0.001) = 0.999, then + 0.1 as above: ≈ 1.099.
    step_w(&mut opt, &mut w);
    close(w[0], 0.999 - 1.0 * -3.0 / (30.0 + 1e-8));
    about(w[0], 1.099, 1e-8);
    // Plain Adam's default is 0: θ ≈ 1.1.
    assert_eq!(config(OptimizerKind::Adam, lr).weight_decay(), 0.0);
}

#[test]
fn adamw_amsgrad_two_parameters() {
    let (lr, wd, b1, b2, eps) = (0.05, 0.2, 0.8, 0.99, 1e-6);
    let mut cfg = config(OptimizerKind::Adamw, lr);
    cfg.weight_decay = Some(wd);
    cfg.beta1 = b1;
    cfg.beta2 = b2;
    cfg.eps = Some(eps);
    cfg.amsgrad = true;
    let mut opt = optimizer(&cfg);
    let mut p = [0.0, 2.0];
    let w =
        AdamByHand { lr, beta1: b1, beta2: b2, eps, wd, decoupled: true, amsgrad: true }.run(0.0, 3, |_, w| grad_w(w));
    let b =
        AdamByHand { lr, beta1: b1, beta2: b2, eps, wd, decoupled: true, amsgrad: true }.run(2.0, 3, |_, b| grad_b(b));
    for t in 0..3 {
        step_wb(&mut opt, &mut p);
        close(p[0], w[t]);
        close(p[1], b[t]);
    }
}

#[test]
fn adam_many_steps_bias_correction_settles() {
    // Past ~36 000 steps both bias corrections are exactly 1 in f64; the cached values must match recomputing.
    let lr = 1e-3;
    let mut cfg = config(OptimizerKind::Adam, lr);
    cfg.beta2 = 0.99;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let (mut m, mut v, mut expected) = (0.0, 0.0, 0.0_f64);
    for t in 1..=5000 {
        let g = step_w(&mut opt, &mut w);
        m = 0.9 * m + (1.0 - 0.9) * g;
        v = 0.99 * v + (1.0 - 0.99) * g * g;
        let bc1 = 1.0 - 0.9_f64.powf(t as f64);
        let bc2 = 1.0 - 0.99_f64.powf(t as f64);
        expected -= (lr / bc1) * m / (v.sqrt() / bc2.sqrt() + 1e-8);
        assert_eq!(w[0].to_bits(), expected.to_bits(), "step {t}");
    }
}

// ---------------------------------------------------------------------------------------------------------- f32

#[test]
fn f32_sgd_rounds_like_float32() {
    let lr = 0.01_f64 as f32;
    let mut opt = match Optimizer::<f32>::new(&config(OptimizerKind::Sgd, 0.01)) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let mut w = [0.0_f32];
    let mut expected = 0.0_f32;
    for _ in 0..20 {
        let g = 15.0_f32 * (w[0] - 3.0);
        opt.step(&mut w, &[g]);
        // torch's `p.add_(g, alpha=-lr)` rounds once in float32 (a fused multiply-add).
        expected = (-lr).mul_add(g, expected);
        assert_eq!(w[0].to_bits(), expected.to_bits());
    }
    // In float32, 0.01·45 rounds: the first step is 0.45f32, not the f64 0.45.
    let mut opt = match Optimizer::<f32>::new(&config(OptimizerKind::Sgd, 0.01)) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let mut w = [0.0_f32];
    opt.step(&mut w, &[-45.0]);
    assert_eq!(w[0], lr * 45.0_f32);
}

#[test]
fn f32_adam_matches_the_rule_in_float32() {
    let mut cfg = config(OptimizerKind::Adam, 0.1);
    cfg.weight_decay = Some(0.1);
    let mut opt = match Optimizer::<f32>::new(&cfg) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let mut w = [1.0_f32];
    // By hand in float32 as torch's kernels round; the scalars (1 − β, γ/bc₁, sqrt(bc₂)) come from f64, as torch
    // computes them in Python. `add(…, alpha)` and `addcmul` fuse their last multiply-add; `lerp` fuses too.
    let (b2, wd, eps) = (0.999_f64 as f32, 0.1_f64 as f32, 1e-8_f64 as f32);
    let (omb1, omb2) = ((1.0 - 0.9_f64) as f32, (1.0 - 0.999_f64) as f32);
    let (mut theta, mut m, mut v) = (1.0_f32, 0.0_f32, 0.0_f32);
    for t in 1..=3 {
        let g0 = 15.0_f32 * (w[0] - 3.0);
        opt.step(&mut w, &[g0]);
        let g = wd.mul_add(theta, g0);
        m = omb1.mul_add(g - m, m);
        v = (omb2 * g).mul_add(g, v * b2);
        let step_size = (0.1 / (1.0 - 0.9_f64.powf(t as f64))) as f32;
        let bc2_sqrt = (1.0 - 0.999_f64.powf(t as f64)).powf(0.5) as f32;
        theta -= step_size * m / (v.sqrt() / bc2_sqrt + eps);
        assert_eq!(w[0].to_bits(), theta.to_bits(), "step {t}");
    }
    // And it agrees with the f64 rule to float32 precision.
    let f64_rule = AdamByHand { wd: 0.1, ..adam_by_hand(0.1) }.run(1.0, 3, |_, w| grad_w(w));
    about(f64::from(w[0]), f64_rule[2], 1e-6);
}

// ------------------------------------------------------------------------------------- f32 against torch's float32

/// The optimizer configuration a fixture's header names (`# name=… kind=sgd bias=1 lr=0.01 momentum=0.9 …`).
fn fixture_config(header: &str) -> (String, bool, OptimizerConfig) {
    let mut cfg = OptimizerConfig::default();
    let (mut name, mut bias) = (String::new(), false);
    for field in header.trim_start_matches('#').split_whitespace() {
        let (key, value) = field.split_once('=').unwrap_or_else(|| panic!("bad field {field}"));
        let number = || value.parse::<f64>().unwrap_or_else(|_| panic!("bad number {field}"));
        match key {
            "name" => name = value.to_string(),
            "kind" => {
                cfg.kind = OptimizerKind::ALL.into_iter().find(|k| k.label().eq_ignore_ascii_case(value)).unwrap()
            }
            "bias" => bias = value == "1",
            "lr" => cfg.lr = number(),
            "momentum" => cfg.momentum = number(),
            "dampening" => cfg.dampening = number(),
            "nesterov" => cfg.nesterov = value == "1",
            "weight_decay" => cfg.weight_decay = Some(number()),
            "lr_decay" => cfg.lr_decay = number(),
            "initial_accumulator_value" => cfg.initial_accumulator_value = number(),
            "alpha" => cfg.alpha = number(),
            "centered" => cfg.centered = value == "1",
            "beta1" => cfg.beta1 = number(),
            "beta2" => cfg.beta2 = number(),
            "amsgrad" => cfg.amsgrad = value == "1",
            _ => panic!("unknown key {key}"),
        }
    }
    (name, bias, cfg)
}

/// descent's f32 autodiff runs equal torch's own float32 runs (torch 2.15, foreach=False, tests/fixtures/f32, made by
/// make_fixtures.py there) bit for bit: w, b, the loss and both gradients at every one of 200 steps, for every
/// optimizer variant, with and without a bias.
#[test]
fn f32_autodiff_runs_equal_torchs_float32_runs_bit_for_bit() {
    use descent::engine::Dataset;
    use descent::engine::settings::{GradientSource, Precision, Settings};
    use descent::engine::trainer::DynTrainer;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/f32");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && !p.ends_with("VERSIONS.txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 36, "18 configurations, with and without a bias");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let (name, bias, optimizer) = fixture_config(lines.next().unwrap());
        let settings = Settings {
            bias,
            precision: Precision::F32,
            gradient: GradientSource::Autodiff,
            optimizer,
            ..Settings::default()
        };
        let mut trainer = DynTrainer::new(&Dataset::notebook(), &settings).unwrap();
        let mut rows = vec![trainer.record()];
        trainer.run(200, |r| rows.push(*r));
        let expected: Vec<_> = lines.collect();
        assert_eq!(rows.len(), expected.len(), "{name}, bias {bias}: every step");
        for (row, line) in rows.iter().zip(expected) {
            let bits: Vec<u32> = line.split_whitespace().skip(1).map(|h| u32::from_str_radix(h, 16).unwrap()).collect();
            let ours = [row.params.w, row.params.b, row.loss, row.grad.w, row.grad.b].map(|v| (v as f32).to_bits());
            assert_eq!(ours, bits[..], "{name}, bias {bias}, step {}: [w, b, loss, ∂w, ∂b]", row.step);
        }
    }
}

// ---------------------------------------------------------------------------------------- changing settings mid-run

#[test]
fn reconfigure_keeps_sgd_momentum() {
    let (mu, lr1, lr2) = (0.9, 0.01, 0.02);
    let mut cfg = config(OptimizerKind::Sgd, lr1);
    cfg.momentum = mu;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let g1 = step_w(&mut opt, &mut w);
    let g2 = step_w(&mut opt, &mut w);
    let b2 = mu * g1 + g2;
    let w2 = w[0];

    // The learning-rate slider moves: same kind, so the buffer survives.
    cfg.lr = lr2;
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    assert_eq!(opt.steps_taken(), 2);
    let g3 = step_w(&mut opt, &mut w);
    let b3 = mu * b2 + g3;
    close(w[0], w2 - lr2 * b3);
    // A fresh optimizer would have taken b = g₃ instead.
    differ(w[0], w2 - lr2 * g3);
    assert_eq!(opt.steps_taken(), 3);
}

#[test]
fn set_hyperparameters_keeps_sgd_momentum() {
    let mut cfg = config(OptimizerKind::Sgd, 0.01);
    cfg.momentum = 0.9;
    let mut sgd = Sgd::<f64>::new(&cfg);
    let mut w = [0.0];
    sgd.step_observed(&mut w, &[-45.0], &mut ());
    cfg.lr = 0.1;
    cfg.momentum = 0.5;
    sgd.set_hyperparameters(&cfg);
    sgd.step_observed(&mut w, &[-38.25], &mut ());
    // b = 0.5·(−45) − 38.25 = −60.75; w = 0.45 + 6.075 = 6.525.
    close(w[0], 0.45 - 0.1 * (0.5 * -45.0 + -38.25));
    about(w[0], 6.525, 1e-14);
    assert_eq!(sgd.momentum_buffer(), Some([0.5 * -45.0 + -38.25, 0.0]));
    assert_eq!(sgd.steps_taken(), 2);
}

#[test]
fn reconfigure_keeps_adam_moments_and_step_count() {
    let mut cfg = config(OptimizerKind::Adam, 0.1);
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let g1 = step_w(&mut opt, &mut w);
    let g2 = step_w(&mut opt, &mut w);
    let w2 = w[0];
    cfg.lr = 0.05;
    cfg.beta1 = 0.5;
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    let g3 = step_w(&mut opt, &mut w);
    // The moments carry over (m with the old β₁ = 0.9), the new β₁ applies from step 3, bias corrections use t = 3.
    let m2 = 0.9 * (0.1 * g1) + 0.1 * g2;
    let v2 = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
    let m3 = 0.5 * m2 + 0.5 * g3;
    let v3 = 0.999 * v2 + 0.001 * g3 * g3;
    let bc1 = 1.0 - 0.5_f64.powf(3.0);
    let bc2 = 1.0 - 0.999_f64.powf(3.0);
    close(w[0], w2 - (0.05 / bc1) * m3 / (v3.sqrt() / bc2.sqrt() + 1e-8));
    assert_eq!(opt.steps_taken(), 3);
}

#[test]
fn adam_set_hyperparameters_keeps_moments() {
    let cfg = config(OptimizerKind::Adam, 0.1);
    let mut adam = Adam::<f64>::new(&cfg);
    adam.step_observed(&mut [0.0], &[-45.0], &mut ());
    let (m, v) = (adam.exp_avg(), adam.exp_avg_sq());
    adam.set_hyperparameters(&config(OptimizerKind::Adam, 0.5));
    assert_eq!(adam.exp_avg(), m);
    assert_eq!(adam.exp_avg_sq(), v);
    assert_eq!(adam.steps_taken(), 1);
    close(m[0], -4.5);
    close(v[0], 2.025);
}

#[test]
fn reconfigure_keeps_rmsprop_state() {
    let (alpha, eps, mu) = (0.99, 1e-8, 0.9);
    let mut cfg = config(OptimizerKind::Rmsprop, 0.01);
    cfg.momentum = mu;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let g1 = step_w(&mut opt, &mut w);
    let v1: f64 = (1.0 - alpha) * g1 * g1;
    let buf1 = g1 / (v1.sqrt() + eps);

    // A new learning rate keeps v and the momentum buffer.
    cfg.lr = 0.05;
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    let w1 = w[0];
    let g2 = step_w(&mut opt, &mut w);
    let v2 = alpha * v1 + (1.0 - alpha) * g2 * g2;
    let buf2 = mu * buf1 + g2 / (v2.sqrt() + eps);
    close(w[0], w1 - 0.05 * buf2);

    // Momentum off, then on again: the buffer restarts from 0 (v still carries over).
    cfg.momentum = 0.0;
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    let w2 = w[0];
    let g3 = step_w(&mut opt, &mut w);
    let v3 = alpha * v2 + (1.0 - alpha) * g3 * g3;
    close(w[0], w2 - 0.05 * g3 / (v3.sqrt() + eps));
    cfg.momentum = mu;
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    let w3 = w[0];
    let g4 = step_w(&mut opt, &mut w);
    let v4 = alpha * v3 + (1.0 - alpha) * g4 * g4;
    // buf = μ·0 + g / (sqrt(v) + ε).
    close(w[0], w3 - 0.05 * (g4 / (v4.sqrt() + eps)));
    assert_eq!(opt.steps_taken(), 4);
}

#[test]
fn switching_amsgrad_on_mid_run_starts_its_maximum_at_zero() {
    let seq = [-45.0, -38.25, -1.0];
    let mut cfg = config(OptimizerKind::Adam, 0.1);
    cfg.amsgrad = true;
    let mut adam = Adam::<f64>::new(&cfg);
    adam.step_observed(&mut [0.0], &[seq[0]], &mut ());
    adam.step_observed(&mut [0.0], &[seq[1]], &mut ());
    let vmax = adam.max_exp_avg_sq();
    close(vmax[0], adam.exp_avg_sq()[0]);
    cfg.amsgrad = false;
    adam.set_hyperparameters(&cfg);
    cfg.amsgrad = true;
    adam.set_hyperparameters(&cfg);
    adam.step_observed(&mut [0.0], &[seq[2]], &mut ());
    // The maximum restarted at 0, so it is the current v, below the old maximum.
    assert_eq!(adam.max_exp_avg_sq(), adam.exp_avg_sq());
    assert!(adam.max_exp_avg_sq()[0] < vmax[0]);
}

#[test]
fn reconfigure_to_another_kind_starts_fresh() {
    let mut cfg = config(OptimizerKind::Adam, 0.1);
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    step_w(&mut opt, &mut w);
    step_w(&mut opt, &mut w);

    // Adam → AdamW: fresh moments, t = 1 again.
    cfg.kind = OptimizerKind::Adamw;
    cfg.weight_decay = Some(0.0);
    assert_eq!(opt.reconfigure(&cfg), Ok(()));
    assert_eq!(opt.kind(), OptimizerKind::Adamw);
    assert_eq!(opt.steps_taken(), 0);
    let w2 = w[0];
    let g = step_w(&mut opt, &mut w);
    // A first Adam step moves by γ·m/(|m|/√… ) = γ·sign: exactly as a fresh optimizer from w₂.
    close(w[0], w2 - (0.1 / 0.1) * (0.1 * g) / ((0.001 * g * g).sqrt() / 0.001_f64.sqrt() + 1e-8));

    // AdamW → SGD with momentum: the first step takes the raw gradient.
    let mut sgd = config(OptimizerKind::Sgd, 0.01);
    sgd.momentum = 0.9;
    assert_eq!(opt.reconfigure(&sgd), Ok(()));
    assert_eq!(opt.kind(), OptimizerKind::Sgd);
    assert_eq!(opt.steps_taken(), 0);
    let w3 = w[0];
    let g = step_w(&mut opt, &mut w);
    close(w[0], w3 - 0.01 * g);

    for kind in OptimizerKind::ALL.into_iter().chain(OptimizerKind::ALL.into_iter().rev()) {
        let (same, before) = (opt.kind() == kind, opt.steps_taken());
        assert_eq!(opt.reconfigure(&config(kind, 0.01)), Ok(()));
        assert_eq!(opt.kind(), kind);
        let mut p = [1.0, 2.0];
        step_wb(&mut opt, &mut p);
        assert_eq!(opt.steps_taken(), if same { before + 1 } else { 1 });
        assert!(p[0].is_finite() && p[1].is_finite());
    }
}

#[test]
fn reconfigure_rejects_and_keeps_going() {
    let mut cfg = config(OptimizerKind::Sgd, 0.01);
    cfg.momentum = 0.9;
    let mut opt = optimizer(&cfg);
    let mut w = [0.0];
    let g1 = step_w(&mut opt, &mut w);
    let mut bad = cfg.clone();
    bad.lr = -1.0;
    assert!(matches!(opt.reconfigure(&bad), Err(ConfigError::Invalid { name: "--lr", .. })));
    assert_eq!(opt.steps_taken(), 1);
    let g2 = step_w(&mut opt, &mut w);
    close(w[0], 0.0 - 0.01 * g1 - 0.01 * (0.9 * g1 + g2));
}

// ------------------------------------------------------------------------------------------------ validation

#[track_caller]
fn assert_invalid(cfg: &OptimizerConfig, option: &str) {
    match cfg.validate() {
        Err(ConfigError::Invalid { name, reason, .. }) => {
            assert_eq!(name, option);
            assert!(!reason.is_empty());
        }
        other => panic!("expected {option} to be rejected, got {other:?}"),
    }
    match Optimizer::<f64>::new(cfg) {
        Err(ConfigError::Invalid { name, .. }) => assert_eq!(name, option),
        other => panic!("Optimizer::<f64>::new accepted a bad {option}: {other:?}"),
    }
    assert!(Optimizer::<f32>::new(cfg).is_err());
}

fn with(kind: OptimizerKind, set: impl FnOnce(&mut OptimizerConfig)) -> OptimizerConfig {
    let mut cfg = config(kind, 0.01);
    set(&mut cfg);
    cfg
}

#[test]
fn validate_rejects_what_torch_rejects() {
    use OptimizerKind as K;
    assert_invalid(&with(K::Sgd, |c| c.lr = -0.01), "--lr");
    assert_invalid(&with(K::Adam, |c| c.eps = Some(-1e-8)), "--eps");
    assert_invalid(&with(K::Adagrad, |c| c.eps = Some(-1e-10)), "--eps");
    assert_invalid(&with(K::Sgd, |c| c.momentum = -0.1), "--momentum");
    assert_invalid(&with(K::Rmsprop, |c| c.momentum = -0.1), "--momentum");
    assert_invalid(&with(K::Sgd, |c| c.weight_decay = Some(-0.1)), "--weight-decay");
    assert_invalid(&with(K::Adamw, |c| c.weight_decay = Some(-0.01)), "--weight-decay");
    assert_invalid(&with(K::Adam, |c| c.beta1 = 1.0), "--beta1");
    assert_invalid(&with(K::Adam, |c| c.beta1 = -0.1), "--beta1");
    assert_invalid(&with(K::Adamw, |c| c.beta2 = 1.0), "--beta2");
    assert_invalid(&with(K::Adam, |c| c.beta2 = -0.5), "--beta2");
    assert_invalid(&with(K::Rmsprop, |c| c.alpha = -0.01), "--alpha");
    assert_invalid(&with(K::Adagrad, |c| c.lr_decay = -0.1), "--lr-decay");
    assert_invalid(&with(K::Adagrad, |c| c.initial_accumulator_value = -1.0), "--initial-accumulator-value");
}

#[test]
fn validate_rejects_non_finite_values() {
    use OptimizerKind as K;
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_invalid(&with(K::Sgd, |c| c.lr = bad), "--lr");
        assert_invalid(&with(K::Sgd, |c| c.momentum = bad), "--momentum");
        assert_invalid(&with(K::Sgd, |c| c.dampening = bad), "--dampening");
        assert_invalid(&with(K::Sgd, |c| c.weight_decay = Some(bad)), "--weight-decay");
        assert_invalid(&with(K::Adagrad, |c| c.lr_decay = bad), "--lr-decay");
        assert_invalid(&with(K::Adagrad, |c| c.initial_accumulator_value = bad), "--initial-accumulator-value");
        assert_invalid(&with(K::Rmsprop, |c| c.alpha = bad), "--alpha");
        assert_invalid(&with(K::Adam, |c| c.beta1 = bad), "--beta1");
        assert_invalid(&with(K::Adam, |c| c.beta2 = bad), "--beta2");
        assert_invalid(&with(K::Adam, |c| c.eps = Some(bad)), "--eps");
    }
    match with(K::Sgd, |c| c.lr = f64::NAN).validate() {
        Err(ConfigError::Invalid { reason, .. }) => assert_eq!(reason, "must be finite"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn validate_rejects_nesterov_without_momentum_or_with_dampening() {
    const MESSAGE: &str = "--nesterov requires --momentum > 0 and --dampening 0";
    let no_momentum = with(OptimizerKind::Sgd, |c| c.nesterov = true);
    assert_eq!(no_momentum.validate(), Err(ConfigError::Conflict(MESSAGE)));
    assert!(matches!(Optimizer::<f64>::new(&no_momentum), Err(ConfigError::Conflict(MESSAGE))));
    let dampened = with(OptimizerKind::Sgd, |c| {
        c.nesterov = true;
        c.momentum = 0.9;
        c.dampening = 0.1;
    });
    assert_eq!(dampened.validate(), Err(ConfigError::Conflict(MESSAGE)));
    assert_eq!(ConfigError::Conflict(MESSAGE).to_string(), MESSAGE);
}

#[test]
fn validate_accepts_torch_edge_values() {
    use OptimizerKind as K;
    for cfg in [
        with(K::Sgd, |c| c.lr = 0.0),
        with(K::Sgd, |c| {
            c.nesterov = true;
            c.momentum = 0.9;
        }),
        with(K::Sgd, |c| c.dampening = 1.0),
        with(K::Adam, |c| {
            c.beta1 = 0.0;
            c.beta2 = 0.0;
            c.eps = Some(0.0);
        }),
        with(K::Rmsprop, |c| c.alpha = 0.0),
        // Nesterov is SGD's alone: the other optimizers ignore the flag.
        with(K::Adam, |c| c.nesterov = true),
    ] {
        assert_eq!(cfg.validate(), Ok(()), "{cfg:?}");
        assert!(Optimizer::<f64>::new(&cfg).is_ok());
    }
    for kind in OptimizerKind::ALL {
        assert_eq!(config(kind, 0.01).validate(), Ok(()));
    }
}

#[test]
fn invalid_message_names_the_option() {
    let err = with(OptimizerKind::Sgd, |c| c.lr = -1.0).validate();
    match err {
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("--lr") && text.contains("-1"), "{text}");
        }
        Ok(()) => panic!("accepted"),
    }
}

#[test]
fn mismatched_or_empty_slices_do_not_panic() {
    for kind in OptimizerKind::ALL {
        let mut opt = optimizer(&config(kind, 0.01));
        opt.step(&mut [], &[]);
        opt.step(&mut [1.0], &[1.0, 2.0]);
        opt.step(&mut [1.0, 2.0], &[1.0]);
        opt.step(&mut [1.0, 2.0], &[1.0, 2.0]);
        assert_eq!(opt.steps_taken(), 4);
    }
}

/// Every optimizer variant the ledger explains: (label, config).
fn ledger_configs() -> Vec<(&'static str, OptimizerConfig)> {
    use OptimizerKind::*;
    let with = |kind, lr, f: &dyn Fn(&mut OptimizerConfig)| {
        let mut c = config(kind, lr);
        f(&mut c);
        c
    };
    vec![
        ("sgd", config(Sgd, 0.01)),
        (
            "sgd momentum dampening decay",
            with(Sgd, 0.01, &|c| (c.momentum, c.dampening, c.weight_decay) = (0.9, 0.1, Some(0.05))),
        ),
        ("sgd nesterov", with(Sgd, 0.01, &|c| (c.momentum, c.nesterov) = (0.8, true))),
        (
            "adagrad decay",
            with(Adagrad, 0.5, &|c| (c.lr_decay, c.weight_decay, c.initial_accumulator_value) = (0.1, Some(0.01), 0.3)),
        ),
        ("rmsprop", config(Rmsprop, 0.01)),
        (
            "rmsprop centered momentum",
            with(Rmsprop, 0.01, &|c| (c.centered, c.momentum, c.weight_decay) = (true, 0.5, Some(0.02))),
        ),
        ("adam", config(Adam, 0.05)),
        ("adam amsgrad decay", with(Adam, 0.05, &|c| (c.amsgrad, c.weight_decay) = (true, Some(0.1)))),
        ("adamw", config(Adamw, 0.05)),
    ]
}

/// The ledger re-runs each step with the optimizer's own code from the history row's state: its result, and the
/// last number it prints, equal the run's next row bit for bit, for every optimizer, with and without a bias, in
/// both precisions and with mini-batches.
#[test]
fn ledger_results_equal_the_next_row_bit_for_bit() {
    use descent::engine::Dataset;
    use descent::engine::schedule::{ScheduleConfig, ScheduleKind};
    use descent::engine::settings::{Precision, Settings};
    use descent::engine::trainer::DynTrainer;
    let data = Dataset::notebook();
    let constant = ScheduleConfig::default();
    let mut cases: Vec<_> = ledger_configs().into_iter().map(|(label, o)| (label, o, constant.clone())).collect();
    // Under a schedule, the row carries the lr (and OneCycleLR's momentum or β₁) its update used.
    let onecycle =
        ScheduleConfig { max_lr: Some(0.3), total_steps: Some(25), ..ScheduleConfig::new(ScheduleKind::Onecycle) };
    let cosine = ScheduleConfig { t_max: Some(7), eta_min: 0.001, ..ScheduleConfig::new(ScheduleKind::Cosine) };
    let plateau = ScheduleConfig { patience: 1, factor: 0.5, ..ScheduleConfig::new(ScheduleKind::Plateau) };
    cases.push(("onecycle adam", config(OptimizerKind::Adam, 0.01), onecycle.clone()));
    cases.push(("onecycle adamw", config(OptimizerKind::Adamw, 0.01), onecycle.clone()));
    cases.push(("onecycle rmsprop", config(OptimizerKind::Rmsprop, 0.01), onecycle));
    let mut momentum = config(OptimizerKind::Sgd, 0.02);
    momentum.momentum = 0.9;
    cases.push(("cosine sgd momentum", momentum, cosine));
    cases.push(("plateau adam", config(OptimizerKind::Adam, 0.5), plateau));
    // CyclicLR cycles SGD's momentum; a warm-up hands over to StepLR at its milestone.
    let cyclic = ScheduleConfig {
        base_lr: Some(0.002),
        max_lr: Some(0.03),
        step_size_up: 4,
        ..ScheduleConfig::new(ScheduleKind::Cyclic)
    };
    cases.push(("cyclic sgd", config(OptimizerKind::Sgd, 0.01), cyclic));
    let warm_step =
        ScheduleConfig { step_size: Some(3), warmup_iters: Some(4), ..ScheduleConfig::new(ScheduleKind::Step) };
    cases.push(("warm-up step adam", config(OptimizerKind::Adam, 0.1), warm_step));
    // Newton (its Hessian recomputed from the row) and the Armijo line search (its t re-run from the row).
    cases.push(("newton", config(OptimizerKind::Newton, 1.0), constant.clone()));
    cases.push(("newton damped", config(OptimizerKind::Newton, 0.3), constant.clone()));
    let mut armijo = config(OptimizerKind::Sgd, 1.0);
    armijo.line_search = descent::engine::optim::LineSearch::Armijo;
    cases.push(("armijo", armijo, constant.clone()));
    for (label, optimizer, schedule) in cases {
        for (bias, precision, batch_size) in [
            (false, Precision::F64, None),
            (true, Precision::F64, None),
            (false, Precision::F32, None),
            (true, Precision::F32, Some(2)),
        ] {
            let settings = Settings {
                bias,
                precision,
                batch_size,
                optimizer: optimizer.clone(),
                schedule: schedule.clone(),
                b0: 0.5,
                ..Settings::default()
            };
            let mut trainer = DynTrainer::new(&data, &settings).unwrap();
            for _ in 0..25 {
                let row = trainer.row();
                let ledger = descent::ledger::explain(&data, &settings, &row).unwrap();
                trainer.step();
                let next = trainer.record();
                assert_eq!(next.step, row.step + 1, "{label}: the run keeps going");
                let case = format!("{label}, bias {bias}, {precision:?}, batch {batch_size:?}, step {}", row.step);
                if schedule.is_active() {
                    let lr = descent::format::compact(row.scheduled.lr);
                    assert!(ledger.title.contains(&format!("lr {lr} (")), "{case}: the title shows the lr used");
                }
                assert_eq!(ledger.result.w.to_bits(), next.params.w.to_bits(), "{case}: w");
                assert_eq!(ledger.result.b.to_bits(), next.params.b.to_bits(), "{case}: b");
                for block in &ledger.blocks {
                    let last = block.lines.last().unwrap();
                    let text = ledger.line_text(last);
                    let without_note = text.split("   (").next().unwrap();
                    let printed = without_note.rsplit(" = ").next().unwrap();
                    let want = if block.param == "w" { next.params.w } else { next.params.b };
                    let parsed: f64 = if precision == Precision::F32 {
                        f64::from(printed.parse::<f32>().unwrap())
                    } else {
                        printed.parse().unwrap()
                    };
                    assert_eq!(parsed.to_bits(), want.to_bits(), "{case}: the ledger prints {text}");
                }
            }
        }
    }
}

/// Objectives: the first steps on Rosenbrock and the saddle against the optimizers' rules worked out by hand, the
/// saddle's stall and its noisy escape, and the ledger equal to the next row bit for bit.
mod objectives {
    use descent::engine::objective::Objective;
    use descent::engine::optim::{OptimizerConfig, OptimizerKind};
    use descent::engine::settings::{GradientSource, Precision, Settings};
    use descent::engine::trainer::{Divergence, DynTrainer, Status};
    use descent::engine::{Dataset, Params};

    use super::close;

    fn settings(name: &str, kind: OptimizerKind, lr: f64, start: Option<(f64, f64)>) -> Settings {
        let mut s = Settings { optimizer: OptimizerConfig::new(kind, lr), ..Settings::default() };
        s.set_objective(Some(Objective::parse(name).unwrap()), true);
        if let Some((w, b)) = start {
            (s.w0, s.b0) = (w, b);
        }
        s
    }

    fn run(s: &Settings, steps: usize) -> Vec<Params<f64>> {
        let mut t = DynTrainer::new(&Dataset::notebook(), s).unwrap();
        let mut out = vec![t.record().params];
        for _ in 0..steps {
            t.step();
            out.push(t.record().params);
        }
        out
    }

    /// ∇ of (1 − w)² + 100·(b − w²)², by hand.
    fn rosenbrock_grad(p: Params<f64>) -> [f64; 2] {
        [-2.0 * (1.0 - p.w) - 400.0 * p.w * (p.b - p.w * p.w), 200.0 * (p.b - p.w * p.w)]
    }

    #[test]
    fn sgd_on_rosenbrock_follows_the_rule() {
        let path = run(&settings("rosenbrock", OptimizerKind::Sgd, 1e-3, None), 5);
        assert_eq!(path[0], Params { w: -1.2, b: 1.0 }, "the classic start");
        // Step 1 by hand: ∇f(−1.2, 1) = (−215.6, −88), so (−1.2 + 0.2156, 1 + 0.088).
        close(path[1].w, -0.9844);
        close(path[1].b, 1.088);
        for k in 1..5 {
            let g = rosenbrock_grad(path[k]);
            close(path[k + 1].w, path[k].w - 1e-3 * g[0]);
            close(path[k + 1].b, path[k].b - 1e-3 * g[1]);
        }
    }

    #[test]
    fn momentum_and_adam_on_rosenbrock_follow_their_rules() {
        let mut s = settings("rosenbrock", OptimizerKind::Sgd, 1e-3, None);
        s.optimizer.momentum = 0.9;
        let path = run(&s, 2);
        // buf₁ = g₀; buf₂ = 0.9·g₀ + g₁.
        let g0 = rosenbrock_grad(path[0]);
        let g1 = rosenbrock_grad(path[1]);
        for i in 0..2 {
            let p = |k: usize| if i == 0 { path[k].w } else { path[k].b };
            close(p(1), p(0) - 1e-3 * g0[i]);
            close(p(2), p(1) - 1e-3 * (0.9 * g0[i] + g1[i]));
        }
        // Adam's first step: m̂ = g, v̂ = g², so each parameter moves lr·g/(|g| + ε) (ε folded as torch does).
        let path = run(&settings("rosenbrock", OptimizerKind::Adam, 0.1, None), 1);
        about_step(path[1].w, -1.2, -215.6, 0.1);
        about_step(path[1].b, 1.0, -88.0, 0.1);
    }

    /// θ − lr·g/(|g| + ε), to 1e-12.
    #[track_caller]
    fn about_step(actual: f64, theta: f64, g: f64, lr: f64) {
        let expected = theta - lr * g / (g.abs() + 1e-8);
        assert!((actual - expected).abs() <= 1e-12, "{actual} vs {expected}");
    }

    #[test]
    fn gd_on_the_saddle_contracts_w_and_expands_b() {
        // ∇(w² − b²) = (2w, −2b): w ← 0.8·w, b ← 1.2·b at lr 0.1.
        let path = run(&settings("saddle", OptimizerKind::Sgd, 0.1, Some((1.0, 0.5))), 10);
        let (mut w, mut b) = (1.0f64, 0.5f64);
        for p in &path {
            assert_eq!((p.w, p.b), (w, b));
            (w, b) = (w - 0.1 * (2.0 * w), b - 0.1 * (-2.0 * b));
        }
    }

    #[test]
    fn gd_stalls_at_the_saddle_and_noise_escapes_to_divergence() {
        let s = settings("saddle", OptimizerKind::Sgd, 0.1, None);
        assert_eq!((s.w0, s.b0), (1.0, 0.0), "the saddle starts on its stable axis");
        let mut t = DynTrainer::new(&Dataset::notebook(), &s).unwrap();
        let status = t.run(400, |_| {});
        assert_eq!(status, Status::Running);
        assert_eq!(t.record().params.b, 0.0, "b = 0 exactly: GD never leaves the axis");
        assert!(t.record().params.w.abs() < 1e-30, "w → 0: GD stalls at the saddle");
        let noisy = Settings { noise: 0.01, seed: 7, ..s.clone() };
        let mut t = DynTrainer::new(&Dataset::notebook(), &noisy).unwrap();
        let status = t.run(2000, |_| {});
        assert!(matches!(status, Status::Diverged { why: Divergence::Unbounded, .. }), "{status:?}");
        assert!(t.record().loss < -1e12);
        // The same seed gives the same path; another seed another one.
        let again = run(&noisy, 50);
        assert_eq!(again, run(&noisy, 50));
        assert_ne!(again, run(&Settings { seed: 8, ..noisy }, 50));
    }

    #[test]
    fn numeric_and_f32_objectives_run() {
        let mut s = settings("himmelblau", OptimizerKind::Sgd, 0.01, None);
        s.gradient = GradientSource::Numeric;
        let mut t = DynTrainer::new(&Dataset::notebook(), &s).unwrap();
        t.run(2000, |_| {});
        let p = t.record().params;
        assert!((p.w - 3.0).abs() < 1e-6 && (p.b - 2.0).abs() < 1e-6, "the origin descends to (3, 2): {p:?}");
        s.precision = Precision::F32;
        s.gradient = GradientSource::Autodiff;
        let mut t = DynTrainer::new(&Dataset::notebook(), &s).unwrap();
        t.run(2000, |_| {});
        assert!((t.record().params.w - 3.0).abs() < 1e-5);
    }

    #[test]
    fn ledger_results_equal_the_next_row_bit_for_bit_on_objectives() {
        let data = Dataset::notebook();
        for (label, optimizer) in super::ledger_configs() {
            for (name, precision, noise) in [
                ("rosenbrock", Precision::F64, 0.0),
                ("saddle", Precision::F32, 0.3),
                ("sin(w)*b^2", Precision::F64, 0.1),
            ] {
                let mut s = Settings { optimizer: optimizer.clone(), precision, noise, ..Settings::default() };
                s.set_objective(Some(Objective::parse(name).unwrap()), true);
                s.optimizer.lr = s.optimizer.lr.min(1e-3);
                let mut trainer = DynTrainer::new(&data, &s).unwrap();
                for _ in 0..15 {
                    let row = trainer.row();
                    let ledger = descent::ledger::explain(&data, &s, &row).unwrap();
                    assert!(ledger.gradient[0].lhs == "f", "{label}: the ledger shows f");
                    trainer.step();
                    let next = trainer.record();
                    let case = format!("{label}, {name}, {precision:?}, step {}", row.step);
                    assert_eq!(ledger.result.w.to_bits(), next.params.w.to_bits(), "{case}: w");
                    assert_eq!(ledger.result.b.to_bits(), next.params.b.to_bits(), "{case}: b");
                }
            }
        }
    }
}
