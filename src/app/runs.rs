//! Comparison runs: the run list (colour swatch, name, learning rate, hide, solo, duplicate, remove, "+ add run"),
//! the presets (the notebook's two loops side by side; an optimizer race), and the view of the snapshot the plots
//! draw (visible runs only, the selected run first, cut at the timeline's step when scrubbing).
//!
//! The settings panel edits the selected run. Every run steps together (the worker steps all its runs).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, LineStyle, MarkerShape, Points};

use super::App;
use super::plots::{PlotEnv, plottable};
use super::state::LR_RANGE;
use super::theme::{self, Palette, faded};
use crate::engine::GradientSource;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::{Precision, Settings};
use crate::history::History;
use crate::worker::{Command, RunId, RunSnapshot, RunSpec, Snapshot};

/// At most this many runs at once (one per colour).
pub const MAX_RUNS: usize = theme::RUN_COLORS.len();

/// Labels tests find widgets by.
pub mod labels {
    /// Adds a run.
    pub const ADD_RUN: &str = "+ add run";
    /// Duplicates a run (tooltip-free button text).
    pub const DUPLICATE: &str = "dup";
    /// Removes a run.
    pub const REMOVE: &str = "×";
    /// Hides or shows a run.
    pub const HIDE: &str = "hide";
    /// Shows only this run.
    pub const SOLO: &str = "S";
    /// The preset menu.
    pub const PRESET: &str = "Preset ▾";
    /// The notebook preset.
    pub const PRESET_NOTEBOOK: &str = "Notebook: NumPy sum vs PyTorch autograd";
    /// The optimizer race preset.
    pub const PRESET_RACE: &str = "Race: SGD, momentum, Nesterov, RMSprop, Adam, AdamW";
}

/// A ready-made comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The notebook's two loops: the hand-written summed gradient (f64) and torch autograd (f32), lr 0.01.
    Notebook,
    /// Six optimizers from the same start.
    Race,
}

impl Preset {
    /// `notebook` or `race` (case-insensitive).
    pub fn parse(name: &str) -> Option<Preset> {
        match name.trim().to_ascii_lowercase().as_str() {
            "notebook" => Some(Preset::Notebook),
            "race" => Some(Preset::Race),
            _ => None,
        }
    }

    /// The runs of the preset; `base` supplies the start point, loss and data-independent settings.
    ///
    /// Race learning rates (chosen so all six converge on the notebook's data, whose curvature L'' = 15 caps plain
    /// SGD at lr < 2/15): SGD 0.02, SGD+momentum 0.9 at 0.01, Nesterov 0.9 at 0.01, RMSprop 0.01, Adam 0.05,
    /// AdamW 0.05.
    pub fn specs(self, base: &Settings) -> Vec<RunSpec> {
        let spec = |slot: usize, name: &str, s: Settings| RunSpec {
            name: name.into(),
            color: theme::run_color(slot),
            settings: s,
        };
        match self {
            Preset::Notebook => {
                // Both loops: plain SGD on the MSE, lr 0.01, from w = 0, no bias, full batch.
                let notebook = |gradient: GradientSource, precision: Precision| {
                    let mut s = Settings { gradient, precision, w0: 0.0, b0: 0.0, bias: false, ..Settings::default() };
                    s.loss = crate::engine::LossKind::Mse;
                    s.batch_size = None;
                    s.optimizer = Default::default();
                    s.optimizer.kind = OptimizerKind::Sgd;
                    s.optimizer.lr = 0.01;
                    s
                };
                let numpy = notebook(GradientSource::NotebookSum, Precision::F64);
                let torch = notebook(GradientSource::Autodiff, Precision::F32);
                vec![spec(0, "NumPy (hand-written sum)", numpy), spec(1, "PyTorch autograd", torch)]
            }
            Preset::Race => {
                let mut common = base.clone();
                common.batch_size = None;
                common.optimizer = Default::default();
                let with = |kind: OptimizerKind, lr: f64, momentum: f64, nesterov: bool| {
                    let mut s = common.clone();
                    s.optimizer.kind = kind;
                    s.optimizer.lr = lr;
                    s.optimizer.momentum = momentum;
                    s.optimizer.nesterov = nesterov;
                    s
                };
                vec![
                    spec(0, "SGD", with(OptimizerKind::Sgd, 0.02, 0.0, false)),
                    spec(1, "SGD + momentum 0.9", with(OptimizerKind::Sgd, 0.01, 0.9, false)),
                    spec(2, "Nesterov 0.9", with(OptimizerKind::Sgd, 0.01, 0.9, true)),
                    spec(3, "RMSprop", with(OptimizerKind::Rmsprop, 0.01, 0.0, false)),
                    spec(4, "Adam", with(OptimizerKind::Adam, 0.05, 0.0, false)),
                    spec(5, "AdamW", with(OptimizerKind::Adamw, 0.05, 0.0, false)),
                ]
            }
        }
    }
}

