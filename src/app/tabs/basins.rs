//! The basins-of-attraction tab: the selected run's settings started from every cell of a grid over (w, b), each
//! cell coloured by where its run ends ([`crate::engine::basins`]): which minimum, diverged, or still on its way.
//! Computed on both cores in the background with progress, cancelled when the settings change or the tab's owner
//! drops it; a click on a cell starts the run from there.

use std::sync::Arc;

use egui::{Color32, RichText, TextureHandle, TextureOptions, Ui};
use egui_plot::{MarkerShape, Plot, PlotImage, PlotPoint, Points};

use crate::app::jobs::Job;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::view::ViewCtx;
use crate::engine::basins::{
    BasinPlan, Basins, End, MAX_STEPS, Outcome, TOLERANCE, Tally, default_window, known_basins,
};
use crate::engine::settings::Settings;
use crate::explain::topics::Topic;
use crate::export::basins::{basin_rgb, end_rgb};
use crate::format;
use crate::par_map::map_rows;
use crate::worker::RunSnapshot;

#[derive(Clone, Debug, PartialEq)]
struct Key {
    data_generation: u64,
    settings: Settings,
    size: usize,
}

/// A map being computed or done.
struct Map {
    plan: BasinPlan,
    job: Job<Key, (usize, Vec<End>)>,
    /// Each row's ends (`j` from the bottom), as they arrive.
    rows: Vec<Option<Vec<End>>>,
    basins: Basins,
    texture: Option<TextureHandle>,
    dirty: bool,
}

/// The tab's state: the grid size and the current map.
pub struct BasinsState {
    size: usize,
    map: Option<Map>,
    failed: Option<String>,
}

impl Default for BasinsState {
    fn default() -> Self {
        BasinsState { size: 100, map: None, failed: None }
    }
}

impl BasinsState {
    fn update(&mut self, ctx: &ViewCtx<'_>, run: &RunSnapshot, egui_ctx: &egui::Context) {
        let mut settings = run.spec.settings.clone();
        (settings.w0, settings.b0) = (0.0, 0.0);
        let key = Key { data_generation: ctx.live.data_generation, settings: settings.clone(), size: self.size };
        if self.map.as_ref().is_some_and(|m| m.job.key == key) || self.failed.is_some() && self.map.is_none() {
            return;
        }
        let (w, b) = default_window(&run.spec.settings, run.analysis.optimum);
        let tolerance = ctx.live.tolerance.filter(|t| *t > 0.0).unwrap_or(TOLERANCE);
        let plan = BasinPlan { w, b, size: [self.size, self.size], max_steps: MAX_STEPS, tolerance };
        let basins = known_basins(&run.spec.settings, run.analysis.optimum, &plan);
        let (data, plan2, wake) = (Arc::clone(&ctx.live.data), plan.clone(), egui_ctx.clone());
        let job = Job::spawn(
            "basins",
            key,
            move || wake.request_repaint(),
            move |send, cancel| map_rows(&data, &settings, &plan2, cancel, send),
        );
        match job {
            Ok(job) => {
                let rows = vec![None; self.size];
                self.map = Some(Map { plan, job, rows, basins, texture: None, dirty: true });
                self.failed = None;
            }
            Err(e) => self.failed = Some(e),
        }
    }
}

impl Map {
    fn drain(&mut self) {
        for (j, ends) in self.job.drain() {
            for end in ends.iter().filter(|e| e.outcome == Outcome::Converged) {
                self.basins.assign(end.at);
            }
            if let Some(slot) = self.rows.get_mut(j) {
                *slot = Some(ends);
                self.dirty = true;
            }
        }
    }

    /// The colour of one end ([`end_rgb`]: found basins in order, diverged red-brown, unfinished grey), clear when
    /// not yet computed.
    fn colour(&self, end: Option<&End>) -> Color32 {
        end.map_or(Color32::TRANSPARENT, |e| rgb(end_rgb(e, &mut self.basins.clone())))
    }

    fn texture(&mut self, ctx: &egui::Context) -> Option<&TextureHandle> {
        if self.dirty || self.texture.is_none() {
            let [nx, ny] = self.plan.size;
            let mut pixels = Vec::with_capacity(nx * ny);
            for j in (0..ny).rev() {
                let row = self.rows.get(j).and_then(Option::as_ref);
                pixels.extend((0..nx).map(|i| self.colour(row.and_then(|r| r.get(i)))));
            }
            let image = egui::ColorImage::new([nx, ny], pixels);
            self.texture = Some(ctx.load_texture("basins", image, TextureOptions::NEAREST));
            self.dirty = false;
        }
        self.texture.as_ref()
    }

    /// How many starts ended where ([`Tally`]).
    fn counts(&self) -> Tally {
        let mut tally = Tally::default();
        tally.add(&mut self.basins.clone(), self.rows.iter().flatten().flatten());
        tally
    }
}

