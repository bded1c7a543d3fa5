//! Properties that must hold on any data: plain GD below the critical lr never raises an MSE loss, autodiff
//! equals the analytic gradient, finite differences agree, and a seed fixes a stochastic trajectory.

use descent::engine::analysis::analyze;
use descent::engine::autodiff::LossGraph;
use descent::engine::gradient::Problem;
use descent::engine::loss::Loss;
use descent::engine::trainer::{DynTrainer, Status};
use descent::engine::{Dataset, GradientSource, LossKind, OptimizerConfig, OptimizerKind, Params, Precision, Settings};
use proptest::prelude::*;

fn dataset() -> impl Strategy<Value = Dataset> {
    (2usize..24).prop_flat_map(|n| {
        (prop::collection::vec(-10.0f64..10.0, n), prop::collection::vec(-20.0f64..20.0, n)).prop_filter_map(
            "x not all equal",
            |(x, y)| {
                let spread = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                    - x.iter().cloned().fold(f64::INFINITY, f64::min);
                (spread > 0.5).then(|| Dataset::new(x, y, "random").ok()).flatten()
            },
        )
    })
}

fn loss_kind() -> impl Strategy<Value = LossKind> {
    prop_oneof![Just(LossKind::Mse), Just(LossKind::Mae), Just(LossKind::Huber)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn gd_below_the_critical_lr_never_raises_the_loss(
        data in dataset(), bias in any::<bool>(), frac in 0.01f64..0.99, w0 in -10.0f64..10.0, b0 in -10.0f64..10.0,
        source in prop_oneof![Just(GradientSource::Analytic), Just(GradientSource::NotebookSum)],
    ) {
        let mut settings = Settings { bias, w0, b0, gradient: source, ..Settings::default() };
        let an = analyze(&data, &settings, Params::default());
        let lr = frac * an.critical_lr.unwrap();
        settings.optimizer = OptimizerConfig::new(OptimizerKind::Sgd, lr);
        let mut t = DynTrainer::new(&data, &settings).unwrap();
        let start = t.record().loss;
        let mut prev = start;
        let status = t.run(300, |r| {
            // Rounding may wiggle the last bits once the loss sits at its minimum.
            assert!(r.loss <= prev + 1e-12 * start.max(1.0), "loss rose from {prev} to {} at step {}", r.loss, r.step);
            prev = r.loss;
        });
        let diverged = matches!(status, Status::Diverged { .. });
        prop_assert!(!diverged, "diverged below the critical lr");
    }

    #[test]
    fn autodiff_equals_analytic(
        data in dataset(), bias in any::<bool>(), loss in loss_kind(), w in -10.0f64..10.0, b in -10.0f64..10.0,
        delta in 0.1f64..5.0,
    ) {
        let settings = Settings { bias, loss, huber_delta: delta, ..Settings::default() };
        let problem = Problem::<f64>::new(&data, &settings);
        let p = Params { w, b: if bias { b } else { 0.0 } };
        let analytic = problem.evaluate(p, GradientSource::Analytic);
        let graph = LossGraph::record(problem.x(), problem.y(), p, bias, Loss::new(loss, delta));
        // Scale of the summed terms: the error bound of any summation order.
        let scale: f64 = data.x.iter().map(|x| (x.abs() + 1.0) * 40.0).sum::<f64>() / data.len() as f64;
        prop_assert!((graph.grad().w - analytic.grad.w).abs() <= 1e-12 * scale, "{:?} vs {:?}", graph.grad(), analytic.grad);
        prop_assert!((graph.grad().b - analytic.grad.b).abs() <= 1e-12 * scale);
        prop_assert!((graph.loss_value() - analytic.loss).abs() <= 1e-12 * analytic.loss.max(1.0));
    }

    #[test]
    fn numeric_agrees_with_analytic(data in dataset(), bias in any::<bool>(), w in -10.0f64..10.0, b in -10.0f64..10.0) {
        // MSE is smooth everywhere (MAE and Huber have kinks where finite differences straddle a corner).
        let settings = Settings { bias, ..Settings::default() };
        let problem = Problem::<f64>::new(&data, &settings);
        let p = Params { w, b: if bias { b } else { 0.0 } };
        let a = problem.evaluate(p, GradientSource::Analytic).grad;
        let n = problem.evaluate(p, GradientSource::Numeric).grad;
        let scale = a.norm().max(problem.loss(p).sqrt()).max(1.0);
        prop_assert!((a.w - n.w).abs() <= 1e-6 * scale && (a.b - n.b).abs() <= 1e-6 * scale, "{a:?} vs {n:?}");
    }

    #[test]
    fn notebook_sum_is_n_times_analytic(data in dataset(), bias in any::<bool>(), loss in loss_kind(), w in -5.0f64..5.0) {
        let settings = Settings { bias, loss, ..Settings::default() };
        let problem = Problem::<f64>::new(&data, &settings);
        let p = Params { w, b: 0.25 };
        let a = problem.evaluate(p, GradientSource::Analytic).grad;
        let s = problem.evaluate(p, GradientSource::NotebookSum).grad;
        let n = data.len() as f64;
        prop_assert!((s.w - n * a.w).abs() <= 1e-12 * (n * a.w.abs()).max(1.0));
    }

    #[test]
    fn the_same_seed_gives_the_same_trajectory(
        seed in any::<u64>(), batch in 1usize..6, precision in prop_oneof![Just(Precision::F32), Just(Precision::F64)],
        kind in prop_oneof![Just(OptimizerKind::Sgd), Just(OptimizerKind::Adam), Just(OptimizerKind::Rmsprop)],
    ) {
        let data = Dataset::preset("noisy").unwrap();
        let settings = Settings {
            batch_size: Some(batch), seed, precision, bias: true,
            optimizer: OptimizerConfig::new(kind, 0.005), ..Settings::default()
        };
        let run = || {
            let mut t = DynTrainer::new(&data, &settings).unwrap();
            let mut rows = Vec::new();
            t.run(60, |r| rows.push(*r));
            rows
        };
        let (a, b) = (run(), run());
        prop_assert_eq!(&a, &b);
        let other = Settings { seed: seed.wrapping_add(1), ..settings.clone() };
        let mut t = DynTrainer::new(&data, &other).unwrap();
        let mut c = Vec::new();
        t.run(60, |r| c.push(*r));
        prop_assert_ne!(a, c);
    }
}

#[test]
fn seeded_trajectory_is_pinned_across_machines() {
    // ChaCha8 and our own Fisher–Yates fix the batch order on every platform: the first batches of seed 42 are
    // pinned so that a change in either shows up here.
    let mut b = descent::engine::batch::Batcher::new(10, 4, 42);
    let first: Vec<Vec<usize>> = (0..3).map(|_| b.next_batch().to_vec()).collect();
    let mut again = descent::engine::batch::Batcher::new(10, 4, 42);
    assert_eq!(first[0], again.next_batch().to_vec());
    let mut all: Vec<usize> = first.concat();
    all.sort_unstable();
    assert_eq!(all, (0..10).collect::<Vec<_>>(), "one epoch covers every sample once: {first:?}");
    assert_eq!(first[2].len(), 2, "the last batch of an epoch is smaller");
}

/// The tape's gradient of the expression `text` at `p` against central differences of its value: a wider step than
/// the engine's, and Richardson's combination of two central differences (error O(h⁴)).
fn gradient_matches_central_differences(text: &str, p: Params<f64>) -> Result<(), TestCaseError> {
    use descent::engine::objective::Objective;
    let o = Objective::parse(text).unwrap();
    let g = o.graph(p).grad();
    for i in 0..2 {
        let h = 1e-3;
        let at = |d: f64| {
            let mut q = p;
            q.set(i, q.get(i) + d);
            o.value(q)
        };
        let d1 = (at(h) - at(-h)) / (2.0 * h);
        let d2 = (at(h / 2.0) - at(-h / 2.0)) / h;
        let numeric = (4.0 * d2 - d1) / 3.0;
        let scale = 1.0 + g.get(i).abs() + o.value(p).abs();
        prop_assert!((g.get(i) - numeric).abs() <= 1e-5 * scale, "{text} at {p:?}: ∂{i} {} vs {numeric}", g.get(i));
    }
    Ok(())
}

/// A random expression in w and b whose derivatives exist everywhere: sums, products and quotients by
/// 1 + (…)², integer and variable powers of positive bases, and bounded elementary functions.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![Just("w".to_string()), Just("b".to_string()), (0.5f64..3.0).prop_map(|c| format!("{c:.3}"))];
    leaf.prop_recursive(3, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} / (1 + ({b})^2))")),
            inner.clone().prop_map(|a| format!("-({a})^2")),
            inner.clone().prop_map(|a| format!("({a})^3")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(2 + sin({a}))^cos({b})")),
            inner.clone().prop_map(|a| format!("sin({a})")),
            inner.clone().prop_map(|a| format!("cos({a})")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
            inner.clone().prop_map(|a| format!("exp(tanh({a}))")),
            inner.clone().prop_map(|a| format!("log(2 + cos({a}))")),
            inner.clone().prop_map(|a| format!("sqrt(1 + ({a})^2)")),
            inner.prop_map(|a| format!("tan(tanh({a}))")),
        ]
    })
}