/// A request from the run list or the timeline, applied after the frame.
#[derive(Clone, Debug, PartialEq)]
pub enum RunAction {
    /// A new run with the selected run's settings.
    Add,
    /// A copy of a run (settings; a fresh start).
    Duplicate(RunId),
    /// Remove a run (the last one stays).
    Remove(RunId),
    /// Edit this run's settings in the settings panel.
    Select(RunId),
    /// Hide or show a run.
    ToggleHidden(RunId),
    /// Show only this run (again: show all).
    Solo(RunId),
    /// A new name.
    Rename(RunId, String),
    /// A new learning rate.
    SetLr(RunId, f64),
    /// Replace every run by a preset's.
    Preset(Preset),
    /// Show the state at this step (`None`: live).
    Scrub(Option<u64>),
    /// A new run from this run's state at this step, with the selected run's settings.
    Branch(RunId, u64),
    /// Show the notebook log tab.
    OpenLog,
}

/// The run list's state (not persisted).
#[derive(Debug)]
pub struct RunsState {
    /// The run the settings panel edits.
    pub selected: RunId,
    /// Runs not drawn.
    pub hidden: BTreeSet<RunId>,
    /// When set, only this run is drawn.
    pub solo: Option<RunId>,
    /// Branches, drawn faded and dashed.
    pub ghosts: BTreeSet<RunId>,
    /// The timeline's step (`None`: live).
    pub scrub: Option<u64>,
    /// Draw the per-batch loss curves on the landscape.
    pub show_batches: bool,
    /// Name fields being edited.
    names: HashMap<RunId, String>,
    next_id: u32,
    /// Requests of this frame.
    pub actions: Vec<RunAction>,
}

impl RunsState {
    /// The state for runs with ids below `n`, the first selected.
    pub fn new(n: u32) -> Self {
        RunsState {
            selected: RunId(0),
            hidden: BTreeSet::new(),
            solo: None,
            ghosts: BTreeSet::new(),
            scrub: None,
            show_batches: true,
            names: HashMap::new(),
            next_id: n.max(1),
            actions: Vec::new(),
        }
    }

    /// True when the run is drawn.
    pub fn is_visible(&self, id: RunId) -> bool {
        match self.solo {
            Some(s) => s == id,
            None => !self.hidden.contains(&id),
        }
    }

    fn fresh_id(&mut self) -> RunId {
        let id = RunId(self.next_id);
        self.next_id += 1;
        id
    }

    /// What the plots draw: visible runs, the selected one first, each cut at the timeline's step when scrubbing.
    pub fn view(&self, snap: &Arc<Snapshot>) -> Arc<Snapshot> {
        let all_visible = snap.runs.iter().all(|r| self.is_visible(r.id));
        let selected_first = snap.runs.first().is_none_or(|r| r.id == self.selected);
        if all_visible && selected_first && self.scrub.is_none() {
            return Arc::clone(snap);
        }
        let mut runs: Vec<RunSnapshot> = snap.runs.iter().filter(|r| self.is_visible(r.id)).cloned().collect();
        if let Some(i) = runs.iter().position(|r| r.id == self.selected) {
            let r = runs.remove(i);
            runs.insert(0, r);
        }
        if let Some(k) = self.scrub {
            for run in &mut runs {
                cut_at(run, k);
            }
        }
        Arc::new(Snapshot { runs, ..(**snap).clone() })
    }
}

