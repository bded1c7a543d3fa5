//! The notebook's printout, reproduced: NumPy-style for the hand-written loops and torch-style for autograd.
//!
//! Pure formatting of engine records, shared by `descent trace --format notebook` and the app's notebook log.
//! Numbers follow Python's `repr` ([`crate::format::python_repr`]), NumPy's array printing (maxprec, 8 digits)
//! and torch's tensor printing (4 decimals), so the lines read exactly as the notebook's cells did.

use crate::engine::{Params, settings::GradientSource};
use crate::format::{python_repr, python_repr_f32, shortest_digits};

/// Which notebook cell a run mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// The NumPy loop (hand-written gradient).
    Numpy,
    /// The PyTorch autograd loop.
    Torch,
}

impl Style {
    /// Autodiff runs print like the torch cell, every other source like the NumPy cell.
    pub fn for_source(source: GradientSource) -> Self {
        if source == GradientSource::Autodiff { Style::Torch } else { Style::Numpy }
    }
}

/// Writes the printout of one run, step by step.
#[derive(Clone, Debug)]
pub struct Printer {
    style: Style,
    x: Vec<f64>,
    y: Vec<f64>,
    bias: bool,
    f32: bool,
    /// The data and start were whole numbers, as the notebook's int arrays: its first lines print ints.
    ints_at_start: bool,
}

impl Printer {
    /// A printer for data (x, y) in `style`; `f32` selects float32 reprs.
    pub fn new(style: Style, x: &[f64], y: &[f64], bias: bool, f32: bool, start: Params<f64>) -> Self {
        let whole = |v: &f64| v.fract() == 0.0 && v.abs() < 1e15;
        let ints_at_start = x.iter().all(whole) && y.iter().all(whole) && whole(&start.w) && whole(&start.b);
        Printer { style, x: x.to_vec(), y: y.to_vec(), bias, f32, ints_at_start }
    }

    fn predictions(&self, p: Params<f64>) -> Vec<f64> {
        self.x.iter().map(|&x| if self.bias { p.w * x + p.b } else { p.w * x }).map(|v| self.round(v)).collect()
    }

    /// Predictions are computed in the run's precision.
    fn round(&self, v: f64) -> f64 {
        if self.f32 { v as f32 as f64 } else { v }
    }

    fn scalar(&self, v: f64) -> String {
        if self.f32 { python_repr_f32(v as f32) } else { python_repr(v) }
    }

    /// The lines printed before the loop.
    pub fn header(&self, start: Params<f64>) -> Vec<String> {
        match self.style {
            Style::Numpy => {
                let ints = self.ints_at_start;
                let w = if ints { format!("{}", start.w as i64) } else { self.scalar(start.w) };
                vec![
                    format!("Initialized Weight :{w}"),
                    format!("Predictions with this weight:{}", numpy_array(&self.predictions(start), ints)),
                ]
            }
            Style::Torch => vec![],
        }
    }

    /// The lines of update `i`, from `before` (parameters, loss and gradient at step i) to `after`.
    pub fn step(&self, i: u64, before: Params<f64>, loss: f64, grad: Params<f64>, after: Params<f64>) -> Vec<String> {
        let preds = self.predictions(before);
        match self.style {
            Style::Numpy => {
                let ints = i == 0 && self.ints_at_start;
                let w = if ints { format!("{}", before.w as i64) } else { self.scalar(before.w) };
                let mut tail = format!("loss={loss:.3}, updated weight={:.3}", after.w);
                if self.bias {
                    tail.push_str(&format!(", updated bias={:.3}", after.b));
                }
                vec![
                    format!("Weight before forward:{w}"),
                    format!("Parameters at {i} steps: "),
                    format!("Predictions={}, {tail}", numpy_array(&preds, ints)),
                ]
            }
            Style::Torch => {
                let param = |v: f64| format!("tensor({}, requires_grad=True)", torch_values(&[v]));
                let mut lines = vec![format!("Weight before forward:{}", param(before.w))];
                lines.push(format!("tensor({})", torch_values(&[grad.w])));
                lines.push(param(after.w));
                let mut tail = format!("updated weight={}", param(after.w));
                if self.bias {
                    tail.push_str(&format!(", updated bias={}", param(after.b)));
                }
                lines.push(format!("Parameters at {i} steps: "));
                lines.push(format!(
                    "Predictions=tensor({}, grad_fn=<{}>), loss={}, {tail}",
                    torch_values(&preds),
                    if self.bias { "AddBackward0" } else { "MulBackward0" },
                    python_repr(loss)
                ));
                lines
            }
        }
    }

