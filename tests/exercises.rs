//! Issue 13 §3: exercises drawn from a seed are graded against closed forms computed here, independently of the
//! engine: the gradient written out, the Hessian's eigenvalue written out, the normal equations, and plain GD's
//! closed form on a quadratic, w_k − w* = (1 − lr·λ)^k·(w₀ − w*) with |∂L/∂w| = λ·|w_k − w*|.

use descent::engine::exercise::{Exercise, ExerciseKind};
use proptest::prelude::*;

fn sums(e: &Exercise) -> (f64, f64, f64, f64, f64) {
    let n = e.x.len() as f64;
    let sx: f64 = e.x.iter().sum();
    let sy: f64 = e.y.iter().sum();
    let sxx: f64 = e.x.iter().map(|x| x * x).sum();
    let sxy: f64 = e.x.iter().zip(&e.y).map(|(x, y)| x * y).sum();
    (n, sx, sy, sxx, sxy)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// The data are short decimals (tenths), 3 to 8 points, and the exercise holds the settings its kind needs.
fn check_shape(e: &Exercise) {
    assert!((3..=8).contains(&e.x.len()) && e.x.len() == e.y.len());
    for v in e.x.iter().chain(&e.y) {
        assert_eq!(*v, (v * 10.0).round() / 10.0, "{v} is a tenth");
    }
    let needs = match e.kind {
        ExerciseKind::NextWeight => [true, true, e.bias, false],
        ExerciseKind::StepsToTolerance => [true, true, false, true],
        _ => [false; 4],
    };
    assert_eq!([e.lr.is_some(), e.w0.is_some(), e.b0.is_some(), e.tol.is_some()], needs, "{e:?}");
    if !e.kind.may_have_bias() {
        assert!(!e.bias);
    }
    assert!(e.answer.is_finite() && e.accept >= 0.0 && !e.question.is_empty() && !e.explanation.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn next_weight_is_one_explicit_gradient_step(seed in any::<u64>()) {
        let e = Exercise::generate(ExerciseKind::NextWeight, seed);
        check_shape(&e);
        let (lr, w0, b0) = (e.lr.unwrap(), e.w0.unwrap(), e.b0.unwrap_or(0.0));
        let n = e.x.len() as f64;
        let g: f64 = e.x.iter().zip(&e.y).map(|(x, y)| 2.0 * (w0 * x + b0 - y) * x).sum::<f64>() / n;
        prop_assert!(close(e.answer, w0 - lr * g), "{} vs {}", e.answer, w0 - lr * g);
        // The lr is below the critical one.
        let (_, sx, _, sxx, _) = sums(&e);
        let lmax = if e.bias { max_eig(2.0 * sxx / n, 2.0 * sx / n, 2.0) } else { 2.0 * sxx / n };
        prop_assert!(lr > 0.0 && lr < 2.0 / lmax);
        prop_assert!((e.accept - 1e-3 * e.answer.abs().max(0.01)).abs() <= 1e-2 * e.answer.abs().max(0.01));
    }

    #[test]
    fn critical_and_one_step_lr_are_two_and_one_over_lambda(seed in any::<u64>()) {
        let e = Exercise::generate(ExerciseKind::CriticalLr, seed);
        check_shape(&e);
        let (n, sx, _, sxx, _) = sums(&e);
        let lmax = if e.bias { max_eig(2.0 * sxx / n, 2.0 * sx / n, 2.0) } else { 2.0 * sxx / n };
        prop_assert!(close(e.answer, 2.0 / lmax), "{} vs {}", e.answer, 2.0 / lmax);
        let e = Exercise::generate(ExerciseKind::OneStepLr, seed);
        check_shape(&e);
        let (n, _, _, sxx, _) = sums(&e);
        prop_assert!(close(e.answer, n / (2.0 * sxx)));
    }

    #[test]
    fn optimum_solves_the_normal_equations(seed in any::<u64>()) {
        let e = Exercise::generate(ExerciseKind::Optimum, seed);
        check_shape(&e);
        let (n, sx, sy, sxx, sxy) = sums(&e);
        // [Σx², Σx; Σx, n]·(w, b) = (Σxy, Σy) by Cramer's rule; w = Σxy/Σx² without a bias.
        let w = if e.bias { (n * sxy - sx * sy) / (n * sxx - sx * sx) } else { sxy / sxx };
        prop_assert!(close(e.answer, w), "{} vs {w}", e.answer);
    }

    #[test]
    fn steps_to_tolerance_follow_the_closed_form(seed in any::<u64>()) {
        let e = Exercise::generate(ExerciseKind::StepsToTolerance, seed);
        check_shape(&e);
        prop_assert_eq!(e.accept, 0.0);
        let (n, _, _, sxx, sxy) = sums(&e);
        let (lambda, wstar) = (2.0 * sxx / n, sxy / sxx);
        let (lr, w0, tol) = (e.lr.unwrap(), e.w0.unwrap(), e.tol.unwrap());
        let grad = |k: i32| lambda * ((1.0 - lr * lambda).powi(k) * (w0 - wstar)).abs();
        let k = (0..500).find(|&k| grad(k) <= tol).expect("converges within 500 steps");
        prop_assert!(k > 0);
        prop_assert_eq!(e.answer, f64::from(k), "seed {}", seed);
        prop_assert!(lr < 2.0 / lambda);
    }
}

/// The larger eigenvalue of [a, b; b, d], written out.
fn max_eig(a: f64, b: f64, d: f64) -> f64 {
    (a + d) / 2.0 + (((a - d) / 2.0).powi(2) + b * b).sqrt()
}

#[test]
fn the_same_seed_gives_the_same_exercise_and_different_seeds_differ() {
    for kind in ExerciseKind::ALL {
        let exercises: Vec<Exercise> = (0..20).map(|s| Exercise::generate(kind, s)).collect();
        assert_eq!(exercises[3], Exercise::generate(kind, 3));
        let distinct: std::collections::BTreeSet<String> = exercises.iter().map(|e| format!("{:?}", e.x)).collect();
        assert!(distinct.len() >= 18, "{kind:?}: {} distinct data sets of 20", distinct.len());
    }
    let biased = (0..40).filter(|&s| Exercise::generate(ExerciseKind::Optimum, s).bias).count();
    assert!((5..35).contains(&biased), "optimum draws a bias some of the time: {biased}/40");
}

#[test]
fn grading_accepts_within_the_tolerance_only() {
    for kind in ExerciseKind::ALL {
        let e = Exercise::generate(kind, 11);
        assert!(e.grade(e.answer).correct);
        assert!(e.grade(e.answer + e.accept * 0.5).correct);
        assert!(!e.grade(e.answer + e.accept * 2.0 + 1e-6).correct, "{kind:?}");
        assert!(e.grade(e.answer + 1.0).verdict.contains(&descent::format::repr(e.answer)));
    }
}
