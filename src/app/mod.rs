//! The desktop app (eframe + egui_plot): a learner watches gradient descent fit w in ŷ = w·x, step by step.
//!
//! Layout and module map:
//!
//! ```text
//! ┌ toolbar.rs: descent · Step · Step ×10 · Run/Pause · Reset · speed · display toggles ────────────────┐
//! ├ controls.rs (left) ┬ central (App::central_ui) ─────────────────────────────────────────────────────┤
//! │ learning rate      │ status.rs banner (diverged / minimum reached)                                   │
//! │ optimizer + params │ ┌ plots/landscape.rs: L(w) or contours ┐ ┌ plots/loss.rs: loss vs step ┐      │
//! │ start point        │ │ point, tangent, trail, next step     │ ├ plots/weights.rs: w, b vs step ┤   │
//! │ problem, stopping  │ └───────────────────────────────────────┘ └─────────────────────────────┘     │
//! │ analysis           │                                                                               │
//! ├ status.rs: state · step · w · b · loss · |∇L| · lr · steps/s ────────────────────────────────────────┤
//! ```
//!
//! Data flow: views read the latest [`Snapshot`] (published by the [`Worker`] thread) and push [`Action`]s; after
//! drawing, [`App`] applies them (updating [`Persisted`] and sending worker [`Command`]s). Keyboard shortcuts live in
//! `keys.rs`, colours in [`theme`], number formats in [`crate::format`].
//!
//! Runs: up to six comparison runs ([`runs`]: the run list at the top of the left panel, presets, the selected run
//! whose settings the panel edits); each run's [`crate::worker::RunSpec`] carries its name and colour (see
//! [`theme::RUN_COLORS`]), the same in every plot. The plots draw [`runs::RunsState::view`] of the snapshot: the
//! visible runs, the selected one first, at the [`timeline`]'s step while scrubbing. The app starts with one run,
//! [`App::MAIN_RUN`], or a preset's runs.

pub mod controls;
pub mod data_editor;
pub mod data_io;
pub mod exports;
pub mod gradcheck;
pub mod keys;
pub mod notebook_log;
pub mod plots;
pub mod runs;
pub mod screenshot;
pub mod stability;
pub mod state;
pub mod status;
pub mod sweep;
pub mod tabs;
pub mod theme;
pub mod theory;
pub mod timeline;
pub mod toolbar;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use egui::{Rect, Ui, UiBuilder, pos2, vec2};

use crate::cli::{EngineArgs, GuiArgs};
use crate::engine::data::Dataset;
use crate::engine::model::Params;
use crate::session::SessionRun;
use crate::worker::{Command, FOLLOW_STEPS_PER_SEC, Mode, RunId, RunSnapshot, RunSpec, Snapshot, Speed, Worker};
use controls::ControlsState;
use plots::PlotEnv;
use plots::landscape::{Landscape, PointView, Toggles};
pub use state::{Action, Persisted};
use theme::Palette;

/// Seconds a step's glide along the curve takes when following slowly.
const GLIDE_SECS: f64 = 0.25;
/// Default window size (fits the 1400×900 virtual screen used for screenshots).
pub const WINDOW_SIZE: [f32; 2] = [1400.0, 900.0];

/// Storage key of the comparison runs saved between launches.
const RUNS_KEY: &str = "descent-runs";

/// Runs as the worker starts them.
type RunSpecs = Vec<(RunId, RunSpec)>;

