//! Plain gradient descent on the notebook's problem against its closed forms.
//!
//! L(w) = mean((y − w·x)²) = 7.5·(w − 3)² for X = [1, 2, 3, 4], Y = 3X, so ∇L = 15(w − 3) and
//! w_k = 3 − 3·(1 − 15·lr)^k. The notebook's summed gradient is 4 × that: w_k = 3 − 3·(1 − 60·lr)^k.

mod common;

use common::{descent, stderr, stdout};
use descent::engine::analysis::analyze;
use descent::engine::trainer::{DynTrainer, Status};
use descent::engine::{Dataset, GradientSource, OptimizerConfig, OptimizerKind, Params, Settings};

fn settings(gradient: GradientSource, lr: f64) -> Settings {
    Settings { gradient, optimizer: OptimizerConfig::new(OptimizerKind::Sgd, lr), ..Settings::default() }
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1.0), "{what}: got {got}, want {want}");
}

#[test]
fn true_gradient_follows_the_closed_form() {
    for lr in [0.001, 0.01, 0.05, 0.1, 0.13] {
        let mut t = DynTrainer::new(&Dataset::notebook(), &settings(GradientSource::Analytic, lr)).unwrap();
        let mut k = 0;
        t.run(200, |r| {
            k += 1;
            assert_close(r.params.w, 3.0 - 3.0 * (1.0 - 15.0 * lr).powi(k), 1e-12, &format!("lr {lr}, step {k}"));
        });
        assert_eq!(k, 200);
    }
}

#[test]
fn notebook_sum_follows_the_closed_form() {
    for lr in [0.001, 0.01, 0.02, 0.03] {
        let mut t = DynTrainer::new(&Dataset::notebook(), &settings(GradientSource::NotebookSum, lr)).unwrap();
        let mut k = 0;
        t.run(150, |r| {
            k += 1;
            assert_close(r.params.w, 3.0 - 3.0 * (1.0 - 60.0 * lr).powi(k), 1e-12, &format!("lr {lr}, step {k}"));
        });
    }
}

#[test]
fn every_source_follows_the_same_path_with_the_true_gradient() {
    for source in [GradientSource::Autodiff, GradientSource::Numeric] {
        let mut t = DynTrainer::new(&Dataset::notebook(), &settings(source, 0.01)).unwrap();
        let mut k = 0;
        t.run(50, |r| {
            k += 1;
            assert_close(r.params.w, 3.0 - 3.0 * 0.85f64.powi(k), 1e-7, &format!("{source:?} step {k}"));
        });
    }
}

#[test]
fn divergence_boundary_is_two_over_fifteen() {
    let an = analyze(&Dataset::notebook(), &Settings::default(), Params::default());
    assert_close(an.critical_lr.unwrap(), 2.0 / 15.0, 1e-15, "critical lr");
    assert_close(an.monotone_lr.unwrap(), 1.0 / 15.0, 1e-15, "monotone lr");
    // With one parameter λmin = λmax, so the optimal lr 2/(λmax+λmin) = 1/λ: the Newton step, exact in one update.
    assert_close(an.optimal_lr.unwrap(), 1.0 / 15.0, 1e-15, "optimal lr");
    let summed = analyze(&Dataset::notebook(), &settings(GradientSource::NotebookSum, 0.01), Params::default());
    assert_close(summed.critical_lr.unwrap(), 1.0 / 30.0, 1e-15, "critical lr under notebook-sum");

    let mut below = DynTrainer::new(&Dataset::notebook(), &settings(GradientSource::Analytic, 0.13)).unwrap();
    below.set_tolerance(Some(1e-8));
    assert!(matches!(below.run(100_000, |_| {}), Status::Converged { .. }));

    let mut above = DynTrainer::new(&Dataset::notebook(), &settings(GradientSource::Analytic, 0.14)).unwrap();
    assert!(matches!(above.run(100_000, |_| {}), Status::Diverged { .. }));
    assert!(above.record().params.is_finite() && above.record().loss.is_finite());
}

