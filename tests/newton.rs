//! Newton's method, the Armijo line search and feature scaling against closed forms and hand computations on the
//! notebook's data (x = 1, 2, 3, 4; y = 3x).

use descent::engine::analysis::analyze;
use descent::engine::gradient::Problem;
use descent::engine::objective::Objective;
use descent::engine::optim::{LineSearch, OptimizerConfig, OptimizerKind};
use descent::engine::settings::Settings;
use descent::engine::trainer::{Divergence, DynTrainer, Status};
use descent::engine::{Dataset, LossKind, Params};

fn newton(lr: f64, bias: bool) -> Settings {
    Settings {
        bias,
        b0: if bias { 2.0 } else { 0.0 },
        optimizer: OptimizerConfig::new(OptimizerKind::Newton, lr),
        ..Settings::default()
    }
}

#[test]
fn newton_lands_on_the_mse_minimum_in_one_step() {
    let data = Dataset::notebook();
    for bias in [false, true] {
        let s = newton(1.0, bias);
        let mut t = DynTrainer::new(&data, &s).unwrap();
        t.step();
        let p = t.record().params;
        // y = 3x exactly: w* = 3, b* = 0.
        assert!((p.w - 3.0).abs() < 1e-12 && p.b.abs() < 1e-12, "bias {bias}: {p:?}");
        assert!(t.record().loss < 1e-24);
        assert!(t.row().state.is_empty(), "Newton keeps no state");
    }
}

#[test]
fn damped_newton_follows_the_closed_form() {
    // On a quadratic, p − lr·H⁻¹∇L = p − lr·(p − p*): the error shrinks by (1 − lr) per step, in both parameters.
    let data = Dataset::notebook();
    let lr = 0.3;
    let mut t = DynTrainer::new(&data, &newton(lr, true)).unwrap();
    let (w0, b0) = (0.0 - 3.0, 2.0 - 0.0);
    for k in 1..=20 {
        t.step();
        let p = t.record().params;
        let factor = (1.0 - lr).powi(k);
        assert!((p.w - 3.0 - factor * w0).abs() < 1e-12, "step {k}: w {}", p.w);
        assert!((p.b - factor * b0).abs() < 1e-12, "step {k}: b {}", p.b);
    }
}

#[test]
fn newton_on_rosenbrock_takes_the_hand_computed_first_steps() {
    let data = Dataset::notebook();
    let mut s = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Newton, 1.0), ..Settings::default() };
    s.set_objective(Some(Objective::parse("rosenbrock").unwrap()), true);
    let mut t = DynTrainer::new(&data, &s).unwrap();
    let (mut w, mut b) = (-1.2_f64, 1.0_f64);
    for step in 1..=3 {
        // f = (1 − w)² + 100(b − w²)²
        let gw = -2.0 * (1.0 - w) - 400.0 * w * (b - w * w);
        let gb = 200.0 * (b - w * w);
        let (hww, hwb, hbb) = (2.0 - 400.0 * (b - w * w) + 800.0 * w * w, -400.0 * w, 200.0);
        let det = hww * hbb - hwb * hwb;
        w -= (hbb * gw - hwb * gb) / det;
        b -= (hww * gb - hwb * gw) / det;
        t.step();
        let p = t.record().params;
        let tol = 1e-9 * (1.0 + w.abs() + b.abs());
        assert!((p.w - w).abs() < tol && (p.b - b).abs() < tol, "step {step}: {p:?} vs ({w}, {b})");
    }
    // The classic first Newton step from (−1.2, 1).
    let first = {
        let mut t = DynTrainer::new(&data, &s).unwrap();
        t.step();
        t.record().params
    };
    assert!((first.w + 1.175_280_898_876_404_5).abs() < 1e-12 && (first.b - 1.380_674_157_303_370_7).abs() < 1e-12);
}

