//! The desktop app (eframe + egui_plot): a learner watches gradient descent fit w in ŷ = w·x, step by step.
//!
//! Layout and module map:
//!
//! ```text
//! ┌ panels/menu_bar.rs: File · Export ▾ · Data editor · Lessons · Help ───────────────────────────────┐
//! ├ panels/toolbar.rs: descent · Step · Step ×10 · Run/Pause · Reset · speed · display toggles · ? ───┤
//! ├ panels/run_list.rs    ┬ central (App::central_ui) ─────────────────────────────┬ panels/lesson.rs  ┤
//! │ + panels/settings.rs  │ panels/status.rs banner (the outcomes), why line        │ (while a lesson   │
//! │ run list, presets     │ ┌ plots/landscape/: L(w) or contours ┐ ┌ plots/loss.rs ┐ │  is open)         │
//! │ learning rate + map   │ │ point, tangent, trail, next step   │ ├ plots/weights ┤ │                   │
//! │ optimizer + params    │ └────────────────────────────────────┘ └───────────────┘ │                   │
//! │ start point, problem  │ tabs/: the foldable strip, one file per tab (tabs/mod.rs) │                   │
//! ├ panels/timeline.rs: scrub · Live · Branch from here · notebook log ────────────────────────────────┤
//! ├ panels/status.rs: state · step · w · b · loss · |∇L| · lr · steps/s ───────────────────────────────┤
//! ```
//!
//! Data flow, one way (see docs/ARCHITECTURE.md): each frame `App::ui` builds one [`view::ViewCtx`] from the
//! worker's latest [`Snapshot`] and the UI state; every view draws from it and pushes [`Action`]s; after drawing,
//! `App::apply` (apply.rs) carries them out in one `match` — preferences, the run list, and the worker's
//! [`crate::worker::Command`]s. Start-up policy is [`startup::StartupPlan`]; background work goes through
//! [`jobs::Job`]; keyboard shortcuts live in `keys.rs`, colours in [`theme`], number formats in [`crate::format`]; what each
//! widget and plot mark is (tooltips and explain mode, F1) in [`explain`] and [`crate::explain::topics`].
//!
//! Runs: up to six comparison runs ([`panels::run_list`]: the run list at the top of the left panel, the selected run whose
//! settings the panel edits, [`panels::run_list::RunsState::selected_settings`]); each run's [`crate::worker::RunSpec`] carries
//! its name and colour (see [`theme::RUN_COLORS`]), the same in every plot. The plots draw
//! [`panels::run_list::RunsState::view`] of the snapshot: the visible runs, the selected one first, at the [`panels::timeline`]'s step
//! while scrubbing. The app starts with one run, [`App::MAIN_RUN`], or a preset's runs ([`crate::presets`]).
//!
//! Lessons ([`lesson`], [`panels::lesson`]: a narrow column on the right while one is open): each page sets up runs from a
//! lesson file ([`crate::lesson`]), locks or hides controls through [`view::ViewCtx::locks`], and ticks its task once its
//! check passes. While a lesson is open the window belongs to the page ([`layout`]): the views it names
//! ([`crate::lesson::View`]) share the central area, and the settings with the run list and the tab strip fold away
//! behind a "Settings ▸" and a "Tabs ▸" button. The app's messages show on a line of the status panel, never over a
//! control.

mod apply;
pub mod data_io;
pub mod disabled;
pub mod explain;
pub mod files;
pub mod follow;
pub mod jobs;
pub mod keys;
pub mod layout;
pub mod lesson;
pub mod markdown;
pub mod number_field;
pub mod panels;
pub mod plots;
pub mod screenshot;
pub mod solo;
pub mod stability;
pub mod startup;
pub mod state;
pub mod tabs;
pub mod theme;
pub mod undo;
pub mod view;

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use egui::{Rect, Ui, UiBuilder, vec2};

