//! The L(w) plot: the loss curve with the run's path walking down it, the optimum, the tangent at the current
//! point (and the notebook-sum slope beside it), a readout by the point, the comparison runs, and the marks of
//! [`super::marks`]. With a bias the same plot, at the current b, is the slice under the contour map: the curve,
//! the tangent and the point alone.

use crate::app::plots::dash_guard;
use egui::{Align2, Color32, RichText, Ui};
use egui_plot::{HoverPosition, Line, LineStyle, MarkerShape, PlotBounds, PlotPoint, PlotUi, Points, Text, VLine};

use super::super::{ViewCtx, overlays, plottable};
use super::marks::{self, CURVE_INK};
use super::{CurveKey, Landscape, PointView, Shown, Toggles, fixed_plot};
use crate::app::state::Action;
use crate::app::theme::{Palette, faded};
use crate::engine::line_search::{Trial, armijo};
use crate::engine::model::{Grad, Params};
use crate::engine::optim::{LineSearch, OptimizerKind};
use crate::engine::settings::GradientSource;
use crate::format;
use crate::geometry::{LossSurface, curve_loss_range};
use crate::history::Row;
use crate::worker::RunSnapshot;

/// Samples of the loss curve.
const CURVE_POINTS: usize = 400;
/// Largest data whose samples' loss terms are drawn under the curve (the Data tab's shares toggle).
const SAMPLE_TERMS_MAX: usize = 8;

impl Landscape {
    /// The L(w) plot of the run (the slice at the point's b when `slice`); a click or drag on it picks the start.
    pub(super) fn curve_ui(&mut self, ui: &mut Ui, shown: Shown<'_>, actions: &mut Vec<Action>, slice: bool) {
        let Shown { ctx, run, point, toggles } = shown;
        let view = self.view(run, point.displayed);
        let Some(eval) = self.eval.as_ref() else {
            return;
        };
        let b_at = if run.spec.settings.bias { point.displayed.b } else { 0.0 };
        let [lo, hi] = view.w;

        // The curve, cached per evaluator, range and (for the slice) b.
        let key = CurveKey::new(eval.id, [lo, 0.0], [hi, 0.0], b_at);
        let cache = if slice { &mut self.slice } else { &mut self.curve };
        if cache.as_ref().is_none_or(|(k, _)| *k != key) {
            *cache = Some((key, eval.surface.curve([lo, hi], b_at, CURVE_POINTS)));
        }
        let curve: &[[f64; 2]] = cache.as_ref().map_or(&[], |(_, pts)| pts.as_slice());

        let surface = &eval.surface;
        let h = (hi - lo) * 1e-4;
        let here = point.displayed;
        let frame = CurveFrame {
            run,
            surface,
            curve,
            point,
            toggles,
            slice,
            w: view.w,
            y: curve_loss_range(curve.iter().map(|p| p[1])),
            b_at,
            h,
            here_y: surface.loss(here.w, b_at),
            slope: surface.slope_w(here.w, b_at, h),
            path: if slice { Vec::new() } else { marks::shown_path(run, point) },
            next: marks::next_point(run, point, toggles),
            n_samples: surface.subsample().unwrap_or(ctx.snap.data.len()) as f64,
            color: ctx.run_color(run),
            palette: ctx.palette,
        };
        let id = if slice { "slice-plot" } else { "landscape-plot" };
        let plot = fixed_plot(id, if slice { "L(w, b)" } else { "L(w)" }).label_formatter(frame.hover());
        let response = plot.show(ui, |plot_ui| frame.draw(plot_ui, ctx));
        ctx.explain.plot(&response, crate::explain::topics::Topic::Landscape, crate::app::explain::LANDSCAPE_ITEMS);

        // A click or drag picks the start point (frozen view while dragging).
        let dragging = marks::pick_start(ui, &response, view, Some(run.spec.settings.b0), actions);
        self.freeze(dragging, view, run.id);
    }
}

/// One frame of the L(w) plot, worked out before drawing.
struct CurveFrame<'a> {
    run: &'a RunSnapshot,
    surface: &'a LossSurface,
    /// The sampled curve (finite points only).
    curve: &'a [[f64; 2]],
    point: PointView,
    toggles: Toggles,
    /// The slice under the contour map: no optimum (with a bias), path, readout or comparison runs.
    slice: bool,
    /// The w range and the loss range shown.
    w: [f64; 2],
    y: [f64; 2],
    /// The b the curve is drawn at (the point's, with a bias).
    b_at: f64,
    /// The half-width of the central differences for slopes.
    h: f64,
    /// The loss and the slope at the point shown.
    here_y: f64,
    slope: f64,
    /// The trail's rows (none on the slice).
    path: Vec<Row>,
    /// Where the next step lands, when drawn.
    next: Option<Params<f64>>,
    /// The number of samples the loss is drawn from (what the notebook's summed gradient multiplies the slope by).
    n_samples: f64,
    color: Color32,
    palette: Palette,
}

