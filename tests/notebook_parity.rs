//! descent reproduces both of the notebook's loops digit for digit: the NumPy loop with its hand-written
//! (summed) gradient in float64, and the PyTorch autograd loop in float32. The expected values are the
//! notebook's own printouts (tests/fixtures/ holds them verbatim).

mod common;

use common::{assert_lines_in_order, descent, stdout};
use descent::engine::trainer::{DynTrainer, Record};
use descent::engine::{Dataset, GradientSource, Precision, Settings};
use descent::format::python_repr;

fn trajectory(gradient: GradientSource, precision: Precision, steps: u64) -> Vec<Record<f64>> {
    let settings = Settings { gradient, precision, ..Settings::default() };
    let mut t = DynTrainer::new(&Dataset::notebook(), &settings).expect("valid settings");
    let mut rows = vec![t.record()];
    t.run(steps, |r| rows.push(*r));
    rows
}

#[test]
fn numpy_loop_weights_are_the_notebooks_exact_floats() {
    // "Weight before forward:…" printed with Python's repr, i.e. the exact float64 values.
    let printed = ["1.8", "2.52", "2.808", "2.9232", "2.96928", "2.987712", "2.9950848"];
    let rows = trajectory(GradientSource::NotebookSum, Precision::F64, 7);
    for (k, want) in printed.iter().enumerate() {
        assert_eq!(python_repr(rows[k + 1].params.w), *want, "w after {} updates", k + 1);
    }
    let losses = ["67.500", "10.800", "1.728", "0.276", "0.044", "0.007", "0.001"];
    for (k, want) in losses.iter().enumerate() {
        assert_eq!(format!("{:.3}", rows[k].loss), *want, "loss at step {k}");
    }
    // The first hand-written gradient is np.dot(2X, −Y) = −180, N = 4 times torch's −45.
    assert_eq!(rows[0].grad.w, -180.0);
}

#[test]
fn torch_loop_matches_in_float32() {
    let rows = trajectory(GradientSource::Autodiff, Precision::F32, 6);
    let grads = ["-45.0000", "-38.2500", "-32.5125", "-27.6356", "-23.4903", "-19.9667"];
    let weights = ["0.4500", "0.8325", "1.1576", "1.4340", "1.6689", "1.8686"];
    for k in 0..6 {
        assert_eq!(format!("{:.4}", rows[k].grad.w), grads[k], "W.grad at step {k}");
        assert_eq!(format!("{:.4}", rows[k + 1].params.w), weights[k], "W after {} updates", k + 1);
    }
    // torch prints the float32 loss widened to a Python float: every digit is the float32's.
    assert_eq!(python_repr(rows[0].loss), "67.5");
    assert_eq!(python_repr(rows[2].loss), "35.23542022705078");
    assert_eq!(python_repr(rows[5].loss), "13.289022445678711");
}

#[test]
fn float64_autodiff_differs_from_the_float32_printout() {
    // The same loop in f64 does not round like the notebook's float32 tensors: precision is visible.
    let rows = trajectory(GradientSource::Autodiff, Precision::F64, 5);
    assert_ne!(python_repr(rows[5].loss), "13.289022445678711");
    assert!((rows[5].loss - 13.289022445678711).abs() < 1e-5);
}

#[test]
fn binary_prints_the_numpy_cell() {
    let out =
        descent(&["trace", "--gradient", "notebook-sum", "--lr", "0.01", "--steps", "11", "--format", "notebook"]);
    assert!(out.status.success());
    assert_lines_in_order(&stdout(&out), include_str!("fixtures/notebook_numpy_printout.txt"));
}

#[test]
fn binary_prints_the_torch_cells() {
    let out =
        descent(&["trace", "--gradient", "autodiff", "--precision", "f32", "--steps", "25", "--format", "notebook"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_lines_in_order(&text, include_str!("fixtures/notebook_torch_first_cell.txt"));
    assert_lines_in_order(&text, include_str!("fixtures/notebook_torch_printout.txt"));
    assert!(text.contains("Comparing real and predicted values"));
    assert!(text.contains(" Y_true=tensor([ 3.,  6.,  9., 12.])"));
}
