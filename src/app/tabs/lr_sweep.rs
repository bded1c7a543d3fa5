//! The learning-rate sweep tab: the selected run's settings at ~200 log-spaced learning rates, each an ordinary run
//! from the start point ([`crate::engine::sweep::sweep_one`]) on a helper thread, plotted as steps to the tolerance and
//! final loss against lr (log axes). The current lr is a vertical line, diverged runs are red crosses, the fastest point
//! is highlighted, and clicking a point sets the run's learning rate.

use std::sync::Arc;

use egui::{Align2, RichText, Ui};
use egui_plot::{Line, LineStyle, MarkerShape, Plot, Points, Text, VLine};

use crate::app::jobs::Job;
use crate::app::plots::decade_spacer;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::engine::settings::Settings;
pub use crate::engine::sweep::{SWEEP_POINTS, plan};
use crate::engine::sweep::{SweepPlan, SweepPoint, fastest};
use crate::explain::topics::Topic;
use crate::format;
pub use crate::par_map::run_plan;
use crate::worker::RunSnapshot;

#[derive(Clone, Debug, PartialEq)]
struct Key {
    data_generation: u64,
    settings: Settings,
    tolerance: Option<u64>,
}

/// A running or finished sweep (cancelled when dropped).
struct Sweep {
    plan: SweepPlan,
    job: Job<Key, SweepPoint>,
    points: Vec<SweepPoint>,
}

/// The tab's state: the current sweep (cancelled and restarted when the settings other than lr change).
#[derive(Default)]
pub struct SweepState {
    sweep: Option<Sweep>,
    /// The settings a sweep could not start for, and why.
    failed: Option<(Key, String)>,
}

impl SweepState {
    fn update(&mut self, env: &ViewCtx<'_>, run: &RunSnapshot, ctx: &egui::Context) {
        let mut settings = run.spec.settings.clone();
        settings.optimizer.lr = 0.0;
        let key = Key {
            data_generation: env.live.data_generation,
            settings: settings.clone(),
            tolerance: env.live.tolerance.map(f64::to_bits),
        };
        let stale = self.sweep.as_ref().is_none_or(|s| s.job.key != key);
        let failed_here = self.failed.as_ref().is_some_and(|(k, _)| *k == key);
        if stale && !failed_here {
            self.sweep = None;
            let plan = plan(&env.live.data, &run.spec.settings, &run.analysis, env.live.tolerance);
            let (data, plan2, ctx) = (Arc::clone(&env.live.data), plan.clone(), ctx.clone());
            let job = Job::spawn(
                "sweep",
                key.clone(),
                move || ctx.request_repaint(),
                move |send, cancel| run_plan(&data, &settings, &plan2, cancel, send),
            );
            match job {
                Ok(job) => {
                    self.sweep = Some(Sweep { plan, job, points: Vec::new() });
                    self.failed = None;
                }
                Err(e) => self.failed = Some((key, e)),
            }
        }
        if let Some(sweep) = &mut self.sweep {
            let new = sweep.job.drain();
            if !new.is_empty() {
                sweep.points.extend(new);
                // Two threads finish out of order: the plots draw the points in lr order.
                sweep.points.sort_by(|a, b| a.lr.total_cmp(&b.lr));
            }
        }
    }
}

/// The tab's content.
pub fn sweep_ui(ui: &mut Ui, state: &mut SweepState, env: &ViewCtx<'_>, run: &RunSnapshot, actions: &mut Vec<Action>) {
    state.update(env, run, ui.ctx());
    if let Some((_, e)) = &state.failed {
        ui.label(RichText::new(e).color(env.palette.diverged));
    }
    let Some(sweep) = &state.sweep else {
        return;
    };
    let best = fastest(&sweep.points);
    let best = best.as_ref();
    header_ui(ui, sweep, best, run, env.palette);
    let mut clicked: Option<f64> = None;
    ui.columns(2, |cols| {
        let plots = SweepPlots { sweep, best, env, run };
        clicked = steps_plot_ui(&mut cols[0], &plots).or(clicked);
        clicked = final_loss_plot_ui(&mut cols[1], &plots).or(clicked);
    });
    if let Some(x) = clicked
        && let Some(p) =
            sweep.points.iter().min_by(|a, b| (a.lr.log10() - x).abs().total_cmp(&(b.lr.log10() - x).abs()))
    {
        let mut s = run.spec.settings.clone();
        s.optimizer.lr = p.lr;
        actions.push(Action::SetSettings(s));
    }
}

