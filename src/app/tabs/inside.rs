//! Inside the optimizer: what it carries from step to step, and the step it takes.
//!
//! Left, the state each history row holds under torch's names, for w (b dashed): SGD's and RMSprop's momentum
//! buffer, Adagrad's √sum, RMSprop's √square_avg, and Adam's bias-corrected moments m_hat = m/(1 − β₁ᵗ) and
//! √v_hat = √(v/(1 − β₂ᵗ)). Right, on a log scale, the step each update took, |w_{k+1} − w_k|, against lr·|g_k|,
//! the step plain gradient descent would take: Adam's steps stay near lr whatever the gradient's size. Third, on a
//! log scale, the lr each update used (a schedule's, flat without one) and, dashed, the momentum or β₁ that
//! OneCycleLR or CyclicLR cycles. Every visible run is drawn, in its colour; the plots share the step axis (and its
//! cursor) with the loss plot.

use std::ops::RangeInclusive;

use egui::{RichText, Ui};
use egui_plot::{Line, LineStyle};

use crate::app::plots::{ViewCtx, last_step, step_plot, visible_steps};
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::format;
use crate::history::Row;
use crate::worker::RunSnapshot;

/// One quantity the optimizer carries: its label and how to read it from a row (NaN when the row lacks it).
struct Carried {
    label: &'static str,
    /// Series-cache keys for w and b.
    keys: [&'static str; 2],
    solid: bool,
    read: fn(&Row, &Settings, usize) -> f64,
}

fn state(row: &Row, key: &str, i: usize) -> f64 {
    row.state.get(i, key).unwrap_or(f64::NAN)
}

/// The bias correction 1 − βᵗ at the row's step count (NaN before the first step).
fn correction(row: &Row, beta: f64) -> f64 {
    row.state.step.filter(|&t| t > 0).map_or(f64::NAN, |t| 1.0 - beta.powf(t as f64))
}

/// What `settings`' optimizer carries, in the order drawn.
fn carried(settings: &Settings) -> Vec<Carried> {
    let o = &settings.optimizer;
    let buffer = Carried {
        label: "momentum buffer",
        keys: ["buffer w", "buffer b"],
        solid: true,
        read: |r, _, i| state(r, "momentum_buffer", i),
    };
    match o.kind {
        OptimizerKind::Sgd if o.momentum != 0.0 => vec![buffer],
        OptimizerKind::Gd | OptimizerKind::Sgd | OptimizerKind::Newton => Vec::new(),
        OptimizerKind::Adagrad => {
            vec![Carried {
                label: "√sum",
                keys: ["sqrt sum w", "sqrt sum b"],
                solid: false,
                read: |r, _, i| state(r, "sum", i).sqrt(),
            }]
        }
        OptimizerKind::Rmsprop => {
            let mut v = vec![Carried {
                label: "√square_avg",
                keys: ["sqrt square_avg w", "sqrt square_avg b"],
                solid: false,
                read: |r, _, i| state(r, "square_avg", i).sqrt(),
            }];
            if o.momentum > 0.0 {
                v.push(buffer);
            }
            v
        }
        OptimizerKind::Adam | OptimizerKind::Adamw => vec![
            Carried {
                label: "m_hat",
                keys: ["m_hat w", "m_hat b"],
                solid: true,
                read: |r, s, i| state(r, "exp_avg", i) / correction(r, s.optimizer.beta1),
            },
            Carried {
                label: "√v_hat",
                keys: ["sqrt v_hat w", "sqrt v_hat b"],
                solid: false,
                read: |r, s, i| {
                    let v = if s.optimizer.amsgrad { "max_exp_avg_sq" } else { "exp_avg_sq" };
                    (state(r, v, i) / correction(r, s.optimizer.beta2)).sqrt()
                },
            },
        ],
    }
}

/// The tab's body: the three plots side by side.
pub fn inner_state_ui(ui: &mut Ui, ctx: &ViewCtx<'_>) {
    let width = ((ui.available_width() - 24.0) / 3.0).max(120.0);
    let height = ui.available_height().max(120.0);
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.label(RichText::new("What it carries").strong()).on_hover_text(
                "The optimizer's state after each step, for w (b dashed): the momentum buffer, Adagrad's √sum, RMSprop's √square_avg, Adam's bias-corrected moments m_hat = m/(1 − β₁^t) and √v_hat = √(v/(1 − β₂^t)). Plain SGD carries nothing.",
            );
            carried_plot_ui(ui, ctx, height - 22.0);
        });
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.label(RichText::new("Step taken vs lr·|g|").strong()).on_hover_text(
                "Solid: the step each update took, |w(k+1) − w(k)|. Dotted: lr·|g|, the step plain gradient descent would take from the same gradient. Adam divides by √v_hat, so its step stays near lr whatever the gradient's size; momentum's grows past lr·|g| as the buffer builds up.",
            );
            step_plot_ui(ui, ctx, height - 22.0);
        });
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.label(RichText::new("lr schedule").strong()).on_hover_text(
                "The lr each update used, on a log scale: a schedule's (torch.optim.lr_scheduler), flat without one. Dashed: the momentum or β₁ that one cycle sets between base_momentum and max_momentum.",
            );
            lr_plot_ui(ui, ctx, height - 22.0);
        });
    });
}