#[test]
fn binary_reports_divergence_with_exit_code_3() {
    let ok = descent(&["trace", "--lr", "0.13", "--steps", "2000", "--format", "last"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = descent(&["trace", "--lr", "0.14", "--steps", "2000"]);
    assert_eq!(bad.status.code(), Some(3));
    let err = stderr(&bad);
    assert!(err.contains("diverged at step"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    // stdout holds every finite row and nothing else.
    let text = stdout(&bad);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    let k: u64 = err
        .split("diverged at step ")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(rows.len() as u64, k + 1, "rows 0..=k");
    for row in rows {
        assert!(row.split(',').skip(1).all(|v| v.parse::<f64>().is_ok_and(f64::is_finite)), "{row}");
    }
}

#[test]
fn overflow_stops_at_the_last_finite_state() {
    // An lr so large that one step overflows: the run keeps step 0 and says it diverged at step 1.
    let mut t = DynTrainer::new(&Dataset::notebook(), &settings(GradientSource::Analytic, 1e306)).unwrap();
    let s = t.run(10, |_| panic!("no finite row after step 0"));
    assert!(matches!(s, Status::Diverged { step: 1, .. }), "{s:?}");
    assert_eq!(t.record().step, 0);
}

#[test]
fn sweep_finds_the_optimal_lr() {
    use descent::engine::sweep::{fastest, log_space, sweep_one};
    let data = Dataset::notebook();
    for (bias, gradient) in
        [(false, GradientSource::Analytic), (true, GradientSource::Analytic), (false, GradientSource::NotebookSum)]
    {
        let s = Settings { bias, gradient, ..Settings::default() };
        let an = analyze(&data, &s, Params::default());
        let critical = an.critical_lr.unwrap();
        let points: Vec<_> = log_space(critical / 1000.0, critical * 1.2, 200)
            .into_iter()
            .map(|lr| sweep_one(&data, &s, lr, 20_000, 1e-6).unwrap())
            .collect();
        let best = fastest(&points).unwrap();
        let optimal = an.optimal_lr.unwrap();
        assert!(
            (best.lr / optimal - 1.0).abs() < 0.05,
            "bias {bias} {gradient:?}: fastest {} vs optimal {optimal}",
            best.lr
        );
        // Every lr at or past 2/λmax diverges; every one below converges.
        for p in &points {
            assert_eq!(p.diverged, p.lr >= critical, "lr {} (critical {critical})", p.lr);
        }
    }
}

/// Momentum's per-step factor ρ on the notebook's quadratic (λ = 15) against the runs themselves: after the
/// transient, ‖(e, buf)‖ shrinks by ρ per step, for plain momentum and Nesterov, over- and under-damped.
#[test]
fn momentum_rates_match_the_runs() {
    use descent::engine::analysis::momentum::{Damping, critical_beta, damping, heavy_ball_rate, nesterov_rate};
    let lambda = 15.0;
    for (lr, beta) in [(0.01, 0.9), (0.01, 0.3), (0.02, 0.5), (0.05, 0.2), (0.001, 0.95)] {
        for nesterov in [false, true] {
            let mut s = settings(GradientSource::Analytic, lr);
            s.optimizer.momentum = beta;
            s.optimizer.nesterov = nesterov;
            let mut t = DynTrainer::new(&Dataset::notebook(), &s).unwrap();
            let mut errors = Vec::new();
            t.run(400, |r| errors.push((r.params.w - 3.0).abs()));
            assert_eq!(errors.len(), 400);
            let a_lr = lr * lambda;
            let rho = if nesterov { nesterov_rate(a_lr, beta) } else { heavy_ball_rate(a_lr, beta) };
            // The envelope's decay (an oscillating error's single ratios jump around): the largest |e| of a window,
            // against the same window `d` steps on, far enough for a clear ratio but before |e| reaches f64's floor.
            let d = ((1e-9f64).ln() / rho.ln()).clamp(4.0, 300.0) as usize;
            let window = (d / 2).clamp(1, 15);
            let envelope = |from: usize| errors[from..from + window].iter().cloned().fold(0.0, f64::max);
            let measured = (envelope(5 + d) / envelope(5)).powf(1.0 / d as f64);
            assert!(
                (measured - rho).abs() < 0.015,
                "lr {lr}, β {beta}, nesterov {nesterov}: measured {measured}, ρ = {rho}"
            );
        }
    }
    // β = 0 is plain GD; the critical β makes the discriminant vanish and separates the regimes.
    assert!((heavy_ball_rate(0.15, 0.0) - 0.85).abs() < 1e-15);
    assert!((nesterov_rate(1.5, 0.0) - 0.5).abs() < 1e-15);
    let bc = critical_beta(0.15).unwrap();
    assert!((bc - (1.0 - 0.15f64.sqrt()).powi(2)).abs() < 1e-15);
    assert_eq!(damping(0.15, bc), Damping::Critical);
    assert_eq!(damping(0.15, bc * 0.5), Damping::Over);
    assert_eq!(damping(0.15, (bc + 1.0) / 2.0), Damping::Under);
    // Under-damped, the heavy ball's modulus is √β.
    assert!((heavy_ball_rate(0.15, 0.9) - 0.9f64.sqrt()).abs() < 1e-12);
    // On this problem at lr 0.01, β 0.9, Nesterov is faster than plain momentum.
    assert!(nesterov_rate(0.15, 0.9) < heavy_ball_rate(0.15, 0.9));
}
