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

/// One fixture of tests/fixtures/notebook_f32 (made by torch running the notebook's cell, make_fixtures.py there):
/// its learning rate, bias and steps, and each row's [w, b, loss, ∂w, ∂b] as float32 bits.
struct TorchCell {
    name: String,
    lr: f64,
    bias: bool,
    steps: u64,
    rows: Vec<[u32; 5]>,
}

fn torch_cells() -> Vec<TorchCell> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notebook_f32");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && !p.ends_with("VERSIONS.txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("fixture");
            let mut lines = text.lines();
            let header = lines.next().expect("header");
            let field = |key: &str| {
                header.split_whitespace().find_map(|f| f.strip_prefix(&format!("{key}="))).expect(key).to_string()
            };
            assert_eq!(field("kind"), "gd");
            let rows = lines
                .map(|l| {
                    let v: Vec<u32> =
                        l.split_whitespace().skip(1).map(|h| u32::from_str_radix(h, 16).expect("hex")).collect();
                    [v[0], v[1], v[2], v[3], v[4]]
                })
                .collect();
            TorchCell {
                name: field("name"),
                lr: field("lr").parse().expect("lr"),
                bias: field("bias") == "1",
                steps: field("steps").parse().expect("steps"),
                rows,
            }
        })
        .collect()
}

fn f32_bits(r: &Record<f64>) -> [u32; 5] {
    [r.params.w, r.params.b, r.loss, r.grad.w, r.grad.b].map(|v| (v as f32).to_bits())
}

/// The default optimizer, gd, in f32 with autodiff is the notebook's torch cell as torch itself runs it
/// (`W -= learning_rate * W.grad`, two roundings): every row bit for bit, at the notebook's lr 0.01 for 50 steps,
/// with a bias, and at lr 0.1 and 0.05.
#[test]
fn gd_in_float32_is_the_notebooks_torch_cell_bit_for_bit() {
    let cells = torch_cells();
    assert_eq!(cells.len(), 4, "notebook, notebook-bias, lr-0.1, lr-0.05-bias");
    for cell in &cells {
        let settings = Settings {
            gradient: GradientSource::Autodiff,
            precision: Precision::F32,
            bias: cell.bias,
            optimizer: descent::engine::optim::OptimizerConfig { lr: cell.lr, ..Default::default() },
            ..Settings::default()
        };
        assert_eq!(settings.optimizer.kind, descent::engine::optim::OptimizerKind::Gd, "gd is the default");
        let mut t = DynTrainer::new(&Dataset::notebook(), &settings).expect("valid settings");
        let mut rows = vec![t.record()];
        t.run(cell.steps, |r| rows.push(*r));
        assert_eq!(rows.len(), cell.rows.len(), "{}: every step", cell.name);
        for (k, (row, want)) in rows.iter().zip(&cell.rows).enumerate() {
            assert_eq!(f32_bits(row), *want, "{}, step {k}: [w, b, loss, ∂w, ∂b]", cell.name);
        }
    }
}

/// torch.optim.SGD fuses the update into one rounding, so on the notebook's cell it leaves torch's own loop at
/// step 6 (w = 1.8685514 against the cell's 1.8685515): the two optimizers are told apart, each exact to its rule.
#[test]
fn sgd_in_float32_parts_from_the_notebooks_cell_at_step_6() {
    let cell = torch_cells().into_iter().find(|c| c.name == "notebook").expect("notebook fixture");
    let mut settings =
        Settings { gradient: GradientSource::Autodiff, precision: Precision::F32, ..Settings::default() };
    settings.optimizer.kind = descent::engine::optim::OptimizerKind::Sgd;
    let mut t = DynTrainer::new(&Dataset::notebook(), &settings).expect("valid settings");
    let mut rows = vec![t.record()];
    t.run(6, |r| rows.push(*r));
    for (k, (row, want)) in rows.iter().zip(&cell.rows).take(6).enumerate() {
        assert_eq!(f32_bits(row), *want, "sgd equals the cell before step 6 (step {k})");
    }
    let (sgd, cell_w) = (rows[6].params.w as f32, f32::from_bits(cell.rows[6][0]));
    assert_eq!((sgd, cell_w), (1.868_551_4, 1.868_551_5));
}

/// The command line without --optimizer is the notebook's torch cell: `trace --gradient autodiff --precision f32`
/// prints the fixture's weights and losses for all 50 steps (each float32 as the shortest decimal that reads back
/// as it, as numpy prints a float32).
#[test]
fn trace_without_an_optimizer_prints_the_torch_cell() {
    let cell = torch_cells().into_iter().find(|c| c.name == "notebook").expect("notebook fixture");
    let out = descent(&["trace", "--gradient", "autodiff", "--precision", "f32", "--steps", "50"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 51);
    for (k, (row, want)) in rows.iter().zip(&cell.rows).enumerate() {
        let (w, loss) = (f32::from_bits(want[0]), f32::from_bits(want[2]));
        assert_eq!(row[1].parse::<f32>().map(f32::to_bits), Ok(w.to_bits()), "w at step {k}: {}", row[1]);
        assert_eq!(row[3].parse::<f32>().map(f32::to_bits), Ok(loss.to_bits()), "loss at step {k}: {}", row[3]);
    }
}