    /// The closing comparison, with the predictions of the last forward pass (at `last_forward`).
    pub fn footer(&self, last_forward: Params<f64>) -> Vec<String> {
        let preds = self.predictions(last_forward);
        let y_ints = self.y.iter().all(|v| v.fract() == 0.0 && v.abs() < 1e15);
        match self.style {
            Style::Numpy => {
                let rounded: Vec<String> = preds.iter().map(|&v| python_repr(round_half_even(v, 3))).collect();
                vec![
                    String::new(),
                    String::new(),
                    "Comparing real and predicted values".into(),
                    format!(" Y_true={}", numpy_array(&self.y, y_ints)),
                    format!(" Y_pred=[{}]", rounded.join(", ")),
                ]
            }
            Style::Torch => vec![
                String::new(),
                String::new(),
                "Comparing real and predicted values".into(),
                format!(" Y_true=tensor({})", torch_values(&self.y)),
                format!(
                    " Y_pred=tensor({}, grad_fn=<{}>)",
                    torch_values(&preds),
                    if self.bias { "AddBackward0" } else { "MulBackward0" }
                ),
            ],
        }
    }
}

/// Python's round(v, digits) for floats: correctly rounded on the decimal value of the binary number.
fn round_half_even(v: f64, digits: usize) -> f64 {
    format!("{v:.digits$}").parse().unwrap_or(v)
}

/// One element as NumPy prints it in an array (maxprec mode, at most 8 fractional digits): integer part and
/// fractional digits, e.g. ("2", "9232"), ("3", "") for 3.0.
fn numpy_parts(v: f64) -> (String, String) {
    let mut s = python_repr(v);
    if s.contains('e') {
        s = format!("{v:.8}");
    }
    let (int, frac) = s.split_once('.').map_or((s.clone(), String::new()), |(a, b)| (a.to_string(), b.to_string()));
    if frac.len() > 8 {
        let r = format!("{v:.8}");
        let (i, f) = r.split_once('.').unwrap_or((&r, ""));
        return (i.to_string(), f.trim_end_matches('0').to_string());
    }
    (int, if frac == "0" { String::new() } else { frac })
}

/// `str(np.array(values))`: ints as `[ 3  6  9 12]`, floats as `[ 2.52  5.04  7.56 10.08]` (aligned on the
/// point, trailing zeros dropped and padded with spaces), scientific when NumPy would switch to it; arrays of
/// more than 1000 elements summarised with `...`, lines wrapped at 75 columns.
pub fn numpy_array(values: &[f64], ints: bool) -> String {
    let shown: Vec<Option<f64>> = if values.len() > 1000 {
        values[..3]
            .iter()
            .map(|&v| Some(v))
            .chain([None])
            .chain(values[values.len() - 3..].iter().map(|&v| Some(v)))
            .collect()
    } else {
        values.iter().map(|&v| Some(v)).collect()
    };
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).map(f64::abs).collect();
    let max = finite.iter().copied().fold(0.0, f64::max);
    let min_nonzero = finite.iter().copied().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
    let scientific =
        !ints && (max >= 1e8 || (min_nonzero < 1e-4 || max / min_nonzero > 1e3) && min_nonzero.is_finite());
    let items: Vec<String> = if ints {
        let strs: Vec<Option<String>> = shown.iter().map(|v| v.map(|v| format!("{}", v as i64))).collect();
        let width = strs.iter().flatten().map(String::len).max().unwrap_or(1);
        strs.into_iter().map(|s| s.map_or("...".into(), |s| format!("{s:>width$}"))).collect()
    } else if scientific {
        let digits =
            shown.iter().flatten().map(|v| shortest_digits(&format!("{:e}", v.abs())).0.len()).max().unwrap_or(1);
        let prec = digits.saturating_sub(1).min(8);
        shown
            .iter()
            .map(|v| {
                v.map_or("...".into(), |v| {
                    let s = format!("{v:.prec$e}");
                    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    let m = if prec == 0 { format!("{m}.") } else { m.to_string() };
                    format!("{}{m}e{}{:02}", if v < 0.0 { "" } else { " " }, if e < 0 { '-' } else { '+' }, e.abs())
                })
            })
            .collect()
    } else {
        let parts: Vec<Option<(String, String)>> = shown.iter().map(|v| v.map(numpy_parts)).collect();
        let int_w = parts.iter().flatten().map(|p| p.0.len()).max().unwrap_or(1);
        let frac_w = parts.iter().flatten().map(|p| p.1.len()).max().unwrap_or(0);
        parts.into_iter().map(|p| p.map_or("...".into(), |(i, f)| format!("{i:>int_w$}.{f:<frac_w$}"))).collect()
    };
    wrap_items(&items, " ", 75)
}

