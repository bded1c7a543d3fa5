//! The command line through the real binary: formats, reports, and a clear one-line error (exit 2, no panic)
//! for every bad file and every invalid flag.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{assert_lines_in_order, descent, stderr, stdout};
use descent::export::trace::JsonRowIn;

fn csv_rows(text: &str) -> Vec<Vec<f64>> {
    text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect()
}

#[test]
fn trace_csv_has_the_documented_header_and_rows() {
    let out = descent(&["trace", "--steps", "5"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("step,w,b,loss,grad_w,grad_b,lr"));
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 6, "N steps print N+1 rows");
    // Row 0 is the start: w = 0, loss 67.5, ∇L = 15·(0 − 3) = −45; row 1 has w = 0.45. Without a schedule, every
    // update uses the optimizer's lr.
    assert_eq!(rows[0], vec![0.0, 0.0, 0.0, 67.5, -45.0, 0.0, 0.01]);
    assert_eq!(rows[1][1], 0.45);
    // Floats in shortest round-trip form.
    assert!(text.lines().nth(2).unwrap().starts_with("1,0.45,0,"));
}

#[test]
fn f32_trace_prints_float32_shortest_forms() {
    let out = descent(&["trace", "--precision", "f32", "--steps", "1"]);
    assert_eq!(stdout(&out).lines().nth(2), Some("1,0.45,0,48.76875,-38.25,0,0.01"));
}

#[test]
fn last_is_the_final_csv_row() {
    let full = stdout(&descent(&["trace", "--steps", "300", "--lr", "0.05", "--optimizer", "adam"]));
    let last =
        stdout(&descent(&["trace", "--steps", "300", "--lr", "0.05", "--optimizer", "adam", "--format", "last"]));
    assert_eq!(last.lines().next(), full.lines().last());
    assert_eq!(last.lines().count(), 1, "only the final row");
}

#[test]
fn tol_stops_early_and_says_so() {
    let out = descent(&["trace", "--steps", "10000", "--tol", "1e-6"]);
    assert!(out.status.success());
    let rows = csv_rows(&stdout(&out));
    let last = rows.last().unwrap();
    assert!(last[4].abs() <= 1e-6 && rows.len() < 200, "stopped at the first ‖g‖ ≤ tol");
    assert!(rows[rows.len() - 2][4].abs() > 1e-6);
    assert!(stderr(&out).contains(&format!("converged at step {}", last[0])));
}