use crate::cli::{EngineArgs, GuiArgs};
use crate::engine::data::Dataset;
use crate::engine::settings::Settings;
use crate::lesson::View;
use crate::session::SessionRun;
use crate::tab::Tab;
use crate::worker::{RunId, Snapshot, Worker};
use follow::Follow;
use panels::settings::ControlsState;
use plots::landscape::{Landscape, PointView, Toggles};
pub use startup::{AppOptions, MAIN_RUN};
use startup::{DataSource, StartupPlan};
pub use state::{Action, Persisted, Prefs};
use theme::Palette;
use view::{Display, SeriesCache, ViewCtx};

/// Default size of a first window (shrunk to fit a smaller screen; later launches remember the user's size).
pub const WINDOW_SIZE: [f32; 2] = [1400.0, 900.0];

/// The smallest window the layout is made for.
pub const MIN_WINDOW_SIZE: [f32; 2] = [960.0, 620.0];

/// Storage key of the comparison runs saved between launches.
const RUNS_KEY: &str = "descent-runs";

/// The app.
pub struct App {
    prefs: Prefs,
    persist: bool,
    worker: Worker,
    snap: Arc<Snapshot>,
    after_steps: Option<u64>,
    controls: ControlsState,
    landscape: Landscape,
    follow: Follow,
    series: RefCell<SeriesCache>,
    actions: Vec<Action>,
    screenshot: Option<screenshot::ScreenshotJob>,
    applied_dark: Option<(bool, bool)>,
    /// Quit was asked for this frame: the window closes once the frame's actions are applied.
    quit_requested: bool,
    applied_explain: Option<bool>,
    io: data_io::IoState,
    exports: panels::menu_bar::ExportsState,
    runs: panels::run_list::RunsState,
    tabs: tabs::TabsState,
    /// Frames left to check that the window fits its screen (0: done).
    fit_frames: u8,
    /// Asks for a path when no file dialog could open.
    path_prompt: Option<files::PathPrompt>,
    /// Undo and redo of data edits, removed runs and presets.
    undo: undo::UndoStack,
    /// What each widget and plot mark of the last frame is (see [`explain`]).
    explained: Vec<(crate::explain::topics::Topic, Rect)>,
    /// The open lesson and the progress in every lesson.
    lesson: lesson::LessonRunner,
    /// The lesson page's typed answer and hints shown (the lesson panel's widget state).
    lesson_input: lesson::PageInput,
    /// Where each view of the central area was drawn in the last frame.
    views_drawn: Vec<(View, Rect)>,
    /// One view drawn alone for its PNG, and the dialog that asks for it.
    solo: solo::SoloState,
}

/// Share of the screen a window that was too large shrinks to.
const SCREEN_SHARE: [f32; 2] = [0.92, 0.88];

impl App {
    /// The id of the run the app starts with.
    pub const MAIN_RUN: RunId = MAIN_RUN;

