//! Loss vs step, on a linear or log scale (egui_plot has no log axis: it plots log10 of the loss and labels the
//! ticks as powers of ten; a loss of 0 is clamped to a floor far below the run's largest loss).

use egui::{Align2, RichText, Ui};
use egui_plot::{HLine, LineStyle, MarkerShape, Points, Text, VLine};

use super::{ViewCtx, decade_spacer, last_step, plottable, step_plot, visible_steps};
use crate::app::theme::faded;
use crate::engine::trainer::Status;
use crate::explain::topics::Topic;
use crate::format;
use crate::history::Row;

/// The loss plot's content (inside its card).
pub fn loss_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>, log: bool) {
    let snap = ctx.snap;
    let floor = log_floor(ctx);
    let y_of = move |loss: f64| -> f64 {
        if log { if loss.is_nan() { f64::NAN } else { loss.max(floor).log10() } } else { loss }
    };
    let axis = ctx.display.step_axis;
    let mut plot = step_plot("loss-plot", if log { "loss (log)" } else { "loss" }, snap, axis);
    if log {
        plot = plot.y_grid_spacer(decade_spacer).y_axis_formatter(|mark, _| super::log_axis_label(mark));
    } else {
        plot = plot.y_grid_spacer(super::value_spacer_y).y_axis_formatter(|mark, _| format::value_label(mark.value));
    }
    let last = last_step(snap);
    // The theory overlay stays within the losses the runs reach (see `theory::Quantity::Loss`).
    let lowest =
        snap.runs.iter().map(|r| r.history.extent().loss.min).filter(|l| l.is_finite()).fold(f64::INFINITY, f64::min);
    let theory_floor = if log { lowest.max(floor) } else { lowest.min(0.0) };
    let mut items: Vec<(String, Topic)> = vec![("theory".into(), Topic::TheoryToggle)];
    let response = plot.show(ui, |plot_ui| {
        let steps = visible_steps(plot_ui, last, axis);
        let columns = plot_ui.response().rect.width().max(1.0) as usize;
        for run in &snap.runs {
            items.push((run.spec.name.clone(), Topic::LossCurve));
            items.push((format!("minimum loss {}", format::sci(run.analysis.min_loss, 3)), Topic::MinLoss));
            let quantity = if log { ["log loss", "log loss recent"] } else { ["loss", "loss recent"] };
            let value = |r: &Row| y_of(r.loss);
            let span = (steps.clone(), columns);
            super::series_line_ui(plot_ui, ctx, run, run.spec.name.clone(), quantity, span, value, |l| {
                l.width(ctx.palette.stroke(2.0))
            });
            super::theory::overlay(
                plot_ui,
                ctx,
                run,
                super::theory::Quantity::Loss { log, floor: theory_floor },
                steps.clone(),
                columns,
            );
            if run.analysis.min_loss > floor && run.analysis.min_loss.is_finite() {
                plot_ui.hline(
                    HLine::new(
                        format!("minimum loss {}", format::sci(run.analysis.min_loss, 3)),
                        y_of(run.analysis.min_loss),
                    )
                    .color(ctx.palette.optimum)
                    .style(LineStyle::dashed_loose())
                    .width(1.0),
                );
                // Labelled once, at its right end, for the run the plot is about.
                if ctx.snap.runs.first().is_some_and(|r| r.id == run.id) {
                    let label = RichText::new(format!("min loss {}", format::sci(run.analysis.min_loss, 2)))
                        .small()
                        .color(ctx.palette.optimum);
                    let at = [axis.x(last.max(1) as f64), y_of(run.analysis.min_loss)];
                    plot_ui.text(Text::new("min loss label", at.into(), label).anchor(Align2::RIGHT_BOTTOM));
                }
            }
            super::overlays::settings_markers(plot_ui, ctx, run);
            outcome_marks(plot_ui, ctx, run, y_of(run.record.loss));
            super::overlays::scrub_cursor(plot_ui, ctx, run);
        }
    });
    ctx.explain.plot(&response, Topic::LossPlot, &items);
}