/// The runs to start with from those saved at the last exit, and which of them are hidden; `None` when there is
/// nothing usable to restore (fewer than two runs, too many, or settings this version refuses).
fn restored_runs(saved: &[SessionRun]) -> Option<(RunSpecs, Vec<RunId>)> {
    let usable = (2..=runs::MAX_RUNS).contains(&saved.len()) && saved.iter().all(|r| r.settings.validate().is_ok());
    if !usable {
        return None;
    }
    let specs = saved
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (RunId(i as u32), RunSpec { name: r.name.clone(), color: r.colour, settings: r.settings.clone() })
        })
        .collect();
    let hidden = saved.iter().enumerate().filter(|(_, r)| !r.visible).map(|(i, _)| RunId(i as u32)).collect();
    Some((specs, hidden))
}

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Load the saved settings at start and save them on exit (off for tests and `--screenshot`).
    pub persist: bool,
    /// Engine options from the command line; when any is given the app starts from them (on top of the defaults)
    /// instead of the saved settings.
    pub engine: EngineArgs,
    /// The data named on the command line, already loaded (`None`: the saved data, or the notebook's).
    pub data: Option<Dataset>,
    /// Start running at once.
    pub run: bool,
    /// Stop running at this step.
    pub after_steps: Option<u64>,
    /// Save a PNG of the window here once the run is done (or after the first frames), then close.
    pub screenshot: Option<PathBuf>,
    /// Override the speed (steps per second; ≥ [`state::SPEED_UNLIMITED`] is unlimited).
    pub steps_per_sec: Option<f64>,
    /// Set to the process exit code (0, or 1 when the screenshot cannot be saved).
    pub exit_code: Arc<AtomicI32>,
    /// Start with a preset's runs (`notebook`, `race`; see [`runs::Preset`]).
    pub preset: Option<String>,
    /// A session to open at launch (`--session FILE`, already read and checked).
    pub session: Option<crate::session::Session>,
}

/// The glide of the current point from one step to the next (when following slowly).
#[derive(Clone, Copy, Debug)]
struct Glide {
    from: Params<f64>,
    from_step: u64,
    to: Params<f64>,
    start: f64,
    duration: f64,
}

/// Follows the main run's current point and animates it between steps.
#[derive(Default)]
struct Follow {
    last: Option<(u64, Params<f64>)>,
    glide: Option<Glide>,
}

impl Follow {
    fn displayed(&self, now: f64) -> Option<(Params<f64>, u64)> {
        let g = self.glide?;
        let t = ((now - g.start) / g.duration.max(1e-3)).clamp(0.0, 1.0);
        if t >= 1.0 {
            return None;
        }
        let e = 1.0 - (1.0 - t).powi(3);
        let p = Params { w: g.from.w + (g.to.w - g.from.w) * e, b: g.from.b + (g.to.b - g.from.b) * e };
        Some((p, g.from_step))
    }

    /// Notes the latest record; starts a glide when it moved forward by a few steps while following slowly.
    fn update(&mut self, now: f64, snap: &Snapshot, run: &RunSnapshot) {
        let rec = run.record;
        let slow = match snap.mode {
            Mode::Running { .. } => snap.speed.steps_per_sec().is_some_and(|r| r <= FOLLOW_STEPS_PER_SEC),
            Mode::Idle | Mode::Stepping => true,
        };
        match self.last {
            Some((step, p)) if step == rec.step && p == rec.params => {}
            Some((step, p)) if rec.step > step && rec.step - step <= 10 && slow && rec.params.is_finite() => {
                let from = self.displayed(now).map_or(p, |(d, _)| d);
                let duration = match (snap.mode, snap.speed.steps_per_sec()) {
                    (Mode::Running { .. }, Some(rate)) => GLIDE_SECS.min(0.85 / rate),
                    _ => GLIDE_SECS,
                };
                self.glide = Some(Glide { from, from_step: step, to: rec.params, start: now, duration });
            }
            _ => self.glide = None,
        }
        if self.displayed(now).is_none() {
            self.glide = None;
        }
        self.last = Some((rec.step, rec.params));
    }

    fn point_view(&self, now: f64, run: &RunSnapshot) -> PointView {
        match self.displayed(now) {
            Some((p, from_step)) => PointView { displayed: p, from: self.glide.map(|g| (from_step, g.from)) },
            None => PointView { displayed: run.record.params, from: None },
        }
    }
}

/// The app.
pub struct App {
    persisted: Persisted,
    persist: bool,
    worker: Worker,
    snap: Arc<Snapshot>,
    after_steps: Option<u64>,
    controls: ControlsState,
    landscape: Landscape,
    follow: Follow,
    series: std::cell::RefCell<plots::SeriesCache>,
    actions: Vec<Action>,
    screenshot: Option<screenshot::ScreenshotJob>,
    applied_dark: Option<bool>,
    io: data_io::IoState,
    exports: exports::ExportsState,
    runs: runs::RunsState,
    tabs: tabs::TabsState,
}