impl CurveFrame<'_> {
    /// The hover text: a trail dot's row, or w, the loss and the slope under the pointer.
    fn hover(&self) -> impl Fn(&HoverPosition<'_>) -> Option<String> + '_ {
        let (surface, b_at, h) = (self.surface, self.b_at, self.h);
        marks::hover_text(&self.path, self.run.spec.settings.bias, move |position| {
            let (l, g) = (surface.loss(position.x, b_at), surface.slope_w(position.x, b_at, h));
            format!("w = {}\nL = {}\ndL/dw = {}", format::sig(position.x, 5), format::sci(l, 4), format::sci(g, 3))
        })
    }

    fn draw(&self, plot_ui: &mut PlotUi<'_>, ctx: &ViewCtx<'_>) {
        let ([lo, hi], [y0, y1]) = (self.w, self.y);
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([lo, y0], [hi, y1]));
        if ctx.display.shares && !self.slice && !self.run.spec.settings.bias {
            self.sample_terms(plot_ui, ctx);
        }
        plot_ui.line(Line::new("L(w)", self.curve.to_vec()).color(self.palette.curve).width(2.5));
        if !self.slice || !self.run.spec.settings.bias {
            self.optimum(plot_ui);
        }
        if !self.slice {
            self.path_marks(plot_ui, ctx);
        }
        self.tangent(plot_ui);
        if !self.slice && !self.run.spec.settings.bias && self.point.from.is_none() {
            self.newton_model(plot_ui);
            self.line_search(plot_ui);
        }
        // Where the next step lands.
        if let Some(n) = self.next
            && !self.slice
        {
            let ny = self.surface.loss(n.w, self.b_at);
            if ny.is_finite() {
                marks::next_step(plot_ui, [self.point.displayed.w, self.here_y], [n.w, ny], self.color);
            }
        }
        self.current(plot_ui);
    }

    /// Each sample's share of the loss, ℓᵢ(w)/N, faint under the curve (small data only): the curve is their sum,
    /// and its slope at the point the sum of theirs.
    fn sample_terms(&self, plot_ui: &mut PlotUi<'_>, ctx: &ViewCtx<'_>) {
        let data = &ctx.snap.data;
        if data.len() > SAMPLE_TERMS_MAX || data.is_empty() {
            return;
        }
        let s = &self.run.spec.settings;
        let loss = crate::engine::loss::Loss::<f64>::new(s.loss, s.huber_delta);
        let n = data.len() as f64;
        let [lo, hi] = self.w;
        for (i, (&x, &y)) in data.x.iter().zip(data.y.iter()).enumerate() {
            let pts: Vec<[f64; 2]> = (0..=120)
                .map(|k| lo + (hi - lo) * k as f64 / 120.0)
                .map(|w| [w, loss.value(w * x - y) / n])
                .filter(|p| p[1].is_finite())
                .collect();
            let name = format!("sample {} (x = {}, y = {}): ℓ(w·x − y)/N", i + 1, format::short(x), format::short(y));
            plot_ui.line(Line::new(name, pts).color(faded(self.palette.curve, 0.35)).width(1.0));
        }
    }

    /// The optimum: a dashed line at w*, a diamond on the curve and the value at the top.
    fn optimum(&self, plot_ui: &mut PlotUi<'_>) {
        let (opt, palette) = (self.run.analysis.optimum, self.palette);
        let opt_y = self.surface.loss(opt.w, self.b_at);
        plot_ui.vline(
            VLine::new("w*", opt.w).color(faded(palette.optimum, 0.45)).style(LineStyle::dashed_loose()).width(1.0),
        );
        plot_ui.points(
            Points::new("optimum", [opt.w, opt_y]).shape(MarkerShape::Diamond).radius(6.0).color(palette.optimum),
        );
        plot_ui.text(
            Text::new(
                "w* label",
                PlotPoint::new(opt.w, self.y[1]),
                RichText::new(format!(" w* = {}", format::short(format::clean(opt.w, opt.w.abs()))))
                    .color(palette.optimum),
            )
            .anchor(Align2::LEFT_TOP),
        );
    }

    /// The start, the trail, the comparison runs on the same curve and the glide from the last point.
    fn path_marks(&self, plot_ui: &mut PlotUi<'_>, ctx: &ViewCtx<'_>) {
        let ([lo, hi], [y0, y1]) = (self.w, self.y);
        if let Some(first) = self.run.history.first()
            && first.loss.is_finite()
        {
            marks::start(plot_ui, [first.params.w, first.loss.clamp(y0, y1)], faded(self.palette.curve, 0.8));
        }
        let pts: Vec<[f64; 2]> = self.path.iter().map(|r| [r.params.w, plottable(r.loss).unwrap_or(y1)]).collect();
        marks::trail(plot_ui, &pts, self.color, &CURVE_INK, self.palette.stroke(1.0));
        let loss_at = |w: f64| self.surface.loss(w, self.b_at);
        overlays::other_runs_on_curve(plot_ui, ctx, self.run, &loss_at, [lo, hi], [y0, y1]);
        if let Some((_, from)) = self.point.from {
            let here = [self.point.displayed.w, self.here_y];
            marks::glide(plot_ui, [from.w, loss_at(from.w)], here, self.color, &CURVE_INK);
        }
    }

    /// The tangent (true slope), and the slope the notebook's summed gradient steps along.
    fn tangent(&self, plot_ui: &mut PlotUi<'_>) {
        let (here, here_y, slope) = (self.point.displayed, self.here_y, self.slope);
        if !(self.toggles.tangent && slope.is_finite() && here_y.is_finite()) {
            return;
        }
        let reach = 0.14 * (self.w[1] - self.w[0]);
        let seg = |s: f64| vec![[here.w - reach, here_y - s * reach], [here.w + reach, here_y + s * reach]];
        plot_ui.line(
            Line::new(format!("tangent, slope {}", format::short(slope)), seg(slope))
                .id("tangent")
                .color(self.palette.tangent)
                .width(1.8),
        );
        if self.run.spec.settings.gradient == GradientSource::NotebookSum && !self.slice {
            let n = self.n_samples;
            let line = |pts| {
                Line::new(format!("notebook-sum slope ({}× steeper)", format::short(n)), pts)
                    .id("notebook-sum slope")
                    .color(self.palette.warning)
                    .style(LineStyle::dashed_dense())
                    .width(1.5)
            };
            plot_ui.line(dash_guard(plot_ui, seg(slope * n), line));
        }
    }

    /// Newton's local quadratic model m(w′) = L + g·d + ½·H·d² at the point, and its minimum w − g/H: where the
    /// step lands at lr 1 (on a quadratic loss the model is the loss, so it lands at once).
    fn newton_model(&self, plot_ui: &mut PlotUi<'_>) {
        let s = &self.run.spec.settings;
        if s.optimizer.kind != OptimizerKind::Newton || self.run.status.is_finished() {
            return;
        }
        let (here, l, g) = (self.point.displayed.w, self.here_y, self.slope);
        let h = self.surface.hessian(here, self.b_at)[0][0];
        if !(l.is_finite() && g.is_finite() && h.is_finite()) {
            return;
        }
        let [lo, hi] = self.w;
        let model = |w: f64| l + g * (w - here) + 0.5 * h * (w - here) * (w - here);
        let pts: Vec<[f64; 2]> = (0..=160)
            .map(|k| lo + (hi - lo) * k as f64 / 160.0)
            .map(|w| [w, model(w)])
            .filter(|p| p[1].is_finite())
            .collect();
        // Wide and faint: on a quadratic loss the model lies on the curve, and shows as a glow around it.
        let name = format!("Newton's model, H = {}", format::short(h));
        let line = |pts| {
            Line::new(name, pts)
                .id("newton model")
                .color(faded(self.palette.tangent, 0.6))
                .style(LineStyle::dashed_loose())
                .width(3.5)
        };
        plot_ui.line(dash_guard(plot_ui, pts, line));
        if h > 0.0 {
            let w_min = here - g / h;
            plot_ui.points(
                Points::new("model minimum", [w_min, model(w_min)])
                    .shape(MarkerShape::Cross)
                    .radius(6.0)
                    .color(self.palette.tangent),
            );
        }
    }

    /// The line search from the point: each rejected trial faint, the accepted one solid, and the Armijo line
    /// L − c·t·g² over the trials' range (a trial passes below it).
    fn line_search(&self, plot_ui: &mut PlotUi<'_>) {
        let o = &self.run.spec.settings.optimizer;
        if o.line_search != LineSearch::Armijo || self.run.status.is_finished() {
            return;
        }
        let (here, l, g) = (self.point.displayed, self.here_y, self.slope);
        if !(l.is_finite() && g.is_finite()) {
            return;
        }
        let p = Params { w: here.w, b: self.b_at };
        let search = armijo(|q: Params<f64>| self.surface.loss(q.w, q.b), p, Grad { w: g, b: 0.0 }, false, o);
        let end = here.w - o.lr * g;
        let bound = [[here.w, l], [end, l - o.armijo_c * o.lr * g * g]];
        let line = |pts| {
            Line::new("Armijo line L − c·t·g²", pts)
                .id("armijo line")
                .color(self.palette.warning)
                .style(LineStyle::dashed_dense())
                .width(1.4)
        };
        plot_ui.line(dash_guard(plot_ui, bound.to_vec(), line));
        let finite = |t: &&Trial| t.loss.is_finite();
        // A trial off the view sits at its edge, faint: the hover names how many were rejected.
        let clamp = |t: &Trial| [t.at.w.clamp(self.w[0], self.w[1]), t.loss.clamp(self.y[0], self.y[1])];
        let (accepted, rejected) = search.trials.split_last().map_or((None, &[][..]), |(a, r)| (Some(a), r));
        let rejected: Vec<[f64; 2]> = rejected.iter().filter(finite).map(clamp).collect();
        let faint = faded(self.color, 0.35);
        let name = format!("{} rejected trial{}", rejected.len(), if rejected.len() == 1 { "" } else { "s" });
        plot_ui.points(Points::new(name, rejected).id("trial").shape(MarkerShape::Circle).radius(3.5).color(faint));
        if let Some(t) = accepted.filter(finite) {
            let name = format!("accepted t = {}", format::short(t.t));
            plot_ui.points(Points::new(name, clamp(t)).id("accepted").radius(5.0).color(self.color));
        }
    }

    /// The current point, with a halo, its readout and the outcome; or, off the chart, where it went.
    fn current(&self, plot_ui: &mut PlotUi<'_>) {
        let ([lo, hi], [y0, y1]) = (self.w, self.y);
        let (here, here_y) = (self.point.displayed, self.here_y);
        if here.w >= lo && here.w <= hi && here_y.is_finite() {
            let shape = crate::app::plots::run_marker(self.run);
            marks::current(plot_ui, [here.w, here_y], self.color, shape, &CURVE_INK);
            if !self.slice && !self.run.status.is_finished() {
                self.readout(plot_ui);
            }
            let (status, animating) = (self.run.status, self.point.from.is_some());
            marks::outcome_ring(plot_ui, status, animating, [here.w, here_y], here_y + 0.14 * (y1 - y0), self.palette);
        } else if here.w.is_finite() {
            // Off the chart: say where it went.
            let (x, anchor, arrow) =
                if here.w > hi { (hi, Align2::RIGHT_TOP, "→") } else { (lo, Align2::LEFT_TOP, "←") };
            let text = if arrow == "→" {
                format!("w = {} {arrow}", format::sig(here.w, 4))
            } else {
                format!("{arrow} w = {}", format::sig(here.w, 4))
            };
            let text = RichText::new(text).strong().color(self.palette.diverged);
            plot_ui.text(Text::new("off chart", PlotPoint::new(x, y1), text).anchor(anchor));
        }
    }

    /// A readout beside the point, below the curve on the outer side, away from the tangent. Near the plot's edge
    /// the outer side has no room for the text: it goes inside instead.
    fn readout(&self, plot_ui: &mut PlotUi<'_>) {
        let ([lo, hi], [y0, y1]) = (self.w, self.y);
        let (here, here_y) = (self.point.displayed, self.here_y);
        let room = 0.15 * (hi - lo);
        let outer_left = here.w <= self.run.analysis.optimum.w;
        let left = if outer_left { here.w - lo > room } else { hi - here.w <= room };
        let (dx, anchor) = if left { (-0.025, Align2::RIGHT_TOP) } else { (0.025, Align2::LEFT_TOP) };
        plot_ui.text(
            Text::new(
                "point label",
                PlotPoint::new(here.w + dx * (hi - lo), here_y - 0.03 * (y1 - y0)),
                RichText::new(format!("w = {}", format::sig(here.w, 4))).size(14.0).strong().color(self.color),
            )
            .anchor(anchor),
        );
    }
}