    /// Builds the app: carries out the [`StartupPlan`] for the stored state and `options` (loads the data, spawns
    /// the worker thread, opens the session).
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> App {
        let ctx = cc.egui_ctx.clone();
        theme::install_fonts(&ctx);
        // Ctrl+Q quits through the Action queue (keys.rs), not egui's own shortcut, so that it is one path with
        // File ▸ Quit.
        ctx.options_mut(|o| o.quit_shortcuts.clear());
        if let Some(zoom) = options.zoom {
            ctx.set_zoom_factor(zoom);
        }
        let storage = cc.storage.filter(|_| options.persist);
        let saved =
            storage.and_then(|s| s.get_string(eframe::APP_KEY)).and_then(|text| Persisted::from_ron(&text).ok());
        let saved_runs: Vec<SessionRun> = storage.and_then(|s| eframe::get_value(s, RUNS_KEY)).unwrap_or_default();
        let progress: lesson::LessonProgress =
            storage.and_then(|s| eframe::get_value(s, lesson::PROGRESS_KEY)).unwrap_or_default();
        let mut plan = StartupPlan::resolve(saved, &saved_runs, &options);
        let mut controls = ControlsState::default();
        let data = match std::mem::replace(&mut plan.data, DataSource::Load(String::new())) {
            DataSource::Given(d) => d,
            DataSource::Load(spec) => Dataset::load(&spec).unwrap_or_else(|e| {
                controls.data_error = Some(format!("{e} — using the notebook's data"));
                plan.prefs.data = "notebook".into();
                Dataset::notebook()
            }),
        };
        let n_runs = plan.runs.iter().map(|(id, _)| id.0 + 1).max().unwrap_or(1);
        let repaint_ctx = ctx.clone();
        let worker = Worker::spawn(
            Arc::new(data),
            plan.runs,
            Some(plan.prefs.tolerance),
            plan.speed,
            Box::new(move || repaint_ctx.request_repaint()),
        );
        let screenshot = options.screenshot.clone().map(|path| {
            let exit = Arc::clone(&options.exit_code);
            let job = screenshot::ScreenshotJob::new(path, plan.screenshot_waits_for_run, options.after_steps, exit);
            job.expecting_size(options.export_view.map(|(_, size)| size))
        });
        let mut runs = panels::run_list::RunsState::new(n_runs);
        runs.hidden.extend(plan.hidden);
        let mut app = App {
            prefs: plan.prefs,
            persist: options.persist,
            snap: worker.snapshot(),
            worker,
            after_steps: options.after_steps,
            controls,
            landscape: Landscape::with_surface(options.surface),
            follow: Follow::default(),
            series: Default::default(),
            actions: Vec::new(),
            screenshot,
            applied_dark: None,
            quit_requested: false,
            applied_explain: None,
            io: data_io::IoState::new(&ctx),
            exports: Default::default(),
            runs,
            tabs: Default::default(),
            fit_frames: if options.fit_to_screen { 30 } else { 0 },
            path_prompt: None,
            undo: Default::default(),
            explained: Vec::new(),
            lesson: lesson::LessonRunner::new(progress),
            lesson_input: Default::default(),
            views_drawn: Vec::new(),
            solo: solo::SoloState::new(options.export_view.map(|(view, _)| view)),
        };
        if options.tab.is_some() {
            // Asked for by name: shown even where a short window would fold the strip.
            app.tabs.set_folded(false);
        }
        if let Some(session) = &options.session
            && let Err(e) = app.open_session(session)
        {
            app.io.error(format!("cannot open the session: {e}"));
        }
        app.open_startup_lesson(options.lesson.clone());
        // After the session's replay (its Pause would stop a run started before it): `--session F --run` runs.
        if let Some(start) = plan.start {
            app.worker.send(start.command());
        }
        app
    }

    /// Opens the lesson given on the command line, or the one open at the last exit (when it still loads).
    fn open_startup_lesson(&mut self, given: Option<(String, crate::lesson::Lesson)>) {
        let stored = || {
            let spec = self.lesson.progress().lesson.clone()?;
            crate::lesson::Lesson::load(&spec).ok().map(|l| (spec, l))
        };
        if let Some((spec, lesson)) = given.or_else(stored) {
            self.open_lesson(spec, lesson);
        }
    }

    /// The latest state published by the worker (as of the last frame).
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// The worker, e.g. to wait for a state in tests or to add comparison runs.
    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    /// What would be saved now: the selected run's settings and the preferences (with the speed of before the
    /// lesson while one is open: a lesson's speed does not leak out of it).
    pub fn persisted(&self) -> Persisted {
        let mut saved = Persisted::new(self.selected_settings(), &self.prefs);
        if let Some(speed) = self.lesson.speed_before() {
            saved.prefs.steps_per_sec = speed;
        }
        saved
    }

    /// The preferences.
    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    /// The run the settings panel edits (the first run when the selected one is gone).
    pub fn selected_run(&self) -> RunId {
        self.runs.selected_in(&self.snap)
    }

    /// The selected run's settings, as the settings panel shows them.
    pub fn selected_settings(&self) -> Settings {
        self.runs.selected_settings(&self.snap)
    }

    /// What each widget and plot mark of the last frame showed, and where: the topics explain mode explains.
    pub fn explained(&self) -> &[(crate::explain::topics::Topic, Rect)] {
        &self.explained
    }

    /// Where each view of the central area (the plots' cards, a lesson page's tab with its strip) was drawn in the
    /// last frame.
    pub fn views_drawn(&self) -> &[(View, Rect)] {
        &self.views_drawn
    }