impl App {
    /// The id of the run the app shows.
    pub const MAIN_RUN: RunId = RunId(0);

    /// Builds the app: settings from storage (when `options.persist`) or the command line, data, the worker thread.
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> App {
        let ctx = cc.egui_ctx.clone();
        theme::install_fonts(&ctx);
        let saved: Option<Persisted> =
            if options.persist { cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)) } else { None };
        let mut persisted = saved.unwrap_or_default().sanitized();
        if options.engine.any_given() {
            persisted.settings = options.engine.settings();
            persisted.data = options.engine.data.clone().unwrap_or_else(|| "notebook".into());
        }
        if let Some(v) = options.steps_per_sec {
            persisted.steps_per_sec = v.clamp(state::SPEED_MIN, state::SPEED_UNLIMITED);
        }
        let mut controls = ControlsState::default();
        let data = match options.data {
            Some(d) => d,
            None => match Dataset::load(&persisted.data) {
                Ok(d) => d,
                Err(e) => {
                    controls.data_error = Some(format!("{e} — using the notebook's data"));
                    persisted.data = "notebook".into();
                    Dataset::notebook()
                }
            },
        };
        controls.n_samples = data.len();
        let mut speed = persisted.speed();
        if options.screenshot.is_some() && (options.run || options.after_steps.is_some()) {
            // Documentation images: the final state, as fast as the engine goes.
            speed = Speed::Unlimited;
            persisted.steps_per_sec = state::SPEED_UNLIMITED;
        }
        let spec = RunSpec { name: "run 1".into(), color: theme::run_color(0), settings: persisted.settings.clone() };
        let preset = options.preset.as_deref().and_then(runs::Preset::parse);
        let mut run_specs = vec![(Self::MAIN_RUN, spec)];
        if let Some(p) = preset {
            run_specs =
                p.specs(&persisted.settings).into_iter().enumerate().map(|(i, s)| (RunId(i as u32), s)).collect();
            persisted.settings = run_specs[0].1.settings.clone();
        }
        // The notebook's two loops run on the notebook's data.
        let data = if preset == Some(runs::Preset::Notebook) && data.name != "notebook" {
            persisted.data = "notebook".into();
            controls.n_samples = 4;
            Dataset::notebook()
        } else {
            data
        };
        // Comparison runs come back at the next launch (at their start), unless the command line says otherwise.
        let mut hidden_runs = Vec::new();
        if options.persist && preset.is_none() && options.session.is_none() && !options.engine.any_given() {
            let saved: Vec<SessionRun> = cc.storage.and_then(|s| eframe::get_value(s, RUNS_KEY)).unwrap_or_default();
            if let Some((specs, hidden)) = restored_runs(&saved) {
                persisted.settings = specs[0].1.settings.clone();
                run_specs = specs;
                hidden_runs = hidden;
            }
        }
        let n_runs = run_specs.len() as u32;
        let repaint_ctx = ctx.clone();
        let worker = Worker::spawn(
            Arc::new(data),
            run_specs,
            Some(persisted.tolerance),
            speed,
            Box::new(move || repaint_ctx.request_repaint()),
        );
        match (options.run, options.after_steps) {
            (_, Some(n)) if options.run || options.screenshot.is_some() => worker.send(Command::RunUntil(n)),
            (true, _) => worker.send(Command::Run),
            _ => {}
        }
        let expect_run = options.run || (options.after_steps.is_some() && options.screenshot.is_some());
        let screenshot = options.screenshot.map(|path| {
            screenshot::ScreenshotJob::new(path, expect_run, options.after_steps, Arc::clone(&options.exit_code))
        });
        let snap = worker.snapshot();
        let session = options.session;
        let mut app = App {
            persisted,
            persist: options.persist,
            worker,
            snap,
            after_steps: options.after_steps,
            controls,
            landscape: Landscape::default(),
            follow: Follow::default(),
            series: Default::default(),
            actions: Vec::new(),
            screenshot,
            applied_dark: None,
            io: data_io::IoState::new(&ctx),
            exports: Default::default(),
            runs: runs::RunsState::new(n_runs),
            tabs: Default::default(),
        };
        app.runs.hidden.extend(hidden_runs);
        if let Some(session) = &session
            && let Err(e) = app.open_session(session)
        {
            app.io.error(format!("cannot open the session: {e}"));
        }
        app
    }

    /// The latest state published by the worker (as of the last frame).
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// The worker, e.g. to wait for a state in tests or to add comparison runs.
    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    /// The settings that persist.
    pub fn persisted(&self) -> &Persisted {
        &self.persisted
    }

    /// Queues an action, applied after the next frame is drawn.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push(action);
    }

    fn apply_actions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action);
        }
    }

    fn send_settings(&mut self, settings: crate::engine::settings::Settings) {
        if settings.validate().is_ok() {
            self.persisted.settings = settings.clone();
            self.worker.send(Command::SetSettings(self.selected_run(), settings));
        }
    }

    fn apply(&mut self, action: Action) {
        if matches!(action, Action::Step(_) | Action::ToggleRun | Action::Reset) {
            self.runs.scrub = None;
        }
        match action {
            Action::Step(n) => self.worker.send(Command::Step(n)),
            Action::ToggleRun => {
                if matches!(self.snap.mode, Mode::Running { .. }) {
                    self.worker.send(Command::Pause);
                } else {
                    match self.after_steps {
                        Some(n) if self.snap.runs.iter().any(|r| r.record.step < n) => {
                            self.worker.send(Command::RunUntil(n))
                        }
                        _ => self.worker.send(Command::Run),
                    }
                }
            }
            Action::Reset => self.worker.send(Command::Reset),
            Action::SetSettings(s) => self.send_settings(s),
            Action::SetStart { w, b } => {
                let mut s = self.persisted.settings.clone();
                s.w0 = w;
                s.b0 = b;
                self.send_settings(s);
                self.worker.send(Command::Reset);
            }
            Action::SetData(spec) => self.load_data_async(spec),
            Action::EditData(data) => self.set_data_now(data),
            Action::OpenDataDialog => self.open_data_dialog(),
            Action::SetTolerance(t) => {
                if t.is_finite() && t >= 0.0 {
                    self.persisted.tolerance = t;
                    self.worker.send(Command::SetTolerance(Some(t)));
                }
            }
            Action::SetSpeed(v) => {
                if v.is_finite() {
                    self.persisted.steps_per_sec = v.clamp(state::SPEED_MIN, state::SPEED_UNLIMITED);
                    self.worker.send(Command::SetSpeed(self.persisted.speed()));
                }
            }
            Action::ScaleLr(f) => {
                let mut s = self.persisted.settings.clone();
                let (lo, hi) = (*state::LR_RANGE.start(), *state::LR_RANGE.end());
                s.optimizer.lr = (s.optimizer.lr * f).clamp(lo, hi);
                self.send_settings(s);
            }
            Action::ToggleLogScale => self.persisted.log_loss = !self.persisted.log_loss,
            Action::SetDark(d) => self.persisted.dark = d,
            Action::SetShowTangent(v) => self.persisted.show_tangent = v,
            Action::SetShowNext(v) => self.persisted.show_next = v,
            Action::SetShowTheory(v) => self.persisted.show_theory = v,
            Action::ResetToDefaults => {
                let d = Persisted::default();
                if self.persisted.data != d.data {
                    self.apply(Action::SetData(d.data.clone()));
                }
                self.persisted = Persisted { data: self.persisted.data.clone(), ..d.clone() };
                self.controls.data_error = None;
                self.worker.send(Command::SetSettings(self.selected_run(), d.settings.clone()));
                self.worker.send(Command::SetTolerance(Some(d.tolerance)));
                self.worker.send(Command::SetSpeed(d.speed()));
                self.worker.send(Command::Reset);
            }
        }
    }

    /// The plots and the outcome banner.
    fn central_ui(&mut self, ui: &mut Ui, snap: &Snapshot, palette: Palette, point: Option<PointView>) {
        let env = PlotEnv { snap, palette, series: &self.series };
        let Some(run) = snap.runs.first() else {
            ui.label("No run.");
            return;
        };
        if status::banner_ui(ui, run, palette, &mut self.actions) {
            ui.add_space(6.0);
        }
        runs::legend_row_ui(ui, snap, palette);
        let avail = ui.available_rect_before_wrap();
        let gap = 8.0;
        let left_w = (avail.width() * 0.6).floor();
        let left = Rect::from_min_size(avail.min, vec2(left_w, avail.height()));
        let right = Rect::from_min_max(pos2(left.max.x + gap, avail.min.y), avail.max);
        let mid = right.center().y;
        let top_right = Rect::from_min_max(right.min, pos2(right.max.x, mid - gap / 2.0));
        let bottom_right = Rect::from_min_max(pos2(right.min.x, mid + gap / 2.0), right.max);
        self.exports.plot_rects = vec![("landscape", left), ("loss", top_right), ("weights", bottom_right)];

        let point = point.unwrap_or(PointView { displayed: run.record.params, from: None });
        let toggles = Toggles { tangent: self.persisted.show_tangent, next: self.persisted.show_next };
        let bias = run.spec.settings.bias;
        let (title, subtitle) = if bias {
            ("Loss landscape L(w, b)", "contours of the loss · path of (w, b) · below: the slice at the current b")
        } else {
            (
                "Loss landscape L(w)",
                "● current point · tangent (slope dL/dw) · → steps taken · ○ next step · ◆ optimum w*",
            )
        };
        let landscape = &mut self.landscape;
        let actions = &mut self.actions;
        ui.scope_builder(UiBuilder::new().max_rect(left), |ui| {
            plots::card_ui(
                ui,
                palette,
                title,
                subtitle,
                |_| {},
                |ui| landscape.ui(ui, &env, run, point, toggles, actions),
            );
        });
        let log = self.persisted.log_loss;
        ui.scope_builder(UiBuilder::new().max_rect(top_right), |ui| {
            let sub = if log { "log scale (L to toggle)" } else { "linear scale (L to toggle)" };
            plots::card_ui(ui, palette, "Loss vs step", sub, |_| {}, |ui| plots::loss::loss_plot_ui(ui, &env, log));
        });
        ui.scope_builder(UiBuilder::new().max_rect(bottom_right), |ui| {
            let sub = if bias { "w solid, b dashed · optimum dashed gold" } else { "dashed gold: the optimum w*" };
            plots::card_ui(
                ui,
                palette,
                if bias { "Weights vs step" } else { "Weight vs step" },
                sub,
                |_| {},
                |ui| plots::weights::weights_plot_ui(ui, &env),
            );
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.snap = self.worker.snapshot();
        let snap = Arc::clone(&self.snap);
        if self.applied_dark != Some(self.persisted.dark) {
            theme::apply(&ctx, self.persisted.dark);
            self.applied_dark = Some(self.persisted.dark);
        }
        let palette = Palette::new(self.persisted.dark);
        keys::shortcuts(&ctx, &mut self.actions);

        let now = ctx.input(|i| i.time);
        let selected = self.selected_run();
        let view = self.runs.view(&snap);
        ctx.data_mut(|d| {
            d.insert_temp(runs::ghost_key(), (self.runs.ghosts.clone(), self.runs.show_batches));
            d.insert_temp(runs::scrub_key(), self.runs.scrub);
        });
        let live_selected = self.runs.scrub.is_none() && view.runs.first().is_some_and(|r| r.id == selected);
        let point = snap.run(selected).filter(|_| live_selected).map(|run| {
            self.follow.update(now, &snap, run);
            self.follow.point_view(now, run)
        });
        if point.is_some_and(|p| p.from.is_some()) {
            ctx.request_repaint();
        }

        self.io_frame(&ctx);
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar_ui(ui));
        egui::Panel::top("toolbar")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 6)))
            .show(ui, |ui| toolbar::toolbar_ui(ui, &self.persisted, &snap, palette, &mut self.actions));
        egui::Panel::bottom("status")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 5)))
            .show(ui, |ui| status::status_line_ui(ui, &snap, selected, palette));
        egui::Panel::bottom("timeline")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 3)))
            .show(ui, |ui| timeline::timeline_ui(ui, &snap, selected, &mut self.runs, palette));
        egui::Panel::left("controls").resizable(true).default_size(318.0).size_range(260.0..=520.0).show(ui, |ui| {
            runs::runs_ui(ui, &snap, &mut self.runs, palette);
            ui.separator();
            let run = snap.run(selected).or(snap.runs.first());
            controls::controls_ui(ui, &self.persisted, run, &mut self.controls, palette, &mut self.actions);
        });
        theory::set_enabled(&ctx, self.persisted.show_theory);
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(run) = snap.run(selected).or(snap.runs.first()) {
                let env = tabs::TabEnv { snap: &snap, run, palette };
                tabs::tabs_ui(ui, &mut self.persisted.tab, &mut self.tabs, &env, &mut self.actions);
            }
            self.central_ui(ui, &view, palette, point)
        });

        self.apply_run_actions();
        self.apply_actions();
        if let Some(job) = &mut self.screenshot {
            job.update(&ctx, &snap);
        }
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // A documentation screenshot must not show hover readouts wherever the virtual pointer happens to be.
        if self.screenshot.is_some() {
            raw_input.events.retain(|e| {
                !matches!(
                    e,
                    egui::Event::PointerMoved(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::MouseMoved(_)
                        | egui::Event::MouseWheel { .. }
                        | egui::Event::Touch { .. }
                )
            });
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            eframe::set_value(storage, eframe::APP_KEY, &self.persisted);
            // Several runs are saved (without their data or progress) so that a comparison survives a restart; a
            // single run is already the persisted settings.
            let runs: Vec<SessionRun> = if self.snap.runs.len() > 1 { self.current_session().runs } else { Vec::new() };
            eframe::set_value(storage, RUNS_KEY, &runs);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.persist
    }
}

