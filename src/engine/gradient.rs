//! The four gradient sources over one problem (data + model + loss, or an objective f(w, b)), and the gradient
//! check that compares them.

use super::autodiff::LossGraph;
use super::data::Dataset;
use super::loss::{Loss, Sums, sums};
use super::model::{Grad, Params};
use super::moments::Moments;
use super::objective::{HessianMethod, Objective};
use super::real::Real;
use super::scaling::Scaling;
use super::settings::{GradientSource, Settings};

/// Loss and gradient at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evaluation<F> {
    /// The mean loss.
    pub loss: F,
    /// The gradient the chosen source reports (for notebook-sum, N × the true one).
    pub grad: Grad<F>,
}

/// Data in the run's precision, with the model and the loss: everything needed to evaluate L(w, b).
#[derive(Clone, Debug)]
pub struct Problem<F> {
    x: Vec<F>,
    y: Vec<F>,
    bias: bool,
    loss: Loss<F>,
    /// O(1) evaluation for full-batch MSE on large data (f64 only: an f32 run sums its samples in f32).
    moments: Option<Moments<F>>,
    /// An objective f(w, b) evaluated instead of the data's loss (then there are no samples).
    objective: Option<Objective>,
    /// The inputs' scaling under `--standardize` (`x` holds the scaled inputs).
    scaling: Option<Scaling>,
}

/// Below this many samples the per-sample pass is as fast as the moments and rounds as the notebook does.
pub const MOMENTS_MIN_SAMPLES: usize = super::loss::SEQUENTIAL_SUM_MAX;

impl<F: Real> Problem<F> {
    /// Converts the data to `F` and resolves the loss; with an objective, only the objective.
    pub fn new(data: &Dataset, settings: &Settings) -> Self {
        if let Some(o) = &settings.objective {
            let loss = Loss::Mse;
            let objective = Some(o.clone());
            return Problem { x: vec![], y: vec![], bias: true, loss, moments: None, objective, scaling: None };
        }
        let scaling =
            if settings.standardize { Scaling::of(data.x.as_slice().unwrap_or(&[]), settings.bias) } else { None };
        let scaled = |v: f64| scaling.map_or(v, |s| s.apply(v));
        let x: Vec<F> = data.x.iter().map(|&v| F::from_f64(scaled(v))).collect();
        let y: Vec<F> = data.y.iter().map(|&v| F::from_f64(v)).collect();
        let loss = Loss::new(settings.loss, settings.huber_delta);
        let moments = (loss == Loss::Mse && F::NAME == "f64" && x.len() >= MOMENTS_MIN_SAMPLES)
            .then(|| Moments::new(&x, &y, settings.bias))
            .flatten();
        Problem { x, y, bias: settings.bias, loss, moments, objective: None, scaling }
    }

    /// The inputs' scaling, when the run is standardized.
    pub fn scaling(&self) -> Option<Scaling> {
        self.scaling
    }

    /// The exact Hessian of the mean loss at `p`, in f64: an objective's own ([`Objective::hessian`]); for data,
    /// (1/n)·Σ ℓ''(eᵢ)·[xᵢ², xᵢ; xᵢ, 1] over the problem's inputs (MSE: ℓ'' = 2; Huber: 1 inside δ, 0 outside, so
    /// only the samples in its quadratic zone count; MAE: 0). Without a bias only `[0][0]` is set.
    pub fn hessian(&self, p: Params<F>) -> ([[f64; 2]; 2], HessianMethod) {
        if let Some(o) = &self.objective {
            return o.hessian(p.to_f64());
        }
        let (mut hxx, mut hx, mut h1) = (0.0, 0.0, 0.0);
        for (&xi, &yi) in self.x.iter().zip(&self.y) {
            let e = p.predict(xi, self.bias) - yi;
            let c = self.loss.curvature(e).to_f64();
            let xi = xi.to_f64();
            hxx += c * xi * xi;
            hx += c * xi;
            h1 += c;
        }
        let n = self.x.len().max(1) as f64;
        let h = if self.bias { [[hxx / n, hx / n], [hx / n, h1 / n]] } else { [[hxx / n, 0.0], [0.0, 0.0]] };
        (h, HessianMethod::ClosedForm)
    }

