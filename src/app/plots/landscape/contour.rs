//! The (w, b) contour map: the loss over the plane as a shaded picture with contour lines, the optimum, the
//! comparison runs' paths, and the run's marks of [`super::marks`].

use egui::{Align2, Color32, RichText, TextureId, TextureOptions, Ui};
use egui_plot::{HoverPosition, Line, MarkerShape, PlotBounds, PlotImage, PlotPoint, PlotUi, Points, Text};

use super::super::{ViewCtx, overlays};
use super::marks::{self, PLANE_INK};
use super::{CurveKey, Landscape, PointView, Shown, fixed_plot};
use crate::app::state::Action;
use crate::app::theme::Palette;
use crate::engine::model::Params;
use crate::format;
use crate::geometry::{LossSurface, Window, contour_shade, level_decades, level_floor, log_levels, loss_contours};
use crate::history::Row;
use crate::worker::RunSnapshot;

/// Contour grid resolution.
const GRID: [usize; 2] = [161, 121];

impl Landscape {
    /// The contour map of the run; a click or drag on it picks the start.
    pub(super) fn contour_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, actions: &mut Vec<Action>) {
        let Shown { ctx, run, point, toggles } = shown;
        let view = self.view(run, point.displayed);
        let Some(eval) = self.eval.as_ref() else {
            return;
        };
        let palette = ctx.palette;
        let ([w0, w1], [b0, b1]) = (view.w, view.b);
        let opt = run.analysis.optimum;
        let min_loss = eval.surface.loss(opt.w, opt.b);

        let key = CurveKey::new(eval.id, [w0, b0], [w1, b1], if palette.dark { 1.0 } else { 0.0 });
        if self.contour.as_ref().is_none_or(|(k, ..)| *k != key) {
            let (image, lines, decades) = contour_map(&eval.surface, view, min_loss, palette.dark);
            let texture = ui.ctx().load_texture("loss-contours", image, TextureOptions::LINEAR);
            self.contour = Some((key, texture, lines, decades));
        }
        let frame = PlaneFrame {
            run,
            surface: &eval.surface,
            point,
            view,
            texture: self.contour.as_ref().map(|(_, t, ..)| t.id()),
            lines: self.contour.as_ref().map_or(&[], |(_, _, l, _)| l.as_slice()),
            path: marks::shown_path(run, point),
            next: marks::next_point(run, point, toggles),
            color: ctx.run_color(run),
            palette,
            field: if self.field {
                crate::geometry::field::gradient_field(&eval.surface, view, FIELD_GRID)
            } else {
                Vec::new()
            },
        };
        let plot = fixed_plot("contour-plot", "b").label_formatter(frame.hover());
        let response = plot.show(ui, |plot_ui| frame.draw(plot_ui, ctx));
        ctx.explain.plot(&response, crate::explain::topics::Topic::Contours, crate::app::explain::LANDSCAPE_ITEMS);
        if let Some((.., decades)) = &self.contour {
            colour_scale_ui(ui, response.response.rect, *decades, palette);
        }
        let dragging = marks::pick_start(ui, &response, view, None, actions);
        self.freeze(dragging, view, run.id);
    }
}

/// One frame of the contour map, worked out before drawing.
struct PlaneFrame<'a> {
    run: &'a RunSnapshot,
    surface: &'a LossSurface,
    point: PointView,
    view: Window,
    /// The shaded loss surface.
    texture: Option<TextureId>,
    /// The contour lines.
    lines: &'a [Vec<[f64; 2]>],
    /// The trail's rows.
    path: Vec<Row>,
    /// Where the next step lands, when drawn.
    next: Option<Params<f64>>,
    color: Color32,
    palette: Palette,
    /// −∇L on a grid, when the gradient field is shown.
    field: Vec<crate::geometry::field::FieldArrow>,
}

/// Arrows of the gradient field across and up the map.
const FIELD_GRID: [usize; 2] = [18, 12];