/// Opens the app window and runs it until closed; returns the process exit code.
pub fn run_native(engine: EngineArgs, gui: GuiArgs, data: Option<Dataset>) -> i32 {
    let persist = gui.screenshot.is_none();
    let session = match &gui.session {
        Some(path) => match crate::session::Session::load(path) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("error: {e}");
                return crate::cli::EXIT_BAD_INPUT;
            }
        },
        None => None,
    };
    let exit_code = Arc::new(AtomicI32::new(0));
    let options = AppOptions {
        persist,
        engine,
        data,
        run: gui.run,
        after_steps: gui.after_steps,
        screenshot: gui.screenshot,
        steps_per_sec: None,
        exit_code: Arc::clone(&exit_code),
        preset: gui.preset,
        session,
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("descent")
        .with_app_id("descent")
        .with_inner_size(WINDOW_SIZE)
        .with_min_inner_size([960.0, 620.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let native = eframe::NativeOptions { viewport, persist_window: persist, ..Default::default() };
    let result = eframe::run_native("descent", native, Box::new(move |cc| Ok(Box::new(App::new(cc, options)))));
    match result {
        Ok(()) => exit_code.load(Ordering::SeqCst),
        Err(e) => {
            eprintln!("error: cannot open the app window: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Settings;

    fn saved(n: usize) -> Vec<SessionRun> {
        (0..n).map(|i| SessionRun::new(format!("run {i}"), Settings::default(), theme::run_color(i))).collect()
    }

    #[test]
    fn comparison_runs_are_restored_with_their_visibility() {
        let mut runs = saved(3);
        runs[1].visible = false;
        runs[2].settings.optimizer.lr = 0.05;
        let (specs, hidden) = restored_runs(&runs).expect("three runs restore");
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[2].0, RunId(2));
        assert_eq!(specs[2].1.settings.optimizer.lr, 0.05);
        assert_eq!(specs[1].1.name, "run 1");
        assert_eq!(hidden, vec![RunId(1)]);
    }

    #[test]
    fn nothing_unusable_is_restored() {
        assert!(restored_runs(&saved(1)).is_none(), "one run is the persisted settings already");
        assert!(restored_runs(&saved(runs::MAX_RUNS + 1)).is_none());
        let mut bad = saved(2);
        bad[0].settings.optimizer.lr = -1.0;
        assert!(restored_runs(&bad).is_none(), "settings this version refuses");
    }
}