    /// The objective, when the problem is one.
    pub fn objective(&self) -> Option<&Objective> {
        self.objective.as_ref()
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True without samples.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The model has a bias.
    pub fn bias(&self) -> bool {
        self.bias
    }

    /// The loss.
    pub fn loss_fn(&self) -> Loss<F> {
        self.loss
    }

    /// Inputs in the run's precision.
    pub fn x(&self) -> &[F] {
        &self.x
    }

    /// Targets in the run's precision.
    pub fn y(&self) -> &[F] {
        &self.y
    }

    /// Σℓ and Σ∂ℓ over all samples.
    #[inline(always)]
    pub fn sums(&self, p: Params<F>) -> Sums<F> {
        match &self.moments {
            Some(m) => m.sums(p),
            None => sums(&self.x, &self.y, p, self.bias, self.loss),
        }
    }

    /// The mean loss over all samples (or the objective's value).
    pub fn loss(&self, p: Params<F>) -> F {
        if let Some(o) = &self.objective {
            return o.value(p);
        }
        self.sums(p).mean().0
    }

    /// Loss and gradient over all samples from `source`.
    #[inline(always)]
    pub fn evaluate(&self, p: Params<F>, source: GradientSource) -> Evaluation<F> {
        if let Some(o) = &self.objective {
            return o.evaluate(p, source);
        }
        match source {
            GradientSource::Analytic | GradientSource::NotebookSum => {
                from_sums(self.sums(p), source == GradientSource::NotebookSum)
            }
            _ => evaluate_on(&self.x, &self.y, p, self.bias, self.loss, source),
        }
    }

    /// Loss and gradient over the samples at `indices` (a mini-batch), gathered into the scratch buffers.
    pub fn evaluate_batch(
        &self,
        p: Params<F>,
        source: GradientSource,
        indices: &[usize],
        scratch: &mut (Vec<F>, Vec<F>),
    ) -> Evaluation<F> {
        let (bx, by) = scratch;
        bx.clear();
        by.clear();
        bx.extend(indices.iter().map(|&i| self.x[i]));
        by.extend(indices.iter().map(|&i| self.y[i]));
        evaluate_on(bx, by, p, self.bias, self.loss, source)
    }

    /// Every source's gradient at `p`, for the gradient check.
    pub fn gradient_check(&self, p: Params<F>) -> GradientCheck {
        self.gradient_check_and_graph(p).0
    }

    /// The gradient check and the autodiff graph it recorded (the app shows both; recording twice would double the
    /// cost on large data).
    pub fn gradient_check_and_graph(&self, p: Params<F>) -> (GradientCheck, LossGraph<F>) {
        if let Some(o) = &self.objective {
            return objective_check(o, p);
        }
        let at = |s| self.evaluate(p, s).grad.to_f64();
        let graph = LossGraph::record(&self.x, &self.y, p, self.bias, self.loss);
        let check = GradientCheck {
            analytic: at(GradientSource::Analytic),
            autodiff: graph.grad().to_f64(),
            numeric: at(GradientSource::Numeric),
            notebook_sum: at(GradientSource::NotebookSum),
            n_samples: self.len(),
            bias: self.bias,
        };
        (check, graph)
    }
}

/// The gradient check of an objective: the reference (a built-in's closed form, autodiff for an expression)
/// stands as "analytic" and as "notebook-sum" (there is no sum over samples: ratio 1).
fn objective_check<F: Real>(o: &Objective, p: Params<F>) -> (GradientCheck, LossGraph<F>) {
    let graph = o.graph(p);
    let reference = o.reference_gradient(p.to_f64());
    let check = GradientCheck {
        analytic: reference,
        autodiff: graph.grad().to_f64(),
        numeric: o.evaluate(p, GradientSource::Numeric).grad.to_f64(),
        notebook_sum: reference,
        n_samples: 1,
        bias: true,
    };
    (check, graph)
}

impl Objective {
    /// f and its gradient from `source`: central differences for `numeric`, the autodiff tape otherwise.
    pub fn evaluate<F: Real>(&self, p: Params<F>, source: GradientSource) -> Evaluation<F> {
        match source {
            GradientSource::Numeric => {
                Evaluation { loss: self.value(p), grad: numeric_gradient(|q| self.value(q), p, true) }
            }
            _ => {
                let g = self.graph(p);
                Evaluation { loss: g.loss_value(), grad: g.grad() }
            }
        }
    }
}

fn from_sums<F: Real>(s: Sums<F>, summed: bool) -> Evaluation<F> {
    let (loss, mean_grad) = s.mean();
    Evaluation { loss, grad: if summed { s.grad } else { mean_grad } }
}

/// Loss and gradient over explicit samples (the full data or a gathered batch).
fn evaluate_on<F: Real>(
    x: &[F],
    y: &[F],
    p: Params<F>,
    bias: bool,
    loss: Loss<F>,
    source: GradientSource,
) -> Evaluation<F> {
    match source {
        GradientSource::Analytic => from_sums(sums(x, y, p, bias, loss), false),
        GradientSource::NotebookSum => from_sums(sums(x, y, p, bias, loss), true),
        GradientSource::Autodiff => {
            let g = LossGraph::record(x, y, p, bias, loss);
            Evaluation { loss: g.loss_value(), grad: g.grad() }
        }
        GradientSource::Numeric => {
            let f = |q: Params<F>| sums(x, y, q, bias, loss).mean().0;
            Evaluation { loss: f(p), grad: numeric_gradient(f, p, bias) }
        }
    }
}

/// Central differences, (L(p+h) − L(p−h)) / (2h), with h = ∛ε · max(1, |p|): the step that balances truncation
/// error (∝ h²) against rounding (∝ ε/h). The divisor is the actually representable (p+h) − (p−h).
pub fn numeric_gradient<F: Real>(f: impl Fn(Params<F>) -> F, p: Params<F>, bias: bool) -> Grad<F> {
    let mut g = Grad::default();
    for i in 0..if bias { 2 } else { 1 } {
        let v = p.get(i);
        let h = F::EPSILON.cbrt() * v.abs().max(F::ONE);
        let (mut hi, mut lo) = (p, p);
        hi.set(i, v + h);
        lo.set(i, v - h);
        g.set(i, (f(hi) - f(lo)) / (hi.get(i) - lo.get(i)));
    }
    g
}

/// The gradients of all four sources at one point, in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientCheck {
    /// The hand-derived gradient of the mean loss.
    pub analytic: Grad<f64>,
    /// Reverse-mode autodiff.
    pub autodiff: Grad<f64>,
    /// Central differences.
    pub numeric: Grad<f64>,
    /// The notebook's summed gradient.
    pub notebook_sum: Grad<f64>,
    /// N.
    pub n_samples: usize,
    /// Whether b is a parameter.
    pub bias: bool,
}

