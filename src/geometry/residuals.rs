//! Each sample's share of the loss and of the gradient, for the data plot: the residual rᵢ = ŷᵢ − yᵢ, its loss
//! term ℓ(rᵢ) as a shape whose size is the term, and its gradient contribution as an arrow stacked head-to-tail
//! with the others into the total the gradient source reports.
//!
//! The numbers are the engine's per-sample ones ([`Loss::value`], [`Loss::derivative`]) summed left to right, as
//! the engine sums small data, so the totals are the engine's gradient at that point (tests check it against
//! `Problem::evaluate` for every loss and source). Under notebook-sum every arrow is a whole ∂ℓᵢ/∂θ, so the total
//! is N times the mean; under the other sources every arrow is ∂ℓᵢ/∂θ ÷ N and the total is the mean.
//!
//! The shapes, in the plot's data coordinates, with the residual as one side:
//! - MSE: a square of side |r|, drawn square on screen (its width is |r| on the y scale, converted to x units), so
//!   every square's area is its term r² times the same factor;
//! - MAE: a bar of fixed width and length |r| (its term);
//! - Huber: the area under ℓ′(t) = min(t, δ) along the residual: a half-square of side min(|r|, δ) (½r²), then a bar
//!   of width δ and length |r| − δ (δ·(|r| − δ)) — the square clipped at δ, with the linear remainder as a bar.
//!
//! Pure: no pixels, no user interface.

use crate::engine::loss::{Loss, LossKind};
use crate::engine::model::{Grad, Params};
use crate::engine::settings::{GradientSource, Settings};

/// Most samples whose shares are drawn (beyond, the plot says so and draws none).
pub const MAX_SHARES: usize = 200;

/// One sample's share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleShare {
    /// The sample's index in the data.
    pub index: usize,
    /// Input.
    pub x: f64,
    /// Target.
    pub y: f64,
    /// The prediction ŷ = w·x (+ b).
    pub fitted: f64,
    /// r = ŷ − y.
    pub residual: f64,
    /// The loss term ℓ(r).
    pub term: f64,
    /// ℓ′(r) = dℓ/dŷ.
    pub slope: f64,
    /// The arrow drawn on each gradient strip: ℓ′(r)·(x, 1), ÷ N unless the source sums.
    pub arrow: Grad<f64>,
}

/// Every sample's share at one point, and the totals.
#[derive(Clone, Debug, PartialEq)]
pub struct Shares {
    /// The samples, in data order.
    pub samples: Vec<SampleShare>,
    /// The mean of the terms: the loss.
    pub loss: f64,
    /// The sum of the arrows: the gradient the source reports.
    pub total: Grad<f64>,
    /// The gradient of the mean loss (the total ÷ N under notebook-sum, the total otherwise).
    pub mean: Grad<f64>,
    /// The source sums (notebook-sum): every arrow at full size.
    pub summed: bool,
    /// The loss.
    pub kind: LossKind,
    /// Huber's δ.
    pub delta: f64,
    /// The model has a bias.
    pub bias: bool,
}