/// The run as it stood at step `k`: the record of step k (the history stays whole; the landscape draws the path up
/// to the record's step, the plots over steps a cursor at k).
pub fn cut_at(run: &mut RunSnapshot, k: u64) {
    if run.history.last().is_some_and(|r| r.step <= k) {
        return;
    }
    if let Some(row) = run.history.at_or_before(k) {
        run.record = *row;
    }
    run.status = crate::engine::trainer::Status::Running;
    run.next = None;
}

/// The history rows of steps 0…=k (for a branch).
pub fn prefix(history: &History, k: u64) -> History {
    let mut h = history.clone();
    h.truncate_from(k.saturating_add(1));
    h
}

/// The first run colour no run uses.
fn free_color(snap: &Snapshot) -> [u8; 3] {
    theme::RUN_COLORS
        .iter()
        .copied()
        .find(|c| snap.runs.iter().all(|r| r.spec.color != *c))
        .unwrap_or(theme::run_color(snap.runs.len()))
}

/// The legend of the comparison above the plots (one colour per run, the same in every plot); nothing for one run.
pub fn legend_row_ui(ui: &mut Ui, snap: &Snapshot, palette: Palette) {
    if snap.runs.len() < 2 {
        return;
    }
    let ghosts: BTreeSet<RunId> =
        ui.ctx().data(|d| d.get_temp::<(BTreeSet<RunId>, bool)>(ghost_key())).unwrap_or_default().0;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Runs:").color(palette.weak_text));
        for run in &snap.runs {
            let color = palette.run(run.spec.color);
            let ghost = ghosts.contains(&run.id);
            let line = if ghost { "╌╌ " } else { "━━ " };
            let mut text = RichText::new(format!("{line}{}", run.spec.name)).color(color).strong();
            if ghost {
                text = text.italics();
            }
            let tip = format!(
                "{} · {} · lr {} · {} · {}",
                run.spec.settings.optimizer.kind.label(),
                run.spec.settings.gradient.label(),
                crate::format::compact(run.spec.settings.optimizer.lr),
                run.spec.settings.precision.label(),
                if ghost { "branch" } else { "run" }
            );
            ui.label(text).on_hover_text(tip);
            ui.add_space(6.0);
        }
    });
    ui.add_space(2.0);
}

/// A branch's colour: the original's, mixed halfway with a neutral grey.
pub fn ghost_color([r, g, b]: [u8; 3]) -> [u8; 3] {
    let mix = |c: u8| ((u16::from(c) * 11 + 150 * 9) / 20) as u8;
    [mix(r), mix(g), mix(b)]
}

/// The run list (a collapsible section at the top of the left panel).
pub fn runs_ui(ui: &mut Ui, snap: &Snapshot, state: &mut RunsState, palette: Palette) {
    let n = snap.runs.len();
    egui::CollapsingHeader::new(RichText::new(format!("Runs ({n})")).heading()).default_open(true).show(ui, |ui| {
        ui.horizontal(|ui| {
            let add = ui
                .add_enabled(n < MAX_RUNS, egui::Button::new(labels::ADD_RUN))
                .on_hover_text("Add a comparison run with the selected run's settings, from the start.")
                .on_disabled_hover_text("At most six runs.");
            if add.clicked() {
                state.actions.push(RunAction::Add);
            }
            ui.menu_button(labels::PRESET, |ui| {
                if ui.button(labels::PRESET_NOTEBOOK).on_hover_text("The notebook's two loops side by side: the hand-written NumPy gradient (a SUM, 4× the true gradient) in f64 and PyTorch autograd in f32, both lr 0.01 from w = 0.").clicked() {
                    state.actions.push(RunAction::Preset(Preset::Notebook));
                    ui.close();
                }
                if ui.button(labels::PRESET_RACE).on_hover_text("Six optimizers from the same start on the current data (SGD 0.02, momentum/Nesterov 0.9 at 0.01, RMSprop 0.01, Adam/AdamW 0.05).").clicked() {
                    state.actions.push(RunAction::Preset(Preset::Race));
                    ui.close();
                }
            });
            ui.checkbox(&mut state.show_batches, "batches")
                .on_hover_text("With a batch size set: draw each mini-batch's own loss curve faintly on the landscape.");
        });
        for run in &snap.runs {
            run_row_ui(ui, run, n, state, palette);
        }
    });
}