    /// The run list's state.
    pub fn runs_state(&self) -> &panels::run_list::RunsState {
        &self.runs
    }

    /// The Data tab's editor state (its last scatter transform, for tests).
    pub fn data_editor(&self) -> Option<&tabs::data::DataEditor> {
        self.tabs.state()
    }

    /// Shrinks a window larger than its screen (a first launch on a small laptop) once the screen's size is known.
    fn fit_to_screen(&mut self, ctx: &egui::Context) {
        if self.fit_frames == 0 {
            return;
        }
        self.fit_frames -= 1;
        let (monitor, inner) = ctx.input(|i| (i.viewport().monitor_size, i.viewport().inner_rect));
        let (Some(monitor), Some(inner)) = (monitor, inner) else {
            return;
        };
        self.fit_frames = 0;
        let fits = inner.width() <= monitor.x * 0.96 && inner.height() <= monitor.y * 0.93;
        if !fits {
            let size =
                vec2(inner.width().min(monitor.x * SCREEN_SHARE[0]), inner.height().min(monitor.y * SCREEN_SHARE[1]));
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size));
        }
    }

    /// The frame's view context: the snapshot as the plots draw it and the UI state they depend on.
    fn view_ctx<'a>(
        &self,
        live: &'a Snapshot,
        view: &'a Snapshot,
        palette: Palette,
        (series, explain): (&'a RefCell<SeriesCache>, &'a explain::Explainer),
    ) -> ViewCtx<'a> {
        let Prefs { log_loss, show_tangent, show_next, show_theory, show_batches, show_shares, step_axis, .. } =
            self.prefs;
        ViewCtx {
            live,
            snap: view,
            selected: self.selected_run(),
            palette,
            ghosts: self.runs.ghosts.clone(),
            hidden: live.runs.iter().map(|r| r.id).filter(|&id| !self.runs.is_visible(id)).collect(),
            scrub: self.runs.scrub,
            display: Display {
                log_loss,
                tangent: show_tangent,
                next: show_next,
                theory: show_theory,
                batches: show_batches,
                shares: show_shares,
                step_axis,
            },
            series,
            explain,
            locks: self.lesson.locks(),
            solo: self.solo.is_drawing(),
        }
    }

    /// The outcome banner, the why line, the run legend and the plots: the app's own layout, or with a lesson open
    /// the page's views in [`layout::lesson_grid`] (the tab it names too).
    fn central_ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, point: Option<PointView>, actions: &mut Vec<Action>) {
        let views = self.lesson.views();
        let Some(run) = ctx.snap.runs.first() else {
            // Between a page's runs (its setup replaces them) the buttons stay, so that a click is not lost.
            if let Some(views) = &views {
                ui.horizontal(|ui| self.unfold_buttons_ui(ui, ctx.explain, views.contains(&View::Settings)));
            }
            ui.label("No run.");
            self.views_drawn.clear();
            return;
        };
        if panels::status::banner_ui(ui, run, ctx.live, (ctx.palette, ctx.explain), actions) {
            ui.add_space(4.0);
        }
        panels::status::why_line_ui(ui, ctx.live, run, ctx.palette, ctx.explain);
        ui.add_space(2.0);
        if let Some(views) = &views {
            ui.horizontal(|ui| {
                self.unfold_buttons_ui(ui, ctx.explain, views.contains(&View::Settings));
                if ctx.snap.runs.len() > 1 {
                    ui.separator();
                }
                panels::run_list::legend_row_ui(ui, ctx);
            });
        } else {
            panels::run_list::legend_row_ui(ui, ctx);
        }
        let avail = ui.available_rect_before_wrap();
        let grid = match &views {
            None => layout::app_grid(avail),
            Some(views) => {
                // The tab strip folds away unless the page names a tab or the learner unfolds it.
                let mut shown: Vec<View> = views.iter().copied().filter(|v| v.tab().is_none()).collect();
                if !self.tabs.collapsed {
                    shown.push(View::Tab(self.prefs.tab));
                }
                layout::lesson_grid(avail, &shown)
            }
        };
        self.views_drawn.clone_from(&grid);
        let point = point.unwrap_or(PointView { displayed: run.record.params, from: None });
        for (view, rect) in grid {
            ui.scope_builder(UiBuilder::new().max_rect(rect), |ui| {
                // A view never draws over its neighbours, however short the window.
                ui.set_clip_rect(rect.intersect(ui.clip_rect()));
                match view {
                    View::Tab(tab) => match ctx.selected_run() {
                        Some(selected) => tabs::tab_area_ui(ui, (tab, &mut self.tabs), (ctx, selected), actions),
                        None => {
                            ui.label("No run.");
                        }
                    },
                    plot => self.plot_card_ui(ui, ctx, (run, point), plot, actions),
                }
            });
        }
    }

    /// With a lesson open: the buttons that unfold what the page folded away (the settings and run list, the tab
    /// strip), one click each.
    fn unfold_buttons_ui(&mut self, ui: &mut Ui, ex: &explain::Explainer, page_settings: bool) {
        use explain::Explain;
        // A page that needs the settings keeps them beside it.
        if !page_settings {
            self.settings_button_ui(ui, ex);
        }
        if self.tabs.collapsed {
            let tabs = ui.selectable_label(false, "Tabs ▸");
            let tip = "Show the tab strip under the page's views.";
            if tabs.explain_with(ex, crate::explain::topics::Topic::Tabs, tip).clicked() {
                self.tabs.set_folded(false);
            }
        }
    }

    /// The button that folds and unfolds the settings and run list beside a lesson page.
    fn settings_button_ui(&mut self, ui: &mut Ui, ex: &explain::Explainer) {
        use explain::Explain;
        let (label, tip) = if self.lesson_input.show_settings {
            ("◂ Settings", "Fold the settings and the run list away: the page's views get the room.")
        } else {
            ("Settings ▸", "Show the settings and the run list beside the page.")
        };
        let settings = ui.selectable_label(self.lesson_input.show_settings, label);
        if settings.explain_with(ex, crate::explain::topics::Topic::Lessons, tip).clicked() {
            self.lesson_input.show_settings = !self.lesson_input.show_settings;
        }
    }

    /// One plot's card in the rect of `ui`: the landscape, the loss or the weights.
    fn plot_card_ui(
        &mut self,
        ui: &mut Ui,
        ctx: &ViewCtx<'_>,
        (run, point): (&crate::worker::RunSnapshot, PointView),
        view: View,
        actions: &mut Vec<Action>,
    ) {
        let palette = ctx.palette;
        let bias = run.spec.settings.bias;
        match view {
            View::LossLandscape => {
                let toggles = Toggles { tangent: ctx.display.tangent, next: ctx.display.next };
                let (title, subtitle) = if bias && self.landscape.three_d {
                    ("Loss landscape L(w, b)", "the loss as a surface over (w, b) · path of (w, b) on it")
                } else if bias {
                    ("Loss landscape L(w, b)", "contours of the loss · path of (w, b)")
                } else {
                    (
                        "Loss landscape L(w)",
                        "● current point · tangent (slope dL/dw) · → steps taken · ○ next step · ◆ optimum w*",
                    )
                };
                let landscape = &mut self.landscape;
                plots::card_ui(ui, palette, title, subtitle, |ui| landscape.ui(ui, ctx, run, point, toggles, actions));
            }
            View::LossVsStep => {
                let negative = plots::loss::has_negative_values(&ctx.snap.runs);
                let log = ctx.display.log_loss && !negative;
                let scale = match (log, negative) {
                    (_, true) => "linear scale: an objective's value went below 0",
                    (true, _) => "log scale (L to toggle)",
                    _ => "linear scale (L to toggle)",
                };
                // The theory curve's caption follows the scale: off the plot, where it ran over the curve.
                let caption = plots::theory::caption(ctx, ctx.snap.data.len());
                let scale = caption.map_or_else(|| scale.to_owned(), |c| format!("{scale} · {c}"));
                let sub = plots::loss::incomparable_losses(&ctx.snap.runs).unwrap_or(scale);
                plots::card_ui(ui, palette, "Loss vs step", &sub, |ui| plots::loss::loss_plot_ui(ui, ctx, log));
            }
            View::WeightVsStep => {
                let sub = match (bias, ctx.snap.runs.len() > 1) {
                    (true, false) => "w solid, b dashed · optimum dashed gold",
                    (false, false) => "dashed gold: the optimum w*",
                    (true, true) => "w solid, b dashed · dashed: each run's optimum, in its colour",
                    (false, true) => "dashed: each run's optimum w*, in its colour",
                };
                let title = if bias { "Weights vs step" } else { "Weight vs step" };
                plots::card_ui(ui, palette, title, sub, |ui| plots::weights::weights_plot_ui(ui, ctx));
            }
            View::Tab(_) | View::Settings => {}
        }
    }

    /// In explain mode: the card of what is under the pointer, with values from the selected run.
    fn explain_card(&self, ctx: &egui::Context, snap: &Snapshot, palette: Palette) {
        let Some(run) = snap.run(self.selected_run()).or(snap.runs.first()) else {
            return;
        };
        let p = &self.prefs;
        let facts = crate::explain::topics::Facts {
            run: panels::status::run_state(snap, run),
            next: run.next,
            last_step: run.history.last().map_or(0, |r| r.step),
            scrub: self.runs.scrub,
            runs: snap.runs.len(),
            samples: snap.data.len(),
            speed: (p.steps_per_sec < state::SPEED_UNLIMITED).then_some(p.steps_per_sec),
            measured: snap.steps_per_sec,
            switches: [p.log_loss, p.show_theory, p.show_tangent, p.show_next, p.show_batches, p.dark, p.explain],
        };
        explain::show_card(ctx, &self.explained, &facts, palette);
    }

    /// Every panel of the frame, drawn from `ctx`; the requests go to `actions`.
    fn panels_ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, point: Option<PointView>, actions: &mut Vec<Action>) {
        let (snap, palette) = (ctx.live, ctx.palette);
        let busy = self.io.busy();
        let shown_tab = (!self.tabs.folded_now).then_some(self.prefs.tab);
        egui::Panel::top("menu").show(ui, |ui| {
            panels::menu_bar::menu_bar_ui(
                ui,
                snap.runs.len(),
                (busy, shown_tab, ctx.explain, palette),
                (self.lesson.progress(), self.prefs.step_axis),
                actions,
            )
        });
        let run_names: Vec<String> =
            snap.runs.iter().filter(|r| self.runs.is_visible(r.id)).map(|r| r.spec.name.clone()).collect();
        panels::menu_bar::gif_dialog_ui(ui.ctx(), &mut self.exports, &run_names, actions);
        solo::png_dialog_ui(ui.ctx(), self, actions);
        files::path_prompt_ui(ui.ctx(), &mut self.path_prompt, actions);
        egui::Panel::top("toolbar")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 6)))
            .show(ui, |ui| panels::toolbar::toolbar_ui(ui, &self.prefs, snap, (palette, ctx.explain), actions));
        let status = egui::Panel::bottom("status")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 5)))
            .show(ui, |ui| {
                let toast = self.io.toast_now();
                let message =
                    toast.map(|(t, older)| (panels::status::Message { text: &t.text, error: t.error }, older));
                panels::status::status_line_ui(ui, ctx, message.as_ref().map(|(m, older)| (m, *older)))
            });
        if status.inner {
            self.io.dismiss_toast();
        }
        // A lesson page offers the notebook log's button only when the page is about it.
        let offer_log = self.lesson.views().is_none_or(|v| v.contains(&View::Tab(Tab::NotebookLog)));
        egui::Panel::bottom("timeline")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(10, 3)))
            .show(ui, |ui| {
                panels::timeline::timeline_ui(
                    ui,
                    snap,
                    ctx.selected,
                    (ctx.scrub, shown_tab, offer_log),
                    (palette, ctx.explain),
                    actions,
                )
            });
        let settings = self.selected_settings();
        let lesson_open = self.lesson.open().is_some();
        // A lesson page folds the settings and run list away (one click brings them back: see `unfold_buttons_ui`).
        let page_settings = self.lesson.views().is_some_and(|v| v.contains(&View::Settings));
        if !lesson_open || self.lesson_input.show_settings || page_settings {
            egui::Panel::left("controls").resizable(true).default_size(318.0).size_range(260.0..=520.0).show(
                ui,
                |ui| {
                    panels::run_list::runs_ui(ui, snap, &mut self.runs, (palette, ctx.explain), actions);
                    ui.separator();
                    panels::settings::controls_ui(ui, ctx, &settings, &self.prefs, &mut self.controls, actions);
                },
            );
        }
        self.lesson_check(actions);
        panels::lesson::lesson_side_ui(ui, &self.lesson, &mut self.lesson_input, (palette, ctx.explain), actions);
        egui::CentralPanel::default().show(ui, |ui| {
            // A lesson page lays its tab out with its other views (`central_ui`); the app's own layout has the strip.
            if let Some(run) = ctx.selected_run().filter(|_| !lesson_open) {
                tabs::tabs_ui(ui, self.prefs.tab, &mut self.tabs, ctx, run, actions);
            }
            if lesson_open {
                self.tabs.folded_now = self.tabs.collapsed;
            }
            self.central_ui(ui, ctx, point, actions)
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.fit_to_screen(&ctx);
        self.snap = self.worker.snapshot();
        self.runs.settle(&self.snap);
        let snap = Arc::clone(&self.snap);
        let look = (self.prefs.dark, self.prefs.present);
        if self.applied_dark != Some(look) || self.applied_explain != Some(self.prefs.explain) {
            theme::apply(&ctx, self.prefs.dark, self.prefs.present);
            // In explain mode every tooltip shows at once, like the cards.
            let delay = if self.prefs.explain { 0.0 } else { egui::style::Interaction::default().tooltip_delay };
            ctx.all_styles_mut(|style| style.interaction.tooltip_delay = delay);
            self.applied_dark = Some(look);
            self.applied_explain = Some(self.prefs.explain);
        }
        let palette = Palette::of(self.prefs.dark, self.prefs.palette, self.prefs.present);
        let mut actions = std::mem::take(&mut self.actions);
        keys::shortcuts(&ctx, &mut actions);

        let now = ctx.input(|i| i.time);
        let selected = self.selected_run();
        let view = self.runs.view(&snap);
        let live_selected = self.runs.scrub.is_none() && view.runs.first().is_some_and(|r| r.id == selected);
        let point = snap.run(selected).filter(|_| live_selected).map(|run| {
            self.follow.update(now, &snap, run);
            self.follow.point_view(now, run)
        });
        if point.is_some_and(|p| p.from.is_some()) {
            ctx.request_repaint();
        }

        self.io_frame(&ctx);
        // The series cache is lent to the frame's context while the panels draw; the panels only push actions.
        let series = std::mem::take(&mut self.series);
        let explainer = explain::Explainer::new(self.prefs.explain);
        let frame_ctx = self.view_ctx(&snap, &view, palette, (&series, &explainer));
        match self.solo.view() {
            Some(view) => self.solo_ui(ui, &frame_ctx, view, point),
            None => self.panels_ui(ui, &frame_ctx, point, &mut actions),
        }
        drop(frame_ctx);
        self.series = series;
        self.explained = explainer.into_marks();
        if self.prefs.explain {
            self.explain_card(&ctx, &snap, palette);
        }

        self.actions.extend(actions);
        self.apply_actions();
        if std::mem::take(&mut self.quit_requested) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if let Some(job) = &mut self.screenshot {
            job.update(&ctx, &snap);
        }
        self.solo_frame(&ctx);
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // A documentation screenshot or a view's PNG must not show hover readouts wherever the pointer happens to be.
        if self.screenshot.is_some() || self.solo.is_drawing() {
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
            // A view's PNG shows no hover readout of where the pointer was before it started.
            if self.solo.is_drawing() {
                raw_input.events.push(egui::Event::PointerGone);
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            match self.persisted().to_ron() {
                Ok(text) => storage.set_string(eframe::APP_KEY, text),
                Err(e) => eprintln!("error: {e}"),
            }
            // Several runs are saved (without their data or progress) so that a comparison survives a restart; a
            // single run is already the persisted settings.
            let runs: Vec<SessionRun> = if self.snap.runs.len() > 1 { self.current_session().runs } else { Vec::new() };
            eframe::set_value(storage, RUNS_KEY, &runs);
            eframe::set_value(storage, lesson::PROGRESS_KEY, self.lesson.progress());
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.persist
    }
}

/// How a lesson is remembered: a built-in's name, or the file's absolute path.
fn lesson_spec(spec: &str) -> String {
    if crate::lesson::BUILTIN.iter().any(|(n, _)| n.eq_ignore_ascii_case(spec.trim())) {
        return spec.trim().to_ascii_lowercase();
    }
    std::fs::canonicalize(spec).map_or_else(|_| spec.to_string(), |p| p.display().to_string())
}

/// Opens the app window and runs it until closed; returns the process exit code.
pub fn run_native(engine: EngineArgs, gui: GuiArgs, data: Option<Dataset>) -> i32 {
    let export_view = gui.export_view.map(|view| (view, gui.size.unwrap_or(crate::cli::view_png::DEFAULT_PNG_SIZE)));
    let screenshot = match (export_view, &gui.out) {
        (Some(_), Some(out)) => match crate::files::check_target(out) {
            Ok(()) => Some(out.clone()),
            Err(e) => {
                crate::cli::say_line(&format!("error: --out {}: {e}", out.display()));
                return crate::cli::EXIT_BAD_INPUT;
            }
        },
        _ => gui.screenshot.clone(),
    };
    let persist = screenshot.is_none();
    let session = match &gui.session {
        Some(path) => match crate::session::Session::load(path) {
            Ok(s) => Some(s),
            Err(e) => {
                crate::cli::say_line(&format!("error: {e}"));
                return crate::cli::EXIT_BAD_INPUT;
            }
        },
        None => None,
    };
    let lesson = match &gui.lesson {
        Some(spec) => match crate::lesson::Lesson::load(spec) {
            Ok(l) => Some((lesson_spec(spec), l)),
            Err(e) => {
                crate::cli::say_line(&format!("error: {e}"));
                return crate::cli::EXIT_BAD_INPUT;
            }
        },
        None => None,
    };
    let exit_code = Arc::new(AtomicI32::new(0));
    let options = AppOptions {
        lesson,
        persist,
        engine,
        data,
        run: gui.run,
        after_steps: gui.after_steps,
        screenshot,
        export_view,
        steps_per_sec: None,
        exit_code: Arc::clone(&exit_code),
        preset: gui.preset,
        session,
        fit_to_screen: gui.window_size.is_none() && export_view.is_none(),
        zoom: gui.zoom,
        tab: gui.tab,
        surface: gui.surface,
        dark: gui.theme.map(|t| t == crate::export::GifTheme::Dark),
        palette: gui.palette,
        step_axis: gui.step_axis,
        present: gui.present,
    };
    // A view's PNG is the window: it opens at the size asked, in pixels (one point per pixel under Xvfb; a desktop
    // with another scale makes it larger, and the PNG's note says so), not clamped to the screen by eframe.
    let size = export_view.map_or(gui.window_size.unwrap_or(WINDOW_SIZE), |(_, [w, h])| [w as f32, h as f32]);
    let mut viewport = egui::ViewportBuilder::default()
        .with_clamp_size_to_monitor_size(export_view.is_none())
        .with_title("descent")
        .with_app_id("descent")
        .with_inner_size(size)
        .with_min_inner_size([MIN_WINDOW_SIZE[0].min(size[0]), MIN_WINDOW_SIZE[1].min(size[1])]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    // A size given on the command line is exactly the size (not the one remembered from the last launch).
    let persist_window = persist && gui.window_size.is_none();
    let native = eframe::NativeOptions { viewport, persist_window, centered: true, ..Default::default() };
    let result = eframe::run_native("descent", native, Box::new(move |cc| Ok(Box::new(App::new(cc, options)))));
    match result {
        Ok(()) => exit_code.load(Ordering::SeqCst),
        Err(e) => {
            crate::cli::say_line(&format!("error: cannot open the app window: {e}"));
            1
        }
    }
}