/// A plot over steps of log10 values, labelled by decades.
fn log_step_plot<'a>(id: &str, y_label: &str, ctx: &ViewCtx<'a>, height: f32) -> egui_plot::Plot<'a> {
    step_plot(id, y_label, ctx.snap, ctx.display.step_axis)
        .height(height)
        .y_grid_spacer(crate::app::plots::decade_spacer)
        .y_axis_formatter(|mark, _| crate::app::plots::log_axis_label(mark))
}

/// log10 of a positive value, NaN otherwise (a gap in the line).
fn log_or_gap(v: f64) -> f64 {
    if v > 0.0 && v.is_finite() { v.log10() } else { f64::NAN }
}

/// A log plot over steps named `id` with `label` on its y axis: `draw` adds each run's lines over the visible
/// steps (thinned to the plot's pixel columns) in the run's colour, then the timeline's cursor marks the run.
/// `around` (log10 values, lowest and highest) stays in view with a decade on either side: a flat line (a constant
/// lr) then sits in a readable range instead of one that egui widens to dozens of decades.
fn per_run_log_plot(
    ui: &mut Ui,
    ctx: &ViewCtx<'_>,
    (id, label, topic, around): (&str, &str, Topic, Option<[f64; 2]>),
    height: f32,
    mut draw: impl FnMut(&mut egui_plot::PlotUi<'_>, &RunSnapshot, egui::Color32, RangeInclusive<f64>, usize),
) {
    let snap = ctx.snap;
    let mut plot = log_step_plot(id, label, ctx, height);
    if let Some([low, high]) = around.filter(|[l, h]| l.is_finite() && h.is_finite()) {
        plot = plot.include_y(low - 1.0).include_y(high + 1.0);
    }
    let last = last_step(snap);
    let response = plot.show(ui, |plot_ui| {
        let steps = visible_steps(plot_ui, last, ctx.display.step_axis);
        let columns = plot_ui.response().rect.width().max(1.0) as usize;
        for run in &snap.runs {
            draw(plot_ui, run, ctx.run_color(run), steps.clone(), columns);
            crate::app::plots::overlays::scrub_cursor(plot_ui, ctx, run);
        }
    });
    ctx.explain.plot(&response, topic, &[] as &[(&str, Topic)]);
}

fn lr_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, height: f32) {
    // The runs' base lrs: a run without a schedule draws a flat line there.
    let lrs = ctx.snap.runs.iter().map(|r| log_or_gap(r.spec.settings.optimizer.lr)).filter(|l| l.is_finite());
    let around = lrs.fold(None, |span: Option<[f64; 2]>, l| Some(span.map_or([l, l], |[a, b]| [a.min(l), b.max(l)])));
    let what = ("inner-lr-plot", "lr (log)", Topic::LrSchedulePlot, around);
    per_run_log_plot(ui, ctx, what, height, |plot_ui, run, color, steps, columns| {
        let name = &run.spec.name;
        let lr = ctx.series(run, "scheduled lr", steps.clone(), columns, |r| log_or_gap(r.scheduled.lr));
        plot_ui.line(Line::new(format!("lr · {name}"), lr).color(color).width(1.8));
        if run.spec.settings.schedule.cycles_momentum() {
            let adam = matches!(run.spec.settings.optimizer.kind, OptimizerKind::Adam | OptimizerKind::Adamw);
            let label = if adam { "β₁" } else { "momentum" };
            let m = ctx.series(run, "scheduled momentum", steps, columns, |r| {
                r.scheduled.momentum.map_or(f64::NAN, log_or_gap)
            });
            let line = |m| Line::new(format!("{label} · {name}"), m).color(color).style(LineStyle::dashed_loose());
            plot_ui.line(crate::app::plots::dash_guard(plot_ui, m, line).width(1.4));
        }
    });
}

fn carried_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, height: f32) {
    let snap = ctx.snap;
    let plain = snap.runs.iter().all(|r| carried(&r.spec.settings).is_empty());
    let plot = step_plot("inner-state-plot", "state", snap, ctx.display.step_axis)
        .height(height)
        .y_grid_spacer(crate::app::plots::value_spacer_y)
        .y_axis_formatter(|mark, _| format::value_label(mark.value));
    let last = last_step(snap);
    let response = plot.show(ui, |plot_ui| {
        if plain {
            let at = crate::app::plots::bounds_point(plot_ui, 0.5, 0.5);
            let text = "Plain SGD carries nothing: each step uses only the current gradient.";
            plot_ui.text(egui_plot::Text::new("plain", at, RichText::new(text).color(ctx.palette.weak_text)));
            return;
        }
        let steps = visible_steps(plot_ui, last, ctx.display.step_axis);
        let columns = plot_ui.response().rect.width().max(1.0) as usize;
        for run in &snap.runs {
            for c in carried(&run.spec.settings) {
                carried_lines_ui(plot_ui, ctx, run, &c, (steps.clone(), columns));
            }
            crate::app::plots::overlays::scrub_cursor(plot_ui, ctx, run);
        }
    });
    ctx.explain.plot(&response, Topic::CarriedPlot, &[] as &[(&str, Topic)]);
}