fn rgb([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// The tab's body.
pub fn basins_ui(ui: &mut Ui, state: &mut BasinsState, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    let Some(run) = ctx.live.run(ctx.selected).or(ctx.live.runs.first()) else {
        ui.label("No run.");
        return;
    };
    if !run.spec.settings.bias {
        ui.label("Basins need two parameters: fit a bias b, or choose an objective of (w, b).");
        // Drawn alone for a PNG, the view says why it is empty and offers no button.
        if !ctx.solo {
            let mut s = run.spec.settings.clone();
            s.bias = true;
            if ui.button("Fit a bias b").on_hover_text("Restarts the run with the model ŷ = w·x + b.").clicked() {
                actions.push(Action::SetSettings(s));
            }
        }
        return;
    }
    state.update(ctx, run, ui.ctx());
    if let Some(e) = &state.failed {
        ui.colored_label(ctx.palette.diverged, e);
    }
    header_ui(ui, state, ctx);
    let Some(map) = &mut state.map else { return };
    map.drain();
    map_plot_ui(ui, map, ctx, run, actions);
}

fn header_ui(ui: &mut Ui, state: &mut BasinsState, ctx: &ViewCtx<'_>) {
    ui.horizontal_wrapped(|ui| {
        // Drawn alone for a PNG: the tally without the grid's buttons.
        for size in [100, 200].into_iter().filter(|_| !ctx.solo) {
            let tip = format!("{size} × {size} starts ({} runs of up to {MAX_STEPS} steps each).", size * size);
            if ui.selectable_label(state.size == size, format!("{size} × {size}")).on_hover_text(tip).clicked() {
                state.size = size;
            }
        }
        let Some(map) = &state.map else { return };
        let tally = map.counts();
        let Tally { per_basin: per, diverged, unfinished, done } = &tally;
        let (diverged, unfinished, done) = (*diverged, *unfinished, *done);
        let total = map.plan.size[0] * map.plan.size[1];
        if !map.job.is_finished() {
            let bar = egui::ProgressBar::new(done as f32 / total.max(1) as f32).desired_width(160.0);
            ui.add(bar.text(format!("{done}/{total} starts")));
        }
        let share = |n: usize| format!("{}%", format::short(100.0 * tally.share(n)));
        for (k, n) in per.iter().enumerate().filter(|(_, n)| **n > 0) {
            let p = map.basins.points[k];
            let text = format!("■ ({}, {}) {}", format::short(p.w), format::short(p.b), share(*n));
            ui.label(RichText::new(text).color(rgb(basin_rgb(k))))
                .on_hover_text("The starts whose run ends at this minimum (its basin), as a share of those computed.");
        }
        if diverged > 0 {
            ui.label(RichText::new(format!("■ diverged {}", share(diverged))).color(Color32::from_rgb(170, 60, 60)));
        }
        if unfinished > 0 {
            let tip = format!("Still on their way after {MAX_STEPS} steps.");
            ui.label(RichText::new(format!("■ unfinished {}", share(unfinished))).color(ctx.palette.weak_text))
                .on_hover_text(tip);
        }
    });
}

fn map_plot_ui(ui: &mut Ui, map: &mut Map, ctx: &ViewCtx<'_>, run: &RunSnapshot, actions: &mut Vec<Action>) {
    let ([w0, w1], [b0, b1]) = (map.plan.w, map.plan.b);
    let texture = map.texture(ui.ctx()).map(TextureHandle::id);
    let points = map.basins.points.clone();
    let start = run.spec.settings.start();
    // The cells stay square: the plot takes the window's aspect, as large as the room allows.
    let aspect = if (b1 - b0) > 0.0 { ((w1 - w0) / (b1 - b0)).clamp(0.1, 10.0) as f32 } else { 1.0 };
    let room = ui.available_size();
    let height = room.y.min(room.x / aspect).max(100.0);
    let response = Plot::new("basins-plot")
        .width(height * aspect)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .x_axis_label("w₀")
        .y_axis_label("b₀")
        .show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(egui_plot::PlotBounds::from_min_max([w0, b0], [w1, b1]));
            if let Some(tex) = texture {
                let centre = PlotPoint::new(0.5 * (w0 + w1), 0.5 * (b0 + b1));
                plot_ui.image(PlotImage::new("basins", tex, centre, egui::vec2((w1 - w0) as f32, (b1 - b0) as f32)));
            }
            let minima: Vec<[f64; 2]> = points.iter().map(|p| [p.w, p.b]).collect();
            let diamond = MarkerShape::Diamond;
            plot_ui.points(Points::new("minima", minima).shape(diamond).radius(6.0).color(ctx.palette.optimum));
            plot_ui.points(Points::new("this run's start", [start.w, start.b]).radius(5.0).color(ctx.run_color(run)));
            plot_ui.response().clicked().then(|| plot_ui.pointer_coordinate()).flatten()
        });
    let rect = response.response.rect;
    response.response.on_hover_text("Each start coloured by where its run ends. Click to start the run there.");
    ctx.explain.mark(crate::explain::topics::Topic::Basins, rect);
    if let Some(p) = response.inner
        && map.plan.cell_at(p.x, p.y).is_some()
    {
        actions.push(Action::SetStart { w: p.x, b: p.y });
    }
}

impl TabView for BasinsState {

    fn label(&self) -> &'static str {
        "Basins"
    }

    fn tip(&self) -> &'static str {
        "The selected run's settings started from every cell of a grid over (w, b), each cell coloured by the minimum its run reaches (or diverged, or unfinished). Click a cell to start the run there."
    }

    fn topic(&self) -> Topic {
        Topic::Basins
    }


    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, actions: &mut Vec<Action>) {
        basins_ui(ui, self, ctx, actions)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