impl PlaneFrame<'_> {
    /// The gradient field: −∇L as arrows of one length on screen (the way downhill), coloured from faint (a gentle
    /// slope) to strong (a steep one) on a log scale of ‖∇L‖ across the view.
    fn field_arrows(&self, plot_ui: &mut PlotUi<'_>) {
        if self.field.is_empty() {
            return;
        }
        let [dx, dy] = plot_ui.transform().dvalue_dpos();
        let logs: Vec<f64> = self.field.iter().map(|a| a.magnitude.max(1e-300).log10()).collect();
        let (lo, hi) = logs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        const LEVELS: usize = 4;
        type Group = (Vec<[f64; 2]>, Vec<[f64; 2]>);
        let mut groups: Vec<Group> = vec![(Vec::new(), Vec::new()); LEVELS];
        for (a, l) in self.field.iter().zip(&logs) {
            // The arrow in screen pixels, 14 long, turned back into plot units.
            let (px, py) = (a.downhill[0] / dx.abs(), a.downhill[1] / dy.abs());
            let len = px.hypot(py);
            if !(len > 0.0 && len.is_finite()) {
                continue;
            }
            let tip = [a.at[0] + 14.0 * px / len * dx.abs(), a.at[1] + 14.0 * py / len * dy.abs()];
            let k =
                if hi > lo { (((l - lo) / (hi - lo)) * (LEVELS as f64 - 1.0)).round() as usize } else { LEVELS - 1 };
            let g = &mut groups[k.min(LEVELS - 1)];
            g.0.push(a.at);
            g.1.push(tip);
        }
        let ink = if self.palette.dark { Color32::from_rgb(235, 240, 255) } else { Color32::from_rgb(20, 30, 60) };
        for (k, (origins, tips)) in groups.into_iter().enumerate() {
            let alpha = 0.3 + 0.7 * k as f32 / (LEVELS - 1) as f32;
            plot_ui.arrows(
                egui_plot::Arrows::new("−∇L (the way downhill)", origins, tips)
                    .id(("field", k))
                    .color(ink.gamma_multiply(alpha))
                    .tip_length(5.0),
            );
        }
    }

    /// The hover text: a trail dot's row, or w, b and the loss under the pointer.
    fn hover(&self) -> impl Fn(&HoverPosition<'_>) -> Option<String> + '_ {
        let surface = self.surface;
        marks::hover_text(&self.path, true, move |position| {
            format!(
                "w = {}\nb = {}\nL = {}",
                format::sig(position.x, 5),
                format::sig(position.y, 5),
                format::sci(surface.loss(position.x, position.y), 4)
            )
        })
    }

    fn draw(&self, plot_ui: &mut PlotUi<'_>, ctx: &ViewCtx<'_>) {
        let ([w0, w1], [b0, b1]) = (self.view.w, self.view.b);
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([w0, b0], [w1, b1]));
        self.surface_picture(plot_ui);
        self.field_arrows(plot_ui);
        self.optimum(plot_ui);
        let (here, color) = (self.point.displayed, self.color);
        if let Some(first) = self.run.history.first() {
            marks::start(plot_ui, [first.params.w, first.params.b], self.palette.curve);
        }
        let pts: Vec<[f64; 2]> = self.path.iter().map(|r| [r.params.w, r.params.b]).collect();
        marks::trail(plot_ui, &pts, color, &PLANE_INK, self.palette.stroke(1.0));
        overlays::other_runs_on_plane(plot_ui, ctx, self.run);
        if let Some((_, from)) = self.point.from {
            marks::glide(plot_ui, [from.w, from.b], [here.w, here.b], color, &PLANE_INK);
        }
        if let Some(n) = self.next {
            marks::next_step(plot_ui, [here.w, here.b], [n.w, n.b], color);
        }
        self.current(plot_ui);
    }

    /// The shaded surface and its contour lines.
    fn surface_picture(&self, plot_ui: &mut PlotUi<'_>) {
        let ([w0, w1], [b0, b1]) = (self.view.w, self.view.b);
        if let Some(tex) = self.texture {
            plot_ui.image(PlotImage::new(
                "loss surface",
                tex,
                PlotPoint::new(0.5 * (w0 + w1), 0.5 * (b0 + b1)),
                egui::vec2((w1 - w0) as f32, (b1 - b0) as f32),
            ));
        }
        let line_color = if self.palette.dark {
            Color32::from_rgba_unmultiplied(200, 220, 255, 60)
        } else {
            Color32::from_rgba_unmultiplied(40, 60, 100, 70)
        };
        for (k, polyline) in self.lines.iter().enumerate() {
            plot_ui.line(
                Line::new("contours", polyline.clone())
                    .id(("contour", k))
                    .color(line_color)
                    .width(1.0)
                    .allow_hover(false)
                    .allow_band(false),
            );
        }
    }

    /// The optimum: a diamond with its coordinates.
    fn optimum(&self, plot_ui: &mut PlotUi<'_>) {
        let (opt, palette) = (self.run.analysis.optimum, self.palette);
        plot_ui.points(
            Points::new("optimum", [opt.w, opt.b]).shape(MarkerShape::Diamond).radius(7.0).color(palette.optimum),
        );
        let scale = opt.w.abs().max(opt.b.abs());
        let (w, b) = (format::short(format::clean(opt.w, scale)), format::short(format::clean(opt.b, scale)));
        plot_ui.text(
            Text::new(
                "optimum label",
                PlotPoint::new(opt.w, opt.b),
                RichText::new(format!("  (w*, b*) = ({w}, {b})")).color(palette.optimum),
            )
            .anchor(Align2::LEFT_TOP),
        );
    }

    /// The current point, with a halo, and the outcome; or, off the map, where it went.
    fn current(&self, plot_ui: &mut PlotUi<'_>) {
        let ([w0, w1], [b0, b1]) = (self.view.w, self.view.b);
        let here = self.point.displayed;
        let inside = here.w >= w0 && here.w <= w1 && here.b >= b0 && here.b <= b1;
        if inside {
            let shape = crate::app::plots::run_marker(self.run);
            marks::current(plot_ui, [here.w, here.b], self.color, shape, &PLANE_INK);
            let (status, animating) = (self.run.status, self.point.from.is_some());
            let label_y = here.b + 0.06 * (b1 - b0);
            marks::outcome_ring(plot_ui, status, animating, [here.w, here.b], label_y, self.palette);
        } else if here.w.is_finite() && here.b.is_finite() {
            let text = format!("off the map: w = {}, b = {}", format::sig(here.w, 3), format::sig(here.b, 3));
            plot_ui.text(
                Text::new(
                    "off chart",
                    PlotPoint::new(0.5 * (w0 + w1), b1),
                    RichText::new(text).strong().color(self.palette.diverged),
                )
                .anchor(Align2::CENTER_TOP),
            );
        }
    }
}