#[test]
fn hubers_hessian_counts_only_its_quadratic_zone() {
    // At w = 2.5 (no bias) the errors are −0.5, −1, −1.5, −2: with δ = 1.2, samples 1 and 2 are inside.
    let data = Dataset::notebook();
    let s = Settings { loss: LossKind::Huber, huber_delta: 1.2, ..Settings::default() };
    let (h, _) = Problem::<f64>::new(&data, &s).hessian(Params { w: 2.5, b: 0.0 });
    assert_eq!(h[0][0], (1.0 + 4.0) / 4.0);
}

#[test]
fn a_singular_hessian_stops_the_run() {
    let data = Dataset::notebook();
    let mut s = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Newton, 1.0), ..Settings::default() };
    s.set_objective(Some(Objective::parse("w^2 + 0*b").unwrap()), true);
    let mut t = DynTrainer::new(&data, &s).unwrap();
    assert_eq!(t.step(), Status::Diverged { step: 1, why: Divergence::SingularHessian });
    assert_eq!(t.record().step, 0, "no step was taken");
    // The saddle's Hessian is indefinite, not singular: Newton jumps to the saddle point.
    s.set_objective(Some(Objective::parse("saddle").unwrap()), true);
    let mut t = DynTrainer::new(&data, &s).unwrap();
    assert_eq!(t.step(), Status::Running);
    let p = t.record().params;
    assert!(p.w.abs() < 1e-12 && p.b.abs() < 1e-12, "{p:?}");
}

#[test]
fn armijo_accepts_the_hand_computed_step() {
    // From w = 0 (no bias): g = −45, ‖g‖² = 2025, and L(0 − t·g) = mean((45t − 3)²·x²) = 7.5·(45t − 3)².
    let data = Dataset::notebook();
    let mut o = OptimizerConfig::new(OptimizerKind::Sgd, 1.0);
    o.line_search = LineSearch::Armijo;
    let s = Settings { optimizer: o, ..Settings::default() };
    let mut t = DynTrainer::new(&data, &s).unwrap();
    let (c, rho) = (1e-4, 0.5);
    let mut step = 1.0;
    let mut tried = 1;
    while 7.5 * (45.0 * step - 3.0_f64).powi(2) > 67.5 - c * step * 2025.0 {
        step *= rho;
        tried += 1;
    }
    assert_eq!(step, 0.125);
    let search = t.line_search().unwrap();
    assert_eq!(search.trials.len(), tried);
    assert_eq!(search.t(), step);
    assert_eq!(t.scheduled().lr, step, "the row's lr is the accepted t");
    t.step();
    assert_eq!(t.record().params.w, 0.0 - step * -45.0);
}

#[test]
fn standardizing_the_notebook_gives_the_predicted_condition_number() {
    let data = Dataset::notebook();
    let s = Settings { bias: true, ..Settings::default() };
    let before = analyze(&data, &s, s.start());
    // H = 2·[[mean x², mean x], [mean x, 1]] = [[15, 5], [5, 2]]: κ = λmax/λmin with λ = (17 ± √(13² + 4·5²))/2 = (17 ± √269)/2.
    let predicted = (17.0 + 269f64.sqrt()) / (17.0 - 269f64.sqrt());
    assert!((before.condition_number.unwrap() - predicted).abs() < 1e-9 * predicted);
    // x′ = (x − 2.5)/√1.25 has mean 0 and mean square 1: H = 2·I, κ = 1, and the critical lr 2/2 = 1.
    let after = analyze(&data, &Settings { standardize: true, ..s.clone() }, s.start());
    assert!((after.condition_number.unwrap() - 1.0).abs() < 1e-12);
    assert!((after.critical_lr.unwrap() - 1.0).abs() < 1e-12);
    // GD at lr 0.5 = 1/λ lands at once; mapped back, that is w = 3, b = 0.
    let mut t = DynTrainer::new(
        &data,
        &Settings { standardize: true, optimizer: OptimizerConfig::new(OptimizerKind::Sgd, 0.5), ..s },
    )
    .unwrap();
    t.step();
    let p = t.scaling().unwrap().to_original(t.record().params);
    assert!((p.w - 3.0).abs() < 1e-12 && p.b.abs() < 1e-12, "{p:?}");
}

