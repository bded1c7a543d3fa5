//! The momentum phase plane (after Distill's "Why Momentum Really Works", live on the learner's own problem).
//!
//! Left: for momentum SGD on one parameter, w − w* against torch's momentum buffer, step by step: under-damped
//! runs spiral into the minimum at the origin, over-damped ones slide in without turning. Right: the μ strip, the
//! per-step factor ρ by which the distance shrinks for every momentum μ at this lr·λ, for plain momentum and for
//! Nesterov ([`crate::engine::analysis::momentum`]), with the over- and under-damped regions, the critical
//! μ = (1 − √(lr·λ))² and the run's own μ marked.

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, LineStyle, Plot, PlotPoints, Points, Polygon, VLine};

use crate::app::plots::ViewCtx;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::theme::faded;
use crate::engine::analysis::momentum::{Damping, critical_beta, damping, heavy_ball_rate, nesterov_rate};
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::format;
use crate::worker::RunSnapshot;

/// Most points of the path drawn (evenly spread over the kept rows).
const MAX_PATH_POINTS: usize = 4000;

/// Why the phase plane cannot show `s`, if it cannot.
pub fn unsupported(s: &Settings) -> Option<&'static str> {
    if !s.optimizer.is_sgd_family() || s.optimizer.momentum == 0.0 {
        Some("The phase plane is drawn for momentum SGD: the selected run has no momentum buffer.")
    } else if s.bias {
        Some("The phase plane is drawn for one parameter: the selected run also fits a bias b.")
    } else {
        None
    }
}

/// The heavy ball's a = lr·(1 − τ)·λ of a run (the dampening scales the gradient's share of the buffer).
fn step_factor(run: &RunSnapshot) -> f64 {
    let o = &run.spec.settings.optimizer;
    o.lr * (1.0 - o.dampening) * run.analysis.curvature_max
}

/// The tab's body.
pub fn phase_plane_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    let Some(run) = ctx.selected_run() else {
        ui.label("No run.");
        return;
    };
    let settings = &run.spec.settings;
    if let Some(why) = unsupported(settings) {
        ui.label(why);
        let mut s = settings.clone();
        s.bias = false;
        s.optimizer.kind = OptimizerKind::Sgd;
        s.optimizer.momentum = 0.9;
        let tip = "Switches the selected run to SGD with momentum 0.9 and fits w alone: a run with a bias loses it, \
                   which changes the problem (ŷ = w·x) and restarts the run.";
        let label = if settings.bias { "Fit w alone, momentum SGD (μ = 0.9)" } else { "Use momentum SGD (μ = 0.9)" };
        if !ctx.solo && ui.button(label).on_hover_text(tip).clicked() {
            actions.push(Action::SetSettings(s));
        }
        return;
    }
    let a = step_factor(run);
    summary_ui(ui, a, settings.optimizer.momentum, settings.optimizer.nesterov);
    let width = ((ui.available_width() - 12.0) / 2.0).max(120.0);
    let height = (ui.available_height() - 4.0).max(110.0);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            path_plot_ui(ui, ctx, run, height);
        });
        ui.vertical(|ui| {
            ui.set_width(width);
            beta_strip_ui(ui, ctx, a, settings.optimizer.momentum, height);
        });
    });
}

/// Where the pointer is, on a point or not.
fn hover_point(pos: &egui_plot::HoverPosition<'_>) -> egui_plot::PlotPoint {
    match *pos {
        egui_plot::HoverPosition::NearDataPoint { position, .. } | egui_plot::HoverPosition::Elsewhere { position } => {
            position
        }
    }
}

/// Steps per decade (×10 closer) at factor ρ.
fn steps_per_decade(rho: f64) -> Option<f64> {
    (rho > 0.0 && rho < 1.0).then(|| (0.1f64).ln() / rho.ln())
}

/// The sentence above the plots: the regime, and plain momentum against Nesterov at this μ.
fn summary_ui(ui: &mut Ui, a: f64, beta: f64, nesterov: bool) {
    let (hb, nv) = (heavy_ball_rate(a, beta), nesterov_rate(a, beta));
    let regime = match damping(a, beta) {
        Damping::Over => "over-damped: the path slides in without turning",
        Damping::Critical => "critically damped: the fastest approach without turning",
        Damping::Under => "under-damped: the path spirals in, each turn √μ of the last",
    };
    let per = |rho: f64| {
        steps_per_decade(rho).map_or("does not converge".to_string(), |n| format!("≈ {} steps per ×10", n.ceil()))
    };
    let yours = if nesterov { "Nesterov (this run)" } else { "plain momentum (this run)" };
    let text = format!(
        "lr·λ = {} · μ = {} · {regime}. Plain momentum keeps ρ = {} of the distance per step ({}); Nesterov {} ({}). {}",
        format::short(a),
        format::short(beta),
        format::sig(hb, 4),
        per(hb),
        format::sig(nv, 4),
        per(nv),
        if nv < hb {
            "Nesterov's look-ahead gradient damps the swing, so it gets there sooner."
        } else {
            "Here Nesterov's look-ahead does not help."
        }
    );
    ui.add(egui::Label::new(RichText::new(text).small()).wrap()).on_hover_text(format!(
        "ρ is the largest root of z² − (1 + μ − a)z + μ (plain momentum) or z² − (1 + μ)(1 − a)z + μ(1 − a) \
         (Nesterov), with a = lr·(1 − τ)·λ and λ = L″. Showing {yours}."
    ));
}

