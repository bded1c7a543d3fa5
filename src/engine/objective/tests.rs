//! The built-ins' values, gradients and Hessians at points worked out by hand; the parser's table of accepted and
//! rejected expressions; torch's node names on the tape.

use super::*;

fn obj(name: &str) -> Objective {
    Objective::parse(name).unwrap()
}

#[track_caller]
fn near(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol * expected.abs().max(1.0), "got {actual}, expected {expected}");
}

/// f, ∇f (tape and closed form) and the Hessian (closed form) at a point, against values computed by hand.
#[track_caller]
fn check(name: &str, (w, b): (f64, f64), f: f64, g: [f64; 2], h: [[f64; 2]; 2]) {
    let o = obj(name);
    let p = Params { w, b };
    let graph = o.graph(p);
    near(graph.loss_value(), f, 1e-14);
    near(o.value(p), f, 1e-14);
    let closed = o.as_builtin().unwrap().gradient(w, b);
    for i in 0..2 {
        near(graph.grad().get(i), g[i], 1e-12);
        near(closed[i], g[i], 1e-12);
    }
    let (hessian, method) = o.hessian(p);
    assert_eq!(method, HessianMethod::ClosedForm);
    let tape = o.tape_hessian(p);
    for i in 0..2 {
        for j in 0..2 {
            near(hessian[i][j], h[i][j], 1e-12);
            near(tape[i][j], h[i][j], 1e-12);
        }
    }
}