/// The columns of a fixture line: the expression, then numbers.
fn fixture_line(line: &str) -> (Objective, Vec<f64>) {
    let mut cols = line.split('\t');
    let text = cols.next().unwrap();
    let o = Objective::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    (o, cols.map(|c| c.parse().unwrap_or_else(|_| panic!("{c} in {line}"))).collect())
}

#[test]
fn expression_hessians_are_torchs_exact_hessians() {
    // torch.autograd.functional.hessian of random expressions at random points (tests/fixtures/hessians): each
    // entry within 1e-12 of torch's, relative to the entry itself (a zero must be zero).
    let mut worst = 0.0f64;
    for line in include_str!("fixtures/hessians/hessians.tsv").lines() {
        let (o, n) = fixture_line(line);
        let p = Params { w: n[0], b: n[1] };
        let g = o.graph(p);
        let (h, method) = o.hessian(p);
        assert_eq!(method, descent::engine::objective::HessianMethod::Autodiff);
        let scale = |v: f64, of: f64| (v - of).abs() / of.abs().max(1e-300);
        assert!(scale(g.loss_value(), n[2]) <= 1e-13, "{line}: f = {}", g.loss_value());
        for (i, want) in [n[3], n[4]].into_iter().enumerate() {
            assert!((g.grad().get(i) - want).abs() <= 1e-13 * want.abs().max(1e-3), "{line}: ∂{i} {}", g.grad().get(i));
        }
        let want = [[n[5], n[6]], [n[7], n[8]]];
        for r in 0..2 {
            for c in 0..2 {
                let err = (h[r][c] - want[r][c]).abs() / want[r][c].abs().max(1e-300);
                worst = worst.max(err);
                assert!(err <= 1e-12, "{line}: H[{r}][{c}] = {} vs torch's {} ({err:e})", h[r][c], want[r][c]);
            }
        }
    }
    eprintln!("largest relative error {worst:e}");
}

#[test]
fn newton_on_expressions_follows_torchs_iteration() {
    // d2l.ai's Newton examples (cosh(c·x), x·cos(c·x)), Rosenbrock and Himmelblau typed as expressions, and one
    // of the new functions: torch's x − lr·solve(H, g) with H = autograd.functional.hessian (tests/fixtures/hessians).
    let data = Dataset::notebook();
    for line in include_str!("fixtures/hessians/newton.tsv").lines() {
        let (o, n) = fixture_line(line);
        let lr = n[0];
        let rows: Vec<&[f64]> = n[1..].chunks(4).collect();
        let mut s = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Newton, lr), ..Settings::default() };
        s.set_objective(Some(o), false);
        (s.w0, s.b0) = (rows[0][1], rows[0][2]);
        let mut t = DynTrainer::new(&data, &s).unwrap();
        for row in &rows {
            if row[0] > 0.0 {
                assert_eq!(t.step(), Status::Running, "{line}");
            }
            let (p, f) = (t.record().params, t.record().loss);
            let near = |got: f64, want: f64| (got - want).abs() <= 1e-11 * want.abs().max(1.0);
            assert!(
                near(p.w, row[1]) && near(p.b, row[2]),
                "{line}, step {}: {p:?} vs torch's ({}, {})",
                row[0],
                row[1],
                row[2]
            );
            assert!(near(f, row[3]), "{line}, step {}: f {f} vs torch's {}", row[0], row[3]);
        }
    }
}

#[test]
fn the_ledger_says_the_hessian_is_exact() {
    let data = Dataset::notebook();
    for (objective, words) in [
        ("cosh(0.5*w) + b^2", "H is f's exact Hessian, by autodiff of the autodiff gradient"),
        ("rosenbrock", "H is f's exact Hessian, in closed form"),
    ] {
        let mut s = Settings { optimizer: OptimizerConfig::new(OptimizerKind::Newton, 1.0), ..Settings::default() };
        s.set_objective(Some(Objective::parse(objective).unwrap()), true);
        let t = DynTrainer::new(&data, &s).unwrap();
        let text = descent::ledger::explain(&data, &s, &t.row()).unwrap().text();
        assert!(text.contains(words), "{objective}: {text}");
        assert!(!text.contains("central differences"), "{objective}: {text}");
    }
}