/// Joins items inside brackets, wrapping at `width` columns with a one-space continuation indent.
fn wrap_items(items: &[String], sep: &str, width: usize) -> String {
    let mut out = String::from("[");
    let mut line_len = 1;
    for (k, item) in items.iter().enumerate() {
        let piece = if k == 0 { item.clone() } else { format!("{sep}{item}") };
        if k > 0 && line_len + piece.len() + 1 > width {
            out.push('\n');
            out.push(' ');
            out.push_str(item);
            line_len = 1 + item.len();
        } else {
            out.push_str(&piece);
            line_len += piece.len();
        }
    }
    out.push(']');
    out
}

/// The values part of torch's tensor repr: `[0., 0., 0., 0.]`, `[0.8325, 1.6650, 2.4975, 3.3300]`, right-aligned
/// to a common width; scientific (`1.2346e+10`) for large ranges, as torch switches.
pub fn torch_values(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).map(f64::abs).collect();
    let ints = values.iter().all(|v| v.fract() == 0.0);
    let max = finite.iter().copied().fold(0.0, f64::max);
    let min_nonzero = finite.iter().copied().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
    let scientific = if ints {
        max >= 1e8
    } else {
        max >= 1e8 || (min_nonzero.is_finite() && (min_nonzero < 1e-4 || max / min_nonzero > 1e3))
    };
    let strs: Vec<String> = values
        .iter()
        .map(|&v| {
            if scientific {
                let s = format!("{v:.4e}");
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            } else if ints {
                format!("{}.", v as i64)
            } else {
                format!("{v:.4}")
            }
        })
        .collect();
    let width = strs.iter().map(String::len).max().unwrap_or(1);
    let items: Vec<String> = strs.iter().map(|s| format!("{s:>width$}")).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_arrays_match_the_notebook() {
        assert_eq!(numpy_array(&[0.0; 4], true), "[0 0 0 0]");
        assert_eq!(numpy_array(&[3.0, 6.0, 9.0, 12.0], true), "[ 3  6  9 12]");
        assert_eq!(numpy_array(&[1.8, 3.6, 5.4, 7.2], false), "[1.8 3.6 5.4 7.2]");
        assert_eq!(numpy_array(&[2.52, 5.04, 7.56, 10.08], false), "[ 2.52  5.04  7.56 10.08]");
        assert_eq!(numpy_array(&[1.5, 2.25], false), "[1.5  2.25]");
        assert_eq!(numpy_array(&[3.0, 6.5], false), "[3.  6.5]");
    }

    #[test]
    fn torch_tensors_match_the_notebook() {
        assert_eq!(torch_values(&[0.0; 4]), "[0., 0., 0., 0.]");
        assert_eq!(torch_values(&[-45.0]), "[-45.]");
        assert_eq!(torch_values(&[3.0, 6.0, 9.0, 12.0]), "[ 3.,  6.,  9., 12.]");
        assert_eq!(torch_values(&[0.8325f32 as f64, 1.665, 2.4975, 3.33]), "[0.8325, 1.6650, 2.4975, 3.3300]");
    }
}
