//! With `standardize` and a bias, the original problem's contour map beside the scaled one the optimizer runs on:
//! the same path, mapped back to the original (w, b) ([`crate::engine::scaling::Scaling::to_original`]), so the
//! learner sees the narrow valley of the original inputs turn into the round bowl of the scaled ones.

use std::sync::Arc;

use egui::{RichText, TextureHandle, TextureOptions, Ui};
use egui_plot::{MarkerShape, PlotBounds, PlotImage, PlotPoint, Points};

use super::contour::contour_map;
use super::marks::{self, PLANE_INK};
use super::{CurveKey, Landscape, Shown, fixed_plot, valley_wide};
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::engine::scaling::Scaling;
use crate::engine::settings::Settings;
use crate::geometry::{LossSurface, Window, path_range};

/// The original problem's surface and its contour map, kept between frames.
pub struct Original {
    data: Arc<Dataset>,
    settings: Settings,
    surface: LossSurface,
    scaling: Scaling,
    optimum: Params<f64>,
    contour: Option<Contours>,
}

/// A contour map drawn for a key: its shading and its lines.
type Contours = (CurveKey, TextureHandle, Vec<Vec<[f64; 2]>>);

impl Original {
    /// The original problem of a standardized run's `settings` on `data` (`None`: not standardized, or no scaling).
    fn new(data: &Arc<Dataset>, settings: &Settings) -> Option<Original> {
        let x = data.x.as_slice().unwrap_or(&[]);
        let scaling = Scaling::of(x, settings.bias)?;
        let plain = Settings { standardize: false, ..settings.clone() };
        let surface = LossSurface::in_run_precision(data, &plain).ok()?;
        let optimum = LossSurface::optimum(data, &plain);
        Some(Original { data: Arc::clone(data), settings: settings.clone(), surface, scaling, optimum, contour: None })
    }

    /// The window over the original (w, b): the optimum, the mapped path and point, the valley's shape.
    fn window(&self, path: &[[f64; 2]], here: Params<f64>) -> Window {
        let extent = |i: usize| {
            let lo = path.iter().map(|p| p[i]).fold(f64::INFINITY, f64::min);
            let hi = path.iter().map(|p| p[i]).fold(f64::NEG_INFINITY, f64::max);
            (lo <= hi).then_some((lo, hi))
        };
        let start = path.first().copied().unwrap_or([here.w, here.b]);
        let w = path_range(self.optimum.w, start[0], extent(0), &[here.w]);
        let b = path_range(self.optimum.b, start[1], extent(1), &[here.b]);
        let h = self.surface.hessian(self.optimum.w, self.optimum.b);
        Window { w, b: valley_wide(b, w, &[h[0].to_vec(), h[1].to_vec()]) }
    }
}

impl Landscape {
    /// The original problem's contour map with the run's path mapped back to it.
    pub(super) fn original_ui(&mut self, ui: &mut Ui, shown: Shown<'_>) {
        let Shown { ctx, run, point, .. } = shown;
        let settings = &run.spec.settings;
        let fresh =
            self.original.as_ref().is_some_and(|o| Arc::ptr_eq(&o.data, &ctx.snap.data) && o.settings == *settings);
        if !fresh {
            self.original = Original::new(&ctx.snap.data, settings);
        }
        let Some(o) = self.original.as_mut() else {
            ui.label("The original problem cannot be drawn.");
            return;
        };
        let map = |p: Params<f64>| o.scaling.to_original(p);
        let path: Vec<[f64; 2]> = marks::shown_path(run, point)
            .iter()
            .map(|r| map(r.params))
            .map(|p| [p.w, p.b])
            .filter(|p| p[0].is_finite() && p[1].is_finite())
            .collect();
        let here = map(point.displayed);
        let view = o.window(&path, here);
        let ([w0, w1], [b0, b1]) = (view.w, view.b);
        let dark = ctx.palette.dark;
        let key = CurveKey::new(0, [w0, b0], [w1, b1], if dark { 1.0 } else { 0.0 });
        if o.contour.as_ref().is_none_or(|(k, ..)| *k != key) {
            let min_loss = o.surface.loss(o.optimum.w, o.optimum.b);
            let (image, lines, _) = contour_map(&o.surface, view, min_loss, dark);
            let texture = ui.ctx().load_texture("original-contours", image, TextureOptions::LINEAR);
            o.contour = Some((key, texture, lines));
        }
        let (color, palette, optimum) = (ctx.run_color(run), ctx.palette, o.optimum);
        let Some((_, texture, lines)) = o.contour.as_ref() else {
            return;
        };
        ui.label(RichText::new("original x: the same path, mapped back").small().color(palette.weak_text));
        let plot = fixed_plot("original-contour-plot", "b");
        let response = plot.show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(PlotBounds::from_min_max([w0, b0], [w1, b1]));
            let centre = PlotPoint::new(0.5 * (w0 + w1), 0.5 * (b0 + b1));
            let size = egui::vec2((w1 - w0) as f32, (b1 - b0) as f32);
            plot_ui.image(PlotImage::new("loss surface", texture.id(), centre, size));
            for (k, polyline) in lines.iter().enumerate() {
                let line = egui_plot::Line::new("contours", polyline.clone()).id(("original contour", k));
                plot_ui.line(line.color(palette.weak_text.gamma_multiply(0.5)).width(1.0).allow_hover(false));
            }
            let opt = Points::new("optimum", [optimum.w, optimum.b]).shape(MarkerShape::Diamond).radius(7.0);
            plot_ui.points(opt.color(palette.optimum));
            marks::trail(plot_ui, &path, color, &PLANE_INK, palette.stroke(1.0));
            marks::current(plot_ui, [here.w, here.b], color, crate::app::plots::run_marker(run), &PLANE_INK);
        });
        ctx.explain.plot(&response, crate::explain::topics::Topic::Standardize, crate::app::explain::LANDSCAPE_ITEMS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_original_view_holds_the_optimum_and_the_mapped_path() {
        let data = Arc::new(Dataset::notebook());
        let s = Settings { bias: true, standardize: true, ..Settings::default() };
        let o = Original::new(&data, &s).expect("the notebook's x vary");
        assert!((o.optimum.w - 3.0).abs() < 1e-12 && o.optimum.b.abs() < 1e-12, "the original optimum");
        // The scaled point (w′, b′) = (√1.25, 0) is w = 1, b = −2.5 on the original x.
        let here = o.scaling.to_original(Params { w: 1.25f64.sqrt(), b: 0.0 });
        assert!((here.w - 1.0).abs() < 1e-12 && (here.b + 2.5).abs() < 1e-12, "{here:?}");
        let view = o.window(&[[0.0, 0.0], [here.w, here.b]], here);
        for (w, b) in [(3.0, 0.0), (0.0, 0.0), (here.w, here.b)] {
            assert!(view.w[0] <= w && w <= view.w[1] && view.b[0] <= b && b <= view.b[1], "{view:?}");
        }
    }
}