/// The path in the plane (w − w*, buffer), up to the timeline's step.
fn path_points(ctx: &ViewCtx<'_>, run: &RunSnapshot) -> Vec<[f64; 2]> {
    let w_star = run.analysis.optimum.w;
    let until = ctx.scrub.unwrap_or(u64::MAX);
    let rows: Vec<_> = run.history.iter().take_while(|r| r.step <= until).collect();
    let stride = rows.len().div_ceil(MAX_PATH_POINTS).max(1);
    let mut pts: Vec<[f64; 2]> = rows
        .iter()
        .step_by(stride)
        .chain(rows.last())
        .map(|r| [r.params.w - w_star, r.state.get(0, "momentum_buffer").unwrap_or(0.0)])
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .map(|[x, y]| {
            [
                x.clamp(-crate::app::plots::PLOT_LIMIT, crate::app::plots::PLOT_LIMIT),
                y.clamp(-crate::app::plots::PLOT_LIMIT, crate::app::plots::PLOT_LIMIT),
            ]
        })
        .collect();
    pts.dedup();
    pts
}

fn path_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, height: f32) {
    let pts = path_points(ctx, run);
    let color = ctx.run_color(run);
    let plot = Plot::new("phase-plane")
        .height(height)
        .x_axis_label("w − w*")
        .y_axis_label(crate::app::plots::y_label_fitting(height, "momentum buffer", "buffer"))
        .allow_boxed_zoom(false)
        .x_grid_spacer(crate::app::plots::value_spacer_x)
        .y_grid_spacer(crate::app::plots::value_spacer_y)
        .x_axis_formatter(|m, _| format::value_label(m.value))
        .y_axis_formatter(|m, _| format::value_label(m.value))
        .label_formatter(|pos| {
            let p = hover_point(pos);
            Some(format!("w − w* = {}\nbuffer = {}", format::sig(p.x, 4), format::sig(p.y, 4)))
        });
    let response = plot.show(ui, |plot_ui| {
        plot_ui.points(Points::new("minimum (w*, 0)", vec![[0.0, 0.0]]).color(ctx.palette.optimum).radius(5.0));
        if let Some(first) = pts.first() {
            plot_ui.points(Points::new("start (no buffer yet)", vec![*first]).color(faded(color, 0.6)).radius(4.0));
        }
        if let Some(last) = pts.last() {
            plot_ui.points(Points::new("now", vec![*last]).color(color).radius(5.0).filled(true));
        }
        plot_ui.line(Line::new(format!("path · {}", run.spec.name), PlotPoints::from(pts)).color(color).width(1.6));
    });
    ctx.explain.plot(&response, Topic::PhasePath, &[] as &[(&str, Topic)]);
}

/// ρ against μ for plain momentum and Nesterov, the damping regions, the critical μ and the run's μ.
fn beta_strip_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, a: f64, beta: f64, height: f32) {
    let palette = ctx.palette;
    let curve = |f: fn(f64, f64) -> f64| -> Vec<[f64; 2]> {
        (0..=400).map(|i| i as f64 / 400.0 * 0.999).map(|b| [b, f(a, b).min(1.5)]).collect()
    };
    let critical = critical_beta(a).filter(|b| *b < 1.0);
    let plot = Plot::new("beta-strip")
        .height(height)
        .x_axis_label("momentum μ")
        .y_axis_label(crate::app::plots::y_label_fitting(height, "ρ per step", "ρ"))
        .allow_boxed_zoom(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_x(0.0)
        .include_x(1.0)
        .include_y(0.0)
        .include_y(1.05)
        .label_formatter(move |pos| {
            let b = hover_point(pos).x.clamp(0.0, 0.999);
            let (hb, nv) = (heavy_ball_rate(a, b), nesterov_rate(a, b));
            Some(format!(
                "μ = {}\nplain ρ = {}\nNesterov ρ = {}",
                format::sig(b, 3),
                format::sig(hb, 4),
                format::sig(nv, 4)
            ))
        });
    let response = plot.show(ui, |plot_ui| {
        let band = |x0: f64, x1: f64, c: Color32| {
            Polygon::new("", PlotPoints::from(vec![[x0, 0.0], [x1, 0.0], [x1, 1.05], [x0, 1.05]]))
                .fill_color(faded(c, 0.12))
                .stroke(egui::Stroke::NONE)
        };
        if let Some(bc) = critical {
            plot_ui.polygon(band(0.0, bc, palette.converged).name("over-damped (no spiral)"));
            plot_ui.polygon(band(bc, 1.0, palette.warning).name("under-damped (spirals)"));
            let label = format!("critical μ = (1 − √(lr·λ))² = {}", format::short(bc));
            plot_ui.vline(VLine::new(label, bc).color(palette.optimum).style(LineStyle::dashed_loose()));
        }
        plot_ui.line(Line::new("plain momentum", curve(heavy_ball_rate)).color(palette.curve).width(2.0));
        let dashed = LineStyle::dashed_loose();
        plot_ui.line(Line::new("Nesterov", curve(nesterov_rate)).color(palette.tangent).style(dashed).width(2.0));
        plot_ui.hline(egui_plot::HLine::new("ρ = 1: no progress", 1.0).color(palette.diverged).width(1.0));
        plot_ui.vline(
            VLine::new(format!("this run's μ = {}", format::short(beta)), beta).color(palette.marker).width(2.0),
        );
    });
    ctx.explain.plot(&response, Topic::BetaStrip, &[] as &[(&str, Topic)]);
}

/// The tab (it keeps nothing between frames).
#[derive(Default)]
pub struct PhaseTab;

impl TabView for PhaseTab {

    fn label(&self) -> &'static str {
        "Momentum phase plane"
    }

    fn tip(&self) -> &'static str {
        "Momentum SGD on one parameter: w − w* against the momentum buffer, spiralling in; the damping regimes of μ for this lr·λ, plain momentum against Nesterov."
    }

    fn topic(&self) -> Topic {
        Topic::Phase
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, actions: &mut Vec<Action>) {
        phase_plane_ui(ui, ctx, actions)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