#[test]
fn json_holds_settings_rows_and_outcome() {
    let out = descent(&["trace", "--steps", "3", "--bias", "--optimizer", "rmsprop", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 4);
    assert_eq!(v["settings"]["optimizer"]["kind"], "rmsprop");
    assert_eq!(v["settings"]["bias"], true);
    assert_eq!(v["outcome"]["status"], "completed");
    assert_eq!(v["rows"][0]["grad_b"], -15.0);
}

#[test]
fn analyze_json_has_the_closed_forms() {
    let v: serde_json::Value = serde_json::from_str(&stdout(&descent(&["analyze", "--format", "json"]))).unwrap();
    for key in [
        "optimum",
        "min_loss",
        "hessian",
        "curvature_max",
        "curvature_min",
        "critical_lr",
        "monotone_lr",
        "optimal_lr",
        "condition_number",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["optimum"]["w"], 3.0);
    assert_eq!(v["curvature_max"], 15.0);
    assert!((v["critical_lr"].as_f64().unwrap() - 2.0 / 15.0).abs() < 1e-15);
    let summed: serde_json::Value =
        serde_json::from_str(&stdout(&descent(&["analyze", "--gradient", "notebook-sum", "--format", "json"])))
            .unwrap();
    assert!((summed["critical_lr"].as_f64().unwrap() - 1.0 / 30.0).abs() < 1e-15);
    let text = stdout(&descent(&["analyze"]));
    assert!(text.contains("critical lr") && text.contains("0.1333"), "{text}");
}

#[test]
fn gradcheck_compares_all_four_sources() {
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&descent(&["gradcheck", "--w", "0", "--format", "json"]))).unwrap();
    assert_eq!(v["analytic"], serde_json::json!([-45.0]));
    assert_eq!(v["autodiff"], serde_json::json!([-45.0]));
    assert_eq!(v["notebook_sum"], serde_json::json!([-180.0]));
    assert!((v["numeric"][0].as_f64().unwrap() + 45.0).abs() < 1e-6);
    assert!(v["max_rel_error"].as_f64().unwrap() < 1e-6);
    assert_eq!(v["notebook_sum_ratio"], 4.0);
    let with_bias: serde_json::Value = serde_json::from_str(&stdout(&descent(&[
        "gradcheck",
        "--bias",
        "--w",
        "1",
        "--b",
        "0.5",
        "--loss",
        "huber",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(with_bias["analytic"].as_array().unwrap().len(), 2);
    let text = stdout(&descent(&["gradcheck", "--w", "0"]));
    assert!(
        text.contains("The hand-written gradient is 4.00× the true one, so it behaves like lr × 4.00 = 0.04"),
        "{text}"
    );
}

/// Runs `args`, expects exit 2 with one line on stderr containing every `needle`, and no panic.
fn expect_error(args: &[&str], needles: &[&str]) {
    let out = descent(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
    }
    assert!(stdout(&out).is_empty(), "{args:?} printed to stdout");
}

#[test]
fn invalid_flags_are_rejected_like_torch() {
    expect_error(&["trace", "--lr", "-0.1"], &["--lr"]);
    expect_error(&["trace", "--lr", "nan"], &["--lr"]);
    expect_error(&["trace", "--eps", "-1"], &["--eps"]);
    expect_error(&["trace", "--momentum", "-0.5"], &["--momentum"]);
    expect_error(&["trace", "--weight-decay", "-1"], &["--weight-decay"]);
    expect_error(&["trace", "--optimizer", "adam", "--beta1", "1"], &["--beta1"]);
    expect_error(&["trace", "--optimizer", "adam", "--beta2", "-0.1"], &["--beta2"]);
    expect_error(&["trace", "--nesterov"], &["--nesterov"]);
    expect_error(&["trace", "--nesterov", "--momentum", "0.9", "--dampening", "0.1"], &["--nesterov"]);
    expect_error(&["trace", "--optimizer", "rmsprop", "--alpha", "-1"], &["--alpha"]);
    expect_error(&["trace", "--optimizer", "adagrad", "--lr-decay", "-1"], &["--lr-decay"]);
    expect_error(
        &["trace", "--optimizer", "adagrad", "--initial-accumulator-value", "-1"],
        &["--initial-accumulator-value"],
    );
    expect_error(&["trace", "--huber-delta", "0", "--loss", "huber"], &["--huber-delta"]);
    expect_error(&["trace", "--batch-size", "0"], &["--batch-size"]);
    expect_error(&["trace", "--b0", "1"], &["--b0", "--bias"]);
    expect_error(&["trace", "--tol", "-1"], &["--tol"]);
    expect_error(&["trace", "--w0", "inf"], &["--w0"]);
    expect_error(&["gradcheck", "--w", "nan"], &["--w"]);
    // clap's own errors: a non-number, an unknown value, an unknown flag.
    for args in [
        &["trace", "--lr", "abc"][..],
        &["trace", "--loss", "l3"],
        &["trace", "--frobnicate"],
        &["trace", "--steps", "-3"],
    ] {
        let out = descent(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn bad_data_files_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    let missing = dir.path().join("missing.csv").to_string_lossy().into_owned();
    expect_error(&["trace", "--data", &missing], &["missing.csv"]);
    expect_error(&["trace", "--data", &write("empty.csv", b"")], &["empty.csv", "empty"]);
    expect_error(&["trace", "--data", &write("header.csv", b"x,y\n")], &["header.csv", "no data rows"]);
    expect_error(&["trace", "--data", &write("word.csv", b"x,y\n1,2\n3,abc\n")], &["word.csv:3", "abc"]);
    expect_error(&["trace", "--data", &write("nan.csv", b"1,2\nNaN,4\n")], &["nan.csv:2"]);
    expect_error(&["trace", "--data", &write("inf.csv", b"1,2\n3,inf\n")], &["inf.csv:2"]);
    expect_error(&["trace", "--data", &write("cols.csv", b"1,2\n3,4,5\n")], &["cols.csv:2", "2 columns"]);
    expect_error(&["trace", "--data", &write("bin.csv", b"1,2\n\x00\x01\xff\xfe\n")], &["bin.csv:2"]);
    expect_error(&["analyze", "--data", &write("bin2.csv", &[0x89, b'P', b'N', b'G', 0, 0, 0x1a])], &["bin2.csv"]);
    expect_error(&["gradcheck", "--w", "1", "--data", &missing], &["missing.csv"]);
    // And a good one with CRLF and spaces works.
    let good = write("good.csv", b"x , y\r\n 1 , 2 \r\n2,4\r\n");
    let out = descent(&["analyze", "--data", &good, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn bias_trace_moves_b() {
    let rows = csv_rows(&stdout(&descent(&["trace", "--bias", "--b0", "1", "--steps", "2"])));
    assert_eq!(rows[0][2], 1.0);
    assert_ne!(rows[1][2], 1.0);
}

#[test]
fn mini_batches_are_reproducible_from_the_seed() {
    let a = stdout(&descent(&["trace", "--data", "noisy", "--batch-size", "5", "--seed", "7", "--steps", "50"]));
    let b = stdout(&descent(&["trace", "--data", "noisy", "--batch-size", "5", "--seed", "7", "--steps", "50"]));
    let c = stdout(&descent(&["trace", "--data", "noisy", "--batch-size", "5", "--seed", "8", "--steps", "50"]));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn window_size_is_checked_with_a_one_line_error() {
    for bad in ["10x10", "1280", "axb", "1280x99999"] {
        let out = descent(&["--window-size", bad]);
        assert_eq!(out.status.code(), Some(2), "--window-size {bad}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "one line for {bad}: {err}");
        assert!(err.contains("--window-size"), "names the flag: {err}");
    }
}

#[test]
fn step_axis_takes_the_view_menu_choices_and_a_bad_one_is_a_one_line_error() {
    use descent::step_axis::StepAxis;
    let parse = |v: &str| descent::cli::Cli::try_parse_from(["descent", "--step-axis", v]).map(|c| c.gui.step_axis);
    assert_eq!(parse("log").expect("log"), Some(StepAxis::Log));
    assert_eq!(parse("first-100").expect("first-100"), Some(StepAxis::First(100)));
    assert_eq!(parse("first-1000").expect("first-1000"), Some(StepAxis::First(1000)));
    assert_eq!(parse("all").expect("all"), Some(StepAxis::All));
    let out = descent(&["--step-axis", "sideways"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--step-axis") && err.contains("sideways"), "{err}");
}

#[test]
fn usage_errors_are_one_line() {
    let out = descent(&["trace", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1, "{}", stderr(&out));
    let help = descent(&["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("--window-size"), "help lists the window size");
}

// ---------------------------------------------------------------------------------------------------------------
// Hardening: non-finite starts, numbers as Python's repr, bounded work and memory

/// Writes `bytes` to `name` in `dir` and returns the path as text.
fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn data_that_overflow_the_precision_are_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = write_file(&dir, "big.csv", b"x,y\n1,2\n1e200,3\n");
    for command in [&["trace"][..], &["analyze"], &["gradcheck", "--w", "1"]] {
        let args: Vec<&str> = command.iter().copied().chain(["--data", &big]).collect();
        expect_error(&args, &["big.csv", "x² overflows f64 at line 3", "1e+200"]);
    }
    let tall = write_file(&dir, "tall.csv", b"1,2\n3,-1e155\n");
    expect_error(&["trace", "--data", &tall], &["tall.csv", "y² overflows f64 at line 2"]);
    // The sum of squares overflows even though no square does.
    let sum = write_file(&dir, "sum.csv", b"1e154,1\n1e154,1\n1e154,1\n");
    expect_error(&["trace", "--data", &sum], &["sum.csv", "Σx² overflows f64 at line 2"]);
    // f64 holds 1e20 and 1e39, f32 does not: the f32 run is refused, the f64 one runs.
    let f32 = write_file(&dir, "f32.csv", b"x,y\n1,2\n1e20,3\n");
    expect_error(&["trace", "--data", &f32, "--precision", "f32"], &["f32.csv", "x² overflows f32 at line 3"]);
    let huge = write_file(&dir, "huge.csv", b"x,y\n1,2\n2,1e39\n");
    expect_error(&["trace", "--data", &huge, "--precision", "f32"], &["huge.csv", "y exceeds the f32 range at line 3"]);
    assert_eq!(descent(&["trace", "--data", &huge, "--steps", "1"]).status.code(), Some(0), "f64 holds it");
}

#[test]
fn values_an_f32_run_cannot_hold_are_refused() {
    expect_error(&["trace", "--precision", "f32", "--w0", "1e39"], &["--w0 1e+39", "exceeds the f32 range"]);
    expect_error(&["trace", "--precision", "f32", "--bias", "--b0", "-1e39"], &["--b0", "exceeds the f32 range"]);
    expect_error(&["trace", "--precision", "f32", "--lr", "1e-46"], &["--lr 1e-46 rounds to 0 in f32"]);
    expect_error(
        &["trace", "--precision", "f32", "--optimizer", "adam", "--eps", "1e-50"],
        &["--eps", "rounds to 0 in f32"],
    );
    expect_error(&["trace", "--precision", "f32", "--lr", "1e39"], &["--lr", "exceeds the f32 range"]);
    expect_error(&["gradcheck", "--precision", "f32", "--w", "1e39"], &["--w", "exceeds the f32 range"]);
    // The schedule's values, and the first values it gives (issue 24 §11).
    let onecycle = ["trace", "--precision", "f32", "--schedule", "onecycle", "--total-steps", "10"];
    expect_error(&[&onecycle[..], &["--max-lr", "1e39"]].concat(), &["--max-lr 1e+39 exceeds the f32 range"]);
    let cyclic = ["trace", "--precision", "f32", "--schedule", "cyclic", "--max-lr", "1"];
    expect_error(&[&cyclic[..], &["--base-lr", "1e-50"]].concat(), &["--base-lr 1e-50 rounds to 0 in f32"]);
    expect_error(
        &["trace", "--precision", "f32", "--schedule", "linear", "--start-factor", "1e-60"],
        &["the schedule's first lr 1e-62 rounds to 0 in f32"],
    );
    // f64 holds them all.
    let out = descent(&["trace", "--lr", "1e-46", "--steps", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_start_whose_loss_overflows_is_refused() {
    expect_error(&["trace", "--w0", "1e200"], &["the loss at the start (w0 = 1e+200) overflows f64"]);
    expect_error(&["trace", "--precision", "f32", "--w0", "3e38"], &["overflows f32"]);
    expect_error(&["trace", "--precision", "f32", "--w0", "3e38", "--format", "json"], &["overflows f32"]);
}

/// Every value of a trace's rows, from its csv or json output.
fn row_values(text: &str, json: bool) -> Vec<f64> {
    if json {
        let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let rows = v["rows"].as_array().expect("rows");
        // Every number of every row, the optimizer's state included; a null (serde_json's non-finite) is NaN.
        fn numbers(v: &serde_json::Value, out: &mut Vec<f64>) {
            match v {
                serde_json::Value::Object(m) => m.values().for_each(|v| numbers(v, out)),
                other => out.push(other.as_f64().unwrap_or(f64::NAN)),
            }
        }
        let mut out = Vec::new();
        rows.iter().for_each(|r| numbers(r, &mut out));
        out
    } else {
        text.lines()
            .filter(|l| !l.starts_with("step"))
            .flat_map(|l| l.split(',').map(|v| v.parse().unwrap_or(f64::NAN)).collect::<Vec<_>>())
            .collect()
    }
}

#[test]
fn diverging_runs_never_print_a_non_finite_value() {
    let runs: [&[&str]; 9] = [
        &["--lr", "10", "--steps", "5000"],
        // A schedule whose lr overflows (f64 at row 2, f32 at row 1) or underflows f32 (issue 24 §4).
        &["--w0", "3", "--schedule", "exponential", "--gamma", "1e300", "--steps", "5"],
        &["--precision", "f32", "--schedule", "exponential", "--gamma", "1e300", "--steps", "5"],
        &["--precision", "f32", "--schedule", "exponential", "--gamma", "1e-300", "--steps", "5"],
        &["--optimizer", "rmsprop", "--alpha", "1.5"],
        &["--optimizer", "adam", "--eps", "0", "--w0", "3"],
        &["--optimizer", "adam", "--lr", "1e300"],
        &["--precision", "f32", "--w0", "3e38"],
        &["--precision", "f32", "--lr", "1e30", "--bias"],
    ];
    for run in runs {
        for format in ["csv", "json", "last"] {
            let args: Vec<&str> = ["trace", "--format", format].into_iter().chain(run.iter().copied()).collect();
            let out = descent(&args);
            assert!(matches!(out.status.code(), Some(2 | 3)), "{args:?}: {:?}", out.status);
            let text = stdout(&out);
            for bad in ["inf", "NaN", "nan"] {
                assert!(!text.contains(bad), "{args:?} printed {bad}: {text}");
            }
            if !text.is_empty() {
                let values = row_values(&text, format == "json");
                assert!(!values.is_empty() && values.iter().all(|v| v.is_finite()), "{args:?}: {text}");
            }
        }
    }
}

/// A standardized f32 run on x = 1e-40, 2e-40: the scaled run is finite, but w = w′/std (std 5e-41) passes f32's
/// largest value at step 2. The run stops at the last row that maps back, in every format, and says why (issue 24 §5).
#[test]
fn standardized_parameters_are_checked_in_the_original_space() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = write_file(&dir, "tiny.csv", b"x,y\n1e-40,1\n2e-40,2\n");
    for format in ["csv", "json", "ledger", "last"] {
        let args = ["trace", "--data", &data, "--standardize", "--bias", "--precision", "f32", "--steps", "3"];
        let out = descent(&[&args[..], &["--format", format]].concat());
        assert_eq!(out.status.code(), Some(3), "{format}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("diverged at step 2: w and b mapped back to the original x overflow f32"), "{err}");
        let text = stdout(&out);
        assert!(!text.contains("inf"), "{format}: {text}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&text).expect("json parses");
            let rows = v["rows"].as_array().expect("rows");
            assert_eq!(rows.len(), 2, "{text}");
            assert!(!serde_json::to_string(rows).expect("rows").contains("null"), "{text}");
            // Row 1 maps back to w = 0.01·1/std ≈ 2e38, finite in f32; row 2 would be 4e38, past f32::MAX.
            assert!(rows.iter().all(|r| r["w"].as_f64().is_some_and(|w| w.abs() <= f32::MAX as f64)), "{text}");
        }
    }
}

/// A schedule whose next lr the run's precision cannot use ends the run there, in every format, naming the schedule
/// and the value: 0.01·(1e300)² overflows f64 after step 2; 0.01·1e300 is ∞ in f32 and 0.01·1e-300 is 0 there.
#[test]
fn a_schedule_out_of_range_stops_the_run_and_says_so() {
    let cases: [(&[&str], &str, &str); 3] = [
        (&["--w0", "3", "--gamma", "1e300"], "stopped at step 3", "lr after step 2 is inf, which f64 cannot use"),
        (
            &["--precision", "f32", "--gamma", "1e300"],
            "stopped at step 2",
            "is 1.0000000000000001e+298, which f32 cannot use (it rounds to ∞)",
        ),
        (&["--precision", "f32", "--gamma", "1e-300"], "stopped at step 2", "which f32 cannot use (it rounds to 0)"),
    ];
    for (run, when, what) in cases {
        for format in ["csv", "json", "ledger", "notebook", "last"] {
            let args: Vec<&str> = ["trace", "--schedule", "exponential", "--steps", "5", "--format", format]
                .into_iter()
                .chain(run.iter().copied())
                .collect();
            let out = descent(&args);
            assert_eq!(out.status.code(), Some(3), "{args:?}");
            let err = stderr(&out);
            assert!(err.contains(when) && err.contains(what), "{args:?}: {err}");
            assert!(!err.contains("critical lr") && !err.contains("invalid --lr"), "{args:?}: {err}");
            let text = stdout(&out);
            assert!(!text.contains("inf") && !text.to_lowercase().contains("nan"), "{args:?}: {text}");
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(&text).expect("json parses");
                assert_eq!(v["outcome"]["status"], "schedule-out-of-range", "{text}");
                assert!(v["rows"].as_array().expect("rows").iter().all(|r| r["lr"].as_f64().is_some()), "{text}");
            }
        }
    }
}

#[test]
fn a_divergence_names_its_cause() {
    let cause = |args: &[&str]| {
        let all: Vec<&str> =
            ["trace", "--steps", "5000", "--format", "last"].into_iter().chain(args.iter().copied()).collect();
        let out = descent(&all);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("diverged at step "), "{err}");
        err
    };
    assert!(cause(&["--lr", "10"]).contains("lr 10 ≥ the critical lr 0.13333333333333333"));
    assert!(cause(&["--weight-decay", "500"]).contains("weight decay 500 × lr 0.01 = 5 ≥ 2"));
    assert!(cause(&["--optimizer", "adamw", "--lr", "0.5", "--weight-decay", "5"]).contains("weight decay 5"));
    assert!(cause(&["--optimizer", "rmsprop", "--alpha", "1.5"]).contains("alpha 1.5 > 1"));
    assert!(cause(&["--optimizer", "adam", "--eps", "0", "--w0", "3"]).contains("eps 0"));
    assert!(cause(&["--optimizer", "adagrad", "--eps", "0", "--w0", "3"]).contains("at the optimum"));
}

#[test]
fn numbers_print_as_python_repr_never_as_long_digit_runs() {
    // The loss after 100 steps is about 5e-13: Python writes 5.165221080146611e-13, not 0.000000000000516….
    let last = stdout(&descent(&["trace", "--steps", "100", "--format", "last"]));
    assert_eq!(last.trim_end(), "100,2.9999997375697913,0,5.165221080146611e-13,-3.93645312946056e-06,0,0.01");
    let f32 = stdout(&descent(&["trace", "--steps", "300", "--precision", "f32", "--format", "last"]));
    assert!(f32.split(',').all(|v| v.trim_end().len() < 16), "{f32}");
    // A huge lr: its message is short, in Python's form.
    let out = descent(&["trace", "--lr", "1e308", "--steps", "2"]);
    let err = stderr(&out);
    assert!(err.contains("lr 1e+308") && err.len() < 200, "{err}");
    expect_error(&["trace", "--lr", "-1e308"], &["invalid --lr -1e+308:"]);
    expect_error(&["trace", "--tol=-1e-300"], &["invalid --tol -1e-300:"]);
    // Text reports too: a tiny point reads as Python writes it.
    let text = stdout(&descent(&["gradcheck", "--w", "1e-7"]));
    assert!(text.starts_with("at w = 1e-07\n"), "{text}");
    let text = stdout(&descent(&["gradcheck", "--w", "0"]));
    assert!(text.contains("[-45.0]   rel. error 0.0e+00"), "{text}");
}

#[test]
fn gradcheck_and_analyze_report_overflow() {
    expect_error(&["gradcheck", "--w", "1e200"], &["the loss overflows f64 at w = 1e+200"]);
    let dir = tempfile::tempdir().unwrap();
    // x² = 1e308 fits f64, but the curvature 2·x² does not.
    let edge = write_file(&dir, "edge.csv", b"1e154,1\n");
    expect_error(&["analyze", "--data", &edge], &["the Hessian overflows f64"]);
    expect_error(&["analyze", "--data", &edge, "--format", "json"], &["overflows"]);
}

/// Waits for `child` at most `limit`, killing it (and failing) when it runs on.
fn wait_or_kill(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_closed_stdout_ends_the_run() {
    for format in ["csv", "json", "notebook"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_descent"))
            .args(["trace", "--steps", "2000000000", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{format}: a first line");
        // The reader is dropped here: the pipe is closed, as `| head -1` does.
        let status = wait_or_kill(&mut child, Duration::from_secs(30), format);
        assert!(status.success(), "{format}: a closed pipe exits 0 quietly: {status:?}");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(err.is_empty(), "{format}: nothing on stderr: {err}");
    }
}

/// SIGINT or SIGTERM while `trace` streams: the current row is finished, the JSON closed with the outcome
/// "interrupted", and the exit code is 128 + the signal (130, 143), as a shell reports it (issue 24 §14).
#[test]
fn a_signal_finishes_the_row_closes_the_json_and_exits_128_plus_its_number() {
    for (format, signal, code) in [("json", "-INT", 130), ("csv", "-TERM", 143), ("ledger", "-INT", 130)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_descent"))
            .args(["trace", "--steps", "2000000000", "--lr", "1e-9", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        // Some rows first: the handler is in place before the first byte is written.
        while text.lines().count() < 40 {
            assert!(reader.read_line(&mut text).unwrap() > 0, "{format}: output ended early: {text}");
        }
        let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        std::io::Read::read_to_string(&mut reader, &mut text).unwrap();
        let status = wait_or_kill(&mut child, Duration::from_secs(30), format);
        assert_eq!(status.code(), Some(code), "{format}: {status:?}");
        assert!(text.ends_with('\n'), "{format}: the last row is whole");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        let name = if code == 130 { "SIGINT" } else { "SIGTERM" };
        assert!(err.contains(&format!("interrupted by {name} after the row of step")), "{format}: {err}");
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&text).expect("the JSON document is closed");
                assert_eq!(v["outcome"]["status"], "interrupted");
                let rows = v["rows"].as_array().unwrap();
                assert_eq!(v["outcome"]["step"], rows[rows.len() - 1]["step"]);
            }
            "csv" => {
                for line in text.lines().skip(1) {
                    let cells: Vec<f64> = line.split(',').map(|c| c.parse().expect("a number")).collect();
                    assert_eq!(cells.len(), 7, "a whole row: {line}");
                }
            }
            _ => {}
        }
    }
}

/// A newline, ESC or BEL in a path that a message quotes is escaped: every message is one line that cannot drive
/// the terminal (issue 24 §16).
#[test]
fn control_characters_in_quoted_paths_are_escaped() {
    let runs: [&[&str]; 3] = [
        &["trace", "--data", "/nonexistent/a\u{1b}[2Jb\n.csv"],
        &["replay", "/nonexistent/a\u{1b}]0;title\u{7}.json"],
        &["--lesson", "/nonexistent/a\u{7}b.toml"],
    ];
    for args in runs {
        let out = descent(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains(['\u{1b}', '\u{7}']), "{args:?}: {err:?}");
        assert!(err.contains("\\u{1b}") || err.contains("\\u{7}"), "{args:?}: the escape is shown: {err}");
    }
}

/// `gif --steps` is bounded (it once ran 1.8·10¹⁹ updates with no end): past 10⁷ it is a one-line usage error.
#[test]
fn gif_steps_are_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("run.gif");
    let path = out_path.to_str().expect("utf-8");
    for steps in ["18446744073709551615", "10000001", "0"] {
        let args = ["gif", "--steps", steps, "--frames", "10", "--size", "200x200", "--out", path];
        let out = descent(&args);
        assert_eq!(out.status.code(), Some(2), "{steps}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--steps") && err.contains(steps), "{err}");
        assert!(!out_path.exists(), "nothing written for {steps}");
    }
}

#[derive(serde::Serialize)]
struct Outcome {
    status: &'static str,
    step: u64,
    detail: Option<String>,
}

#[derive(serde::Serialize)]
struct WholeTrace<'a> {
    data: &'a str,
    samples: usize,
    settings: &'a descent::engine::Settings,
    rows: Vec<JsonRowIn>,
    outcome: Outcome,
}

#[test]
fn streamed_json_is_the_whole_object_byte_for_byte() {
    use descent::engine::trainer::{DynTrainer, Status};
    let cases: [(&[&str], u64, Option<f64>); 5] = [
        (&[], 3, None),
        (&["--bias", "--optimizer", "rmsprop"], 40, None),
        (&["--precision", "f32", "--optimizer", "adam", "--lr", "0.1", "--bias"], 30, None),
        (&[], 10_000, Some(1e-6)),
        (&["--lr", "0.2"], 500, None),
    ];
    for (flags, steps, tol) in cases {
        let steps_text = steps.to_string();
        let tol_text = tol.map(|t| t.to_string());
        let mut args = vec!["trace", "--format", "json", "--steps", &steps_text];
        if let Some(t) = &tol_text {
            args.extend(["--tol", t]);
        }
        args.extend_from_slice(flags);
        let out = descent(&args);
        // The same run through the library, serialised whole as before the rows were streamed.
        let engine =
            descent::cli::Cli::try_parse_from(["descent"].into_iter().chain(flags.iter().copied())).unwrap().engine;
        let settings = engine.settings();
        let data = engine.dataset().unwrap();
        let mut t = DynTrainer::new(&data, &settings).unwrap();
        t.set_tolerance(tol);
        let with_state = |r: &descent::engine::trainer::Row| JsonRowIn::with_state(r, &settings);
        let mut rows = vec![with_state(&t.row())];
        let mut last = 0;
        let mut status = t.status();
        for _ in 0..steps {
            if status.is_finished() {
                break;
            }
            status = t.step();
            if t.record().step != last {
                last = t.record().step;
                rows.push(with_state(&t.row()));
            }
        }
        let outcome = match status {
            Status::Running => Outcome { status: "completed", step: last, detail: None },
            Status::Converged { step, by } => {
                Outcome { status: "converged", step, detail: Some(format!("{by:?}").to_lowercase()) }
            }
            Status::Diverged { step, why } => {
                Outcome { status: "diverged", step, detail: Some(format!("{why:?}").to_lowercase()) }
            }
        };
        let whole = WholeTrace { data: &data.name, samples: data.len(), settings: &settings, rows, outcome };
        let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
        assert_eq!(stdout(&out), expected, "{args:?}");
    }
}

#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let mut paths = vec![("/dev/zero".to_string(), "/dev/zero")];
    if made {
        paths.push((fifo.to_string_lossy().into_owned(), "pipe.csv"));
    } else {
        eprintln!("mkfifo unavailable: the FIFO case is skipped");
    }
    for (path, name) in paths {
        if !std::path::Path::new(&path).exists() {
            continue;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_descent"))
            .args(["trace", "--data", &path])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_or_kill(&mut child, Duration::from_secs(30), &path);
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{path}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{path}: one line: {err}");
        assert!(err.contains(name) && err.contains("not a regular file"), "{path}: {err}");
    }
}

/// The size and frame count of a GIF file.
fn gif_shape(path: &std::path::Path) -> (u16, u16, usize) {
    let file = std::fs::File::open(path).expect("the GIF exists");
    let mut decoder = gif::DecodeOptions::new().read_info(std::io::BufReader::new(file)).expect("a GIF header");
    let mut frames = 0;
    while decoder.read_next_frame().expect("a valid frame").is_some() {
        frames += 1;
    }
    (decoder.width(), decoder.height(), frames)
}

/// `gif` writes the frames asked for, one per distinct state: a run that diverges within the frames, or has fewer
/// steps than frames, writes each state once (held longer) rather than repeating it; stdout says how many.
#[test]
fn gif_writes_the_frames_asked_for_or_each_state_once_also_when_diverging_and_with_a_bias() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&[&str], usize); 4] =
        [(&[], 12), (&["--lr", "0.5"], 30), (&["--bias", "--theme", "light"], 7), (&["--steps", "3"], 20)];
    for (k, (extra, frames)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("run{k}.gif"));
        let path_text = path.to_str().expect("a UTF-8 path");
        let frames_text = frames.to_string();
        let mut args = vec!["gif", "--frames", &frames_text, "--size", "240x150", "--out", path_text];
        args.extend_from_slice(extra);
        let out = descent(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains(path_text), "reports the file: {}", stdout(&out));
        // With the caption (the step), every state looks different from the one before.
        let (w, h, written) = gif_shape(&path);
        assert_eq!((w, h), (240, 150), "{args:?}");
        assert!(stdout(&out).contains(&format!(" {written} frames of 240×150")), "{}", stdout(&out));
        if extra.contains(&"0.5") {
            assert!(stderr(&out).contains("diverged"), "says that the run diverged: {}", stderr(&out));
            // The states up to the divergence, each once.
            let trace = stdout(&descent(&["trace", "--lr", "0.5", "--steps", "100"]));
            assert_eq!(written, trace.lines().count() - 1, "{trace}");
            assert!(written < frames);
        } else if extra.contains(&"3") {
            assert_eq!(written, 4, "steps 0 to 3, each once");
        } else {
            assert_eq!(written, frames, "{args:?}");
        }
    }
}

#[test]
fn gif_rejects_bad_sizes_frames_and_paths_with_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("a.gif");
    let good = good.to_str().expect("a UTF-8 path");
    let dir_text = dir.path().to_str().expect("a UTF-8 path");
    let missing = dir.path().join("no-such-dir").join("a.gif");
    let missing = missing.to_str().expect("a UTF-8 path");
    let cases: [(&str, &str, &str, &[&str]); 10] = [
        ("10", "63x400", good, &["--size"]),
        ("10", "640x4097", good, &["--size"]),
        ("10", "640", good, &["--size"]),
        ("10", "0x0", good, &["--size"]),
        ("0", "640x400", good, &["--frames"]),
        ("1001", "640x400", good, &["--frames"]),
        ("ten", "640x400", good, &["--frames"]),
        ("10", "640x400", missing, &["--out", "no-such-dir"]),
        ("10", "640x400", dir_text, &["--out", dir_text]),
        ("10", "640x400", "", &["--out"]),
    ];
    for (frames, size, out, needles) in cases {
        let args = ["gif", "--frames", frames, "--size", size, "--out", out];
        expect_error(&args, needles);
        let err = stderr(&descent(&args));
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line: {err}");
    }
    expect_error(&["gif", "--frames", "5", "--size", "640x400", "--out", good, "--theme", "blue"], &["--theme"]);
    assert!(!std::path::Path::new(good).exists(), "nothing written");
}

#[test]
fn a_missing_required_flag_is_named_on_the_one_line() {
    expect_error(&["gif", "--size", "640x400", "--out", "a.gif"], &["--frames"]);
    let err = stderr(&descent(&["gif", "--size", "640x400", "--out", "a.gif"]));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// The rows of `descent trace --format json` with `args`.
fn json_rows(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["trace", "--format", "json"];
    all.extend_from_slice(args);
    let out = descent(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["rows"].as_array().unwrap().clone()
}

/// A row's gradient of parameter `p` ("w" or "b").
fn grad_of(row: &serde_json::Value, p: &str) -> f64 {
    row[format!("grad_{p}")].as_f64().unwrap()
}

/// Asserts that row `k`'s state of parameter `p` holds exactly `expected` (torch's keys), each value within 1e-12
/// relative of the hand computation.
#[track_caller]
fn assert_state(row: &serde_json::Value, p: &str, expected: &[(&str, f64)]) {
    let state = row["state"][p].as_object().unwrap_or_else(|| panic!("no state for {p} in {row}"));
    let mut keys: Vec<&str> = state.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = expected.iter().map(|(k, _)| *k).collect();
    keys.sort();
    want.sort();
    assert_eq!(keys, want, "torch's keys for {p} in {row}");
    for (k, v) in expected {
        let got = state[*k].as_f64().unwrap();
        assert!((got - v).abs() <= 1e-12 * v.abs().max(1e-300), "{p}.{k}: got {got}, by hand {v}");
    }
}

/// torch.optim's rules worked by hand from each row's gradient, against the state the trace prints.
#[test]
fn json_state_is_torchs_optimizer_state_by_hand() {
    const STEPS: usize = 4;
    for bias in [false, true] {
        let extra: &[&str] = if bias { &["--bias"] } else { &[] };
        let params: &[&str] = if bias { &["w", "b"] } else { &["w"] };
        let run = |args: &[&str]| {
            let mut a = vec!["--steps", "4"];
            a.extend_from_slice(args);
            a.extend_from_slice(extra);
            let rows = json_rows(&a);
            assert_eq!(rows.len(), STEPS + 1);
            assert_eq!(rows[0]["state"].as_object().unwrap().len(), params.len(), "\"b\" only with a bias");
            rows
        };
        // SGD without momentum: torch keeps nothing.
        let rows = run(&["--optimizer", "sgd"]);
        for r in &rows {
            for p in params {
                assert_state(r, p, &[]);
            }
        }
        // SGD, momentum 0.9, dampening 0.1: buf₁ = g₀, then buf ← μ·buf + (1 − τ)·g.
        let rows = run(&["--optimizer", "sgd", "--momentum", "0.9", "--dampening", "0.1"]);
        for p in params {
            assert_state(&rows[0], p, &[]);
            let mut buf = grad_of(&rows[0], p);
            for row in &rows[1..] {
                assert_state(row, p, &[("momentum_buffer", buf)]);
                buf = 0.9 * buf + (1.0 - 0.1) * grad_of(row, p);
            }
        }
        // Adagrad, initial accumulator 0.5: step and sum from the start; sum ← sum + g².
        let rows = run(&["--optimizer", "adagrad", "--initial-accumulator-value", "0.5"]);
        for p in params {
            let mut sum = 0.5;
            for (k, r) in rows.iter().enumerate() {
                assert_state(r, p, &[("step", k as f64), ("sum", sum)]);
                sum += grad_of(r, p).powi(2);
            }
        }
        // RMSprop centered with momentum: square_avg, grad_avg, momentum_buffer after the first step.
        let rows = run(&["--optimizer", "rmsprop", "--momentum", "0.5", "--centered"]);
        for p in params {
            assert_state(&rows[0], p, &[]);
            let (a, eps) = (0.99, 1e-8);
            let (mut v, mut ga, mut buf) = (0.0, 0.0, 0.0);
            for k in 1..=STEPS {
                let g: f64 = grad_of(&rows[k - 1], p);
                v = a * v + (1.0 - a) * g * g;
                ga = a * ga + (1.0 - a) * g;
                buf = 0.5 * buf + g / ((v - ga * ga).sqrt() + eps);
                let want = [("step", k as f64), ("square_avg", v), ("grad_avg", ga), ("momentum_buffer", buf)];
                assert_state(&rows[k], p, &want);
            }
        }
        // Adam and AdamW with AMSGrad: exp_avg, exp_avg_sq, max_exp_avg_sq.
        for kind in ["adam", "adamw"] {
            let rows = run(&["--optimizer", kind, "--amsgrad"]);
            for p in params {
                assert_state(&rows[0], p, &[]);
                let (mut m, mut v, mut vmax) = (0.0, 0.0, 0.0_f64);
                for k in 1..=STEPS {
                    let g: f64 = grad_of(&rows[k - 1], p);
                    m = 0.9 * m + (1.0 - 0.9) * g;
                    v = 0.999 * v + (1.0 - 0.999) * g * g;
                    vmax = vmax.max(v);
                    let want = [("step", k as f64), ("exp_avg", m), ("exp_avg_sq", v), ("max_exp_avg_sq", vmax)];
                    assert_state(&rows[k], p, &want);
                }
            }
        }
    }
}

/// The ledger of the notebook's first step (gd, the default) reads as the issue writes it, and its last value is the next row's w.
#[test]
fn ledger_format_writes_each_update_with_its_numbers() {
    let out = descent(&["trace", "--format", "ledger", "--steps", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("Step ").count(), 3, "one ledger per update:\n{text}");
    let expected = [
        "Step 0 → 1 · GD · lr 0.01",
        "  L = mean((ŷ − y)²) = (9 + 36 + 81 + 144)/4 = 67.5",
        "  ∂L/∂w = mean(2(ŷ − y)·x) = ((-6)·1 + (-12)·2 + (-18)·3 + (-24)·4)/4 = -45",
        "  w ← w − lr·g = 0 − 0.01·(-45) = 0.45",
        "Step 1 → 2",
    ];
    assert_lines_in_order(&text, &expected.join("\n"));
    let csv = stdout(&descent(&["trace", "--steps", "3"]));
    let w3 = csv.lines().nth(4).unwrap().split(',').nth(1).unwrap();
    let last = text.lines().rev().find(|l| l.trim_start().starts_with("w ←")).unwrap();
    assert!(last.ends_with(&format!("= {w3}")), "the last update lands on row 3's w {w3}: {last}");
}

#[test]
fn bad_schedule_flags_are_one_line_usage_errors() {
    let trace = |flags: &[&'static str]| [&["trace", "--steps", "5"][..], flags].concat();
    let onecycle = ["--schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "10"];
    let with = |extra: &[&'static str]| [&onecycle[..], extra].concat();
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (vec!["--schedule", "step"], &["--schedule step needs --step-size"]),
        (vec!["--schedule", "step", "--step-size", "0"], &["--step-size", "at least 1"]),
        (vec!["--schedule", "exponential"], &["needs --gamma"]),
        (vec!["--schedule", "exponential", "--gamma", "-0.5"], &["--gamma", "≥ 0"]),
        (vec!["--schedule", "cosine"], &["needs --t-max"]),
        (vec!["--schedule", "cosine", "--t-max", "5", "--eta-min", "nan"], &["--eta-min", "finite"]),
        (vec!["--schedule", "linear", "--start-factor", "0"], &["--start-factor", "(0, 1]"]),
        (vec!["--schedule", "linear", "--end-factor", "1.5"], &["--end-factor", "[0, 1]"]),
        (vec!["--schedule", "onecycle", "--total-steps", "10"], &["needs --max-lr"]),
        (vec!["--schedule", "onecycle", "--max-lr", "0.1"], &["needs --total-steps"]),
        (with(&["--lr", "0.1"]), &["drop --lr"]),
        (with(&["--momentum", "0.9"]), &["cycles --momentum"]),
        (with(&["--optimizer", "adam", "--beta1", "0.9"]), &["cycles --beta1"]),
        (with(&["--optimizer", "adagrad"]), &["Adagrad", "--no-cycle-momentum"]),
        (with(&["--pct-start", "1.5"]), &["--pct-start", "[0, 1]"]),
        (with(&["--pct-start", "0.1"]), &["zero steps"]),
        (with(&["--div-factor", "0"]), &["--div-factor", "> 0"]),
        (with(&["--optimizer", "adam", "--max-momentum", "1"]), &["--max-momentum", "β₁"]),
        (
            vec!["--schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "3"],
            &["--steps 5 exceeds --total-steps 3"],
        ),
        (vec!["--schedule", "plateau", "--factor", "1"], &["--factor", "≥ 1"]),
        (vec!["--schedule", "plateau", "--min-lr", "-1"], &["--min-lr"]),
        (
            vec!["--gamma", "0.5"],
            &["--gamma applies to --schedule step, multistep, exponential and cyclic, not constant"],
        ),
        (
            vec!["--schedule", "cosine", "--t-max", "5", "--patience", "3"],
            &["--patience applies to --schedule plateau"],
        ),
        (vec!["--schedule", "weekly"], &["weekly"]),
        (vec!["--schedule", "onecycle", "--anneal-strategy", "cubic"], &["cubic"]),
    ];
    for (flags, needles) in cases {
        expect_error(&trace(&flags), needles);
    }
    // OneCycleLR with momentum left alone accepts --momentum; the gif command checks the cycle's length too.
    assert!(descent(&trace(&with(&["--no-cycle-momentum", "--momentum", "0.5"]))).status.success());
    let gif = ["gif", "--steps", "20", "--frames", "5", "--size", "64x64", "--out", "/nonexistent/x.gif"];
    expect_error(&[&gif[..], &onecycle[..]].concat(), &["--steps 20 exceeds --total-steps 10"]);
}

#[test]
fn bad_flags_of_the_newer_schedules_are_one_line_usage_errors() {
    let trace = |flags: &[&'static str]| [&["trace", "--steps", "5"][..], flags].concat();
    let cyclic = ["--schedule", "cyclic", "--base-lr", "0.01", "--max-lr", "0.1"];
    let with = |extra: &[&'static str]| [&cyclic[..], extra].concat();
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (vec!["--schedule", "multistep"], &["--schedule multistep needs --milestones"]),
        (vec!["--schedule", "multistep", "--milestones", "5,3"], &["--milestones", "increasing"]),
        (vec!["--schedule", "multistep", "--milestones", "2,x"], &["x"]),
        (vec!["--schedule", "constantlr", "--factor", "1.5"], &["--factor", "(0, 1]"]),
        (vec!["--schedule", "constantlr", "--factor", "0"], &["--factor", "(0, 1]"]),
        (vec!["--schedule", "polynomial", "--power", "-1"], &["--power", "≥ 0"]),
        (vec!["--schedule", "multiplicative"], &["--schedule multiplicative needs --factor"]),
        (vec!["--schedule", "multiplicative", "--factor", "-0.5"], &["--factor", "≥ 0"]),
        (vec!["--schedule", "cyclic", "--max-lr", "0.1"], &["--schedule cyclic needs --base-lr"]),
        (vec!["--schedule", "cyclic", "--base-lr", "0.1"], &["--schedule cyclic needs --max-lr"]),
        (with(&["--lr", "0.1"]), &["--schedule cyclic sets the lr itself", "drop --lr"]),
        (with(&["--momentum", "0.9"]), &["--schedule cyclic cycles --momentum"]),
        (with(&["--optimizer", "adam", "--beta1", "0.9"]), &["cycles --beta1"]),
        (with(&["--optimizer", "adagrad"]), &["cyclic", "Adagrad", "--no-cycle-momentum"]),
        (with(&["--optimizer", "gd"]), &["cyclic", "gd", "--no-cycle-momentum"]),
        (with(&["--step-size-up", "0"]), &["--step-size-up", "at least 1"]),
        (with(&["--mode", "exp_range", "--gamma", "1.5"]), &["--gamma", "exp_range"]),
        (with(&["--mode", "sawtooth"]), &["sawtooth"]),
        (with(&["--optimizer", "adam", "--max-momentum", "1"]), &["--max-momentum", "β₁"]),
        (vec!["--schedule", "warm-restarts"], &["--schedule warm-restarts needs --t-0"]),
        (vec!["--schedule", "warm-restarts", "--t-0", "0"], &["--t-0", "at least 1"]),
        (vec!["--schedule", "warm-restarts", "--t-0", "5", "--t-mult", "0"], &["--t-mult", "at least 1"]),
        (vec!["--milestones", "3"], &["--milestones applies to --schedule multistep, not constant"]),
        (vec!["--schedule", "step", "--step-size", "2", "--t-0", "3"], &["--t-0 applies to --schedule warm-restarts"]),
        (vec!["--schedule", "cosine", "--t-max", "5", "--base-lr", "0.1"], &["--base-lr applies to --schedule cyclic"]),
        (vec!["--schedule", "exponential", "--gamma", "0.9", "--power", "2"], &["--power applies to"]),
        (vec!["--schedule", "linear", "--factor", "0.5"], &["--factor applies to --schedule plateau, constantlr"]),
        (vec!["--warmup-iters", "0"], &["--warmup-iters", "at least 1"]),
        (vec!["--warmup-iters", "3", "--warmup-start-factor", "0"], &["--warmup-start-factor", "(0, 1]"]),
        (vec!["--warmup-start-factor", "0.5"], &["--warmup-start-factor applies to --warmup-iters"]),
        (with(&["--warmup-iters", "3"]), &["--warmup-iters", "cyclic"]),
        (
            vec!["--schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "10", "--warmup-iters", "3"],
            &["--warmup-iters", "onecycle"],
        ),
        (vec!["--schedule", "plateau", "--warmup-iters", "3"], &["--warmup-iters", "plateau", "SequentialLR"]),
        (
            vec!["--schedule", "polynomial", "--total-iters", "0", "--warmup-iters", "3"],
            &["--total-iters 0", "divides"],
        ),
    ];
    for (flags, needles) in cases {
        expect_error(&trace(&flags), needles);
    }
    // Cyclic without cycling accepts --momentum; without --optimizer it picks sgd to cycle the momentum.
    assert!(descent(&trace(&with(&["--no-cycle-momentum", "--momentum", "0.5"]))).status.success());
    assert!(descent(&trace(&cyclic)).status.success());
}

#[test]
fn newer_schedules_print_the_lr_and_the_cycled_momentum_of_each_update() {
    // MultiStepLR at milestones 1 and 3, γ 0.5, from lr 0.1; with a warm-up of 2 steps from 1/4 before it, the
    // lr climbs 0.025, 0.0625, then restarts the milestones from the base lr at step 2.
    let lrs = |flags: &[&str]| -> Vec<f64> {
        let out = descent(&[&["trace", "--steps", "5", "--lr", "0.1"][..], flags].concat());
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        csv_rows(&stdout(&out)).iter().map(|r| r[6]).collect()
    };
    assert_eq!(
        lrs(&["--schedule", "multistep", "--milestones", "1,3", "--gamma", "0.5"]),
        [0.1, 0.05, 0.05, 0.025, 0.025, 0.025]
    );
    let warm = ["--schedule", "multistep", "--milestones", "1,3", "--gamma", "0.5", "--warmup-iters", "2"];
    assert_eq!(lrs(&[&warm[..], &["--warmup-start-factor", "0.25"]].concat()), [0.025, 0.0625, 0.1, 0.05, 0.05, 0.025]);
    // CyclicLR on Adam cycles β₁: it starts at base_lr with max_momentum, and the JSON rows carry both.
    let out = descent(&[
        "trace",
        "--format",
        "json",
        "--steps",
        "3",
        "--optimizer",
        "adam",
        "--schedule",
        "cyclic",
        "--base-lr",
        "0.01",
        "--max-lr",
        "0.05",
        "--step-size-up",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let row = |k: usize| (v["rows"][k]["lr"].as_f64().unwrap(), v["rows"][k]["beta1"].as_f64().unwrap());
    assert_eq!(row(0), (0.01, 0.9), "base_lr and max_momentum");
    assert_eq!(row(2), (0.05, 0.8), "max_lr and base_momentum at the top of the cycle");
    assert_eq!(v["settings"]["schedule"]["kind"], "cyclic");
    // The serde name of CosineAnnealingWarmRestarts is its --schedule value.
    let out = descent(&["trace", "--format", "json", "--steps", "1", "--schedule", "warm-restarts", "--t-0", "4"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["settings"]["schedule"]["kind"], "warm-restarts");
}

#[test]
fn scheduled_traces_print_the_lr_of_each_update() {
    // StepLR with step size 2 and γ 0.5 from lr 0.1: rows 0–1 use 0.1, rows 2–3 use 0.05, row 4 uses 0.025.
    let out =
        descent(&["trace", "--steps", "4", "--lr", "0.1", "--schedule", "step", "--step-size", "2", "--gamma", "0.5"]);
    assert!(out.status.success());
    let rows = csv_rows(&stdout(&out));
    let lrs: Vec<f64> = rows.iter().map(|r| r[6]).collect();
    assert_eq!(lrs, [0.1, 0.1, 0.05, 0.05, 0.025]);
    // Row 2 is w after two updates at lr 0.1 (4.5, then 2.25); row 3 after one more at 0.05: 2.25 + 0.05·11.25.
    assert_eq!(rows[3][1], 2.8125);
    // JSON rows carry the lr, and OneCycleLR's β₁ for Adam.
    let out = descent(&[
        "trace",
        "--format",
        "json",
        "--steps",
        "3",
        "--optimizer",
        "adam",
        "--schedule",
        "onecycle",
        "--max-lr",
        "0.1",
        "--total-steps",
        "10",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let first = &v["rows"][0];
    assert!((first["lr"].as_f64().unwrap() - 0.004).abs() < 1e-15, "max_lr / div_factor: {first}");
    assert!((first["beta1"].as_f64().unwrap() - 0.95).abs() < 1e-15, "max_momentum: {first}");
    assert!(first.get("momentum").is_none());
    assert_eq!(v["settings"]["schedule"]["kind"], "onecycle");
}

#[test]
fn objectives_trace_from_their_classic_start() {
    let out = descent(&["trace", "--objective", "rosenbrock", "--lr", "0.001", "--steps", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("step,w,b,loss,grad_w,grad_b,lr"), "the CSV keeps its columns");
    let rows = csv_rows(&text);
    // f(−1.2, 1) = 24.2 and ∇f = (−215.6, −88), computed by hand; then one step of lr 0.001.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
    let want = [0.0, -1.2, 1.0, 24.2, -215.6, -88.0];
    assert!(rows[0].iter().zip(want).all(|(&a, b)| close(a, b)), "{:?}", rows[0]);
    assert!(close(rows[1][1], -0.9844) && close(rows[1][2], 1.088), "{:?}", rows[1]);
    // An expression starts at (1, 1) unless told; --b0 needs no --bias.
    let out = descent(&["trace", "--objective", "w^2 + 3*b^2", "--steps", "0", "--b0", "2"]);
    assert_eq!(csv_rows(&stdout(&out))[0], vec![0.0, 1.0, 2.0, 13.0, 2.0, 12.0, 0.01]);
    // The saddle, unbounded below, diverges with noise: exit 3 and a one-line cause.
    let out = descent(&["trace", "--objective", "saddle", "--lr", "0.1", "--noise", "0.01", "--steps", "5000"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("unbounded below"), "{}", stderr(&out));
}

#[test]
fn analyze_reports_an_objectives_point() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = descent(&[&["analyze", "--format", "json"], args].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let v = json(&["--objective", "rosenbrock"]);
    for key in ["value", "gradient", "hessian", "eigenvalues", "point_kind"] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["point_kind"], "not-stationary");
    assert_eq!(v["hessian"], serde_json::json!([[1330.0, 480.0], [480.0, 200.0]]));
    assert_eq!(json(&["--objective", "rosenbrock", "--w", "1", "--b", "1"])["point_kind"], "minimum");
    assert_eq!(json(&["--objective", "saddle", "--w", "0", "--b", "0"])["point_kind"], "saddle");
    assert_eq!(json(&["--objective", "beale", "--w", "0", "--b", "1"])["value"], 14.203125);
    assert_eq!(json(&["--objective", "-(w^2) - b^2", "--w", "0", "--b", "0"])["point_kind"], "maximum");
    assert_eq!(json(&["--objective", "w^4 + b^4", "--w", "0", "--b", "0"])["point_kind"], "degenerate");
    let text = stdout(&descent(&["analyze", "--objective", "himmelblau"]));
    assert!(text.contains("known points    minimum  (w, b) = (3, 2), f = 0"), "{text}");
    assert!(text.contains("saddle"), "{text}");
    let text = stdout(&descent(&["analyze", "--objective", "sin(w) + b^2"]));
    assert!(text.contains("(exact, by autodiff of the autodiff gradient)"), "{text}");
}

#[test]
fn gradcheck_compares_autodiff_and_numeric_on_an_objective() {
    let out = descent(&["gradcheck", "--objective", "beale", "--w", "1", "--b", "1", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["closed_form"], serde_json::json!([0.0, 27.75]));
    assert_eq!(v["autodiff"], serde_json::json!([0.0, 27.75]));
    assert!(v["numeric_rel_error"].as_f64().unwrap() < 1e-8);
    let out = descent(&["gradcheck", "--objective", "w*b", "--w", "2", "--b", "3", "--precision", "f32"]);
    assert!(stdout(&out).contains("autodiff        [3.0, 2.0]   (the reference)"), "{}", stdout(&out));
}

#[test]
fn objective_usage_errors_are_one_line_exit_2() {
    let o = ["trace", "--objective", "rosenbrock"];
    for (extra, needle) in [
        (&["--data", "noisy"][..], "--data does not apply to an objective"),
        (&["--bias"][..], "--bias does not apply"),
        (&["--loss", "mae"][..], "--loss does not apply"),
        (&["--huber-delta", "2"][..], "--huber-delta does not apply"),
        (&["--gradient", "analytic"][..], "--gradient analytic is for a loss over data"),
        (&["--gradient", "notebook-sum"][..], "--gradient notebook-sum"),
        (&["--batch-size", "2"][..], "--batch-size does not apply"),
        (&["--noise", "-1"][..], "--noise"),
        (&["--format", "notebook"][..], "not an objective"),
    ] {
        expect_error(&[&o[..], extra].concat(), &[needle]);
    }
    expect_error(&["trace", "--noise", "0.1"], &["--noise applies to objectives only"]);
    expect_error(&["analyze", "--objective", "saddle", "--data", "noisy"], &["--data does not apply"]);
    expect_error(&["gradcheck", "--objective", "saddle", "--w", "1", "--bias"], &["--bias does not apply"]);
    expect_error(&["trace", "--objective", "w + (b"], &["column 7", "to close the “(” at column 5"]);
    expect_error(&["trace", "--objective", "rosenbrok"], &["column 1", "unknown name “rosenbrok”"]);
    expect_error(&["analyze", "--objective", "w^2 +"], &["column 6"]);
    // A function outside its domain at the start is refused with the reason.
    for (objective, start, reason) in [
        ("asin(w)", ["--w0", "2"], "asin needs an argument in [−1, 1], and gets 2 there"),
        ("acos(b) + w^2", ["--b0", "-3"], "acos needs an argument in [−1, 1], and gets -3 there"),
        ("log1p(w)", ["--w0", "-2"], "log1p needs an argument > −1, and gets -2 there"),
        ("w + sqrt(b - 2)", ["--b0", "1"], "sqrt needs an argument ≥ 0, and gets -1 there"),
    ] {
        expect_error(&[&["trace", "--objective", objective][..], &start[..]].concat(), &["not finite", reason]);
    }
    expect_error(
        &["analyze", "--objective", "asin(w)", "--w", "2"],
        &["asin needs an argument in [−1, 1], and gets 2"],
    );
}

#[test]
fn newton_line_search_and_standardize_flags() {
    // Newton's lr defaults to 1: one step to w* = 3.
    let rows = csv_rows(&stdout(&descent(&["trace", "--optimizer", "newton", "--steps", "1"])));
    assert_eq!((rows[1][1], rows[0][6]), (3.0, 1.0));
    // The lr column holds the accepted t (0.125 from lr 1 on the notebook, by hand in tests/newton.rs).
    let rows = csv_rows(&stdout(&descent(&["trace", "--line-search", "armijo", "--lr", "1", "--steps", "1"])));
    assert_eq!((rows[0][6], rows[1][1]), (0.125, 5.625));
    // w, b in the original space; JSON adds the scaled ones.
    let out =
        stdout(&descent(&["trace", "--standardize", "--bias", "--lr", "0.5", "--steps", "1", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &v["rows"][1];
    assert!((row["w"].as_f64().unwrap() - 3.0).abs() < 1e-12 && row["b"].as_f64().unwrap().abs() < 1e-12, "{row}");
    assert!((row["w_scaled"].as_f64().unwrap() - 3.0 * 1.25f64.sqrt()).abs() < 1e-12, "{row}");
    let text = stdout(&descent(&["analyze", "--standardize", "--bias"]));
    assert!(text.contains("standardized    condition 55.78 → 1"), "{text}");
    // A singular Hessian is an outcome: exit 3, said on stderr and named in the JSON outcome.
    let args = ["trace", "--optimizer", "newton", "--objective", "w^2 + 0*b", "--format", "json"];
    let out = descent(&args);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("Hessian is singular"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("central differences"), "the Hessian is exact: no note says otherwise");
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"]["status"], "singular-hessian");
    assert_eq!(v["hessian"], "exact-autodiff");
    // d2l.ai's Newton example f = cosh(x/2) from x = 10 (with b² beside it): the JSON says the Hessian is exact.
    let args = ["trace", "--optimizer", "newton", "--objective", "cosh(0.5*w) + b^2", "--w0", "10", "--format", "json"];
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&descent(&[&args[..], &["--steps", "2"]].concat()))).unwrap();
    assert_eq!(v["hessian"], "exact-autodiff");
    assert_eq!(v["rows"][1]["w"], 8.00018159147481, "torch's first step (tests/fixtures/hessians/newton.tsv)");
    let v: serde_json::Value = serde_json::from_str(&stdout(&descent(&[
        "trace",
        "--optimizer",
        "newton",
        "--objective",
        "rosenbrock",
        "--format",
        "json",
        "--steps",
        "1",
    ])))
    .unwrap();
    assert_eq!(v["hessian"], "closed-form");
}

#[test]
fn newton_line_search_and_standardize_misuse_is_one_line() {
    expect_error(&["trace", "--optimizer", "newton", "--loss", "mae"], &["newton", "MAE"]);
    expect_error(&["trace", "--line-search", "armijo", "--momentum", "0.9"], &["--line-search", "momentum"]);
    expect_error(&["trace", "--line-search", "armijo", "--optimizer", "adam"], &["--line-search"]);
    expect_error(&["trace", "--line-search", "armijo", "--optimizer", "newton"], &["--line-search"]);
    expect_error(&["trace", "--armijo-c", "0.1"], &["--armijo-c", "--line-search armijo"]);
    expect_error(&["trace", "--backtrack", "0.3"], &["--backtrack"]);
    expect_error(&["trace", "--line-search", "armijo", "--backtrack", "1.5"], &["--backtrack", "(0, 1)"]);
    expect_error(&["trace", "--line-search", "armijo", "--armijo-c", "0"], &["--armijo-c"]);
    expect_error(&["trace", "--line-search", "armijo", "--schedule", "exponential", "--gamma", "0.9"], &["--schedule"]);
    expect_error(&["trace", "--standardize", "--objective", "rosenbrock"], &["--standardize"]);
}

#[test]
fn an_unknown_or_malformed_lesson_is_one_line_and_exit_2() {
    let out = descent(&["--lesson", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("--lesson nope") && err.contains("learning-rate"),
        "names the lesson and the built-ins: {err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "format = 1\ntitle = \"t\"\n[[pages]]\ntitle = \"p\"\ntext = \"x\"\ncheck = { kind = \"bogus\" }\n",
    )
    .unwrap();
    let out = descent(&["--lesson", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml:6: pages[0].check: unknown variant `bogus`"), "file, line and field: {err}");
}

/// Issue 13 §3: `descent exercise` prints the same JSON for the same seed, other data for another, and grades.
#[test]
fn exercise_json_is_a_function_of_the_seed() {
    let json = |kind: &str, seed: &str| {
        let out = descent(&["exercise", "--kind", kind, "--seed", seed, "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    for kind in ["next-weight", "critical-lr", "one-step-lr", "steps-to-tolerance", "optimum"] {
        let a = json(kind, "17");
        assert_eq!(a, json(kind, "17"), "{kind}: the same seed, the same exercise");
        let v: serde_json::Value = serde_json::from_str(&a).unwrap();
        let w: serde_json::Value = serde_json::from_str(&json(kind, "18")).unwrap();
        assert_ne!(v["x"], w["x"], "{kind}: another seed, other data");
        assert_eq!(v["kind"], kind);
        assert_eq!(v["seed"], 17);
        for key in ["x", "y", "bias", "question", "answer", "accept"] {
            assert!(!v[key].is_null(), "{kind}: {key}");
        }
        assert!(v.get("correct").is_none(), "no answer given, no verdict");
    }
    let v: serde_json::Value = serde_json::from_str(&json("steps-to-tolerance", "17")).unwrap();
    assert_eq!(v["bias"], false);
    assert_eq!(v["accept"], 0.0);
    assert!(v["lr"].is_f64() && v["w0"].is_f64() && v["tol"].is_f64() && v.get("b0").is_none());
    let v: serde_json::Value = serde_json::from_str(&json("critical-lr", "17")).unwrap();
    assert!(v.get("lr").is_none() && v.get("w0").is_none() && v.get("tol").is_none());
}

#[test]
fn exercise_grades_the_answer_with_its_exit_code() {
    let out = descent(&["exercise", "--kind", "one-step-lr", "--seed", "5", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // 1/λ with λ = (2/n)·Σx², computed here from the printed data.
    let x: Vec<f64> = v["x"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let lambda = 2.0 * x.iter().map(|x| x * x).sum::<f64>() / x.len() as f64;
    let answer = v["answer"].as_f64().unwrap();
    assert!((answer - 1.0 / lambda).abs() < 1e-12);
    let right = descent::format::rounded_repr(1.0 / lambda, 5, false);
    let out = descent(&["exercise", "--kind", "one-step-lr", "--seed", "5", "--answer", &right]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("correct: ") && text.contains("why: λ = L″(w) = (2/n)·Σx²"), "{text}");
    let wrong = descent::format::repr(2.0 / lambda);
    let out = descent(&["exercise", "--kind", "one-step-lr", "--seed", "5", "--answer", &wrong, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["correct"], false);
    assert!(v["explanation"].as_str().unwrap().contains("lr = 1/λ"));
    // A steps-to-tolerance count is graded exactly.
    let out = descent(&["exercise", "--kind", "steps-to-tolerance", "--seed", "5", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let k = v["answer"].as_f64().unwrap();
    let good = descent(&["exercise", "--kind", "steps-to-tolerance", "--seed", "5", "--answer", &format!("{k}")]);
    assert_eq!(good.status.code(), Some(0));
    let off =
        descent(&["exercise", "--kind", "steps-to-tolerance", "--seed", "5", "--answer", &format!("{}", k + 1.0)]);
    assert_eq!(off.status.code(), Some(1));
}

#[test]
fn exercise_refuses_bad_flags_in_one_line() {
    expect_error(&["exercise", "--kind", "optimum"], &["--seed"]);
    expect_error(&["exercise", "--kind", "slope", "--seed", "1"], &["slope"]);
    expect_error(&["exercise", "--kind", "optimum", "--seed", "1", "--answer", "nan"], &["--answer", "finite"]);
    expect_error(&["exercise", "--kind", "optimum", "--seed", "1", "--answer", "inf"], &["--answer"]);
    expect_error(&["exercise", "--kind", "optimum", "--seed", "-3"], &["-3"]);
    expect_error(&["exercise", "--kind", "optimum", "--seed", "1", "--lr", "0.1"], &["--lr"]);
}

/// What the app opens comes from one place: a session brings its own data and runs, the notebook preset its data.
#[test]
fn session_preset_and_data_together_are_a_usage_error() {
    expect_error(&["--session", "s.json", "--preset", "race"], &["--session and --preset race", "give one"]);
    expect_error(&["--session", "s.json", "--data", "noisy"], &["--session and --data noisy", "give one"]);
    expect_error(&["--preset", "notebook", "--data", "noisy"], &["the notebook preset runs on the notebook's data"]);
}

/// A session on the notebook's data with these runs (name, settings, steps taken), saved in a new directory.
fn saved_notebook_session(
    runs: Vec<(&str, descent::engine::Settings, u64)>,
) -> (tempfile::TempDir, std::path::PathBuf) {
    use descent::session::{Session, SessionRun};
    let mut s = Session::new(&descent::engine::Dataset::notebook());
    for (i, (name, settings, steps)) in runs.into_iter().enumerate() {
        let mut run = SessionRun::new(name, settings, [1, 2, 3 + i as u8]);
        run.steps = steps;
        s.runs.push(run);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.json");
    s.save(&path).expect("save");
    (dir, path)
}

/// `descent replay`: a session's runs as csv with a leading run column or as a JSON array of traces; a bad file is
/// one line and exit 2.
#[test]
fn replay_prints_every_run_of_a_session() {
    use descent::engine::Settings;
    let mut adam = Settings::default();
    adam.optimizer.kind = descent::engine::OptimizerKind::Adam;
    let (dir, path) = saved_notebook_session(vec![("plain, SGD", Settings::default(), 3), ("adam", adam, 2)]);
    let p = path.to_str().expect("utf-8 path");
    let out = descent(&["replay", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "run,step,w,b,loss,grad_w,grad_b,lr");
    assert_eq!(lines.len(), 1 + 4 + 3, "rows 0..3 of the first run, 0..2 of the second");
    assert!(lines[2].starts_with("\"plain, SGD\",1,0.45,"), "quoted name, the notebook's first step: {}", lines[2]);
    assert!(lines[5].starts_with("adam,0,0,"), "{}", lines[5]);
    let out = descent(&["replay", p, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let runs = v.as_array().expect("an array of traces");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["rows"].as_array().map(Vec::len), Some(4));
    assert_eq!(runs[1]["outcome"]["status"], "completed");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1,").expect("write");
    expect_error(&["replay", bad.to_str().expect("utf-8")], &["bad.json"]);
}

/// A run whose start is not finite (an objective undefined there) is refused with its reason, and the other runs of
/// the session still replay: exit 0, a line on stderr (csv) or a "refused" outcome (json), and no infinite row.
#[test]
fn replay_reports_a_run_that_cannot_start_and_goes_on() {
    use descent::engine::Settings;
    use descent::engine::objective::Objective;
    let mut undefined = Settings::default();
    undefined.set_objective(Some(Objective::parse("log(w) + b^2").expect("expression")), true);
    undefined.w0 = -1.0;
    let (_dir, path) = saved_notebook_session(vec![("log at -1", undefined, 3), ("plain", Settings::default(), 2)]);
    let p = path.to_str().expect("utf-8 path");
    let out = descent(&["replay", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "run log at -1: refused: the value of f(w, b) = log(w) + b^2 at the start (w0 = -1, b0 = 1) is not finite in f64: \
         log needs a positive argument, and gets -1 there; start elsewhere"
    );
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1 + 3, "the header and the plain run's rows 0..2: {text}");
    assert!(!text.contains("inf") && !text.contains("nan"), "{text}");
    let out = descent(&["replay", p, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(v[0]["outcome"]["status"], "refused");
    assert!(v[0]["outcome"]["detail"].as_str().is_some_and(|d| d.contains("not finite")), "{v}");
    assert_eq!(v[0]["rows"].as_array().map(Vec::len), Some(0));
    assert_eq!(v[1]["rows"].as_array().map(Vec::len), Some(3));
}

// ------------------------------------------------------------------- never overwrite what is not ours (issue 24)

/// `gif --out` writes only to a new path or a regular file that may be written: a symbolic link, a FIFO, a
/// character device, a read-only file and a path through a linked folder are each one line and exit 2, and each is
/// left exactly as it was.
#[cfg(unix)]
#[test]
fn gif_never_replaces_what_is_not_a_writable_regular_file() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    std::fs::write(p("target.gif"), b"keep").expect("write");
    std::os::unix::fs::symlink(p("target.gif"), p("link.gif")).expect("symlink");
    std::os::unix::fs::symlink(dir.path(), p("linked")).expect("symlink");
    let fifo = std::process::Command::new("mkfifo").arg(p("fifo.gif")).status().expect("mkfifo");
    assert!(fifo.success());
    std::fs::write(p("readonly.gif"), b"keep").expect("write");
    std::fs::set_permissions(p("readonly.gif"), std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let gif = |out: &std::path::Path| {
        let out = out.to_str().expect("utf-8").to_string();
        expect_error(&["gif", "--frames", "2", "--size", "160x100", "--out", &out], &[&out[..out.len().min(20)]]);
    };
    for (name, why) in
        [("link.gif", "symbolic link"), ("fifo.gif", "not a regular file"), ("readonly.gif", "read-only")]
    {
        let out = descent(&["gif", "--frames", "2", "--size", "160x100", "--out", p(name).to_str().expect("utf-8")]);
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
        gif(&p(name));
    }
    gif(&p("linked").join("new.gif"));
    gif(std::path::Path::new("/dev/null"));
    assert!(std::fs::symlink_metadata(p("link.gif")).expect("link").file_type().is_symlink());
    assert!(std::fs::symlink_metadata(p("fifo.gif")).expect("fifo").file_type().is_fifo());
    assert_eq!(std::fs::read(p("target.gif")).expect("target"), b"keep");
    assert_eq!(std::fs::read(p("readonly.gif")).expect("readonly"), b"keep");
    assert!(!p("new.gif").exists());
    assert!(std::fs::metadata("/dev/null").expect("null").file_type().is_char_device());
}

/// Sessions and lessons read only regular files of a bounded size: /dev/zero, /dev/urandom and a FIFO are refused
/// at once in one line (they used to read until memory ran out, or hang), and so is a 10 MB lesson.
#[cfg(unix)]
#[test]
fn sessions_and_lessons_refuse_special_and_huge_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("fifo.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let fifo = fifo.to_str().expect("utf-8");
    for path in ["/dev/zero", "/dev/urandom", fifo] {
        expect_error(&["replay", path], &[path, "not a regular file"]);
        expect_error(&["--lesson", path], &[path, "not a regular file"]);
    }
    let huge = dir.path().join("huge.toml");
    let text =
        format!("format = 1\ntitle = \"t\"\n[[pages]]\ntitle = \"p\"\ntext = \"\"\"{}\"\"\"\n", "a".repeat(10 << 20));
    std::fs::write(&huge, text).expect("write");
    expect_error(&["--lesson", huge.to_str().expect("utf-8")], &["huge.toml", "larger than"]);
    let long = dir.path().join("long.toml");
    std::fs::write(
        &long,
        format!("format = 1\ntitle = \"t\"\n[[pages]]\ntitle = \"p\"\ntext = \"{}\"\n", "a".repeat(9000)),
    )
    .expect("write");
    expect_error(&["--lesson", long.to_str().expect("utf-8")], &["long.toml:5", "pages[0].text", "at most 8000"]);
}

/// A lesson file means what it says: what it cannot mean is one line at launch naming the file, the line and the
/// field, never silently dropped or rewritten (a seventh run past a preset, an objective run told to drop its bias,
/// use the analytic gradient or mini-batches, a check's stray key, a typo in settings, data that is not there).
#[test]
fn lesson_files_are_refused_where_they_would_be_rewritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = |body: &str| format!("format = 1\ntitle = \"t\"\n\n[[pages]]\ntitle = \"p\"\ntext = \"x\"\n{body}\n");
    let run = |settings: &str| format!("[[pages.setup.runs]]\nname = \"r\"\nsettings = {{ {settings} }}");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (format!("[pages.setup]\npreset = \"race\"\n{}", run("")), vec![":9:", "setup.runs", "7 runs", "at most 6"]),
        (run("objective = \"rosenbrock\", batch_size = 2"), vec![":7:", "batch_size"]),
        (run("objective = \"rosenbrock\", gradient = \"analytic\""), vec![":7:", "analytic"]),
        (run("objective = \"rosenbrock\", bias = false"), vec![":7:", "bias = false"]),
        ("check = { kind = \"diverged\", steps = 3 }".to_string(), vec![":7:", "check", "unknown field `steps`"]),
        (run("optimzer = { kind = \"adam\" }"), vec![":7:", "runs[0]", "unknown field `optimzer`"]),
        ("[pages.setup]\ndata = \"missing.csv\"".to_string(), vec![":8:", "setup.data", "missing.csv"]),
        (
            "[pages.setup]\ndata = \"/dev/zero\"".to_string(),
            vec![":8:", "setup.data", "/dev/zero", "not a regular file"],
        ),
    ];
    for (i, (body, needles)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, page(body)).expect("write");
        let mut want = vec![format!("bad{i}.toml")];
        want.extend(needles.iter().map(|n| n.to_string()));
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        expect_error(&["--lesson", path.to_str().expect("utf-8")], &want);
    }
    // The same objective run, with the fields it implies left out (or given as it needs them), is a lesson.
    let ok = dir.path().join("ok.toml");
    std::fs::write(&ok, page(&run("objective = \"rosenbrock\", gradient = \"numeric\""))).expect("write");
    assert!(descent::lesson::Lesson::load(ok.to_str().expect("utf-8")).is_ok());
}

/// A flag of another optimizer is a usage error, never ignored: Adam has no momentum or Nesterov, Newton no weight
/// decay or β₁, SGD no β₁, gd (the default) only a learning rate.
#[test]
fn flags_of_another_optimizer_are_usage_errors() {
    let cases: [(&[&str], &[&str]); 7] = [
        (&["--optimizer", "adam", "--momentum", "0.9"], &["--momentum", "sgd and rmsprop", "not of adam"]),
        (&["--optimizer", "adamw", "--nesterov"], &["--nesterov", "not of adamw"]),
        (&["--optimizer", "newton", "--weight-decay", "0.1"], &["--weight-decay", "not of newton"]),
        (&["--optimizer", "newton", "--beta1", "0.5"], &["--beta1", "adam and adamw", "not of newton"]),
        (&["--optimizer", "sgd", "--beta1", "0.5"], &["--beta1", "not of sgd"]),
        (&["--alpha", "0.9"], &["--alpha", "rmsprop", "not of gd"]),
        (&["--optimizer", "gd", "--momentum", "0.9"], &["gd", "momentum", "--optimizer sgd"]),
    ];
    for (flags, needles) in cases {
        let args: Vec<&str> = ["trace"].iter().chain(flags).copied().collect();
        expect_error(&args, needles);
    }
    // Without --optimizer, SGD's own flags still select SGD, as before gd was the default.
    let out = descent(&["trace", "--momentum", "0.9", "--nesterov", "--steps", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A full stderr (/dev/full) never turns an error into a panic: usage errors from clap and from descent, a bad
/// lesson at launch and gif's "diverged" note keep their intended exit codes (2, 2, 2 and 0), where eprintln! would
/// panic with 101.
#[cfg(unix)]
#[test]
fn a_full_stderr_keeps_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("d.gif");
    let out = out.to_str().expect("utf-8");
    let cases: [(&[&str], i32); 4] = [
        (&["trace", "--bogus"], 2),
        (&["trace", "--lr", "-0.1"], 2),
        (&["--lesson", "/dev/zero"], 2),
        (&["gif", "--lr", "0.2", "--steps", "30", "--frames", "2", "--size", "160x100", "--out", out], 0),
    ];
    for (args, code) in cases {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_descent"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(full)
            .status()
            .expect("runs");
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

/// Clap's errors are one escaped, bounded line too: a newline in a value arrives as \n (clap printed only "invalid
/// value 'w"), a 100,000-character expression is cut (clap echoed all of it), and `--lr -inf` is refused as an lr
/// (clap read it as the flags -i -n -f).
#[test]
fn clap_errors_are_escaped_bounded_and_name_the_real_cause() {
    expect_error(&["trace", "--objective", "w\n+q"], &["invalid value 'w\\n+q'", "--objective", "unknown name"]);
    let long = format!("{}w", "w+".repeat(50_000));
    let out = descent(&["trace", "--objective", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).len() < 700, "{} bytes", stderr(&out).len());
    expect_error(&["trace", "--lr", "-inf"], &["--lr", "-inf", "finite"]);
}

/// Issue 20: `--answer` takes what a person types, as the app's number fields do: `2/λ` as a fraction, `pi/4`-style
/// constants, exponents; a refused one says why in one line.
#[test]
fn exercise_answers_may_be_fractions_and_expressions() {
    let out = descent(&["exercise", "--kind", "critical-lr", "--seed", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["bias"], false, "seed 1 is ŷ = w·x");
    // 2/λ with λ = (2/n)·Σx², written as the learner would from the printed data.
    let x: Vec<f64> = v["x"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let sxx: f64 = x.iter().map(|x| x * x).sum();
    let typed = format!("2/((2/{})*{})", x.len(), descent::format::repr(sxx));
    let out = descent(&["exercise", "--kind", "critical-lr", "--seed", "1", "--answer", &typed]);
    assert_eq!(out.status.code(), Some(0), "{typed}: {}", stdout(&out));
    let wrong = descent(&["exercise", "--kind", "critical-lr", "--seed", "1", "--answer", "-1/2e-1"]);
    assert_eq!(wrong.status.code(), Some(1), "a negative fraction is read, and graded wrong");
    expect_error(
        &["exercise", "--kind", "critical-lr", "--seed", "1", "--answer", "2/x"],
        &["--answer", "finite number", "column 3: unknown name “x”"],
    );
    expect_error(&["exercise", "--kind", "critical-lr", "--seed", "1", "--answer", "1/0"], &["--answer", "infinite"]);
}

/// A value is used as given or refused: a non-zero literal that rounds to 0 (`1e-400`) or past f64's range is exit 2
/// in a flag and in an expression (it ran at lr 0 with exit 0); a divergence with momentum ≥ 1 names the momentum
/// (it blamed the data "although lr 0.01 is below the critical lr"); and `analyze` prints no "∞" for an undefined
/// condition number.
#[test]
fn values_are_used_as_given_and_messages_name_the_real_cause() {
    expect_error(&["trace", "--lr", "1e-400"], &["--lr", "1e-400", "rounds to 0"]);
    expect_error(&["trace", "--precision", "f32", "--lr", "1e-400"], &["--lr", "rounds to 0"]);
    expect_error(&["trace", "--w0", "1e400"], &["--w0", "beyond the f64 range"]);
    expect_error(&["trace", "--objective", "w*1e-400+b"], &["--objective", "column 3", "rounds to 0"]);
    let out = descent(&["trace", "--optimizer", "sgd", "--momentum", "1e308", "--steps", "5"]);
    assert_eq!(out.status.code(), Some(3), "diverged");
    let err = stderr(&out);
    assert!(err.contains("momentum 1e+308 ≥ 1") && !err.contains("critical lr"), "{err}");
    let out = descent(&["analyze", "--loss", "mae"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('∞') && text.contains("condition       undefined"), "{text}");
}

/// A run that cannot meet its tolerance stops at the step cap (10⁶ steps) and says why, from the analysis (issue 21
/// §4): MAE's gradient stays at mean|x| = 2.5 next to the minimum. Without a tolerance there is no cap. (The JSON
/// outcome's name, `step-cap`, is checked in cli/trace.rs.)
#[test]
fn a_run_that_cannot_meet_its_tolerance_stops_at_the_step_cap() {
    let args = ["trace", "--loss", "mae", "--optimizer", "sgd", "--lr", "0.01", "--tol", "1e-6", "--steps", "2000000"];
    let out = descent(&[&args[..], &["--format", "last"]].concat());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    let head = "stopped at step 1000000: the step cap, without meeting tolerance 1.000e-6: \
                MAE's gradient is a mean of signs: next to the minimum |∇L| stays 2.5 > tolerance 1.000e-6";
    assert!(err.contains(head), "{err}");
    assert!(stdout(&out).starts_with("1000000,"), "{}", stdout(&out));
    let out = descent(&["trace", "--loss", "mae", "--steps", "1000001", "--format", "last"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("1000001,"), "{}", stdout(&out));
}