#[test]
fn the_tapes_hessian_of_every_builtin_is_its_closed_form() {
    // On a grid over [−3, 3]², relative to the Hessian's size (its entries sum terms of both signs).
    for b in Builtin::ALL {
        let o = Objective::builtin(b);
        for i in 0..13 {
            for j in 0..13 {
                let p = Params { w: -3.0 + 0.5 * f64::from(i) + 0.01, b: -3.0 + 0.5 * f64::from(j) - 0.02 };
                let (closed, tape) = (b.hessian(p.w, p.b), o.tape_hessian(p));
                let size = closed.iter().flatten().fold(1.0f64, |m, v| m.max(v.abs()));
                for (r, row) in closed.iter().enumerate() {
                    for (c, &want) in row.iter().enumerate() {
                        let got = tape[r][c];
                        assert!((got - want).abs() <= 1e-13 * size, "{b:?} at {p:?}: H[{r}][{c}] {got} vs {want}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_new_functions_have_torchs_derivatives_kinks_and_second_derivatives() {
    // d/dw and d²/dw² of each at w = 0.3, by hand.
    let w = 0.3f64;
    let s = 1.0 / (1.0 + (-w).exp());
    let table: &[(&str, f64, f64)] = &[
        ("sinh(w)", w.cosh(), w.sinh()),
        ("cosh(w)", w.sinh(), w.cosh()),
        ("asin(w)", 1.0 / (1.0 - w * w).sqrt(), w / (1.0 - w * w).powf(1.5)),
        ("acos(w)", -1.0 / (1.0 - w * w).sqrt(), -w / (1.0 - w * w).powf(1.5)),
        ("atan(w)", 1.0 / (1.0 + w * w), -2.0 * w / (1.0 + w * w).powi(2)),
        ("sigmoid(w)", s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s)),
        ("softplus(w)", s, s * (1.0 - s)),
        ("log1p(w)", 1.0 / (1.0 + w), -1.0 / (1.0 + w).powi(2)),
        ("expm1(w)", w.exp(), w.exp()),
        ("relu(w)", 1.0, 0.0),
        ("relu(-w)", 0.0, 0.0),
        ("softplus(100*w)", 100.0, 0.0),
    ];
    for &(text, d1, d2) in table {
        let o = obj(text);
        let p = Params { w, b: 0.0 };
        near(o.graph(p).grad().w, d1, 1e-14);
        near(o.hessian(p).0[0][0], d2, 1e-13);
    }
    // torch's derivative at relu's kink is 0, and softplus is the identity past its threshold 20.
    assert_eq!(obj("relu(w)").graph(Params { w: 0.0, b: 0.0 }).grad().w, 0.0);
    assert_eq!(obj("softplus(w)").value(Params { w: 25.0, b: 0.0 }), 25.0);
    assert_eq!(obj("softplus(w)").hessian(Params { w: 800.0, b: 0.0 }).0, [[0.0; 2]; 2], "no ∞ in the graph");
    assert_eq!(obj("w^b").hessian(Params { w: 0.0, b: 2.0 }).0[0][0], 2.0, "no −∞ from ln 0 in the graph");
}

#[test]
fn builtins_at_their_starts_minima_and_saddles() {
    // Rosenbrock: at (−1.2, 1), 2.2² + 100·0.44² = 24.2; ∂w = −4.4 − 211.2, ∂b = 200·(−0.44).
    check("rosenbrock", (-1.2, 1.0), 24.2, [-215.6, -88.0], [[1330.0, 480.0], [480.0, 200.0]]);
    check("rosenbrock", (1.0, 1.0), 0.0, [0.0, 0.0], [[802.0, -400.0], [-400.0, 200.0]]);
    // Beale: at (1, 1) each residual is its constant: 1.5² + 2.25² + 2.625² = 14.203125.
    check("beale", (1.0, 1.0), 14.203125, [0.0, 27.75], [[0.0, 27.75], [27.75, 68.5]]);
    check("beale", (3.0, 0.5), 0.0, [0.0, 0.0], [[3.15625, -11.4375], [-11.4375, 46.125]]);
    check("beale", (0.0, 1.0), 14.203125, [0.0, 0.0], [[0.0, 27.75], [27.75, 0.0]]);
    // Himmelblau: 11² + 7² = 170 at the origin.
    check("himmelblau", (0.0, 0.0), 170.0, [-14.0, -22.0], [[-42.0, 0.0], [0.0, -26.0]]);
    check("himmelblau", (3.0, 2.0), 0.0, [0.0, 0.0], [[74.0, 20.0], [20.0, 34.0]]);
    check("saddle", (1.0, 0.0), 1.0, [2.0, 0.0], [[2.0, 0.0], [0.0, -2.0]]);
    check("saddle", (0.0, 0.0), 0.0, [0.0, 0.0], [[2.0, 0.0], [0.0, -2.0]]);
    let c = 2.0 + 40.0 * std::f64::consts::PI.powi(2);
    check("rastrigin", (0.0, 0.0), 0.0, [0.0, 0.0], [[c, 0.0], [0.0, c]]);
    // At w = ½: cos(π) = −1, so f = 20 + ¼ + 10 − 10 = 20.25 and f_ww = 2 − 40π²; sin(π) leaves ∂w ≈ 1.
    let o = obj("rastrigin");
    near(o.value(Params { w: 0.5, b: 0.0 }), 20.25, 1e-14);
    near(o.hessian(Params { w: 0.5, b: 0.0 }).0[0][0], 4.0 - c, 1e-12);
    near(o.graph(Params { w: 0.5, b: 0.0 }).grad().w, 1.0, 1e-12);
}

#[test]
fn known_points_are_what_they_say() {
    for b in Builtin::ALL {
        let o = Objective::builtin(b);
        assert!(!o.known_points().is_empty(), "{b:?}");
        for k in o.known_points() {
            let r = o.report(k.at);
            assert_eq!(r.point_kind, k.kind, "{b:?} at {:?}: {r:?}", k.at);
            near(r.value, k.value, 1e-12);
        }
        assert_eq!(o.report(o.default_start()).point_kind, PointKind::NotStationary, "{b:?} starts on a slope");
    }
    let o = obj("saddle");
    assert_eq!(o.report(Params { w: 0.0, b: 0.0 }).eigenvalues, [2.0, -2.0]);
}

#[test]
fn an_expressions_hessian_is_autodiff_of_the_autodiff_gradient() {
    // f = w²·b + sin(b): f_ww = 2b, f_wb = 2w, f_bb = −sin(b).
    let o = obj("w^2*b + sin(b)");
    let p = Params { w: 0.7, b: -1.3 };
    let (h, method) = o.hessian(p);
    assert_eq!(method, HessianMethod::Autodiff);
    near(h[0][0], -2.6, 1e-15);
    near(h[0][1], 1.4, 1e-15);
    near(h[1][0], 1.4, 1e-15);
    near(h[1][1], -(-1.3f64).sin(), 1e-15);
    assert_eq!(o.default_start(), Params { w: 1.0, b: 1.0 });
    assert_eq!(obj("w^2 + b^2").report(Params { w: 0.0, b: 0.0 }).point_kind, PointKind::Minimum);
    assert_eq!(obj("-(w^2) - b^2").report(Params { w: 0.0, b: 0.0 }).point_kind, PointKind::Maximum);
    assert_eq!(obj("w^4 + b^2").report(Params { w: 0.0, b: 0.0 }).point_kind, PointKind::Degenerate);
}

#[test]
fn the_parser_accepts_and_evaluates() {
    let (w, b) = (2.0f64, 3.0f64);
    let table: &[(&str, f64)] = &[
        ("w + b", 5.0),
        ("w - b - 1", -2.0),
        ("w * b / 4", 1.5),
        ("2^3^2", 512.0),
        ("-w^2", -4.0),
        ("(-w)^2", 4.0),
        ("-2^2", -4.0),
        ("w^-1", 0.5),
        ("--w", 2.0),
        ("1.5e1 + .5 + 2E-1", 15.7),
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("exp(0) + log(e) + sqrt(b^2) + abs(-w)", 7.0),
        ("sin(0) + cos(0) + tan(0) + tanh(0)", 1.0),
        (
            "sinh(0) + cosh(0) + asin(1) + acos(1) + atan(1)",
            1.0 + std::f64::consts::FRAC_PI_2 + std::f64::consts::FRAC_PI_4,
        ),
        ("sigmoid(0) + softplus(0) + log1p(e - 1) + expm1(0)", 1.5 + std::f64::consts::LN_2),
        ("relu(w - b) + relu(b - w) + relu(0)", 1.0),
        ("w·b − 1", 5.0),
        ("  w*(b + 1)  ", 8.0),
        ("w^b", 8.0),
        ("2e", 2.0 * std::f64::consts::E),
    ];
    for &(text, want) in table {
        if text == "2e" {
            // A number then the name e with nothing between: not an expression.
            assert!(Expr::parse(text).is_err());
            continue;
        }
        let e = Expr::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
        near(e.eval(w, b), want, 1e-15);
    }
}

#[test]
fn the_parser_rejects_with_the_column() {
    let table: &[(&str, usize, &str)] = &[
        ("", 1, "expected a number"),
        ("w +", 4, "found the end"),
        ("w +* b", 4, "found “*”"),
        ("(w + b", 7, "to close the “(” at column 1"),
        ("w + b)", 6, "without a matching"),
        ("w b", 3, "expected an operator"),
        ("x + 1", 1, "unknown name “x”"),
        ("W + 1", 1, "lower-case"),
        ("sin w", 5, "expected “(” after sin"),
        ("w # b", 3, "unexpected “#”"),
        ("1.2.3", 1, "not a number"),
        ("2e", 2, "expected an operator"),
        ("b²", 2, "unexpected “²”"),
        ("é + w", 1, "unknown name “é”"),
        ("sin(w", 6, "to close the “(” at column 4"),
        ("20 + 1e30820 + w", 6, "“1e30820” is beyond the f64 range"),
        ("w +\0 b", 4, "unexpected “\\u{0}”"),
        ("w\u{1b}[31m", 2, "unexpected “\\u{1b}”"),
    ];
    for &(text, column, words) in table {
        let err = Expr::parse(text).expect_err(text);
        assert_eq!(err.column, column, "{text}: {err}");
        assert!(err.to_string().contains(words), "{text}: {err}");
        assert_eq!(err.to_string().lines().count(), 1, "{text}");
        assert!(!err.to_string().chars().any(char::is_control), "{text}: {err}");
    }
}

#[test]
fn deep_or_long_expressions_are_refused_not_a_stack_overflow() {
    use crate::engine::objective::expr::{MAX_CHARS, MAX_NESTING};
    // Each of these overflowed the stack (an abort, not even a panic) before the limits.
    let deep = format!("{}w{}", "(".repeat(100_000), ")".repeat(100_000));
    let err = Expr::parse(&deep).expect_err("deep brackets");
    assert!(err.to_string().contains("longer than 1000 characters"), "{err}");
    let minus = format!("{}w", "-".repeat(MAX_NESTING + 1));
    let err = Expr::parse(&minus).expect_err("many minus signs");
    assert_eq!(err.column, MAX_NESTING + 1, "{err}");
    assert!(err.to_string().contains("nested more than 64 levels"), "{err}");
    let powers = format!("{}w", "w^".repeat(MAX_NESTING + 1));
    assert!(Expr::parse(&powers).expect_err("a tower of powers").to_string().contains("nested"));
    // Up to the limits, every such expression parses and evaluates: the longest sum allowed, and the deepest nesting.
    let sum = format!("w{}", "+w".repeat((MAX_CHARS - 1) / 2));
    assert_eq!(Expr::parse(&sum).expect("the longest sum").eval(1.0, 0.0), MAX_CHARS.div_ceil(2) as f64);
    let nested = format!("{}w{}", "(".repeat(MAX_NESTING - 1), ")".repeat(MAX_NESTING - 1));
    assert_eq!(Expr::parse(&nested).expect("the deepest brackets").eval(2.5, 0.0), 2.5);
    assert!(Expr::parse(&format!("{sum}+w")).is_err(), "one character over");
    // Found by the fuzz target: a long unknown name was quoted whole.
    let err = Expr::parse(&format!("w + z{}", "4".repeat(900))).expect_err("unknown name").to_string();
    assert!(err.chars().count() < 200 && err.contains("unknown name “z444") && err.contains('…'), "{err}");
}

#[test]
fn the_tape_carries_torchs_node_names() {
    let g = obj("-w/b + (w - 1)^2 + w^b + sin(w) + cos(b) + tan(w) + exp(b) + log(b) + sqrt(b) + abs(w) + tanh(b)")
        .graph(Params { w: 0.5, b: 2.0 });
    let more = obj(
        "sinh(w) + cosh(b) + asin(w) + acos(w) + atan(b) + sigmoid(w) + softplus(b) + log1p(b) + expm1(w) + relu(b)",
    )
    .graph(Params { w: 0.5, b: 2.0 });
    let more: Vec<_> = more.tape.nodes.iter().filter_map(|n| n.grad_fn()).collect();
    for name in [
        "SinhBackward0",
        "CoshBackward0",
        "AsinBackward0",
        "AcosBackward0",
        "AtanBackward0",
        "SigmoidBackward0",
        "SoftplusBackward0",
        "Log1PBackward0",
        "Expm1Backward0",
        "ReluBackward0",
    ] {
        assert!(more.contains(&name), "{name} in {more:?}");
    }
    let names: Vec<_> = g.tape.nodes.iter().filter_map(|n| n.grad_fn()).collect();
    for name in [
        "NegBackward0",
        "DivBackward0",
        "SubBackward0",
        "PowBackward0",
        "PowBackward1",
        "AddBackward0",
        "SinBackward0",
        "CosBackward0",
        "TanBackward0",
        "ExpBackward0",
        "LogBackward0",
        "SqrtBackward0",
        "AbsBackward0",
        "TanhBackward0",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // ∂/∂w = −1/b + 2(w − 1) + b·w^(b−1) + cos(w) + (1 + tan²w) + sgn(w), at (½, 2).
    let want = -0.5 - 1.0 + 1.0 + 0.5f64.cos() + 1.0 + 0.5f64.tan().powi(2) + 1.0;
    near(g.grad().w, want, 1e-14);
    // A constant objective still has a root of its own and zero gradients.
    let c = obj("3").graph(Params { w: 1.0, b: 1.0 });
    assert_eq!((c.loss_value(), c.grad()), (3.0, Params { w: 0.0, b: 0.0 }));
}

#[test]
fn objectives_serialise_as_their_text() {
    let o = obj(" w^2 + b ");
    assert_eq!(serde_json::to_string(&o).unwrap(), "\"w^2 + b\"");
    let back: Objective = serde_json::from_str("\"rosenbrock\"").unwrap();
    assert_eq!(back.as_builtin(), Some(Builtin::Rosenbrock));
    assert!(serde_json::from_str::<Objective>("\"w +\"").is_err());
}