/// What the sweep does, its progress, the fastest lr and how many diverged.
fn header_ui(ui: &mut Ui, sweep: &Sweep, best: Option<&SweepPoint>, run: &RunSnapshot, palette: Palette) {
    let plan = &sweep.plan;
    let total = plan.lrs.len();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Learning-rate sweep").strong());
        ui.label(
            RichText::new(format!(
                "{} runs of these settings from the start point, lr {} … {}, up to {} steps each, until |∇L| ≤ {} · click a point to use its lr",
                total,
                format::short(plan.lrs[0]),
                format::short(plan.lrs[total - 1]),
                plan.max_steps,
                format::sci(plan.tolerance, 0)
            ))
            .small()
            .color(palette.weak_text),
        );
    });
    ui.horizontal(|ui| {
        if !sweep.job.is_finished() {
            let done = sweep.points.len();
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .desired_width(220.0)
                    .text(format!("sweeping… {done}/{total}")),
            );
        }
        if let Some(b) = best {
            let mut text = format!("fastest: lr = {} in {} steps", format::short(b.lr), b.steps_to_tol.unwrap_or(0));
            if let Some(o) =
                run.analysis.optimal_lr.filter(|_| run.spec.settings.optimizer.momentum == 0.0 && !run.analysis.local)
            {
                text += &format!(" (theory: 2/(λmax+λmin) = {})", format::short(o));
            }
            ui.label(RichText::new(text).color(palette.converged).strong());
        }
        let diverged = sweep.points.iter().filter(|p| p.diverged).count();
        if diverged > 0 {
            ui.label(RichText::new(format!("× {diverged} diverged (red crosses)")).color(palette.diverged));
        }
    });
}

/// A sweep plot: log lr across, a log quantity up, linked with the other sweep plot.
fn sweep_plot(id: &'static str, y_label: &'static str) -> Plot<'static> {
    let link = egui::Id::unique("lr-sweep-x");
    Plot::new(id)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .x_grid_spacer(decade_spacer)
        .x_axis_formatter(|m, _| crate::app::plots::log_axis_label(m))
        .y_grid_spacer(decade_spacer)
        .y_axis_formatter(|m, _| crate::app::plots::log_axis_label(m))
        .x_axis_label("learning rate (log)")
        .y_axis_label(y_label)
        .allow_boxed_zoom(false)
        .y_axis_min_width(44.0)
        .label_formatter(|pos| {
            let p = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            Some(format!("lr = {}\n{}", format::short(10f64.powf(p.x)), format::short(10f64.powf(p.y))))
        })
}

/// Shows a sweep plot drawn by `draw`; returns the log lr under a click (which sets that lr).
fn show_sweep_plot(ui: &mut Ui, plot: Plot<'static>, draw: impl FnOnce(&mut egui_plot::PlotUi<'_>)) -> Option<f64> {
    let mut clicked = None;
    let r = plot.show(ui, |pui| {
        draw(pui);
        if pui.response().clicked() {
            clicked = pui.pointer_coordinate().map(|p| p.x);
        }
    });
    r.response.on_hover_cursor(egui::CursorIcon::PointingHand);
    clicked
}

/// The runs that ended finite.
fn finished_points(sweep: &Sweep) -> Vec<&SweepPoint> {
    sweep.points.iter().filter(|p| !p.diverged && p.final_loss.is_finite()).collect()
}

/// What the sweep's two plots draw: the sweep, its best point, the frame's context and the selected run.
struct SweepPlots<'a, 'c> {
    sweep: &'a Sweep,
    best: Option<&'a SweepPoint>,
    env: &'a ViewCtx<'c>,
    run: &'a RunSnapshot,
}

