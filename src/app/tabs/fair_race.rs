//! The fair-race tab: "tune, then race". Every run's learning rate is tuned by a sweep of its own settings
//! ([`crate::engine::sweep::tune_one`], on both cores in the background with progress), under the learner's
//! criterion (fewest steps to the tolerance, or lowest loss after K steps); each optimizer's tuning curve is drawn,
//! the ranking under both criteria is compared, and one click races the runs at their tuned learning rates.
//! A race where one optimizer's lr was tuned and the others' were not says little; this one is fair.

use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, MarkerShape, Plot, Points};

use crate::app::jobs::Job;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::view::ViewCtx;
use crate::engine::settings::Settings;
use crate::engine::sweep::{Criterion, TUNE_MAX_STEPS, TUNE_POINTS, TunePoint, best_under, ranking};
use crate::explain::topics::Topic;
use crate::format;
use crate::par_map::tune_all;
use crate::worker::RunId;
use crate::worker::RunSnapshot;

/// One run to tune: its id, name, colour and settings.
#[derive(Clone, Debug, PartialEq)]
struct Entrant {
    id: RunId,
    name: String,
    color: [u8; 3],
    settings: Settings,
}

/// A tuning in progress or done.
struct Tuning {
    entrants: Vec<Entrant>,
    job: Job<u64, (usize, TunePoint)>,
    /// Each entrant's points, in lr order once done.
    points: Vec<Vec<TunePoint>>,
    horizon: u64,
}

/// The tab's state: the criterion, the horizon and the current tuning.
pub struct FairRaceState {
    by_steps: bool,
    horizon: u64,
    tuning: Option<Tuning>,
    started: u64,
    failed: Option<String>,
}

impl Default for FairRaceState {
    fn default() -> Self {
        FairRaceState { by_steps: true, horizon: 50, tuning: None, started: 0, failed: None }
    }
}

impl FairRaceState {
    fn criterion(&self) -> Criterion {
        if self.by_steps { Criterion::StepsToTolerance } else { Criterion::LossAfter(self.horizon) }
    }

    fn start(&mut self, ctx: &ViewCtx<'_>, egui_ctx: &egui::Context) {
        let entrants: Vec<Entrant> = ctx
            .live
            .runs
            .iter()
            .map(|r| Entrant {
                id: r.id,
                name: r.spec.name.clone(),
                color: r.spec.color,
                settings: r.spec.settings.clone(),
            })
            .collect();
        let tolerance = ctx.live.tolerance.filter(|t| *t > 0.0).unwrap_or(1e-6);
        let list: Vec<Settings> = entrants.iter().map(|e| e.settings.clone()).collect();
        let (data, horizon, wake) = (Arc::clone(&ctx.live.data), self.horizon, egui_ctx.clone());
        self.started += 1;
        let job = Job::spawn(
            "fair-race",
            self.started,
            move || wake.request_repaint(),
            move |send, cancel| tune_all(&data, &list, (horizon, tolerance), cancel, send),
        );
        match job {
            Ok(job) => {
                let points = vec![Vec::new(); entrants.len()];
                self.tuning = Some(Tuning { entrants, job, points, horizon });
                self.failed = None;
            }
            Err(e) => self.failed = Some(e),
        }
    }
}

/// The tab's body.
pub fn fair_race_ui(ui: &mut Ui, state: &mut FairRaceState, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    // Drawn alone for a PNG: the rankings and curves without the criterion, Tune and Race buttons.
    if !ctx.solo {
        controls_ui(ui, state, ctx);
    }
    if let Some(e) = &state.failed {
        ui.colored_label(ctx.palette.diverged, e);
    }
    let criterion = state.criterion();
    let Some(t) = &mut state.tuning else {
        ui.label(RichText::new("Tune every run's learning rate, then race them at their best: a race where one optimizer's lr was tuned and the others' were not says little.").color(ctx.palette.weak_text));
        return;
    };
    for (k, p) in t.job.drain() {
        if let Some(v) = t.points.get_mut(k) {
            v.push(p);
            v.sort_by(|a, b| a.lr.total_cmp(&b.lr));
        }
    }
    let done = t.points.iter().map(Vec::len).sum::<usize>();
    let total = t.entrants.len() * TUNE_POINTS;
    ui.horizontal_wrapped(|ui| {
        if !t.job.is_finished() {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .desired_width(160.0)
                    .text(format!("tuning… {done}/{total}")),
            );
        }
        ranking_ui(ui, t, ctx);
        let bests: Vec<(RunId, f64)> = t
            .entrants
            .iter()
            .zip(&t.points)
            .filter_map(|(e, p)| best_under(p, criterion).map(|b| (e.id, b.lr)))
            .collect();
        let tip = "Set each run's lr to its best under the chosen criterion and start them all again from their start.";
        let why_not = crate::app::disabled::race_at_tuned(t.job.is_finished(), bests.len());
        if !ctx.solo
            && ui
            .add_enabled(why_not.is_none(), egui::Button::new("Race at the tuned lrs"))
            .on_hover_text(tip)
            .on_disabled_hover_text(why_not.unwrap_or_default())
            .clicked()
        {
            for (id, lr) in bests {
                actions.push(Action::SetRunLr(id, lr));
            }
            actions.push(Action::Reset);
            actions.push(Action::ToggleRun);
        }
    });
    curves_ui(ui, t, criterion, ctx);
}