fn run_row_ui(ui: &mut Ui, run: &RunSnapshot, n: usize, state: &mut RunsState, palette: Palette) {
    let id = run.id;
    let color = palette.run(run.spec.color);
    let selected = state.selected == id;
    let visible = state.is_visible(id);
    let frame = egui::Frame::new().inner_margin(egui::Margin::symmetric(4, 3)).corner_radius(4.0).stroke(if selected {
        egui::Stroke::new(1.5, color)
    } else {
        egui::Stroke::NONE
    });
    frame.show(ui, |ui| {
        ui.horizontal(|ui| {
            let (rect, swatch) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::click());
            let fill = if visible { color } else { faded(color, 0.25) };
            ui.painter().rect_filled(rect, 3.0, fill);
            if state.ghosts.contains(&id) {
                ui.painter().rect_stroke(rect, 3.0, egui::Stroke::new(1.0, Color32::GRAY), egui::StrokeKind::Outside);
            }
            if swatch.on_hover_text("Edit this run's settings below").clicked() {
                state.actions.push(RunAction::Select(id));
            }
            let name = state.names.entry(id).or_insert_with(|| run.spec.name.clone());
            let edit = ui.add(egui::TextEdit::singleline(name).desired_width(150.0).text_color(color));
            edit.widget_info(|| {
                egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, format!("name of run {}", id.0 + 1))
            });
            if !edit.has_focus() && *name != run.spec.name && !edit.lost_focus() {
                *name = run.spec.name.clone();
            }
            if edit.changed() && !name.trim().is_empty() {
                state.actions.push(RunAction::Rename(id, name.clone()));
            }
            if edit.gained_focus() {
                state.actions.push(RunAction::Select(id));
            }
            let eye = ui.selectable_label(!visible, labels::HIDE).on_hover_text(if visible {
                "Hide this run in the plots"
            } else {
                "Show this run"
            });
            if eye.clicked() {
                state.actions.push(RunAction::ToggleHidden(id));
            }
            if ui
                .selectable_label(state.solo == Some(id), labels::SOLO)
                .on_hover_text("Solo: show only this run (again: all)")
                .clicked()
            {
                state.actions.push(RunAction::Solo(id));
            }
            if ui
                .add_enabled(n < MAX_RUNS, egui::Button::new(labels::DUPLICATE).small())
                .on_hover_text("Duplicate this run")
                .clicked()
            {
                state.actions.push(RunAction::Duplicate(id));
            }
            if ui
                .add_enabled(n > 1, egui::Button::new(labels::REMOVE).small())
                .on_hover_text("Remove this run")
                .clicked()
            {
                state.actions.push(RunAction::Remove(id));
            }
        });
        ui.horizontal(|ui| {
            ui.add_space(20.0);
            ui.spacing_mut().slider_width = 96.0;
            let mut lr = run.spec.settings.optimizer.lr;
            let (lo, hi) = (*LR_RANGE.start(), *LR_RANGE.end());
            let slider = ui.add(
                egui::Slider::new(&mut lr, LR_RANGE)
                    .logarithmic(true)
                    .show_value(false)
                    .text(RichText::new("lr").color(palette.weak_text)),
            );
            let typed = ui.add(
                egui::DragValue::new(&mut lr)
                    .range(lo..=hi)
                    .speed(0.0)
                    .max_decimals(6)
                    .custom_formatter(|v, _| crate::format::compact(v)),
            );
            typed.widget_info(|| {
                egui::WidgetInfo::labeled(egui::accesskit::Role::SpinButton, true, format!("lr of run {}", id.0 + 1))
            });
            if (slider.changed() || typed.changed()) && lr.is_finite() && lr != run.spec.settings.optimizer.lr {
                state.actions.push(RunAction::SetLr(id, lr.clamp(lo, hi)));
            }
            let status = match run.status {
                crate::engine::trainer::Status::Converged { .. } => ("●", palette.converged),
                crate::engine::trainer::Status::Diverged { .. } => ("×", palette.diverged),
                crate::engine::trainer::Status::Running => ("", palette.weak_text),
            };
            ui.label(
                RichText::new(format!("{} w={}", status.0, crate::format::sig(run.record.params.w, 4)))
                    .small()
                    .color(status.1),
            );
        });
    });
}