/// Steps to the tolerance against lr; returns the log lr clicked.
fn steps_plot_ui(ui: &mut Ui, plots: &SweepPlots<'_, '_>) -> Option<f64> {
    let SweepPlots { sweep, best, env, run } = *plots;
    let palette = env.palette;
    let budget = sweep.plan.max_steps as f64;
    let ok = finished_points(sweep);
    let label = crate::app::plots::y_label_fitting(ui.available_height(), "steps to tolerance (log)", "steps (log)");
    show_sweep_plot(ui, sweep_plot("lr-sweep-steps", label), |pui| {
        let conv: Vec<[f64; 2]> =
            ok.iter().filter_map(|p| p.steps_to_tol.map(|s| [p.lr.log10(), (s.max(1) as f64).log10()])).collect();
        pui.line(Line::new("steps to tolerance", conv.clone()).color(palette.tangent).width(1.5));
        pui.points(Points::new("converged", conv).color(palette.tangent).radius(1.8));
        let slow: Vec<[f64; 2]> =
            ok.iter().filter(|p| p.steps_to_tol.is_none()).map(|p| [p.lr.log10(), budget.log10()]).collect();
        pui.points(Points::new("not there within the budget", slow).color(palette.weak_text).radius(2.0));
        let div: Vec<[f64; 2]> =
            sweep.points.iter().filter(|p| p.diverged).map(|p| [p.lr.log10(), budget.log10()]).collect();
        pui.points(Points::new("diverged", div).color(palette.diverged).shape(MarkerShape::Cross).radius(3.5));
        let best_at = best.map(|b| [b.lr.log10(), (b.steps_to_tol.unwrap_or(1).max(1) as f64).log10()]);
        marks(pui, best_at, run.spec.settings.optimizer.lr, env, run);
    })
}

/// The final loss against lr; returns the log lr clicked.
fn final_loss_plot_ui(ui: &mut Ui, plots: &SweepPlots<'_, '_>) -> Option<f64> {
    let SweepPlots { sweep, best, env, run } = *plots;
    let palette = env.palette;
    let floor = 1e-300_f64;
    let ok = finished_points(sweep);
    let label = crate::app::plots::y_label_fitting(ui.available_height(), "final loss (log)", "loss (log)");
    show_sweep_plot(ui, sweep_plot("lr-sweep-loss", label), |pui| {
        let pts: Vec<[f64; 2]> = ok.iter().map(|p| [p.lr.log10(), p.final_loss.max(floor).log10()]).collect();
        pui.line(Line::new("final loss", pts.clone()).color(palette.optimum).width(1.5));
        pui.points(Points::new("final loss ", pts).color(palette.optimum).radius(1.8));
        let top = ok.iter().map(|p| p.final_loss.max(floor).log10()).fold(f64::NEG_INFINITY, f64::max);
        let top = if top.is_finite() { top } else { 0.0 };
        let div: Vec<[f64; 2]> = sweep.points.iter().filter(|p| p.diverged).map(|p| [p.lr.log10(), top]).collect();
        pui.points(Points::new("diverged", div).color(palette.diverged).shape(MarkerShape::Cross).radius(3.5));
        let best_at = best.map(|b| [b.lr.log10(), b.final_loss.max(floor).log10()]);
        marks(pui, best_at, run.spec.settings.optimizer.lr, env, run);
    })
}

fn marks(pui: &mut egui_plot::PlotUi<'_>, best: Option<[f64; 2]>, lr_now: f64, env: &ViewCtx<'_>, run: &RunSnapshot) {
    let palette = env.palette;
    if lr_now > 0.0 {
        pui.vline(
            VLine::new(format!("current lr {}", format::short(lr_now)), lr_now.log10())
                .color(env.palette.run(run.spec.color))
                .width(1.5),
        );
    }
    if let Some(c) = crate::app::stability::stability_bands(&run.analysis, &run.spec.settings).critical {
        pui.vline(
            VLine::new(format!("diverges at {}", format::short(c)), c.log10())
                .color(palette.diverged)
                .style(LineStyle::dashed_loose())
                .width(1.0),
        );
    }
    if let Some(b) = best {
        pui.points(Points::new("fastest", b).color(palette.converged).radius(6.0).shape(MarkerShape::Diamond));
        pui.text(
            Text::new("fastest label", b.into(), RichText::new(" fastest").strong().color(palette.converged))
                .anchor(Align2::LEFT_BOTTOM),
        );
    }
}

impl TabView for SweepState {

    fn label(&self) -> &'static str {
        "Learning-rate sweep"
    }

    fn tip(&self) -> &'static str {
        "Run the current settings at ~200 learning rates: how many steps each needs to reach the tolerance, and where it ends. Click a point to use that learning rate."
    }

    fn topic(&self) -> Topic {
        Topic::LrSweep
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, run: &RunSnapshot, actions: &mut Vec<Action>) {
        sweep_ui(ui, self, ctx, run, actions)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