fn controls_ui(ui: &mut Ui, state: &mut FairRaceState, ctx: &ViewCtx<'_>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("best means").strong());
        let tip = "Fewest steps until ‖∇L‖ ≤ the tolerance (within 5,000 steps).";
        ui.selectable_value(&mut state.by_steps, true, "fewest steps to the tolerance").on_hover_text(tip);
        let tip = "Lowest loss after K steps: a short horizon favours fast starters, a long one steady finishers.";
        ui.selectable_value(&mut state.by_steps, false, "lowest loss after K steps").on_hover_text(tip);
        ui.label("K");
        let k = ui
            .add(egui::DragValue::new(&mut state.horizon).range(1..=TUNE_MAX_STEPS))
            .on_hover_text("The horizon K, in steps (recomputed by Tune).");
        let _ = k;
        let n = ctx.live.runs.len();
        let tip = format!(
            "{n} run{} × {TUNE_POINTS} learning rates from 1e-4 to 1, on both cores.",
            if n == 1 { "" } else { "s" }
        );
        if ui.button("Tune").on_hover_text(tip).clicked() {
            state.start(ctx, ui.ctx());
        }
    });
}

/// The ranking under both criteria, and whether they agree.
fn ranking_ui(ui: &mut Ui, t: &Tuning, ctx: &ViewCtx<'_>) {
    let rank = |c: Criterion| -> Vec<(String, f64)> {
        ranking(&t.points, c).into_iter().map(|(k, v)| (t.entrants[k].name.clone(), v)).collect()
    };
    let (steps, loss) = (rank(Criterion::StepsToTolerance), rank(Criterion::LossAfter(t.horizon)));
    let names = |v: &[(String, f64)]| v.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" > ");
    let same = steps.iter().map(|x| &x.0).eq(loss.iter().map(|x| &x.0));
    let text = format!(
        "by steps to tolerance: {} · by loss after {} steps: {}{}",
        names(&steps),
        t.horizon,
        names(&loss),
        if same { " (the same order)" } else { " — the ranking depends on the criterion and the horizon" }
    );
    ui.label(RichText::new(text).small().color(if same { ctx.palette.weak_text } else { ctx.palette.warning }));
}

/// Each run's tuning curve (log lr against steps or log loss), its best lr marked.
fn curves_ui(ui: &mut Ui, t: &Tuning, criterion: Criterion, ctx: &ViewCtx<'_>) {
    let y_of = |p: &TunePoint| match criterion {
        Criterion::StepsToTolerance => p.steps_to_tol.map(|s| (s.max(1) as f64).log10()),
        Criterion::LossAfter(_) => {
            (p.loss_at_horizon.is_finite() && p.loss_at_horizon > 0.0).then(|| p.loss_at_horizon.log10())
        }
    };
    let y_label =
        if criterion == Criterion::StepsToTolerance { "steps to tolerance (log)" } else { "loss after K (log)" };
    let response = Plot::new("fair-race-plot")
        .height(ui.available_height().max(100.0))
        .x_axis_label("learning rate (log)")
        .y_axis_label(y_label)
        .x_axis_formatter(|m, _| format::decade_label(m.value))
        .y_axis_formatter(|m, _| format::decade_label(m.value))
        .allow_boxed_zoom(false)
        .show(ui, |plot_ui| {
            for (e, points) in t.entrants.iter().zip(&t.points) {
                let color = Color32::from_rgb(e.color[0], e.color[1], e.color[2]);
                let pts: Vec<[f64; 2]> = points.iter().filter_map(|p| y_of(p).map(|y| [p.lr.log10(), y])).collect();
                plot_ui.line(Line::new(e.name.clone(), pts).color(color).width(1.8));
                if let Some(b) = best_under(points, criterion)
                    && let Some(y) = y_of(&b)
                {
                    let label = format!("{} best: lr {}", e.name, format::short(b.lr));
                    plot_ui.points(
                        Points::new(label, [b.lr.log10(), y]).shape(MarkerShape::Diamond).radius(6.0).color(color),
                    );
                }
            }
        });
    ctx.explain.mark(crate::explain::topics::Topic::FairRace, response.response.rect);
}

impl TabView for FairRaceState {

    fn label(&self) -> &'static str {
        "Fair race"
    }

    fn tip(&self) -> &'static str {
        "Tune, then race: every run's learning rate tuned by a sweep of its own settings under your criterion (fewest steps to the tolerance, or lowest loss after K steps), each optimizer's tuning curve, and a race at the tuned lrs."
    }

    fn topic(&self) -> Topic {
        Topic::FairRace
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, actions: &mut Vec<Action>) {
        fair_race_ui(ui, self, ctx, actions)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