impl Shares {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True without samples (never, for shares built by [`shares`]).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// The shares of the samples (x, y) under `settings` at `p`; `None` without samples, above [`MAX_SHARES`] or when
/// a number is not finite.
pub fn shares(x: &[f64], y: &[f64], settings: &Settings, p: Params<f64>) -> Option<Shares> {
    let n = x.len().min(y.len());
    if n == 0 || n > MAX_SHARES || !p.is_finite() {
        return None;
    }
    let loss = Loss::<f64>::new(settings.loss, settings.huber_delta);
    let summed = settings.gradient == GradientSource::NotebookSum;
    let scale = if summed { 1.0 } else { 1.0 / n as f64 };
    let (mut sum_loss, mut sum_grad) = (0.0, Grad::<f64>::default());
    let mut samples = Vec::with_capacity(n);
    for (index, (&xi, &yi)) in x.iter().zip(y).enumerate() {
        let fitted = p.predict(xi, settings.bias);
        let residual = fitted - yi;
        let (term, slope) = (loss.value(residual), loss.derivative(residual));
        let full = Grad { w: slope * xi, b: if settings.bias { slope } else { 0.0 } };
        sum_loss += term;
        sum_grad.w += full.w;
        sum_grad.b += full.b;
        let arrow = Grad { w: full.w * scale, b: full.b * scale };
        samples.push(SampleShare { index, x: xi, y: yi, fitted, residual, term, slope, arrow });
    }
    let nf = n as f64;
    let mean = Grad { w: sum_grad.w / nf, b: sum_grad.b / nf };
    let total = if summed { sum_grad } else { mean };
    let finite = sum_loss.is_finite() && total.is_finite();
    finite.then(|| Shares {
        samples,
        loss: sum_loss / nf,
        total,
        mean,
        summed,
        kind: settings.loss,
        delta: settings.huber_delta,
        bias: settings.bias,
    })
}

/// Arrows head-to-tail: the (start, end) of each value's arrow, starting at 0; the last end is the sum.
pub fn stack(values: impl IntoIterator<Item = f64>) -> Vec<[f64; 2]> {
    let mut at = 0.0;
    values
        .into_iter()
        .map(|v| {
            let start = at;
            at += v;
            [start, at]
        })
        .collect()
}

/// Which of `n` samples are in the batch the next update uses (all of them for full batch, `None`); indices out of
/// range are ignored.
pub fn batch_mask(n: usize, batch: Option<&[usize]>) -> Vec<bool> {
    match batch {
        None => vec![true; n],
        Some(indices) => {
            let mut mask = vec![false; n];
            for &i in indices {
                if let Some(m) = mask.get_mut(i) {
                    *m = true;
                }
            }
            mask
        }
    }
}

/// The gradient the source reports over the batch's samples (the mean over the batch, or its sum under
/// notebook-sum), as the engine's mini-batch step computes it; `None` for an empty batch.
pub fn batch_gradient(shares: &Shares, batch: &[usize]) -> Option<Grad<f64>> {
    let mask = batch_mask(shares.len(), Some(batch));
    let inside = shares.samples.iter().filter(|s| mask[s.index]);
    let (count, sum) = inside.fold((0usize, Grad::<f64>::default()), |(c, g), s| {
        (c + 1, Grad { w: g.w + s.slope * s.x, b: g.b + if shares.bias { s.slope } else { 0.0 } })
    });
    if count == 0 {
        return None;
    }
    let k = if shares.summed { 1.0 } else { count as f64 };
    Some(Grad { w: sum.w / k, b: sum.b / k })
}

/// The shape of a loss term along its residual, in units of the y axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TermShape {
    /// MSE: a square of this side (|r|); area r².
    Square(f64),
    /// MAE: a bar of this length (|r|).
    Bar(f64),
    /// Huber: a half-square of side `quad` = min(|r|, δ), then a bar of width `quad` and length `rest` = |r| − quad.
    Clipped {
        /// min(|r|, δ).
        quad: f64,
        /// max(|r| − δ, 0).
        rest: f64,
    },
}

impl TermShape {
    /// The shape of ℓ(r) for a loss.
    pub fn of(kind: LossKind, delta: f64, residual: f64) -> TermShape {
        let a = residual.abs();
        match kind {
            LossKind::Mse => TermShape::Square(a),
            LossKind::Mae => TermShape::Bar(a),
            LossKind::Huber => {
                let quad = a.min(delta);
                TermShape::Clipped { quad, rest: a - quad }
            }
        }
    }

    /// The size that equals the term: the area of a square or clipped square, the length of a bar.
    pub fn size(self) -> f64 {
        match self {
            TermShape::Square(s) => s * s,
            TermShape::Bar(l) => l,
            TermShape::Clipped { quad, rest } => 0.5 * quad * quad + quad * rest,
        }
    }
}

/// The outline of a sample's term in data coordinates, a convex polygon with the residual (from the data point to
/// the line) as its side at x: it extends toward `dir` (+1 right, −1 left) by its width on the y scale times
/// `x_per_y` (x units per y unit on screen, so that a square looks square), a bar by `bar_x` x units.
pub fn term_outline(s: &SampleShare, shape: TermShape, x_per_y: f64, dir: f64, bar_x: f64) -> Vec<[f64; 2]> {
    let (x, y, yhat) = (s.x, s.y, s.fitted);
    let up = if s.residual >= 0.0 { 1.0 } else { -1.0 };
    let across = |w: f64| x + dir * w;
    match shape {
        TermShape::Square(side) => {
            let x1 = across(side * x_per_y);
            vec![[x, y], [x1, y], [x1, yhat], [x, yhat]]
        }
        TermShape::Bar(_) => {
            let x1 = across(bar_x);
            vec![[x, y], [x1, y], [x1, yhat], [x, yhat]]
        }
        TermShape::Clipped { quad, .. } => {
            // Width min(t, δ) at distance t from the data point: a slanted side up to δ, then straight.
            let x1 = across(quad * x_per_y);
            vec![[x, y], [x1, y + up * quad], [x1, yhat], [x, yhat]]
        }
    }
}