/// The loss over (w, b) as a shaded map (darker where the loss is high) and contour lines (polylines of `[w, b]`) at
/// log-spaced levels above the minimum, so the valley floor stays readable.
pub(super) fn contour_map(
    surface: &LossSurface,
    view: Window,
    min_loss: f64,
    dark: bool,
) -> (egui::ColorImage, Vec<Vec<[f64; 2]>>, [f64; 2]) {
    let grid = surface.grid(view, GRID);
    // An objective may fall below the known minimum's value in view (the saddle, an expression): shade f − f_min
    // over the view then, never the log of a negative excess.
    let min_loss = level_floor(&grid, min_loss);
    let decades = level_decades(&grid, min_loss);
    let t = log_levels(&grid, min_loss);
    let pixels = t
        .iter()
        .map(|&v| {
            let [r, g, b] = contour_shade(v, dark);
            Color32::from_rgb(r, g, b)
        })
        .collect();
    let image = egui::ColorImage::new(GRID, pixels);
    // Contour lines at evenly spaced levels of t (evenly spaced decades of the excess), refined where the grid is
    // too coarse for a narrow valley.
    (image, loss_contours(surface, view, GRID, &grid, min_loss, 16), decades)
}

/// The colour scale of the shading, in the plot's top-right corner: the shade from the valley (L − L* at the
/// lower decade) to the highest loss in view, labelled with both; a contour line every half decade.
fn colour_scale_ui(ui: &Ui, plot_rect: egui::Rect, [low, high]: [f64; 2], palette: Palette) {
    let bar = egui::Rect::from_min_size(plot_rect.right_top() + egui::vec2(-22.0, 8.0), egui::vec2(10.0, 70.0));
    let painter = ui.painter_at(plot_rect);
    // A backing card, so that the labels read over the contour lines.
    let card =
        egui::Rect::from_min_max(bar.left_top() + egui::vec2(-122.0, -4.0), bar.right_bottom() + egui::vec2(4.0, 4.0));
    painter.rect_filled(card, 4.0, palette.card.gamma_multiply(0.85));
    let steps = 24;
    for k in 0..steps {
        let t = k as f64 / steps as f64;
        let [r, g, b] = contour_shade(t, palette.dark);
        let y0 = bar.bottom() - bar.height() * (k as f32 + 1.0) / steps as f32;
        let y1 = bar.bottom() - bar.height() * k as f32 / steps as f32;
        let slice = egui::Rect::from_x_y_ranges(bar.x_range(), y0..=y1);
        painter.rect_filled(slice, 0.0, Color32::from_rgb(r, g, b));
    }
    painter.rect_stroke(bar, 0.0, egui::Stroke::new(1.0, palette.weak_text), egui::StrokeKind::Outside);
    let font = egui::FontId::proportional(10.0);
    let label = |v: f64| format!("L−L* {}", format::power_of_ten(v.round()));
    let align = egui::Align2::RIGHT_CENTER;
    painter.text(bar.left_top() + egui::vec2(-4.0, 4.0), align, label(high), font.clone(), palette.weak_text);
    painter.text(bar.left_bottom() + egui::vec2(-4.0, -4.0), align, label(low), font.clone(), palette.weak_text);
    painter.text(bar.left_center() + egui::vec2(-4.0, 0.0), align, "a line per ½ decade", font, palette.weak_text);
}