proptest! {
    // A fixed seed: the same 64 expressions on every run and machine (a random draw can land on a rapidly
    // oscillating one whose central differences, not its gradient, are off), never a flaky CI.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0001),
        ..ProptestConfig::default()
    })]

    /// The tape's gradient of any expression agrees with central differences of its value.
    #[test]
    fn autodiff_of_random_expressions_matches_central_differences(
        text in expression(), w in -2.0f64..2.0, b in -2.0f64..2.0,
    ) {
        gradient_matches_central_differences(&text, Params { w, b })?;
    }
}

/// A random expression over the functions added after [`expression`]'s (sinh cosh asin acos atan sigmoid softplus
/// log1p expm1 relu), with arguments kept inside their domains, among sums, products and quotients.
fn expression_with_new_functions() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![Just("w".to_string()), Just("b".to_string()), (0.5f64..3.0).prop_map(|c| format!("{c:.3}"))];
    leaf.prop_recursive(3, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} / (1 + ({b})^2))")),
            inner.clone().prop_map(|a| format!("sinh(tanh({a}))")),
            inner.clone().prop_map(|a| format!("cosh(tanh({a}))")),
            inner.clone().prop_map(|a| format!("asin(0.9*tanh({a}))")),
            inner.clone().prop_map(|a| format!("acos(0.9*tanh({a}))")),
            inner.clone().prop_map(|a| format!("atan({a})")),
            inner.clone().prop_map(|a| format!("sigmoid({a})")),
            inner.clone().prop_map(|a| format!("softplus({a})")),
            inner.clone().prop_map(|a| format!("log1p(({a})^2)")),
            inner.clone().prop_map(|a| format!("expm1(tanh({a}))")),
            inner.prop_map(|a| format!("relu({a} - 0.25)")),
        ]
    })
}

proptest! {
    // A fixed seed, as above: the same 64 expressions on every run and machine.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0002),
        ..ProptestConfig::default()
    })]

    /// The tape's gradient of any expression in the new functions agrees with central differences of its value.
    #[test]
    fn autodiff_of_the_new_functions_matches_central_differences(
        text in expression_with_new_functions(), w in -2.0f64..2.0, b in -2.0f64..2.0,
    ) {
        gradient_matches_central_differences(&text, Params { w, b })?;
    }
}
