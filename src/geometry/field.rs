//! The gradient field of the contour map: the way downhill, −∇L, at the nodes of a grid over the view, from central
//! differences of the loss surface (the same evaluator the map is shaded from).

use super::contour::Window;
use super::surface::LossSurface;

/// The way downhill at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldArrow {
    /// The point (w, b).
    pub at: [f64; 2],
    /// −∇L there, in (w, b) units per unit of loss.
    pub downhill: [f64; 2],
    /// ‖∇L‖.
    pub magnitude: f64,
}

/// −∇L at an `nx × ny` grid of points inside `window` (cell centres, so no arrow sits on the edge), by central
/// differences with a step of 10⁻⁴ of the window; points where the loss is not finite are left out.
pub fn gradient_field(surface: &LossSurface, window: Window, [nx, ny]: [usize; 2]) -> Vec<FieldArrow> {
    let ([w0, w1], [b0, b1]) = (window.w, window.b);
    let (hw, hb) = ((w1 - w0) * 1e-4, (b1 - b0) * 1e-4);
    let mut out = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let w = w0 + (w1 - w0) * (i as f64 + 0.5) / nx as f64;
            let b = b0 + (b1 - b0) * (j as f64 + 0.5) / ny as f64;
            let gw = (surface.loss(w + hw, b) - surface.loss(w - hw, b)) / (2.0 * hw);
            let gb = (surface.loss(w, b + hb) - surface.loss(w, b - hb)) / (2.0 * hb);
            let magnitude = gw.hypot(gb);
            if magnitude.is_finite() {
                out.push(FieldArrow { at: [w, b], downhill: [-gw, -gb], magnitude });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Dataset;
    use crate::engine::settings::Settings;

    #[test]
    fn arrows_point_down_the_notebooks_valley() {
        // L(w, b) = mean((w·x + b − 3x)²) on the notebook: ∇L = (2·mean(x·r), 2·mean(r)), r = (w − 3)·x + b.
        let settings = Settings { bias: true, ..Settings::default() };
        let data = Dataset::notebook();
        let surface = LossSurface::in_run_precision(&data, &settings).unwrap();
        let window = Window { w: [0.0, 6.0], b: [-2.0, 2.0] };
        let field = gradient_field(&surface, window, [6, 4]);
        assert_eq!(field.len(), 24);
        for a in field {
            let [w, b] = a.at;
            let r: Vec<f64> = [1.0, 2.0, 3.0, 4.0].iter().map(|x| (w - 3.0) * x + b).collect();
            let gw = 2.0 * r.iter().zip([1.0, 2.0, 3.0, 4.0]).map(|(r, x)| r * x).sum::<f64>() / 4.0;
            let gb = 2.0 * r.iter().sum::<f64>() / 4.0;
            assert!((a.downhill[0] + gw).abs() < 1e-6 * gw.abs().max(1.0), "∂w at {:?}", a.at);
            assert!((a.downhill[1] + gb).abs() < 1e-6 * gb.abs().max(1.0), "∂b at {:?}", a.at);
            assert!((a.magnitude - gw.hypot(gb)).abs() < 1e-6 * a.magnitude.max(1.0));
        }
    }
}