impl App {
    /// The run the settings panel edits (the first run when the selected one is gone).
    pub fn selected_run(&self) -> RunId {
        let snap = &self.snap;
        if snap.run(self.runs.selected).is_some() {
            self.runs.selected
        } else {
            snap.runs.first().map_or(self.runs.selected, |r| r.id)
        }
    }

    /// The run list's state.
    pub fn runs_state(&self) -> &RunsState {
        &self.runs
    }

    /// Queues a run-list request (tests, keys).
    pub fn push_run_action(&mut self, action: RunAction) {
        self.runs.actions.push(action);
    }

    /// Replaces every run by the preset's runs, selects the first and resets.
    pub fn load_preset(&mut self, preset: Preset) {
        if preset == Preset::Notebook && self.persisted.data != "notebook" {
            self.apply(super::Action::SetData("notebook".into()));
        }
        let snap = self.worker.snapshot();
        let specs = preset.specs(&self.persisted.settings);
        for run in &snap.runs {
            self.worker.send(Command::RemoveRun(run.id));
        }
        self.runs.hidden.clear();
        self.runs.solo = None;
        self.runs.ghosts.clear();
        self.runs.scrub = None;
        self.runs.names.clear();
        let mut first = None;
        for spec in specs {
            let id = self.runs.fresh_id();
            first.get_or_insert((id, spec.settings.clone()));
            self.worker.send(Command::AddRun(id, spec));
        }
        if let Some((id, settings)) = first {
            self.runs.selected = id;
            self.persisted.settings = settings;
        }
        self.worker.send(Command::Reset);
    }

    /// Applies the run list's requests of this frame.
    pub(super) fn apply_run_actions(&mut self) {
        for action in std::mem::take(&mut self.runs.actions) {
            self.apply_run_action(action);
        }
    }

    fn select(&mut self, id: RunId, spec: Option<&RunSpec>) {
        self.runs.selected = id;
        if let Some(spec) = spec {
            self.persisted.settings = spec.settings.clone();
        }
    }