fn carried_lines_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    ctx: &ViewCtx<'_>,
    run: &RunSnapshot,
    c: &Carried,
    (steps, columns): (std::ops::RangeInclusive<f64>, usize),
) {
    let settings = run.spec.settings.clone();
    let color = ctx.run_color(run);
    let name = |p: &str| format!("{} {p} · {}", c.label, run.spec.name);
    let read = c.read;
    for (i, p) in ["w", "b"].into_iter().enumerate().take(settings.n_params()) {
        let key = c.keys[i];
        let s = settings.clone();
        let pts = ctx.series(run, key, steps.clone(), columns, move |r| {
            crate::app::plots::plottable(read(r, &s, i)).unwrap_or(f64::NAN)
        });
        let style = match (c.solid, i) {
            (true, 0) => LineStyle::Solid,
            (false, 0) => LineStyle::Dotted { spacing: 5.0 },
            _ => LineStyle::dashed_loose(),
        };
        let line = |pts| Line::new(name(p), pts).color(color).style(style).width(1.8);
        plot_ui.line(crate::app::plots::dash_guard(plot_ui, pts, line));
    }
}

/// |w(k+1) − w(k)| and lr·|g(k)| as log10 series over consecutive kept rows in `steps`, at x on `axis`, thinned
/// to about two points per column of that axis (on the log step axis, every one of the first steps).
fn step_series(
    run: &RunSnapshot,
    steps: &std::ops::RangeInclusive<f64>,
    columns: usize,
    axis: crate::step_axis::StepAxis,
) -> [Vec<[f64; 2]>; 2] {
    let h = &run.history;
    let from = h.lower_bound(steps.start().max(0.0) as u64).saturating_sub(1);
    let rows: Vec<&Row> = h.iter_from(from).take_while(|r| r.step as f64 <= *steps.end() + 1.0).collect();
    let (x0, x1) = (axis.x(*steps.start()), axis.x(*steps.end()));
    let per_x = (2 * columns.max(1)) as f64 / (x1 - x0).max(f64::MIN_POSITIVE);
    let mut slot = i64::MIN;
    let (mut taken, mut plain) = (Vec::new(), Vec::new());
    for pair in rows.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let x = axis.x(a.step as f64);
        let this = ((x - x0) * per_x).floor() as i64;
        if b.step != a.step + 1 || this == slot {
            continue;
        }
        slot = this;
        // The lr the update used: the row's (a schedule's), or for a row without one its settings'.
        let lr = if a.scheduled.lr > 0.0 {
            a.scheduled.lr
        } else {
            h.settings_at(a.step).map_or(run.spec.settings.optimizer.lr, |s| s.optimizer.lr)
        };
        let dw = (b.params.w - a.params.w).abs();
        let lg = lr * a.update_grad.w.abs();
        if dw > 0.0 && dw.is_finite() {
            taken.push([x, dw.log10()]);
        }
        if lg > 0.0 && lg.is_finite() {
            plain.push([x, lg.log10()]);
        }
    }
    [taken, plain]
}

fn step_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, height: f32) {
    let what = ("inner-step-plot", "step size (log)", Topic::StepSizePlot, None);
    per_run_log_plot(ui, ctx, what, height, |plot_ui, run, color, steps, columns| {
        let [taken, plain] = step_series(run, &steps, columns, ctx.display.step_axis);
        let name = &run.spec.name;
        plot_ui.line(Line::new(format!("|Δw| · {name}"), taken).color(color).width(1.8));
        let dotted = LineStyle::Dotted { spacing: 5.0 };
        let line = |pts| Line::new(format!("lr·|g| · {name}"), pts).color(color).style(dotted).width(1.4);
        plot_ui.line(crate::app::plots::dash_guard(plot_ui, plain, line));
    });
}

/// The tab (it keeps nothing between frames).
#[derive(Default)]
pub struct InsideTab;

impl TabView for InsideTab {

    fn label(&self) -> &'static str {
        "Inside the optimizer"
    }

    fn tip(&self) -> &'static str {
        "What the optimizer carries from step to step (the momentum buffer, Adam's bias-corrected moments m_hat and √v_hat) and the step it takes against lr·|g|, for every run."
    }

    fn topic(&self) -> Topic {
        Topic::Inside
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, _actions: &mut Vec<Action>) {
        inner_state_ui(ui, ctx)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
