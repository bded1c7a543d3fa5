//! The weight trajectory: w (and b) vs step, with the optimum w* (b*) as horizontal lines.

use egui::Ui;
use egui_plot::{HLine, Line, LineStyle};

use super::loss::outcome_marks;
use super::{ViewCtx, last_step, step_plot, visible_steps};
use crate::app::theme::faded;
use crate::explain::topics::Topic;
use crate::format;
use crate::history::Row;

/// The weights plot's content (inside its card).
pub fn weights_plot_ui(ui: &mut Ui, ctx: &ViewCtx<'_>) {
    let snap = ctx.snap;
    let axis = ctx.display.step_axis;
    let mut plot = step_plot("weights-plot", "parameter", snap, axis);
    plot = plot.y_grid_spacer(super::value_spacer_y).y_axis_formatter(|mark, _| format::value_label(mark.value));
    // No legend: it would list every item (marks, theory, optimum lines) and spill over the card. The card's
    // subtitle says which line is which, and the legend row above the plots names the runs.
    let last = last_step(snap);
    let mut items: Vec<(String, Topic)> = Vec::new();
    let response = plot.show(ui, |plot_ui| {
        let steps = visible_steps(plot_ui, last, axis);
        let columns = plot_ui.response().rect.width().max(1.0) as usize;
        for run in &snap.runs {
            let color = ctx.run_color(run);
            let bias = run.spec.settings.bias;
            let optimum = run.analysis.optimum;
            let optimum = crate::engine::model::Params {
                w: super::plottable(optimum.w).unwrap_or(0.0),
                b: super::plottable(optimum.b).unwrap_or(0.0),
            };
            let multi = snap.runs.len() > 1;
            let name = |p: &str| if multi { format!("{p} · {}", run.spec.name) } else { p.to_owned() };
            // One run: the optimum in gold. Several: each run's optimum in its own colour (their problems may differ).
            let optimum_color = if multi { faded(color, 0.8) } else { ctx.palette.optimum };
            let w_star = name(&format!("w* = {}", format::short(format::clean(optimum.w, optimum.b))));
            items.extend([
                (w_star.clone(), Topic::OptimumMark),
                (name("w"), Topic::WeightLine),
                (name("b"), Topic::WeightLine),
            ]);
            items.extend([("theory".into(), Topic::TheoryToggle), ("theory b".into(), Topic::TheoryToggle)]);
            plot_ui
                .hline(HLine::new(w_star, optimum.w).color(optimum_color).style(LineStyle::dashed_loose()).width(1.2));
            let span = (steps.clone(), columns);
            super::series_line_ui(
                plot_ui,
                ctx,
                run,
                name("w"),
                ["w", "w recent"],
                span,
                |r: &Row| r.params.w,
                |l| l.width(ctx.palette.stroke(2.0)),
            );
            super::theory::overlay(plot_ui, ctx, run, super::theory::Quantity::W, steps.clone(), columns);
            if bias {
                plot_ui.hline(
                    HLine::new(
                        name(&format!("b* = {}", format::short(format::clean(optimum.b, optimum.w)))),
                        optimum.b,
                    )
                    .color(optimum_color)
                    .style(LineStyle::Dotted { spacing: 6.0 })
                    .width(1.2),
                );
                let span = (steps.clone(), columns);
                let style = |l: Line<'static>| l.style(LineStyle::dashed_loose()).width(ctx.palette.stroke(1.6));
                super::series_line_ui(
                    plot_ui,
                    ctx,
                    run,
                    name("b"),
                    ["b", "b recent"],
                    span,
                    |r: &Row| r.params.b,
                    style,
                );
                super::theory::overlay(plot_ui, ctx, run, super::theory::Quantity::B, steps.clone(), columns);
            }
            super::overlays::settings_markers(plot_ui, ctx, run);
            outcome_marks(plot_ui, ctx, run, run.record.params.w);
            super::overlays::scrub_cursor(plot_ui, ctx, run);
        }
    });
    ctx.explain.plot(&response, Topic::WeightsPlot, &items);
}