    fn apply_run_action(&mut self, action: RunAction) {
        let snap = Arc::clone(&self.snap);
        match action {
            RunAction::Add => {
                if snap.runs.len() < MAX_RUNS {
                    let id = self.runs.fresh_id();
                    let settings = snap
                        .run(self.selected_run())
                        .map_or_else(|| self.persisted.settings.clone(), |r| r.spec.settings.clone());
                    let spec = RunSpec { name: format!("run {}", id.0 + 1), color: free_color(&snap), settings };
                    self.worker.send(Command::AddRun(id, spec.clone()));
                    self.select(id, Some(&spec));
                }
            }
            RunAction::Duplicate(of) => {
                if let Some(run) = snap.run(of)
                    && snap.runs.len() < MAX_RUNS
                {
                    let id = self.runs.fresh_id();
                    let spec = RunSpec {
                        name: format!("{} (copy)", run.spec.name),
                        color: free_color(&snap),
                        settings: run.spec.settings.clone(),
                    };
                    self.worker.send(Command::AddRun(id, spec.clone()));
                    self.select(id, Some(&spec));
                }
            }
            RunAction::Remove(id) => {
                if snap.runs.len() > 1 {
                    self.worker.send(Command::RemoveRun(id));
                    self.runs.hidden.remove(&id);
                    self.runs.ghosts.remove(&id);
                    self.runs.names.remove(&id);
                    if self.runs.solo == Some(id) {
                        self.runs.solo = None;
                    }
                    if self.runs.selected == id
                        && let Some(other) = snap.runs.iter().find(|r| r.id != id)
                    {
                        self.select(other.id, Some(&other.spec));
                    }
                }
            }
            RunAction::Select(id) => {
                if let Some(run) = snap.run(id) {
                    self.select(id, Some(&run.spec));
                }
            }
            RunAction::ToggleHidden(id) => {
                if self.runs.solo.is_some() {
                    self.runs.solo = None;
                }
                if !self.runs.hidden.remove(&id) {
                    self.runs.hidden.insert(id);
                }
            }
            RunAction::Solo(id) => {
                self.runs.solo = if self.runs.solo == Some(id) { None } else { Some(id) };
            }
            RunAction::Rename(id, name) => {
                if let Some(run) = snap.run(id) {
                    self.worker.send(Command::SetStyle(id, name, run.spec.color));
                }
            }
            RunAction::SetLr(id, lr) => {
                if let Some(run) = snap.run(id) {
                    let mut s = run.spec.settings.clone();
                    s.optimizer.lr = lr;
                    if s.validate().is_ok() {
                        if id == self.selected_run() {
                            self.persisted.settings = s.clone();
                        }
                        self.worker.send(Command::SetSettings(id, s));
                    }
                }
            }
            RunAction::Preset(p) => self.load_preset(p),
            RunAction::Scrub(k) => self.runs.scrub = k,
            RunAction::OpenLog => {
                self.persisted.tab = super::tabs::Tab::NotebookLog;
                self.tabs.collapsed = false;
            }
            RunAction::Branch(of, k) => {
                if let Some(run) = snap.run(of)
                    && snap.runs.len() < MAX_RUNS
                {
                    let id = self.runs.fresh_id();
                    let settings = snap
                        .run(self.selected_run())
                        .map_or_else(|| run.spec.settings.clone(), |r| r.spec.settings.clone());
                    // A ghost of the original: its colour, paler (a free colour when that tint is taken).
                    let tint = ghost_color(run.spec.color);
                    let color = if snap.runs.iter().any(|r| r.spec.color == tint) { free_color(&snap) } else { tint };
                    let spec = RunSpec { name: format!("{} from step {k}", run.spec.name), color, settings };
                    self.worker.send(Command::AddRunFrom(id, spec, prefix(&run.history, k)));
                    self.runs.ghosts.insert(id);
                    self.runs.scrub = None;
                }
            }
        }
    }
}

/// The other visible runs on the landscape's curve L(w): each one's trail and current point in its colour
/// (branches faded and dashed). `main` is the run the landscape is drawn for; `loss_at` evaluates its curve.
pub fn other_runs_on_curve(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    env: &PlotEnv<'_>,
    main: &RunSnapshot,
    loss_at: &dyn Fn(f64) -> f64,
    [lo, hi]: [f64; 2],
    [y0, y1]: [f64; 2],
) {
    let (ghosts, show_batches): (BTreeSet<RunId>, bool) =
        plot_ui.ctx().data(|d| d.get_temp(ghost_key())).unwrap_or_default();
    if show_batches {
        batch_curves(plot_ui, env, main, [lo, hi], [y0, y1]);
    }
    for run in env.snap.runs.iter().filter(|r| r.id != main.id) {
        if run.spec.settings.bias != main.spec.settings.bias {
            continue;
        }
        let ghost = ghosts.contains(&run.id);
        let color = env.run_color(run);
        let color = if ghost { faded(color, 0.6) } else { color };
        let pts: Vec<[f64; 2]> = run
            .history
            .sample(400)
            .iter()
            .filter(|r| r.step <= run.record.step)
            .filter_map(|r| Some([plottable(r.params.w)?, loss_at(r.params.w).clamp(y0, y1)]))
            .filter(|p| p[1].is_finite())
            .collect();
        let style = if ghost { LineStyle::dashed_dense() } else { LineStyle::Solid };
        if pts.len() > 1 {
            plot_ui.line(
                Line::new(run.spec.name.clone(), pts.clone())
                    .color(faded(color, 0.55))
                    .style(style)
                    .width(1.2)
                    .allow_band(false),
            );
            let tail = &pts[pts.len().saturating_sub(12)..];
            plot_ui.points(
                Points::new(format!("{} path", run.spec.name), tail.to_vec()).color(faded(color, 0.7)).radius(2.0),
            );
        }
        let here = run.record.params.w;
        let y = loss_at(here);
        if here.is_finite() && y.is_finite() {
            let shape = if ghost { MarkerShape::Diamond } else { MarkerShape::Circle };
            plot_ui.points(
                Points::new(run.spec.name.clone(), [here, y.clamp(y0, y1)]).radius(6.5).shape(shape).color(color),
            );
        }
    }
}