/// True when a run (an objective's: the saddle, an expression) has a negative value in its history: the loss plot
/// is then linear, as no log scale holds it.
pub fn has_negative_values(runs: &[crate::worker::RunSnapshot]) -> bool {
    runs.iter().any(|r| r.spec.settings.objective.is_some() && r.history.extent().loss.min < 0.0)
}

/// The floor a zero loss is clamped to on the log scale: 20 decades below the largest loss seen (at least 1e-300).
fn log_floor(ctx: &ViewCtx<'_>) -> f64 {
    let max = ctx
        .snap
        .runs
        .iter()
        .map(|r| r.history.extent().loss.max)
        .fold(0.0_f64, |a, b| if b.is_finite() { a.max(b) } else { a });
    (max.max(1e-280) * 1e-20).max(1e-300)
}

/// The "minimum reached" or "diverged" mark at the step where the run ended, shared by the plots over steps.
pub fn outcome_marks(plot_ui: &mut egui_plot::PlotUi<'_>, ctx: &ViewCtx<'_>, run: &crate::worker::RunSnapshot, y: f64) {
    let Some(y) = plottable(y) else {
        return;
    };
    let axis = ctx.display.step_axis;
    let right_half = |x: f64| x >= 0.5 * axis.x(super::last_step(ctx.snap) as f64);
    let side = |x: f64, v: egui::Align| Align2([if right_half(x) { egui::Align::RIGHT } else { egui::Align::LEFT }, v]);
    // One run: the outcome in words, in the state's colour. Several: each run's mark in its own colour, named for
    // the hover, without a text label each (six labels pile up on one another).
    let several = ctx.snap.runs.len() > 1;
    if run.error.is_some() {
        // No outcome of the run's own: it was refused, or the engine stopped it (the banner says which).
        return;
    }
    let (step, what, color, v) = match run.status {
        Status::Converged { step, .. } => (step, "minimum reached", ctx.palette.converged, egui::Align::BOTTOM),
        Status::Diverged { step, why } if why.is_stop() => (step, why.verb(), ctx.palette.warning, egui::Align::TOP),
        Status::Diverged { step, why } => (step, why.verb(), ctx.palette.diverged, egui::Align::TOP),
        Status::Running => return,
    };
    let x = axis.x(step as f64);
    let (color, name) = if several {
        (ctx.run_color(run), format!("{}: {what} at step {step}", run.spec.name))
    } else {
        (color, what.to_owned())
    };
    plot_ui.vline(VLine::new(name.clone(), x).color(if several { faded(color, 0.5) } else { color }).width(1.5));
    let shape = if matches!(run.status, Status::Converged { .. }) { MarkerShape::Circle } else { MarkerShape::Cross };
    plot_ui.points(Points::new(format!("{name} "), [x, y]).color(color).radius(5.0).shape(shape));
    if !several {
        let label = RichText::new(what).strong().color(color);
        plot_ui.text(Text::new(format!("{what} label"), [x, y].into(), label).anchor(side(x, v)));
    }
}

/// When the runs minimise different losses (another loss function, or another model), what differs, for the loss
/// plot's subtitle: their losses share the axis but are not comparable. `None` when all runs fit the same problem.
pub fn incomparable_losses(runs: &[crate::worker::RunSnapshot]) -> Option<String> {
    let first = runs.first()?;
    let s0 = &first.spec.settings;
    let losses_differ = runs
        .iter()
        .any(|r| (r.spec.settings.loss, r.spec.settings.huber_delta.to_bits()) != (s0.loss, s0.huber_delta.to_bits()));
    let models_differ = runs.iter().any(|r| r.spec.settings.bias != s0.bias);
    let what = match (losses_differ, models_differ) {
        (false, false) => return None,
        (true, false) => "losses",
        (false, true) => "models (with and without b)",
        (true, true) => "losses and models",
    };
    Some(format!("note: the runs use different {what}, so their losses are not comparable"))
}