impl GradientCheck {
    /// ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both are 0.
    pub fn relative_error(a: Grad<f64>, b: Grad<f64>) -> f64 {
        let diff = Grad { w: a.w - b.w, b: a.b - b.b }.norm();
        let scale = a.norm().max(b.norm());
        if scale == 0.0 { 0.0 } else { diff / scale }
    }

    /// Relative error of autodiff against analytic.
    pub fn autodiff_error(&self) -> f64 {
        Self::relative_error(self.autodiff, self.analytic)
    }

    /// Relative error of numeric against analytic.
    pub fn numeric_error(&self) -> f64 {
        Self::relative_error(self.numeric, self.analytic)
    }

    /// The larger of the two errors.
    pub fn max_rel_error(&self) -> f64 {
        self.autodiff_error().max(self.numeric_error())
    }

    /// ‖notebook-sum‖ / ‖analytic‖ (N for every loss), `None` where the true gradient is zero.
    pub fn notebook_sum_ratio(&self) -> Option<f64> {
        let a = self.analytic.norm();
        (a > 0.0).then(|| self.notebook_sum.norm() / a)
    }

    /// The gradient as a vector: [d/dw] or [d/dw, d/db].
    pub fn as_vec(&self, g: Grad<f64>) -> Vec<f64> {
        if self.bias { vec![g.w, g.b] } else { vec![g.w] }
    }

    /// One plain sentence on what the ratio means for the learning rate.
    pub fn explain_ratio(&self, lr: f64) -> String {
        match self.notebook_sum_ratio() {
            Some(r) => format!(
                "the hand-written gradient is {r:.2}× the true one, so it behaves like lr × {r:.2} = {}",
                crate::format::compact(lr * r)
            ),
            None => "the true gradient is zero here, so the hand-written one is zero too: no ratio to speak of".into(),
        }
    }
}