/// The other visible runs with a bias on the (w, b) contour map: each one's path and current point in its colour.
pub fn other_runs_on_plane(plot_ui: &mut egui_plot::PlotUi<'_>, env: &PlotEnv<'_>, main: &RunSnapshot) {
    let ghosts: BTreeSet<RunId> =
        plot_ui.ctx().data(|d| d.get_temp::<(BTreeSet<RunId>, bool)>(ghost_key())).unwrap_or_default().0;
    for run in env.snap.runs.iter().filter(|r| r.id != main.id && r.spec.settings.bias) {
        let ghost = ghosts.contains(&run.id);
        let color = env.run_color(run);
        let color = if ghost { faded(color, 0.6) } else { color };
        let pts: Vec<[f64; 2]> = run
            .history
            .sample(400)
            .iter()
            .filter(|r| r.step <= run.record.step)
            .filter_map(|r| Some([plottable(r.params.w)?, plottable(r.params.b)?]))
            .collect();
        let style = if ghost { LineStyle::dashed_dense() } else { LineStyle::Solid };
        if pts.len() > 1 {
            plot_ui.line(
                Line::new(run.spec.name.clone(), pts)
                    .color(faded(color, 0.6))
                    .style(style)
                    .width(1.2)
                    .allow_band(false),
            );
        }
        let p = run.record.params;
        if p.is_finite() {
            let shape = if ghost { MarkerShape::Diamond } else { MarkerShape::Circle };
            plot_ui.points(Points::new(run.spec.name.clone(), [p.w, p.b]).radius(6.5).shape(shape).color(color));
        }
    }
}

/// While scrubbing: a vertical cursor at the timeline's step on a plot over steps, with each run's value there
/// (drawn once, for the first run).
pub fn scrub_cursor(plot_ui: &mut egui_plot::PlotUi<'_>, env: &PlotEnv<'_>, run: &RunSnapshot) {
    let Some(k) = env.snap.runs.first().filter(|r| r.id == run.id).and_then(|_| scrub_step(plot_ui.ctx())) else {
        return;
    };
    plot_ui.vline(egui_plot::VLine::new(format!("step {k}"), k as f64).color(env.palette.curve).width(1.5));
}

/// The timeline's step while scrubbing (set by the app each frame).
pub fn scrub_step(ctx: &egui::Context) -> Option<u64> {
    ctx.data(|d| d.get_temp::<Option<u64>>(scrub_key())).flatten()
}

/// Where the app leaves the timeline's step for the plots (egui temp data).
pub fn scrub_key() -> egui::Id {
    egui::Id::unique("descent-scrub-step")
}

/// How many mini-batches get their own curve.
const BATCH_CURVES: usize = 4;

/// With mini-batches: the loss of each of the first few batches, L_batch(w), drawn faintly over the same w range,
/// so the learner sees why each step follows a slightly different slope.
fn batch_curves(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    env: &PlotEnv<'_>,
    run: &RunSnapshot,
    [lo, hi]: [f64; 2],
    [y0, y1]: [f64; 2],
) {
    let s = &run.spec.settings;
    let b_at = if s.bias { run.record.params.b } else { 0.0 };
    let color = faded(env.run_color(run), 0.35);
    for (i, pts) in batch_losses(&env.snap.data, s, b_at, [lo, hi], BATCH_CURVES, 120).into_iter().enumerate() {
        let pts: Vec<[f64; 2]> = pts.into_iter().filter(|p| p[1] <= y1 + (y1 - y0)).collect();
        let name = if i == 0 { "mini-batch losses".to_string() } else { format!("mini-batch {}", i + 1) };
        plot_ui.line(Line::new(name, pts).color(color).style(LineStyle::dashed_loose()).width(1.0).allow_band(false));
    }
}

