//! Loss vs step, on a linear or log scale (egui_plot has no log axis: it plots log10 of the loss and labels the
//! ticks as powers of ten; a loss of 0 is clamped to a floor far below the run's largest loss).

use egui::{Align2, RichText, Ui};
use egui_plot::{HLine, Line, LineStyle, MarkerShape, Points, Text, VLine};

use super::{PlotEnv, decade_spacer, last_step, plottable, step_plot, visible_steps};
use crate::engine::trainer::Status;
use crate::format;
use crate::history::Row;

/// The loss plot's content (inside its card).
pub fn loss_plot_ui(ui: &mut Ui, env: &PlotEnv<'_>, log: bool) {
    let snap = env.snap;
    let floor = log_floor(env);
    let y_of = move |loss: f64| -> f64 {
        if log { if loss.is_nan() { f64::NAN } else { loss.max(floor).log10() } } else { loss }
    };
    let mut plot = step_plot("loss-plot", if log { "loss (log)" } else { "loss" }, snap);
    if log {
        plot = plot.y_grid_spacer(decade_spacer).y_axis_formatter(|mark, _| format::decade_label(mark.value));
    } else {
        plot = plot.y_axis_formatter(|mark, _| format::value_label(mark.value));
    }
    let last = last_step(snap);
    plot.show(ui, |plot_ui| {
        let steps = visible_steps(plot_ui, last);
        let columns = plot_ui.response().rect.width().max(1.0) as usize;
        for run in &snap.runs {
            let color = env.run_color(run);
            let points =
                env.series(run, if log { "log loss" } else { "loss" }, steps.clone(), columns, |r: &Row| y_of(r.loss));
            plot_ui.line(Line::new(run.spec.name.clone(), points).color(color).width(2.0));
            crate::app::theory::overlay(
                plot_ui,
                env,
                run,
                crate::app::theory::Quantity::Loss { log },
                steps.clone(),
                columns,
            );
            if run.analysis.min_loss > floor && run.analysis.min_loss.is_finite() {
                plot_ui.hline(
                    HLine::new(
                        format!("minimum loss {}", format::sci(run.analysis.min_loss, 3)),
                        y_of(run.analysis.min_loss),
                    )
                    .color(env.palette.optimum)
                    .style(LineStyle::dashed_loose())
                    .width(1.0),
                );
            }
            for marker in run.history.markers() {
                plot_ui.vline(
                    VLine::new(marker.label.clone(), marker.step as f64)
                        .color(env.palette.marker)
                        .style(LineStyle::dashed_dense())
                        .width(1.0),
                );
            }
            outcome_marks(plot_ui, env, run, y_of(run.record.loss));
            crate::app::runs::scrub_cursor(plot_ui, env, run);
        }
    });
}

/// The floor a zero loss is clamped to on the log scale: 20 decades below the largest loss seen (at least 1e-300).
fn log_floor(env: &PlotEnv<'_>) -> f64 {
    let max = env
        .snap
        .runs
        .iter()
        .map(|r| r.history.extent().loss.max)
        .fold(0.0_f64, |a, b| if b.is_finite() { a.max(b) } else { a });
    (max.max(1e-280) * 1e-20).max(1e-300)
}

/// The "minimum reached" or "diverged" mark at the step where the run ended, shared by the plots over steps.
pub fn outcome_marks(plot_ui: &mut egui_plot::PlotUi<'_>, env: &PlotEnv<'_>, run: &crate::worker::RunSnapshot, y: f64) {
    let Some(y) = plottable(y) else {
        return;
    };
    // Labels go on the side of the mark with more room: a run that ended early (beside one still going) is labelled
    // to its right, one that ended at the right edge to its left.
    let right_half = |x: f64| x >= 0.5 * super::last_step(env.snap) as f64;
    let side = |x: f64, v: egui::Align| Align2([if right_half(x) { egui::Align::RIGHT } else { egui::Align::LEFT }, v]);
    match run.status {
        Status::Converged { step, .. } => {
            let x = step as f64;
            plot_ui.vline(VLine::new("minimum reached", x).color(env.palette.converged).width(1.5));
            plot_ui.points(
                Points::new("minimum reached ", [x, y])
                    .color(env.palette.converged)
                    .radius(5.0)
                    .shape(MarkerShape::Circle),
            );
            plot_ui.text(
                Text::new(
                    "minimum reached label",
                    [x, y].into(),
                    RichText::new("minimum reached").strong().color(env.palette.converged),
                )
                .anchor(side(x, egui::Align::BOTTOM)),
            );
        }
        Status::Diverged { step, .. } => {
            let x = step as f64;
            plot_ui.vline(VLine::new("diverged", x).color(env.palette.diverged).width(1.5));
            plot_ui.text(
                Text::new(
                    "diverged label",
                    [x, y].into(),
                    RichText::new("diverged").strong().color(env.palette.diverged),
                )
                .anchor(side(x, egui::Align::TOP)),
            );
        }
        Status::Running => {}
    }
}