#[cfg(test)]
mod contour_tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::data::Dataset;
    use crate::engine::settings::Settings;

    #[test]
    fn contours_cross_the_bowl() {
        let data = Arc::new(Dataset::notebook());
        let s = Settings { bias: true, ..Settings::default() };
        let mut l = Landscape::default();
        let eval = l.evaluator(&data, &s).expect("evaluator");
        let (image, lines, decades) = contour_map(&eval.surface, Window { w: [-1.0, 7.0], b: [-1.5, 1.5] }, 0.0, true);
        assert_eq!(image.size, GRID);
        assert!(lines.len() >= 10 && lines.len() < 200, "{} polylines", lines.len());
        let points: usize = lines.iter().map(Vec::len).sum();
        assert!(points > 300, "{points} points");
        assert!(lines.iter().flatten().all(|p| (-1.0..=7.0).contains(&p[0]) && (-1.5..=1.5).contains(&p[1])));
        // The colour scale spans the 8 decades below the highest excess in view (L* = 0 at (3, 0) here).
        let highest = eval.surface.loss(-1.0, -1.5).max(eval.surface.loss(7.0, 1.5));
        assert!((decades[1] - highest.log10()).abs() < 0.1, "{decades:?} vs {highest}");
        assert_eq!(decades[1] - decades[0], 8.0);
    }
}