/// The loss of each of the first `count` mini-batches (the run's seeded [`crate::engine::batch::Batcher`]) at
/// `points + 1` values of w across `[lo, hi]` (b fixed at `b_at`); empty without mini-batches or for batches too
/// large to be worth redrawing every frame (their curves lie on the full one anyway).
pub fn batch_losses(
    data: &crate::engine::Dataset,
    s: &Settings,
    b_at: f64,
    [lo, hi]: [f64; 2],
    count: usize,
    points: usize,
) -> Vec<Vec<[f64; 2]>> {
    use crate::engine::batch::Batcher;
    use crate::engine::loss::{Loss, sums_indexed};
    let n = data.len();
    let Some(b) = s.batch_size.filter(|&b| b < n && b > 0 && b <= 4096) else {
        return Vec::new();
    };
    let (Some(x), Some(y)) = (data.x.as_slice(), data.y.as_slice()) else {
        return Vec::new();
    };
    let loss = Loss::<f64>::new(s.loss, s.huber_delta);
    let mut batcher = Batcher::new(n, b, s.seed);
    (0..count.min(n.div_ceil(b)))
        .map(|_| {
            let idx: Vec<usize> = batcher.next_batch().to_vec();
            (0..=points)
                .map(|j| {
                    let w = lo + (hi - lo) * j as f64 / points.max(1) as f64;
                    let p = crate::engine::model::Params { w, b: b_at };
                    [w, sums_indexed(x, y, &idx, p, s.bias, loss).mean().0]
                })
                .filter(|p| p[1].is_finite())
                .collect()
        })
        .collect()
}

/// Where the app leaves the set of branch ids and the batch-curve toggle for the plots (egui temp data).
pub fn ghost_key() -> egui::Id {
    egui::Id::unique("descent-ghost-runs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_curves_of_an_epoch_average_to_the_full_loss() {
        let data = crate::engine::Dataset::notebook();
        let s = Settings { batch_size: Some(2), ..Settings::default() };
        let curves = batch_losses(&data, &s, 0.0, [0.0, 6.0], 10, 6);
        assert_eq!(curves.len(), 2, "two batches of two make an epoch");
        for (a, b) in curves[0].iter().zip(&curves[1]) {
            let w = a[0];
            let full = 7.5 * (w - 3.0) * (w - 3.0);
            let mean = (a[1] + b[1]) / 2.0;
            assert!((mean - full).abs() < 1e-9, "w = {w}: {mean} vs {full}");
        }
        assert!(batch_losses(&data, &Settings::default(), 0.0, [0.0, 6.0], 4, 6).is_empty(), "full batch: none");
    }

    #[test]
    fn presets_match_the_notebook_and_the_race() {
        let nb = Preset::Notebook.specs(&Settings::default());
        assert_eq!(nb.len(), 2);
        assert_eq!(nb[0].settings.gradient, GradientSource::NotebookSum);
        assert_eq!(nb[0].settings.precision, Precision::F64);
        assert_eq!(nb[1].settings.gradient, GradientSource::Autodiff);
        assert_eq!(nb[1].settings.precision, Precision::F32);
        assert!(nb.iter().all(|r| r.settings.optimizer.lr == 0.01 && r.settings.w0 == 0.0));
        let race = Preset::Race.specs(&Settings::default());
        assert_eq!(race.len(), MAX_RUNS);
        let colors: BTreeSet<[u8; 3]> = race.iter().map(|r| r.color).collect();
        assert_eq!(colors.len(), MAX_RUNS, "one colour per run");
        assert_eq!(Preset::parse(" Race "), Some(Preset::Race));
        assert_eq!(Preset::parse("nope"), None);
    }
}