/// True when `p` lies inside (or on) the convex polygon `outline` (either orientation; degenerate sides ignored).
pub fn inside_convex(outline: &[[f64; 2]], p: [f64; 2]) -> bool {
    let n = outline.len();
    if n < 3 {
        return false;
    }
    let (mut pos, mut neg) = (false, false);
    for k in 0..n {
        let [ax, ay] = outline[k];
        let [bx, by] = outline[(k + 1) % n];
        let cross = (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax);
        pos |= cross > 0.0;
        neg |= cross < 0.0;
    }
    !(pos && neg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
    const Y: [f64; 4] = [3.0, 6.0, 9.0, 12.0];

    fn settings(loss: LossKind, gradient: GradientSource, bias: bool) -> Settings {
        Settings { loss, gradient, bias, ..Settings::default() }
    }

    #[test]
    fn the_notebook_start_reads_as_the_notebook_says() {
        let s = shares(&X, &Y, &Settings::default(), Params { w: 0.0, b: 0.0 }).expect("shares");
        let terms: Vec<f64> = s.samples.iter().map(|s| s.term).collect();
        assert_eq!(terms, [9.0, 36.0, 81.0, 144.0]);
        assert_eq!(s.loss, 67.5);
        assert_eq!(s.total.w, -45.0);
        let arrows: Vec<f64> = s.samples.iter().map(|s| s.arrow.w).collect();
        assert_eq!(arrows, [-1.5, -6.0, -13.5, -24.0]);
        let summed = settings(LossKind::Mse, GradientSource::NotebookSum, false);
        let s = shares(&X, &Y, &summed, Params::default()).expect("shares");
        assert_eq!((s.total.w, s.mean.w), (-180.0, -45.0));
        assert_eq!(s.samples.iter().map(|s| s.arrow.w).collect::<Vec<_>>(), [-6.0, -24.0, -54.0, -96.0]);
    }

    #[test]
    fn stacked_arrows_run_head_to_tail_into_the_sum() {
        let st = stack([-1.5, -6.0, 2.0]);
        assert_eq!(st, [[0.0, -1.5], [-1.5, -7.5], [-7.5, -5.5]]);
        assert!(stack(std::iter::empty()).is_empty());
    }

    #[test]
    fn the_batch_mask_marks_the_batch_and_its_gradient_is_its_mean() {
        assert_eq!(batch_mask(3, None), [true, true, true]);
        assert_eq!(batch_mask(4, Some(&[2, 0, 9])), [true, false, true, false]);
        let s = shares(&X, &Y, &Settings::default(), Params::default()).expect("shares");
        // ∂ℓ/∂w = 2·r·x: −6 and −54 at samples 0 and 2; their mean is −30.
        assert_eq!(batch_gradient(&s, &[0, 2]), Some(Grad { w: -30.0, b: 0.0 }));
        assert_eq!(batch_gradient(&s, &[]), None);
        assert_eq!(batch_gradient(&s, &[0, 1, 2, 3]), Some(s.total));
        let summed = settings(LossKind::Mse, GradientSource::NotebookSum, false);
        let s = shares(&X, &Y, &summed, Params::default()).expect("shares");
        assert_eq!(batch_gradient(&s, &[0, 2]), Some(Grad { w: -60.0, b: 0.0 }));
    }

    #[test]
    fn every_shape_has_the_size_of_its_term() {
        for (kind, r) in [(LossKind::Mse, -3.0), (LossKind::Mae, 2.5), (LossKind::Huber, 0.4), (LossKind::Huber, -7.0)]
        {
            let term = Loss::<f64>::new(kind, 1.0).value(r);
            let size = TermShape::of(kind, 1.0, r).size();
            assert!((size - term).abs() < 1e-12, "{kind:?} at r = {r}: {size} vs {term}");
        }
    }

    fn area(poly: &[[f64; 2]]) -> f64 {
        let n = poly.len();
        0.5 * (0..n)
            .map(|k| {
                let ([ax, ay], [bx, by]) = (poly[k], poly[(k + 1) % n]);
                ax * by - bx * ay
            })
            .sum::<f64>()
            .abs()
    }

    #[test]
    fn outlines_are_the_shapes_on_screen_with_the_residual_as_a_side() {
        let p = Params { w: 1.0, b: 0.0 };
        // On screen, one y unit is as long as 0.25 x units: the areas are the terms × 0.25.
        for (kind, delta) in [(LossKind::Mse, 1.0), (LossKind::Huber, 1.0), (LossKind::Huber, 10.0)] {
            let st = Settings { loss: kind, huber_delta: delta, ..Settings::default() };
            let s = shares(&X, &Y, &st, p).expect("shares");
            for sample in &s.samples {
                let shape = TermShape::of(kind, delta, sample.residual);
                let outline = term_outline(sample, shape, 0.25, -1.0, 0.1);
                assert!((area(&outline) - 0.25 * sample.term).abs() < 1e-9, "{kind:?} {sample:?}");
                assert!(outline.contains(&[sample.x, sample.y]) && outline.contains(&[sample.x, sample.fitted]));
                assert!(outline.iter().all(|q| q[0] <= sample.x), "drawn to the left");
            }
        }
        let s = shares(&X, &Y, &settings(LossKind::Mae, GradientSource::Analytic, false), p).expect("shares");
        let bar = term_outline(&s.samples[3], TermShape::of(LossKind::Mae, 1.0, -8.0), 0.25, 1.0, 0.1);
        assert!((area(&bar) - 0.1 * 8.0).abs() < 1e-9, "a bar 0.1 wide and |r| = 8 long");
    }

    #[test]
    fn a_point_is_inside_a_convex_outline_or_not() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert!(inside_convex(&square, [0.5, 0.5]));
        assert!(inside_convex(&square, [1.0, 0.5]));
        assert!(!inside_convex(&square, [1.5, 0.5]));
        let reversed: Vec<[f64; 2]> = square.iter().rev().copied().collect();
        assert!(inside_convex(&reversed, [0.2, 0.9]));
        assert!(!inside_convex(&square[..2], [0.0, 0.0]));
    }

    #[test]
    fn the_totals_are_the_engines_gradient_for_every_loss_source_and_model() {
        use crate::engine::Dataset;
        use crate::engine::gradient::Problem;
        // Off the notebook's line, so that every sample has a residual, some inside Huber's δ and some outside.
        let (x, y) = ([1.0, 2.0, 3.0, 4.0, -1.5], [3.0, 6.2, 8.8, 12.0, -4.3]);
        let data = Dataset::new(x.to_vec(), y.to_vec(), "test").expect("data");
        let p = Params { w: 2.9, b: 0.35 };
        for kind in [LossKind::Mse, LossKind::Mae, LossKind::Huber] {
            for bias in [false, true] {
                for source in GradientSource::ALL {
                    let st = Settings { loss: kind, gradient: source, bias, huber_delta: 0.28, ..Settings::default() };
                    let s = shares(&x, &y, &st, p).expect("shares");
                    let engine = Problem::<f64>::new(&data, &st).evaluate(p, source);
                    let what = format!("{kind:?}, bias {bias}, {source:?}");
                    // Numeric differences agree to about 1e-8; the other sources sum exactly as the engine does.
                    let tol = if source == GradientSource::Numeric { 1e-6 } else { 1e-12 };
                    let close = |a: f64, b: f64| (a - b).abs() <= tol * (1.0 + b.abs());
                    assert!(close(s.loss, engine.loss), "{what}: loss {} vs {}", s.loss, engine.loss);
                    assert!(close(s.total.w, engine.grad.w), "{what}: ∂/∂w {} vs {}", s.total.w, engine.grad.w);
                    assert!(close(s.total.b, engine.grad.b), "{what}: ∂/∂b {} vs {}", s.total.b, engine.grad.b);
                    let last = stack(s.samples.iter().map(|q| q.arrow.w)).last().map_or(0.0, |a| a[1]);
                    assert!(close(last, s.total.w), "{what}: the stacked arrows end at the total");
                    let ratio = if source == GradientSource::NotebookSum { 5.0 } else { 1.0 };
                    assert!(close(s.total.w, ratio * s.mean.w), "{what}: total = {ratio} × mean");
                }
            }
        }
    }

    #[test]
    fn too_many_or_no_samples_or_a_blown_up_point_give_no_shares() {
        let big = vec![1.0; MAX_SHARES + 1];
        assert!(shares(&big, &big, &Settings::default(), Params::default()).is_none());
        assert!(shares(&[], &[], &Settings::default(), Params::default()).is_none());
        assert!(shares(&X, &Y, &Settings::default(), Params { w: f64::NAN, b: 0.0 }).is_none());
        assert!(shares(&X, &Y, &Settings::default(), Params { w: 1e300, b: 0.0 }).is_none());
    }
}
