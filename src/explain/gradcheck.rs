//! The gradient check's sentence: about one named run and the gradient that run uses. The notebook's hand-written
//! sum is N times the mean's gradient, so for a run that uses it the sentence gives the ratio and the lr it acts
//! like; a run on any other source uses the true gradient, and its sentence says only that.

use crate::engine::gradient::GradientCheck;
use crate::engine::settings::GradientSource;
use crate::format;

/// The sentence for the run named `run_name`, which uses `source` at learning rate `lr`, and whether it is a
/// warning (only for a run on the notebook's sum, where the sum differs from the true gradient).
pub fn gradient_sentence(check: &GradientCheck, run_name: &str, source: GradientSource, lr: f64) -> (String, bool) {
    if source != GradientSource::NotebookSum {
        let how = match source {
            GradientSource::Analytic => "the hand-derived gradient of the mean loss",
            GradientSource::Autodiff => "autodiff's gradient of the mean loss",
            _ => "central differences of the mean loss",
        };
        let text =
            format!("The gradient in use is the true one: “{run_name}” uses {how}, the table's analytic column.");
        return (text, false);
    }
    match check.notebook_sum_ratio() {
        Some(r) => (
            format!(
                "“{run_name}” uses the notebook's hand-written gradient, {r:.2}× the true one here (it sums over the \
                 N = {} samples instead of averaging), so its lr {} behaves like lr × {r:.2} = {}.",
                check.n_samples,
                format::short(lr),
                format::short(lr * r)
            ),
            (r - 1.0).abs() > 1e-9,
        ),
        None => (
            format!(
                "“{run_name}” uses the notebook's hand-written gradient; the true gradient is zero here, so the sum is \
                 zero too."
            ),
            false,
        ),
    }
}
